/**
 * The last N aggregate trades of one symbol in typed columns (bounded memory).
 *
 * @module
 */
import type { RawAggTrade } from "../exchange/wire.ts";
import { fixed } from "./format.ts";

/** A ring of aggregate trades, ids increasing. */
export class TradeRing {
  #id: Float64Array;
  #price: Float64Array;
  #qty: Float64Array;
  #time: Float64Array;
  #first: Float64Array;
  #last: Float64Array;
  #maker: Uint8Array;
  #capacity: number;
  #start = 0;
  #size = 0;

  /** @param capacity the most trades kept */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#id = new Float64Array(capacity);
    this.#price = new Float64Array(capacity);
    this.#qty = new Float64Array(capacity);
    this.#time = new Float64Array(capacity);
    this.#first = new Float64Array(capacity);
    this.#last = new Float64Array(capacity);
    this.#maker = new Uint8Array(capacity);
  }

  /** The number of trades held. */
  get size(): number {
    return this.#size;
  }

  /** Appends a trade. */
  push(
    id: number,
    price: number,
    qty: number,
    time: number,
    first: number,
    last: number,
    buyerIsMaker: boolean,
  ): void {
    let slot: number;
    if (this.#size < this.#capacity) {
      slot = (this.#start + this.#size) % this.#capacity;
      this.#size++;
    } else {
      slot = this.#start;
      this.#start = (this.#start + 1) % this.#capacity;
    }
    this.#id[slot] = id;
    this.#price[slot] = price;
    this.#qty[slot] = qty;
    this.#time[slot] = time;
    this.#first[slot] = first;
    this.#last[slot] = last;
    this.#maker[slot] = buyerIsMaker ? 1 : 0;
  }

  /** Trade `i` (0 = oldest) as a REST row. */
  row(i: number, priceDecimals: number, qtyDecimals: number): RawAggTrade {
    const s = (this.#start + i) % this.#capacity;
    return {
      a: this.#id[s]!,
      p: fixed(this.#price[s]!, priceDecimals),
      q: fixed(this.#qty[s]!, qtyDecimals),
      f: this.#first[s]!,
      l: this.#last[s]!,
      T: this.#time[s]!,
      m: this.#maker[s] === 1,
    };
  }

  /** Index of the first trade whose id ≥ `id` (by id) or time ≥ `time`; `size` when none. */
  lowerBound(field: "id" | "time", value: number): number {
    const col = field === "id" ? this.#id : this.#time;
    let lo = 0, hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (col[(this.#start + mid) % this.#capacity]! >= value) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The time of trade `i` (0 = oldest). */
  timeAt(i: number): number {
    return this.#time[(this.#start + i) % this.#capacity]!;
  }
}
