/**
 * Replay of plain 1m OHLCV CSV files (`open_time|timestamp,open,high,low,close,volume`).
 *
 * Each bar becomes a short sequence of trades along the shared intrabar path
 * (`lib/features/intrabar_path.ts`: open → low → high → close for an up bar, open → high →
 * low → close for a down bar, at fixed points) whose prices hit the file's open, high, low
 * and close exactly and whose quantities add up to its volume; the
 * book sits one tick around the last trade (the ask at a buy's price, the bid at a
 * sell's: `replayBid` / `replayAsk`). This is the OHLCV intrabar convention the
 * bot-model backtest shares (`--intrabar ohlc`): the mark price is the last trade price
 * and the funding rate a constant {@linkcode OHLCV_FUNDING_RATE}, or with a funding file
 * per symbol the rate of each settlement from that file ({@linkcode FundingSchedule}: the
 * feature table's as-of rule, so the backtest charges the same), so a replay is the same
 * at any speed (no random walk tied to the clock's steps). Files are streamed.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { CsvStream } from "./csv_stream.ts";
import {
  intrabarPath,
  isBuyTrade,
  PATH_POINTS,
  replayAsk,
  replayBid,
} from "../features/intrabar_path.ts";
import { decimalsOf } from "./format.ts";
import { FundingFileError, FundingSchedule } from "./funding_schedule.ts";
import { hashString, Rng } from "./random.ts";
import {
  BOOK_LEVELS,
  type MarketSource,
  nextFundingAfter,
  type SymbolFeed,
  type TradeSink,
} from "./source.ts";
import { type SymbolSpec, symbolSpec, withDecimals } from "./symbols.ts";

const log = getLogger(["aster", "sim"]);
const MINUTE = 60_000;
/** Trades per replayed bar. */
const TRADES_PER_BAR = PATH_POINTS;
/** The funding rate of an OHLCV replay, every 8 hours (1 bp). */
export const OHLCV_FUNDING_RATE = 0.0001;
/** Rows read ahead to learn the file's decimals. */
const SAMPLE_ROWS = 500;

interface Row {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Reads OHLCV rows from a CSV file, validating them. */
class OhlcvReader {
  #rows: CsvStream;
  #ahead: Row[] = [];
  #lastTime = -Infinity;
  priceDecimals = 0;
  qtyDecimals = 0;

  constructor(path: string) {
    this.#rows = new CsvStream(path, []);
    const col = this.#rows.columns;
    if (
      (col.get("open_time") !== 0 && col.get("timestamp") !== 0) ||
      col.get("open") !== 1 || col.get("high") !== 2 || col.get("low") !== 3 ||
      col.get("close") !== 4 || col.get("volume") !== 5
    ) {
      this.#rows.close();
      throw new SyntaxError(
        `Cannot read OHLCV file ${path}: expected header open_time|timestamp,open,high,low,close,volume`,
      );
    }
    for (let i = 0; i < SAMPLE_ROWS; i++) {
      const row = this.#read(true);
      if (!row) break;
      this.#ahead.push(row);
    }
  }

  peek(): Row | undefined {
    if (this.#ahead.length === 0) {
      const row = this.#read(false);
      if (row) this.#ahead.push(row);
    }
    return this.#ahead[0];
  }

  take(): Row | undefined {
    const row = this.peek();
    this.#ahead.shift();
    return row;
  }

  close(): void {
    this.#rows.close();
  }

  #read(sample: boolean): Row | undefined {
    for (;;) {
      const c = this.#rows.take();
      if (c === undefined) return undefined;
      const row: Row = {
        openTime: Number(c[0]),
        open: Number(c[1]),
        high: Number(c[2]),
        low: Number(c[3]),
        close: Number(c[4]),
        volume: Number(c[5]),
      };
      const where = `${this.#rows.path}:${this.#rows.lineNo}`;
      if (
        c.length < 6 || !Number.isFinite(row.openTime) || !(row.low > 0) ||
        !(row.high >= Math.max(row.open, row.close)) ||
        !(Math.min(row.open, row.close) >= row.low) || !(row.volume >= 0)
      ) {
        throw new SyntaxError(
          `Cannot read OHLCV row at ${where}: invalid values "${c.join(",")}"`,
        );
      }
      if (row.openTime % MINUTE !== 0) {
        throw new SyntaxError(
          `Cannot read OHLCV row at ${where}: open time is not on a minute`,
        );
      }
      if (row.openTime <= this.#lastTime) {
        log.warn("Skipping out-of-order OHLCV row at {where}", { where });
        continue;
      }
      this.#lastTime = row.openTime;
      if (sample) {
        for (let i = 1; i <= 4; i++) {
          this.priceDecimals = Math.max(
            this.priceDecimals,
            decimalsOf(c[i]!.trim()),
          );
        }
        this.qtyDecimals = Math.max(this.qtyDecimals, decimalsOf(c[5]!.trim()));
      }
      return row;
    }
  }
}

