/**
 * Income history of an account (`GET /fapi/v1/income`, ../shared/aster-protocol.md §3.3):
 * every wallet change the engine makes is one row — `REALIZED_PNL` and `COMMISSION` per
 * fill, `FUNDING_FEE` per position at each funding settlement — in money units, kept up to
 * a bound (oldest dropped first).
 *
 * @module
 */
import type { RawIncome } from "../../exchange/trading/wire.ts";
import { type EngineReply, ERRORS, ok } from "./errors.ts";
import { param, type Params } from "./order_params.ts";
import { money } from "./views.ts";
import { BoundedRows, limitParam, uintParam } from "./bounded_rows.ts";

/** Income types the engine writes or accepts as a filter. */
export const INCOME_TYPES = [
  "TRANSFER",
  "WELCOME_BONUS",
  "REALIZED_PNL",
  "FUNDING_FEE",
  "COMMISSION",
  "INSURANCE_CLEAR",
  "MARKET_MERCHANT_RETURN_REWARD",
] as const;

/** One row: an amount in money units (1e-8 USDT) credited (+) or debited (-). */
export interface IncomeRow {
  readonly symbol: string;
  readonly type: typeof INCOME_TYPES[number];
  readonly units: number;
  readonly time: number;
  readonly tranId: number;
  /** The fill's trade id, "" for funding. */
  readonly tradeId: string;
}

/** Rows kept per account. */
export const INCOME_ROWS_KEPT = 200_000;

/** An account's income rows, time-ordered (they are written as time advances). */
export class IncomeLog {
  #rows: BoundedRows<IncomeRow>;
  #nextTranId = 1;

  /** @param cap rows kept (the oldest are dropped beyond it) */
  constructor(cap = INCOME_ROWS_KEPT) {
    this.#rows = new BoundedRows(cap);
  }

  /** Appends a row; a zero amount is not written (the exchange writes none either). */
  record(
    symbol: string,
    type: IncomeRow["type"],
    units: number,
    time: number,
    tradeId = "",
  ): void {
    if (units === 0) return;
    this.#rows.push({
      symbol,
      type,
      units,
      time,
      tranId: this.#nextTranId++,
      tradeId,
    });
  }

  /**
   * `GET /income`: optional `symbol`, `incomeType`, `startTime`, `endTime` (ms, both
   * inclusive) and `limit` (1..1000, default 100). Ascending by time; with `startTime` the
   * first `limit` rows from it, else the last `limit` rows up to `endTime`.
   */
  query(params: Params): EngineReply<RawIncome[]> {
    const symbol = param(params, "symbol");
    const type = param(params, "incomeType");
    if (
      type !== undefined &&
      !(INCOME_TYPES as readonly string[]).includes(type)
    ) {
      return ERRORS.invalidParam("incomeType");
    }
    const start = uintParam(params, "startTime");
    const end = uintParam(params, "endTime");
    const limit = limitParam(params, 100);
    if (start === null) return ERRORS.invalidParam("startTime");
    if (end === null) return ERRORS.invalidParam("endTime");
    if (limit === null) return ERRORS.invalidParam("limit");
    const out = this.#rows.page(
      (r) =>
        (symbol === undefined || r.symbol === symbol) &&
        (type === undefined || r.type === type) &&
        (start === undefined || r.time >= start) &&
        (end === undefined || r.time <= end),
      limit,
      start !== undefined,
    );
    return ok(out.map((r) => ({
      symbol: r.symbol,
      incomeType: r.type,
      income: money(r.units),
      asset: "USDT",
      info: r.type === "FUNDING_FEE" ? "FUNDING_FEE" : "",
      time: r.time,
      tranId: r.tranId,
      tradeId: r.tradeId,
    })));
  }
}
