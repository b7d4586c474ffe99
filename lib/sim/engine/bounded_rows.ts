/**
 * An account history the engine appends to as time advances (income rows, fills), kept
 * up to a bound (the oldest dropped first), and the paging rule its `GET` endpoints share:
 * with a lower bound (`startTime`, `fromId`) the first `limit` matching rows from the
 * oldest, else the last `limit` up to now, always returned ascending.
 *
 * @module
 */
import { param, type Params } from "./order_params.ts";

/** Rows in append order, at most `cap` of them. */
export class BoundedRows<T> {
  #rows: T[] = [];
  #head = 0;
  readonly #cap: number;

  /** @param cap rows kept (the oldest are dropped beyond it) */
  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Appends one row. */
  push(row: T): void {
    this.#rows.push(row);
    if (this.#rows.length - this.#head > this.#cap) this.#head++;
    if (this.#head > 4096 && this.#head * 2 > this.#rows.length) {
      this.#rows = this.#rows.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * Up to `limit` rows that `match`, ascending: the first ones from the oldest when
   * `fromOldest`, else the last ones.
   */
  page(match: (row: T) => boolean, limit: number, fromOldest: boolean): T[] {
    const out: T[] = [];
    const rows = this.#rows;
    if (fromOldest) {
      for (let i = this.#head; i < rows.length && out.length < limit; i++) {
        if (match(rows[i]!)) out.push(rows[i]!);
      }
    } else {
      for (
        let i = rows.length - 1;
        i >= this.#head && out.length < limit;
        i--
      ) {
        if (match(rows[i]!)) out.push(rows[i]!);
      }
      out.reverse();
    }
    return out;
  }
}

/**
 * An optional non-negative integer parameter (times, ids, limits): undefined when absent,
 * null when malformed.
 */
export function uintParam(
  params: Params,
  name: string,
): number | undefined | null {
  const text = param(params, name);
  if (text === undefined) return undefined;
  return /^\d{1,16}$/.test(text) ? Number(text) : null;
}

/** The `limit` parameter (1..1000), `fallback` when absent, null when malformed. */
export function limitParam(params: Params, fallback: number): number | null {
  const limit = uintParam(params, "limit");
  if (limit === undefined) return fallback;
  return limit !== null && limit >= 1 && limit <= 1000 ? limit : null;
}
