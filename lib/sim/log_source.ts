/**
 * Replay of the recorder's CSV logs (`kline.csv`, `bookTicker.csv`, `markPrice.csv`,
 * `aggTrade_1s.csv`, `depth5.csv`, one row per symbol per snapshot second, `ts` in epoch ms).
 *
 * The files are streamed and their rows replayed in `ts` order. Trades come from the kline
 * snapshots: between two snapshots of a bar, a few trades walk the price to the new
 * high/low and then to the close, carrying exactly the volume delta (the trade count and
 * taker-buy share come from the snapshots' deltas); a new bar starts with a trade at its
 * open. Each snapshot then pins the bar's exact recorded values, so every bar closes at its
 * last snapshot (largest `ts`, recorded up to 10 s after the bar's end), which is the bar
 * the feature builder reads from the same logs. Without `kline.csv`, each `aggTrade_1s` row
 * becomes up to two trades (buy and sell volume, the last at `last_price`). `bookTicker`
 * and `depth5` rows set the book, `markPrice` rows set mark, index and funding. Missing
 * files are skipped.
 *
 * @module
 */
import { join } from "node:path";
import { CsvStream } from "./csv_stream.ts";
import { decimalsOf } from "./format.ts";
import { snapshotPath } from "../features/intrabar_path.ts";
import { ohlcvProblem } from "../features/ohlcv_check.ts";
import { settlementCutoff } from "../features/funding_rule.ts";
import {
  BOOK_LEVELS,
  type MarketSource,
  nextFundingAfter,
  type SymbolFeed,
  type TradeSink,
} from "./source.ts";
import { type SymbolSpec, symbolSpec, withDecimals } from "./symbols.ts";

const MINUTE = 60_000;
const SAMPLE_ROWS = 400;
/**
 * How far ahead of the clock kline rows are read: a bar's last snapshot may be recorded
 * this late and still count (the feature builder's default lateness).
 */
const KLINE_LOOKAHEAD_MS = 10_000;
/** The most trades synthesized for one kline snapshot. */
const MAX_TRADES_PER_SNAPSHOT = 12;

const LEVELS = [1, 2, 3, 4, 5];
/** The columns the replay reads from each log file. */
const COLUMNS = {
  kline: [
    "ts",
    "symbol",
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "quote_volume",
    "trades",
    "taker_buy_volume",
  ],
  bookTicker: ["ts", "symbol", "bid_price", "bid_qty", "ask_price", "ask_qty"],
  markPrice: [
    "ts",
    "symbol",
    "mark_price",
    "index_price",
    "funding_rate",
    "next_funding_time",
  ],
  aggTrade_1s: [
    "ts",
    "symbol",
    "trades",
    "buy_volume",
    "sell_volume",
    "vwap",
    "last_price",
  ],
  depth5: [
    "ts",
    "symbol",
    ...LEVELS.map((i) => `bid_px_${i}`),
    ...LEVELS.map((i) => `bid_qty_${i}`),
    ...LEVELS.map((i) => `ask_px_${i}`),
    ...LEVELS.map((i) => `ask_qty_${i}`),
  ],
} as const;
type Kind = keyof typeof COLUMNS;
/** Pump order; rows of equal time apply in this order (the real-time bookTicker after the
 * throttled depth snapshot, so the best level is the freshest). */
const KINDS: readonly Kind[] = [
  "depth5",
  "bookTicker",
  "kline",
  "aggTrade_1s",
  "markPrice",
];

interface Pending {
  time: number;
  kind: Kind;
  row: string[];
  file: CsvStream;
}

/** The replayed state of the last planned kline snapshot of one symbol. */
interface PlannedBar {
  openTime: number;
  high: number;
  low: number;
  close: number;
  /** Volume in quantity steps (integers, so deltas are exact). */
  volume: number;
  trades: number;
  takerBuy: number;
  /** The sim time of the snapshot's last planned trade. */
  time: number;
}

