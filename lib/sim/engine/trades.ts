/**
 * Trade list of an account (`GET /fapi/v1/userTrades`, ../shared/aster-protocol.md §3.3):
 * one row per fill the engine makes, with the wire's decimal strings fixed when the fill
 * happens, kept up to a bound (oldest dropped first). It is the exchange's own record of
 * the fills, independent of the user stream that reports them (a fill made while the
 * stream is down is here too).
 *
 * @module
 */
import type { RawUserTrade } from "../../exchange/trading/wire.ts";
import { type EngineReply, ERRORS, ok } from "./errors.ts";
import { param, type Params } from "./order_params.ts";

/** Rows kept per account. */
export const TRADE_ROWS_KEPT = 200_000;

/** An account's fills, in the order they happened (ascending id and time). */
export class TradeLog {
  #rows: RawUserTrade[] = [];
  #head = 0;
  readonly #cap: number;

  /** @param cap rows kept (the oldest are dropped beyond it) */
  constructor(cap = TRADE_ROWS_KEPT) {
    this.#cap = cap;
  }

  /** Appends one fill. */
  record(row: RawUserTrade): void {
    this.#rows.push(row);
    if (this.#rows.length - this.#head > this.#cap) this.#head++;
    if (this.#head > 4096 && this.#head * 2 > this.#rows.length) {
      this.#rows = this.#rows.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * `GET /userTrades`: `symbol` (mandatory), optional `orderId`, `startTime`, `endTime`
   * (ms, both inclusive), `fromId` (trade id, inclusive) and `limit` (1..1000, default
   * 500). Ascending; with `fromId` or `startTime` the first `limit` rows from there, else
   * the last `limit` rows up to `endTime`. (The exchange's 7-day window is not enforced.)
   */
  query(params: Params): EngineReply<RawUserTrade[]> {
    const symbol = param(params, "symbol");
    if (symbol === undefined) return ERRORS.mandatory("symbol");
    const num = (name: string): number | undefined | null => {
      const text = param(params, name);
      if (text === undefined) return undefined;
      return /^\d{1,16}$/.test(text) ? Number(text) : null;
    };
    const orderId = num("orderId"), fromId = num("fromId");
    const start = num("startTime"), end = num("endTime"), limit = num("limit");
    if (orderId === null) return ERRORS.invalidParam("orderId");
    if (fromId === null) return ERRORS.invalidParam("fromId");
    if (start === null) return ERRORS.invalidParam("startTime");
    if (end === null) return ERRORS.invalidParam("endTime");
    if (
      limit === null || (limit !== undefined && !(limit >= 1 && limit <= 1000))
    ) {
      return ERRORS.invalidParam("limit");
    }
    const n = limit ?? 500;
    const match = (r: RawUserTrade) =>
      r.symbol === symbol &&
      (orderId === undefined || r.orderId === orderId) &&
      (fromId === undefined || r.id >= fromId) &&
      (start === undefined || r.time >= start) &&
      (end === undefined || r.time <= end);
    const out: RawUserTrade[] = [];
    const rows = this.#rows;
    if (start !== undefined || fromId !== undefined) {
      for (let i = this.#head; i < rows.length && out.length < n; i++) {
        if (match(rows[i]!)) out.push(rows[i]!);
      }
    } else {
      for (let i = rows.length - 1; i >= this.#head && out.length < n; i--) {
        if (match(rows[i]!)) out.push(rows[i]!);
      }
      out.reverse();
    }
    return ok(out.map((r) => ({ ...r })));
  }
}
