/**
 * Orders placed per account in the current 10 s and 1 min windows of sim time, for the
 * `X-MBX-ORDER-COUNT-10S` / `X-MBX-ORDER-COUNT-1M` headers and the ORDERS limit
 * (exchangeInfo: 1200 per minute; past it → 429 `-1015`).
 *
 * @module
 */

/** Orders per minute per account (exchangeInfo `ORDERS`). */
export const ORDERS_PER_MINUTE = 1200;

interface Windows {
  tenSec: number;
  tenSecCount: number;
  minute: number;
  minuteCount: number;
}

/** The result of {@linkcode OrderCounter.count}. */
export interface OrderCount {
  readonly tenSec: number;
  readonly minute: number;
  /** True when this order goes past the per-minute limit. */
  readonly limited: boolean;
}

/** Counts order placements per account. */
export class OrderCounter {
  #by = new Map<string, Windows>();
  #limit: number;

  /** @param limit orders per minute @default {ORDERS_PER_MINUTE} */
  constructor(limit = ORDERS_PER_MINUTE) {
    this.#limit = limit;
  }

  /** Orders per minute allowed. */
  get limit(): number {
    return this.#limit;
  }

  /** Counts one placement by `accountId` at `nowMs`. */
  count(accountId: string, nowMs: number): OrderCount {
    let w = this.#by.get(accountId);
    if (!w) {
      w = { tenSec: NaN, tenSecCount: 0, minute: NaN, minuteCount: 0 };
      this.#by.set(accountId, w);
    }
    const tenSec = Math.floor(nowMs / 10_000);
    const minute = Math.floor(nowMs / 60_000);
    if (tenSec !== w.tenSec) {
      w.tenSec = tenSec;
      w.tenSecCount = 0;
    }
    if (minute !== w.minute) {
      w.minute = minute;
      w.minuteCount = 0;
    }
    w.tenSecCount++;
    w.minuteCount++;
    return {
      tenSec: w.tenSecCount,
      minute: w.minuteCount,
      limited: w.minuteCount > this.#limit,
    };
  }
}