/** The replayed market of one symbol; rows arrive from its {@linkcode LogSource}. */
class LogFeed implements SymbolFeed {
  readonly spec: SymbolSpec;
  readonly book: Float64Array = new Float64Array(4 * BOOK_LEVELS);
  #source: LogSource;
  #queue: Pending[] = [];
  /** The current snapshot's price path (reused: one per kline row would be garbage). */
  #path: number[] = [];
  #bookVersion = 0;
  #mark: number;
  #index: number;
  #funding = 0.0001;
  /** Replay time of the row that set `#funding`, and the rate before it. */
  #fundingSince = -Infinity;
  #fundingBefore = 0.0001;
  #nextFunding = 0;
  #hasFunding = false;
  // Trades synthesized from kline snapshots, in time order, consumed from #planHead.
  #planTime: number[] = [];
  #planPrice: number[] = [];
  #planQty: number[] = [];
  #planBuy: boolean[] = [];
  #planHead = 0;
  #last: PlannedBar = {
    openTime: -Infinity,
    high: NaN,
    low: NaN,
    close: NaN,
    volume: 0,
    trades: 0,
    takerBuy: 0,
    time: -Infinity,
  };
  /** Whether trades come from kline snapshots (else from `aggTrade_1s` rows). */
  klineTrades = false;
  /** Open times of the minutes with a kline row (increasing), consumed by `recordedBar`. */
  #recorded: number[] = [];
  #recordedHead = 0;

  constructor(spec: SymbolSpec, source: LogSource) {
    this.spec = spec;
    this.#source = source;
    this.#mark = this.#index = spec.price;
    const tick = 10 ** -spec.priceDecimals;
    for (let i = 0; i < BOOK_LEVELS; i++) {
      this.book[i] = spec.price - (i + 1) * tick;
      this.book[10 + i] = spec.price + i * tick;
      this.book[5 + i] = this.book[15 + i] = 10 ** -spec.qtyDecimals;
    }
  }

  get bookVersion(): number {
    return this.#bookVersion;
  }
  get markPrice(): number {
    return this.#mark;
  }
  get indexPrice(): number {
    return this.#index;
  }
  get fundingRate(): number {
    return this.#funding;
  }
  get nextFundingTime(): number {
    return this.#nextFunding;
  }

  /**
   * A minute is a bar of the replay only when `kline.csv` has a usable row of it (recorded
   * by the bar's end plus the lateness the feature builder allows): the rule the feature
   * table follows, where a missing minute has no row and every window spanning it is
   * empty. A recorder gap is not a minute without trades (the exchange would have served
   * a real bar for it), so the replay serves no bar there rather than a flat zero-volume
   * one: the bot's windows then restart across the gap exactly as the table's
   * (`BarWindows`), and research on gappy logs sees no invented bars.
   */
  recordedBar(openTime: number): boolean {
    if (!this.klineTrades) return true;
    const r = this.#recorded;
    let h = this.#recordedHead;
    while (h < r.length && r[h]! < openTime) h++;
    if (h > 1024 && h * 2 > r.length) {
      r.splice(0, h);
      h = 0;
    }
    this.#recordedHead = h;
    return r[h] === openTime;
  }

  /**
   * The rate the settlement at `fundingTime` charges: the last recorded prediction
   * before it (`lib/features/funding_rule.ts`, a series of `predictions`; the feature
   * table built from the same logs gives the backtest the same rate). The market asks
   * at the tick of `fundingTime`, when rows up to it have been replayed.
   */
  settlementRate(fundingTime: number): number {
    const cut = settlementCutoff(fundingTime, "predictions");
    return this.#fundingSince < cut ? this.#funding : this.#fundingBefore;
  }

  enqueue(p: Pending): void {
    this.#queue.push(p);
  }

  /**
   * Plans the trades that move the replayed bar from the previous kline snapshot to this
   * one (`ts` = `time`), then queues the snapshot itself to pin the bar's exact values.
   * Trades are spread over `(previous snapshot, time]`, never before `from` (already
   * replayed) nor past the bar's last millisecond.
   */
  planKline(time: number, row: string[], file: CsvStream, from: number): void {
    const num = (name: string): number => Number(row[file.col(name)]);
    const openTime = num("open_time");
    const open = num("open"), high = num("high"), low = num("low");
    const close = num("close");
    const last = this.#last;
    // a row the feature builder rejects makes no bar here either (one check, both sides)
    if (
      ohlcvProblem(openTime, open, high, low, close, num("volume")) !== null ||
      !(openTime >= last.openTime)
    ) return;
    const barEnd = openTime + MINUTE - 1;
    const newBar = openTime > last.openTime;
    const start = Math.max(from, last.time, newBar ? openTime : -Infinity);
    time = Math.max(Math.min(time, barEnd), start);
    const scale = 10 ** this.spec.qtyDecimals;
    const volume = Math.round(num("volume") * scale);
    const trades = num("trades") || 0;
    const takerBuy = Math.round((num("taker_buy_volume") || 0) * scale);
    if (start <= barEnd) {
      this.#planTrades(
        newBar,
        start,
        time,
        open,
        high,
        low,
        close,
        Math.max(0, volume - (newBar ? 0 : last.volume)),
        Math.max(0, trades - (newBar ? 0 : last.trades)),
        Math.max(0, takerBuy - (newBar ? 0 : last.takerBuy)),
      );
      this.#queue.push({ time, kind: "kline", row, file });
      if (this.#recorded.at(-1) !== openTime) this.#recorded.push(openTime);
    }
    last.openTime = openTime;
    last.high = high;
    last.low = low;
    last.close = close;
    last.volume = volume;
    last.trades = trades;
    last.takerBuy = takerBuy;
    last.time = time;
  }

  #planTrades(
    newBar: boolean,
    start: number,
    end: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    count: number,
    takerBuy: number,
  ): void {
    const last = this.#last;
    // The price path: (open), the new extremes (the one farther from the close first), close.
    const path = this.#path;
    snapshotPath(
      newBar,
      open,
      high,
      low,
      close,
      last.high,
      last.low,
      last.close,
      volume > 0,
      path,
    );
    const m = path.length;
    if (m === 0) return;
    // At least one trade per path point; more (up to the snapshot's trade count) when
    // the volume allows one quantity step each.
    const k = Math.max(m, Math.min(count, volume, MAX_TRADES_PER_SNAPSHOT));
    const base = Math.floor(volume / k), extra = volume - base * k;
    const scale = 10 ** this.spec.qtyDecimals;
    const pScale = 10 ** this.spec.priceDecimals;
    const buyShare = volume > 0 ? Math.min(1, takerBuy / volume) : 0.5;
    const span = end - start;
    let from = newBar ? path[0]! : last.close, fromIdx = newBar ? 0 : -1;
    let j = 0;
    for (let i = 0; i < k; i++) {
      // Trade index of path point j: spread evenly, the last at k - 1.
      const anchor = newBar
        ? (m === 1 ? 0 : Math.round((j * (k - 1)) / (m - 1)))
        : Math.round(((j + 1) * k) / m) - 1;
      let price: number;
      if (j >= m) price = path[m - 1]!; // a one-point path: repeat it
      else if (i === anchor) {
        price = path[j]!;
        from = price;
        fromIdx = i;
        j++;
      } else {
        const to = path[j]!;
        const f = (i - fromIdx) / (anchor - fromIdx);
        price = Math.round((from + (to - from) * f) * pScale) / pScale;
      }
      const units = base + (i >= k - extra ? 1 : 0);
      // A new bar's first trade at `start`, the last trade at `end`.
      this.#planTime.push(
        newBar
          ? start + Math.floor((k === 1 ? 1 : i / (k - 1)) * span)
          : start + Math.floor(((i + 1) / k) * span),
      );
      this.#planPrice.push(price);
      this.#planQty.push(units / scale);
      this.#planBuy.push(
        Math.floor((i + 1) * buyShare + 0.5) > Math.floor(i * buyShare + 0.5),
      );
    }
  }

  advance(from: number, to: number, sink: TradeSink): void {
    this.#source.pump(from, to);
    const q = this.#queue;
    if (q.length > 1) q.sort((a, b) => a.time - b.time);
    const times = this.#planTime;
    let i = 0, p = this.#planHead;
    for (;;) {
      const qt = i < q.length ? q[i]!.time : Infinity;
      const pt = p < times.length ? times[p]! : Infinity;
      if (pt < to && pt <= qt) {
        sink.trade(
          pt,
          this.#planPrice[p]!,
          this.#planQty[p]!,
          !this.#planBuy[p],
        );
        p++;
      } else if (qt < to) {
        this.#apply(q[i]!, sink);
        i++;
      } else break;
    }
    q.splice(0, i);
    if (p > 4096 && p * 2 > times.length) {
      times.splice(0, p);
      this.#planPrice.splice(0, p);
      this.#planQty.splice(0, p);
      this.#planBuy.splice(0, p);
      p = 0;
    }
    this.#planHead = p;
    if (!this.#hasFunding && to >= this.#nextFunding) {
      this.#nextFunding = nextFundingAfter(to);
    }
  }

  #apply(p: Pending, sink: TradeSink): void {
    const r = p.row, f = p.file;
    const num = (name: string): number => Number(r[f.col(name)]);
    switch (p.kind) {
      case "aggTrade_1s": {
        if (this.klineTrades || !(num("trades") > 0)) return;
        const buy = num("buy_volume"), sell = num("sell_volume");
        const last = num("last_price"), vwap = num("vwap");
        if (!(last > 0)) return;
        const tick = 10 ** -this.spec.priceDecimals;
        const other = Math.round((vwap > 0 ? vwap : last) / tick) * tick;
        // The smaller side first at the vwap, the larger side last at the last price.
        const buyLast = buy >= sell;
        const firstQty = buyLast ? sell : buy, lastQty = buyLast ? buy : sell;
        if (firstQty > 0) sink.trade(p.time, other, firstQty, buyLast);
        if (lastQty > 0) sink.trade(p.time, last, lastQty, !buyLast);
        return;
      }
      case "kline": {
        const close = num("close"), volume = num("volume");
        if (!(close > 0)) return;
        const quote = num("quote_volume"), taker = num("taker_buy_volume");
        sink.setBar?.({
          openTime: num("open_time"),
          open: num("open"),
          high: num("high"),
          low: num("low"),
          close,
          volume,
          quoteVolume: quote,
          trades: num("trades"),
          takerBuyVolume: taker,
          takerBuyQuote: volume > 0 ? (quote * taker) / volume : 0,
        });
        return;
      }
      case "bookTicker": {
        const bid = num("bid_price"), ask = num("ask_price");
        if (!(bid > 0 && ask > 0)) return;
        const bk = this.book;
        if (bk[0] !== bid || bk[10] !== ask) {
          // Shift the deeper levels along with the best prices until a depth row arrives.
          const tick = 10 ** -this.spec.priceDecimals;
          for (let i = 1; i < BOOK_LEVELS; i++) {
            bk[i] = bid - i * tick;
            bk[10 + i] = ask + i * tick;
          }
        }
        bk[0] = bid;
        bk[5] = num("bid_qty");
        bk[10] = ask;
        bk[15] = num("ask_qty");
        this.#bookVersion++;
        return;
      }
      case "depth5": {
        const bk = this.book;
        for (let i = 0; i < BOOK_LEVELS; i++) {
          bk[i] = num(`bid_px_${i + 1}`) || 0;
          bk[5 + i] = num(`bid_qty_${i + 1}`) || 0;
          bk[10 + i] = num(`ask_px_${i + 1}`) || 0;
          bk[15 + i] = num(`ask_qty_${i + 1}`) || 0;
        }
        this.#bookVersion++;
        return;
      }
      case "markPrice": {
        const mark = num("mark_price");
        if (!(mark > 0)) return;
        this.#mark = mark;
        this.#index = num("index_price") || mark;
        this.#fundingBefore = this.#funding;
        this.#fundingSince = p.time;
        this.#funding = num("funding_rate") || 0;
        const next = num("next_funding_time");
        if (next > 0) {
          this.#nextFunding = next;
          this.#hasFunding = true;
        }
        return;
      }
    }
  }
}

