/**
 * The streaming bar assembler for recorder logs: it takes kline, bookTicker and markPrice
 * rows (merged roughly in `ts` order), keeps the last kline snapshot of each
 * `(symbol, open_time)`, joins the last book and mark rows with `ts` before the bar's end
 * (when fresh enough by the exchange's event time), and hands each bar over once a watermark (the largest `ts` seen
 * minus a lateness allowance) has passed its end. Memory is a few minutes per symbol.
 *
 * @module
 */
import { MINUTE_MS } from "./formulas.ts";

/** Receives finished bars, per symbol in increasing open time. */
export interface BarSink {
  /** One bar with its joined book/mark values (NaN when missing or stale). */
  bar(
    symbol: number,
    openTime: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    bid: number,
    ask: number,
    mark: number,
    fundingRate: number,
  ): void;
}

/** Options of {@linkcode LogBarAssembler}. */
export interface AssemblerOptions {
  /** A book/mark row older than this at the bar's end is not used. @default {60000} */
  readonly maxStalenessMs?: number;
  /** How late (in `ts`) a row may arrive before its bar is emitted without it. @default {10000} */
  readonly latenessMs?: number;
}

/** What a row did: used, or ignored as late / too far ahead. */
export const ROW_USED = 0;
/** The row belongs to a bar already emitted. */
export const ROW_LATE = 1;
/** The kline's open_time is further ahead of the watermark than the assembler holds. */
export const ROW_AHEAD = 2;
/** What {@linkcode LogBarAssembler} did with a row. */
export type RowOutcome = typeof ROW_USED | typeof ROW_LATE | typeof ROW_AHEAD;

/**
 * The last row per minute of a two-value snapshot stream (book: bid/ask; mark: mark/funding)
 * in a ring of minutes, and the carry: the latest row of minutes already final.
 */
class PairSlots {
  readonly tag: Float64Array;
  readonly ts: Float64Array;
  /** The exchange's event time of each row: what staleness is measured from. */
  readonly ev: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  carryTs = -Infinity;
  carryEv = -Infinity;
  carryA = NaN;
  carryB = NaN;

  constructor(r: number) {
    this.tag = new Float64Array(r).fill(-1);
    this.ts = new Float64Array(r);
    this.ev = new Float64Array(r);
    this.a = new Float64Array(r);
    this.b = new Float64Array(r);
  }

  /** Takes a row of minute `m` (into the carry when `late`); the newest `ts` wins. */
  put(
    late: boolean,
    m: number,
    k: number,
    ts: number,
    ev: number,
    a: number,
    b: number,
  ): void {
    if (late) {
      if (ts >= this.carryTs) {
        this.carryTs = ts;
        this.carryEv = ev;
        this.carryA = a;
        this.carryB = b;
      }
    } else if (this.tag[k] !== m || ts >= this.ts[k]!) {
      this.tag[k] = m;
      this.ts[k] = ts;
      this.ev[k] = ev;
      this.a[k] = a;
      this.b[k] = b;
    }
  }

  /** Moves minute `m`'s row (ring slot `k`) into the carry as the minute becomes final. */
  settle(m: number, k: number): void {
    if (this.tag[k] !== m) return;
    this.tag[k] = -1;
    this.carryTs = this.ts[k]!;
    this.carryEv = this.ev[k]!;
    this.carryA = this.a[k]!;
    this.carryB = this.b[k]!;
  }
}

class SymbolSlots {
  readonly klTag: Float64Array;
  readonly klTs: Float64Array;
  readonly klOpenTime: Float64Array;
  readonly klOhlcv: Float64Array;
  readonly book: PairSlots;
  readonly mark: PairSlots;

  constructor(r: number) {
    this.klTag = new Float64Array(r).fill(-1);
    this.klTs = new Float64Array(r);
    this.klOpenTime = new Float64Array(r);
    this.klOhlcv = new Float64Array(r * 5);
    this.book = new PairSlots(r);
    this.mark = new PairSlots(r);
  }
}

/**
 * Assembles bars from log rows; see the module doc. Symbols are dense ids (0, 1, …).
 *
 * The watermark is the largest `ts` seen. Minute m (bars opening at m) is final once
 * the watermark reaches `(m + 1) * 60000 + latenessMs`; a row that arrives after its minute
 * is final is late: a kline row is dropped, a book/mark row still updates the state used by
 * later bars.
 */
export class LogBarAssembler {
  #sink: BarSink;
  #staleness: number;
  #lateness: number;
  #r: number;
  #symbols: SymbolSlots[] = [];
  #watermark = -Infinity;
  #final = NaN; // the last final minute index
  #nextAdvance = Infinity; // the watermark at which #final moves