/** The replayed market of one symbol. */
export class OhlcvFeed implements SymbolFeed {
  /** The symbol's rules, with the file's decimals when finer. */
  readonly spec: SymbolSpec;
  /** Top of book. */
  readonly book: Float64Array = new Float64Array(4 * BOOK_LEVELS);
  /** Open time of the file's first bar. */
  readonly firstTime: number;
  #reader: OhlcvReader;
  #rng: Rng;
  #bookVersion = 0;
  #times = new Float64Array(TRADES_PER_BAR);
  #prices = new Float64Array(TRADES_PER_BAR);
  #qtys = new Float64Array(TRADES_PER_BAR);
  #count = 0;
  #idx = 0;
  #last: number;
  #lastBuy = true;
  #nextFunding = 0;
  #funding: FundingSchedule | undefined;
  #started = false;
  #ended = false;

  /**
   * @param symbol the listed symbol
   * @param path its 1m OHLCV CSV
   * @param funding its funding events; absent: {@linkcode OHLCV_FUNDING_RATE} at every
   *   settlement
   * @throws {SyntaxError} for an unreadable file; {@linkcode FundingFileError} for a
   *   funding file with no event before the first settlement of the OHLCV file
   */
  constructor(symbol: string, path: string, funding?: FundingSchedule) {
    this.#reader = new OhlcvReader(path);
    const first = this.#reader.peek();
    if (!first) {
      this.#reader.close();
      throw new SyntaxError(`Cannot replay ${path}: the file has no rows`);
    }
    this.firstTime = first.openTime;
    this.#nextFunding = nextFundingAfter(first.openTime);
    if (
      funding && Number.isNaN(funding.settlementRate(this.#nextFunding))
    ) {
      this.#reader.close();
      throw new FundingFileError(
        `Cannot replay ${path} with funding file ${funding.path}: it has no event before the first settlement (${
          new Date(this.#nextFunding).toISOString()
        })`,
      );
    }
    this.#funding = funding;
    this.#last = first.open;
    this.spec = withDecimals(
      symbolSpec(symbol),
      this.#reader.priceDecimals,
      this.#reader.qtyDecimals,
      first.open,
    );
    this.#rng = new Rng(1, hashString(symbol));
    this.#refreshBook();
  }

  /** See {@linkcode SymbolFeed.bookVersion}. */
  get bookVersion(): number {
    return this.#bookVersion;
  }
  /** Mark: the last trade price (the shared OHLCV convention). */
  get markPrice(): number {
    return this.#last;
  }
  /** Index: the last price. */
  get indexPrice(): number {
    return this.#last;
  }
  /** Funding rate of the next settlement (predicted = settled: a replay knows it). */
  get fundingRate(): number {
    return this.settlementRate(this.#nextFunding);
  }
  /**
   * The rate the settlement at `fundingTime` charges: the funding file's (see
   * {@linkcode FundingSchedule.settlementRate}), else {@linkcode OHLCV_FUNDING_RATE}.
   */
  settlementRate(fundingTime: number): number {
    return this.#funding
      ? this.#funding.settlementRate(fundingTime)
      : OHLCV_FUNDING_RATE;
  }
  /** Next 8 h settlement. */
  get nextFundingTime(): number {
    return this.#nextFunding;
  }

  /** Replays the trades of `[from, to)`. */
  advance(from: number, to: number, sink: TradeSink): void {
    if (!this.#started) {
      this.#started = true;
      const barStart = Math.floor(from / MINUTE) * MINUTE;
      let row = this.#reader.peek();
      while (row && row.openTime < barStart) {
        this.#reader.take();
        this.#last = row.close;
        row = this.#reader.peek();
      }
    }
    for (;;) {
      while (this.#idx < this.#count && this.#times[this.#idx]! < to) {
        const i = this.#idx++;
        const price = this.#prices[i]!;
        const buy = isBuyTrade(price, this.#last, this.#lastBuy);
        this.#last = price;
        this.#lastBuy = buy;
        // The book and mark move with the trade before listeners see it: a stop it
        // triggers fills around the trade, not at the previous trade's book.
        this.#refreshBook();
        sink.trade(this.#times[i]!, price, this.#qtys[i]!, !buy);
      }
      if (this.#idx < this.#count) break;
      const row = this.#reader.peek();
      if (!row) {
        if (!this.#ended) {
          this.#ended = true;
          log.warn("OHLCV replay of {symbol} reached the end of its file", {
            symbol: this.spec.symbol,
          });
        }
        break;
      }
      if (row.openTime >= to) break;
      this.#reader.take();
      this.#schedule(row);
    }
    if (to >= this.#nextFunding) this.#nextFunding = nextFundingAfter(to);
  }

  /** Releases the file. */
  close(): void {
    this.#reader.close();
  }

  #schedule(row: Row): void {
    const rng = this.#rng, n = TRADES_PER_BAR;
    const tick = 10 ** -this.spec.priceDecimals,
      step = 10 ** -this.spec.qtyDecimals;
    intrabarPath(row.open, row.high, row.low, row.close, tick, this.#prices);
    for (let i = 0; i < n; i++) {
      this.#times[i] = row.openTime + Math.round((i * 59_500) / (n - 1));
    }
    // Quantities: random weights floored to the step, the remainder on the last trade.
    let wsum = 0;
    for (let i = 0; i < n; i++) wsum += this.#qtys[i] = 0.2 + rng.next();
    let used = 0;
    for (let i = 0; i < n - 1; i++) {
      const q = Math.floor((row.volume * this.#qtys[i]!) / wsum / step) * step;
      this.#qtys[i] = q;
      used += q;
    }
    this.#qtys[n - 1] = Math.max(0, row.volume - used);
    this.#count = n;
    this.#idx = 0;
  }

  #refreshBook(): void {
    const tick = 10 ** -this.spec.priceDecimals,
      step = 10 ** -this.spec.qtyDecimals;
    const bk = this.book, rng = this.#rng;
    // the touch after the last trade (the bot model's, too: intrabar_path.ts)
    const bid = replayBid(this.#last, this.#lastBuy, tick);
    const ask = replayAsk(this.#last, this.#lastBuy, tick);
    const unit = Math.max(step, 1000 / this.#last);
    for (let i = 0; i < BOOK_LEVELS; i++) {
      bk[i] = bid - i * tick;
      bk[10 + i] = ask + i * tick;
      // at least `unit` (~1,000 USDT) on every level, so an entry of up to that size
      // fills whole at the touch (the bot-model backtest assumes a full fill)
      bk[5 + i] = Math.max(
        Math.ceil(unit / step) * step,
        Math.round((unit * (1 + i) * 2 * rng.next()) / step) * step,
      );
      bk[15 + i] = Math.max(
        Math.ceil(unit / step) * step,
        Math.round((unit * (1 + i) * 2 * rng.next()) / step) * step,
      );
    }
    this.#bookVersion++;
  }
}

/**
 * An OHLCV replay source. Its start is the latest first bar of the files plus
 * `historyMinutes`, so the bars before it are served as REST history. `funding` names a
 * funding file per symbol (optional per symbol).
 *
 * @throws {RangeError} when a listed symbol has no file, or a funding file's symbol is not
 *   listed
 * @throws {SyntaxError} for an unreadable OHLCV or funding file
 */
export function ohlcvSource(
  files: Record<string, string>,
  symbols: readonly string[],
  historyMinutes: number,
  funding: Readonly<Record<string, string>> = {},
): MarketSource {
  const feeds = new Map<string, OhlcvFeed>();
  try {
    for (const s of Object.keys(funding)) {
      if (!symbols.includes(s)) {
        throw new RangeError(
          `Cannot replay OHLCV: funding file for ${s}, which is not a listed symbol`,
        );
      }
    }
    for (const s of symbols) {
      const path = files[s];
      if (path === undefined) {
        throw new RangeError(
          `Cannot replay OHLCV: no file for listed symbol ${s}`,
        );
      }
      const f = funding[s];
      feeds.set(
        s,
        new OhlcvFeed(
          s,
          path,
          f === undefined ? undefined : new FundingSchedule(f),
        ),
      );
    }
  } catch (error) {
    for (const f of feeds.values()) f.close();
    throw error;
  }
  const first = Math.max(...[...feeds.values()].map((f) => f.firstTime));
  return {
    startTime: first + historyMinutes * MINUTE,
    feed(symbol: string): SymbolFeed {
      const f = feeds.get(symbol);
      if (!f) {
        throw new RangeError(`Cannot feed "${symbol}": not a listed symbol`);
      }
      return f;
    },
    close(): void {
      for (const f of feeds.values()) f.close();
    },
  };
}
