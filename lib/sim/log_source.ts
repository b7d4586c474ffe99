/**
 * Replay of the recorder's CSV logs (`kline.csv`, `bookTicker.csv`, `markPrice.csv`,
 * `aggTrade_1s.csv`, `depth5.csv`, one row per symbol per snapshot second, `ts` in epoch ms).
 *
 * The files are streamed and their rows replayed in `ts` order: each `aggTrade_1s` row
 * becomes up to two trades (buy and sell volume, the last at `last_price`), `kline` rows
 * overwrite the open bar with the recorded snapshot, `bookTicker` and `depth5` rows set the
 * book, `markPrice` rows set mark, index and funding. Missing files are skipped.
 *
 * @module
 */
import { join } from "node:path";
import { CsvStream } from "./csv_stream.ts";
import { decimalsOf } from "./format.ts";
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
/** How far ahead of the clock kline rows are read (closed bars recorded late). */
const CLOSED_KLINE_LOOKAHEAD_MS = 5_000;

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

/** The replayed market of one symbol; rows arrive from its {@linkcode LogSource}. */
class LogFeed implements SymbolFeed {
  readonly spec: SymbolSpec;
  readonly book: Float64Array = new Float64Array(4 * BOOK_LEVELS);
  #source: LogSource;
  #queue: Pending[] = [];
  #bookVersion = 0;
  #mark: number;
  #index: number;
  #funding = 0.0001;
  #nextFunding = 0;
  #hasFunding = false;

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

  enqueue(p: Pending): void {
    this.#queue.push(p);
  }

  advance(from: number, to: number, sink: TradeSink): void {
    this.#source.pump(from, to);
    if (this.#queue.length > 1) this.#queue.sort((a, b) => a.time - b.time);
    let i = 0;
    for (; i < this.#queue.length && this.#queue[i]!.time < to; i++) {
      this.#apply(this.#queue[i]!, sink);
    }
    this.#queue.splice(0, i);
    if (!this.#hasFunding && to >= this.#nextFunding) {
      this.#nextFunding = nextFundingAfter(to);
    }
  }

  #apply(p: Pending, sink: TradeSink): void {
    const r = p.row, f = p.file;
    const num = (name: string): number => Number(r[f.col(name)]);
    switch (p.kind) {
      case "aggTrade_1s": {
        if (!(num("trades") > 0)) return;
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
        this.#feeds.set(s, new LogFeed(this.#sampleSpec(s, logDir), this));
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
      // A closed kline is recorded just after its minute: read kline rows a little ahead and
      // apply a closed one just before its bar closes, so the bar closes with its final values.
      const ahead = kind === "kline" ? CLOSED_KLINE_LOOKAHEAD_MS : 0;
      const closedCol = kind === "kline"
        ? file.columns.get("is_closed")
        : undefined;
      const openCol = kind === "kline" ? file.col("open_time") : -1;
      for (;;) {
        const row = file.peek();
        if (!row) break;
        let time = Number(row[ts]) + shift;
        if (!Number.isFinite(time)) {
          throw new SyntaxError(
            `Cannot replay ${file.path}:${file.lineNo}: bad ts "${row[ts]}"`,
          );
        }
        if (time >= to + ahead) break;
        file.take();
        if (closedCol !== undefined && row[closedCol] === "true") {
          time = Math.min(time, Number(row[openCol]) + MINUTE - 1);
        }
        if (time < skipBefore) continue;
        this.#feeds.get(row[sym] ?? "")?.enqueue({ time, kind, row, file });
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
