/**
 * Closed 1m bars of one symbol in fixed-size typed columns: bounded memory, no per-bar
 * objects. Rows are formatted to wire strings only when read.
 *
 * @module
 */
import type { RawKlineRow } from "../exchange/wire.ts";
import { fixed } from "./format.ts";

/** Number of numeric fields stored per bar. */
const FIELDS = 10;
const OPEN_TIME = 0, OPEN = 1, HIGH = 2, LOW = 3, CLOSE = 4, VOLUME = 5;
const QUOTE = 6, TRADES = 7, TAKER_V = 8, TAKER_Q = 9;

/** One bar's numbers, as kept while it is open. */
export interface BarValues {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  trades: number;
  takerBuyVolume: number;
  takerBuyQuote: number;
}

/** Formats bar numbers as a REST kline row. */
export function klineRow(
  b: BarValues,
  priceDecimals: number,
  qtyDecimals: number,
): RawKlineRow {
  const qd = Math.min(8, priceDecimals + qtyDecimals);
  return [
    b.openTime,
    fixed(b.open, priceDecimals),
    fixed(b.high, priceDecimals),
    fixed(b.low, priceDecimals),
    fixed(b.close, priceDecimals),
    fixed(b.volume, qtyDecimals),
    b.openTime + 59_999,
    fixed(b.quoteVolume, qd),
    b.trades,
    fixed(b.takerBuyVolume, qtyDecimals),
    fixed(b.takerBuyQuote, qd),
    "0",
  ];
}

/**
 * A ring of closed 1m bars, oldest dropped first. Bars are contiguous minutes; a minute the
 * market has no data for (a recorder gap in a log replay) is kept as a slot marked
 * unserved, so bar `i` is still minute `openTime(0) + i`.
 */
export class BarRing {
  #data: Float64Array;
  #unserved: Uint8Array;
  #capacity: number;
  #start = 0;
  #size = 0;

  /** @param capacity the most bars kept */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#data = new Float64Array(capacity * FIELDS);
    this.#unserved = new Uint8Array(capacity);
  }

  /** The number of bars held. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends a closed bar.
   *
   * @param served false for a minute with no data (see the class doc): REST serves no row
   * for it. @default {true}
   */
  push(b: BarValues, served = true): void {
    let slot: number;
    if (this.#size < this.#capacity) {
      slot = (this.#start + this.#size) % this.#capacity;
      this.#size++;
    } else {
      slot = this.#start;
      this.#start = (this.#start + 1) % this.#capacity;
    }
    this.#unserved[slot] = served ? 0 : 1;
    const d = this.#data, o = slot * FIELDS;
    d[o + OPEN_TIME] = b.openTime;
    d[o + OPEN] = b.open;
    d[o + HIGH] = b.high;
    d[o + LOW] = b.low;
    d[o + CLOSE] = b.close;
    d[o + VOLUME] = b.volume;
    d[o + QUOTE] = b.quoteVolume;
    d[o + TRADES] = b.trades;
    d[o + TAKER_V] = b.takerBuyVolume;
    d[o + TAKER_Q] = b.takerBuyQuote;
  }

  /** The open time of bar `i` (0 = oldest). */
  openTime(i: number): number {
    return this.#data[this.#offset(i) + OPEN_TIME]!;
  }

  /** Whether bar `i` (0 = oldest) is served (false: a minute with no data). */
  served(i: number): boolean {
    return this.#unserved[this.#offset(i) / FIELDS] === 0;
  }

  /** Copies bar `i` (0 = oldest) into `out`. */
  read(i: number, out: BarValues): BarValues {
    const d = this.#data, o = this.#offset(i);
    out.openTime = d[o + OPEN_TIME]!;
    out.open = d[o + OPEN]!;
    out.high = d[o + HIGH]!;
    out.low = d[o + LOW]!;
    out.close = d[o + CLOSE]!;
    out.volume = d[o + VOLUME]!;
    out.quoteVolume = d[o + QUOTE]!;
    out.trades = d[o + TRADES]!;
    out.takerBuyVolume = d[o + TAKER_V]!;
    out.takerBuyQuote = d[o + TAKER_Q]!;
    return out;
  }

  /** The index of the first bar with open time ≥ `time` (`size` when none). */
  indexAtOrAfter(time: number): number {
    let lo = 0, hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.openTime(mid) >= time) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  #offset(i: number): number {
    if (i < 0 || i >= this.#size) {
      throw new RangeError(
        `Cannot read bar ${i}: the ring holds ${this.#size}`,
      );
    }
    return ((this.#start + i) % this.#capacity) * FIELDS;
  }
}

/** A zeroed {@linkcode BarValues}. */
export function emptyBar(): BarValues {
  return {
    openTime: 0,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    volume: 0,
    quoteVolume: 0,
    trades: 0,
    takerBuyVolume: 0,
    takerBuyQuote: 0,
  };
}