/** A log-replay source over a recorder directory. */
export class LogSource implements MarketSource {
  /** The logs' first minute plus the history. */
  readonly startTime: number;
  #files = new Map<Kind, CsvStream>();
  #feeds = new Map<string, LogFeed>();
  #pumpedTo = -Infinity;

  /**
   * @param logDir the recorder's log directory
   * @param symbols listed symbols (rows of other symbols are skipped)
   * @param historyMinutes minutes of the logs served as history before the start
   * @throws {RangeError} when no log file exists or a symbol has no rows
   * @throws {SyntaxError} when a file lacks a column
   */
  constructor(
    logDir: string,
    symbols: readonly string[],
    historyMinutes: number,
  ) {
    try {
      for (const kind of KINDS) {
        const path = join(logDir, `${kind}.csv`);
        try {
          Deno.statSync(path);
        } catch {
          continue;
        }
        this.#files.set(kind, new CsvStream(path, COLUMNS[kind]));
      }
      if (this.#files.size === 0) {
        throw new RangeError(`Cannot replay logs: no log files in ${logDir}`);
      }
      let first = Infinity;
      for (const file of this.#files.values()) {
        const row = file.peek();
        if (row) first = Math.min(first, Number(row[file.col("ts")]));
      }
      if (!Number.isFinite(first)) {
        throw new RangeError(`Cannot replay logs: ${logDir} has no rows`);
      }
      this.startTime = Math.floor(first / MINUTE) * MINUTE +
        historyMinutes * MINUTE;
      for (const s of symbols) {
        const feed = new LogFeed(this.#sampleSpec(s, logDir), this);
        feed.klineTrades = this.#files.has("kline");
        this.#feeds.set(s, feed);
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** The feed of a listed symbol. */
  feed(symbol: string): SymbolFeed {
    const f = this.#feeds.get(symbol);
    if (!f) {
      throw new RangeError(`Cannot feed "${symbol}": not a listed symbol`);
    }
    return f;
  }

  /** Closes the files. */
  close(): void {
    for (const f of this.#files.values()) f.close();
  }

  /** Reads every file up to time `to`, handing rows to their symbol's feed. */
  pump(from: number, to: number): void {
    if (to <= this.#pumpedTo) return;
    const skipBefore = this.#pumpedTo === -Infinity ? from : -Infinity;
    this.#pumpedTo = to;
    for (const [kind, file] of this.#files) {
      const ts = file.col("ts"), sym = file.col("symbol");
      const shift = kind === "aggTrade_1s" ? -1 : 0; // the trades of the second ending at ts
      // A bar's last snapshot (the closed kline) is recorded just after its minute: kline
      // rows are read ahead and planned as trades up to the bar's last millisecond.
      const ahead = kind === "kline" ? KLINE_LOOKAHEAD_MS : 0;
      for (;;) {
        const row = file.peek();
        if (!row) break;
        const time = Number(row[ts]) + shift;
        if (!Number.isFinite(time)) {
          throw new SyntaxError(
            `Cannot replay ${file.path}:${file.lineNo}: bad ts "${row[ts]}"`,
          );
        }
        if (time >= to + ahead) break;
        file.take();
        const feed = this.#feeds.get(row[sym] ?? "");
        if (!feed) continue;
        if (kind === "kline") feed.planKline(time, row, file, from);
        else if (time >= skipBefore) feed.enqueue({ time, kind, row, file });
      }
    }
  }

  #sampleSpec(symbol: string, logDir: string): SymbolSpec {
    let pd = 0, qd = 0, price = NaN;
    const probe: [Kind, string[], string[]][] = [
      ["kline", ["open", "high", "low", "close"], ["volume"]],
      ["bookTicker", ["bid_price", "ask_price"], ["bid_qty", "ask_qty"]],
      ["aggTrade_1s", ["last_price"], []],
    ];
    for (const [kind, prices, qtys] of probe) {
      const file = this.#files.get(kind);
      if (!file) continue;
      const sym = file.col("symbol");
      for (let i = 0; i < SAMPLE_ROWS; i++) {
        const row = file.peek(i);
        if (!row) break;
        if (row[sym] !== symbol) continue;
        for (const c of prices) {
          const v = row[file.col(c)] ?? "";
          if (v !== "") pd = Math.max(pd, decimalsOf(v));
          if (Number.isNaN(price) && Number(v) > 0) price = Number(v);
        }
        for (const c of qtys) {
          qd = Math.max(qd, decimalsOf(row[file.col(c)] ?? ""));
        }
      }
    }
    if (Number.isNaN(price)) {
      throw new RangeError(
        `Cannot replay logs: no rows for ${symbol} at the start of ${logDir}`,
      );
    }
    return withDecimals(symbolSpec(symbol), pd, qd, price);
  }
}