  /**
   * @param sink receives the bars
   * @param options staleness and lateness limits
   */
  constructor(sink: BarSink, options: AssemblerOptions = {}) {
    this.#sink = sink;
    this.#staleness = options.maxStalenessMs ?? 60_000;
    this.#lateness = options.latenessMs ?? 10_000;
    if (!(this.#lateness >= 0) || !(this.#staleness >= 0)) {
      throw new RangeError(
        "Cannot create LogBarAssembler: lateness and staleness must be >= 0",
      );
    }
    this.#r = Math.ceil(this.#lateness / MINUTE_MS) + 5;
  }

  /** A kline snapshot row. */
  kline(
    ts: number,
    symbol: number,
    openTime: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): RowOutcome {
    this.#see(ts);
    const s = this.#slots(symbol);
    const m = openTime / MINUTE_MS;
    let outcome: RowOutcome = ROW_USED;
    if (m <= this.#final) outcome = ROW_LATE;
    else if (m > this.#final + this.#r) outcome = ROW_AHEAD;
    else {
      const k = m % this.#r;
      if (s.klTag[k] !== m || ts >= s.klTs[k]!) {
        s.klTag[k] = m;
        s.klTs[k] = ts;
        s.klOpenTime[k] = openTime;
        const o = k * 5;
        s.klOhlcv[o] = open;
        s.klOhlcv[o + 1] = high;
        s.klOhlcv[o + 2] = low;
        s.klOhlcv[o + 3] = close;
        s.klOhlcv[o + 4] = volume;
      }
    }
    return outcome;
  }

  /**
   * A bookTicker snapshot row recorded at local `ts`; `eventTime` is the exchange's time
   * of the quote (staleness is measured from it; @default {ts}).
   */
  book(
    ts: number,
    symbol: number,
    bid: number,
    ask: number,
    eventTime = ts,
  ): RowOutcome {
    this.#see(ts);
    return this.#pair(this.#slots(symbol).book, ts, eventTime, bid, ask);
  }

  /** A markPrice snapshot row; `eventTime` as for {@linkcode LogBarAssembler.book}. */
  mark(
    ts: number,
    symbol: number,
    mark: number,
    fundingRate: number,
    eventTime = ts,
  ): RowOutcome {
    this.#see(ts);
    return this.#pair(
      this.#slots(symbol).mark,
      ts,
      eventTime,
      mark,
      fundingRate,
    );
  }

  /** Emits every bar still held (the end of the input). */
  finish(): void {
    if (Number.isNaN(this.#final)) return;
    this.#finalizeUpTo(this.#final + this.#r);
  }

  #pair(
    p: PairSlots,
    ts: number,
    ev: number,
    a: number,
    b: number,
  ): RowOutcome {
    const m = Math.floor(ts / MINUTE_MS);
    const late = m <= this.#final;
    p.put(late, m, m % this.#r, ts, ev, a, b);
    return late ? ROW_LATE : ROW_USED;
  }

  #see(ts: number): void {
    if (!(ts > this.#watermark)) return;
    this.#watermark = ts;
    if (Number.isNaN(this.#final)) {
      this.#final = Math.floor((ts - this.#lateness) / MINUTE_MS) - 2;
      this.#nextAdvance = (this.#final + 2) * MINUTE_MS + this.#lateness;
    }
    if (ts >= this.#nextAdvance) this.#advance();
  }

  #slots(symbol: number): SymbolSlots {
    let s = this.#symbols[symbol];
    if (s === undefined) {
      while (this.#symbols.length <= symbol) {
        this.#symbols.push(new SymbolSlots(this.#r));
      }
      s = this.#symbols[symbol]!;
    }
    return s;
  }

  #advance(): void {
    const target = Math.floor((this.#watermark - this.#lateness) / MINUTE_MS) -
      1;
    this.#finalizeUpTo(target);
  }

  #finalizeUpTo(target: number): void {
    const last = Math.min(target, this.#final + this.#r);
    for (let symbol = 0; symbol < this.#symbols.length; symbol++) {
      const s = this.#symbols[symbol]!;
      for (let m = this.#final + 1; m <= last; m++) {
        this.#finalize(symbol, s, m);
      }
    }
    this.#final = Math.max(this.#final, target);
    this.#nextAdvance = (this.#final + 2) * MINUTE_MS + this.#lateness;
  }

  #finalize(symbol: number, s: SymbolSlots, m: number): void {
    const k = m % this.#r;
    const book = s.book, mark = s.mark;
    book.settle(m, k);
    mark.settle(m, k);
    if (s.klTag[k] !== m) return;
    s.klTag[k] = -1;
    const end = (m + 1) * MINUTE_MS;
    // age by the exchange's event time: a frozen quote re-recorded during an outage keeps
    // its old event time and goes stale, whatever its local ts says
    const bookOk = end - book.carryEv <= this.#staleness;
    const markOk = end - mark.carryEv <= this.#staleness;
    const o = k * 5;
    this.#sink.bar(
      symbol,
      s.klOpenTime[k]!,
      s.klOhlcv[o]!,
      s.klOhlcv[o + 1]!,
      s.klOhlcv[o + 2]!,
      s.klOhlcv[o + 3]!,
      s.klOhlcv[o + 4]!,
      bookOk ? book.carryA : NaN,
      bookOk ? book.carryB : NaN,
      markOk ? mark.carryA : NaN,
      markOk ? mark.carryB : NaN,
    );
  }
}
