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
import { BoundedRows, limitParam, uintParam } from "./bounded_rows.ts";

/** Rows kept per account. */
export const TRADE_ROWS_KEPT = 200_000;

/** An account's fills, in the order they happened (ascending id and time). */
export class TradeLog {
  #rows: BoundedRows<RawUserTrade>;

  /** @param cap rows kept (the oldest are dropped beyond it) */
  constructor(cap = TRADE_ROWS_KEPT) {
    this.#rows = new BoundedRows(cap);
  }

  /** Appends one fill. */
  record(row: RawUserTrade): void {
    this.#rows.push(row);
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
    const orderId = uintParam(params, "orderId");
    const fromId = uintParam(params, "fromId");
    const start = uintParam(params, "startTime");
    const end = uintParam(params, "endTime");
    const limit = limitParam(params, 500);
    if (orderId === null) return ERRORS.invalidParam("orderId");
    if (fromId === null) return ERRORS.invalidParam("fromId");
    if (start === null) return ERRORS.invalidParam("startTime");
    if (end === null) return ERRORS.invalidParam("endTime");
    if (limit === null) return ERRORS.invalidParam("limit");
    const out = this.#rows.page(
      (r) =>
        r.symbol === symbol &&
        (orderId === undefined || r.orderId === orderId) &&
        (fromId === undefined || r.id >= fromId) &&
        (start === undefined || r.time >= start) &&
        (end === undefined || r.time <= end),
      limit,
      start !== undefined || fromId !== undefined,
    );
    return ok(out.map((r) => ({ ...r })));
  }
}
