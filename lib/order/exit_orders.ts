/**
 * The exchange-side exits of a position as order specs (pure): a reduce-only
 * TAKE_PROFIT_MARKET on the contract price, a reduce-only STOP_MARKET on the mark price
 * and, when configured, a reduce-only TRAILING_STOP_MARKET, all sized to the position.
 *
 * @module
 */
import type { Decimal } from "decimal.js";
import {
  type Direction,
  exitLevels,
  type OrderFilters,
  trailingParams,
} from "./filters.ts";
import type { ManagedOrderType, OrderSpec, Side } from "./port.ts";

/** What an exit order is for. */
export type ExitPurpose = "tp" | "sl" | "trail";

/** The exit order type of each purpose. */
export const EXIT_TYPE: Readonly<Record<ExitPurpose, ManagedOrderType>> = {
  tp: "TAKE_PROFIT_MARKET",
  sl: "STOP_MARKET",
  trail: "TRAILING_STOP_MARKET",
};

/** The purpose of an exit order type, or `undefined` for a non-exit type. */
export function exitPurpose(type: string): ExitPurpose | undefined {
  return type === "TAKE_PROFIT_MARKET"
    ? "tp"
    : type === "STOP_MARKET"
    ? "sl"
    : type === "TRAILING_STOP_MARKET"
    ? "trail"
    : undefined;
}

/** Exit distances. */
export interface ExitSettings {
  /** Take-profit distance in bp. */
  readonly tpBps: number;
  /** Stop-loss distance in bp. */
  readonly slBps: number;
  /** Trailing stop: activation in bp beyond the fill, callback in percent. */
  readonly trailing?: {
    readonly activationBps: number;
    readonly callbackPct: number;
  } | undefined;
}

/** The side that closes a position of `direction`. */
export function exitSide(direction: Direction): Side {
  return direction === "long" ? "SELL" : "BUY";
}

/**
 * The order spec of one exit of a position.
 *
 * @param position direction, absolute quantity and the reference (fill or entry) price
 * @param clientOrderId the exit's client id
 * @throws {RangeError} for invalid exit settings (see `exitLevels`, `trailingParams`)
 */
export function exitOrderSpec(
  f: OrderFilters,
  purpose: ExitPurpose,
  position: {
    readonly direction: Direction;
    readonly quantity: Decimal;
    readonly entryPrice: Decimal;
  },
  settings: ExitSettings,
  clientOrderId: string,
): OrderSpec {
  const { direction, entryPrice } = position;
  const base = {
    symbol: f.symbol,
    side: exitSide(direction),
    quantity: position.quantity.toFixed(),
    reduceOnly: true,
    clientOrderId,
  };
  if (purpose === "trail") {
    const t = settings.trailing;
    if (t === undefined) {
      throw new RangeError("Cannot place a trailing stop: none configured");
    }
    const p = trailingParams(
      f,
      direction,
      entryPrice,
      t.activationBps,
      t.callbackPct,
    );
    return {
      ...base,
      type: "TRAILING_STOP_MARKET",
      activationPrice: p.activationPrice,
      callbackRate: p.callbackRate,
      workingType: "CONTRACT_PRICE",
    };
  }
  const levels = exitLevels(
    f,
    direction,
    entryPrice,
    settings.tpBps,
    settings.slBps,
  );
  return purpose === "tp"
    ? {
      ...base,
      type: "TAKE_PROFIT_MARKET",
      stopPrice: levels.takeProfit,
      workingType: "CONTRACT_PRICE",
    }
    : {
      ...base,
      type: "STOP_MARKET",
      stopPrice: levels.stopLoss,
      workingType: "MARK_PRICE",
    };
}
