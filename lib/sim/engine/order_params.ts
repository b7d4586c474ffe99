/**
 * Parses and validates `POST /fapi/v1/order` parameters against a symbol's filters, in the
 * simulator's validation order (../shared/aster-protocol.md §8 "Simulator notes"): mandatory
 * and enum params, client order id, symbol, precision (-1111, checked at parse time as
 * Binance does, so that it is reachable), PRICE_FILTER, LOT_SIZE / MARKET_LOT_SIZE,
 * PERCENT_PRICE, MIN_NOTIONAL. Checks that need account state are the engine's.
 *
 * @module
 */

import { fractionDigits, parseScaled } from "./decimal.ts";
import { type EngineReply, ERRORS } from "./errors.ts";
import type { CompiledSymbol } from "./spec.ts";
import {
  type MarketState,
  ORDER_TYPES,
  type OrderType,
  TIME_IN_FORCE,
  type TimeInForce,
  type WorkingType,
} from "./state.ts";

/** Request parameters exactly as received: a record or URLSearchParams. */
export type Params =
  | Readonly<Record<string, string | undefined>>
  | URLSearchParams;

/** Reads a parameter; empty strings count as absent. */
export function param(params: Params, name: string): string | undefined {
  const value = params instanceof URLSearchParams
    ? params.get(name)
    : params[name];
  return value === null || value === undefined || value === ""
    ? undefined
    : value;
}

/** A validated new order, in the symbol's scaled integers. */
export interface ParsedOrder {
  readonly side: 1 | -1;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly price: number;
  readonly qty: number;
  readonly stopPrice: number;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  /** 0 when absent. */
  readonly activationPrice: number;
  readonly callbackTenths: number;
  readonly clientOrderId: string | undefined;
  readonly respType: "ACK" | "RESULT";
}

const CLIENT_ID = /^[\.A-Z\:/a-z0-9_-]{1,36}$/;
const CALLBACK = /^\d+(\.\d)?0*$/;

/** Whether an order type is conditional (rests until its trigger fires). */
export function isConditional(type: OrderType): boolean {
  return type === "STOP_MARKET" || type === "TAKE_PROFIT_MARKET" ||
    type === "TRAILING_STOP_MARKET";
}

function bool(
  params: Params,
  name: string,
): boolean | undefined | EngineReply<never> {
  const value = param(params, name);
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return ERRORS.invalidParam(name);
}

function isReply(value: unknown): value is EngineReply<never> {
  return typeof value === "object" && value !== null && "body" in value;
}

function checkPrice(
  spec: CompiledSymbol,
  value: number,
): EngineReply<never> | undefined {
  if (spec.minPrice > 0 && value < spec.minPrice) return ERRORS.priceBelowMin();
  if (value <= 0) return ERRORS.priceBelowMin();
  if (spec.maxPrice > 0 && value > spec.maxPrice) return ERRORS.priceAboveMax();
  if ((value - spec.minPrice) % spec.tick !== 0) return ERRORS.priceNotTick();
  return undefined;
}

/**
 * Validates the stateless part of a new order. `lookup` resolves the symbol (undefined →
 * -1121). Returns the parsed order and its market, or an error reply.
 */
export function parseNewOrder(
  params: Params,
  lookup: (symbol: string) => MarketState | undefined,
): { order: ParsedOrder; market: MarketState } | EngineReply<never> {
  const symbol = param(params, "symbol");
  if (symbol === undefined) return ERRORS.mandatory("symbol");
  const sideText = param(params, "side");
  if (sideText === undefined) return ERRORS.mandatory("side");
  if (sideText !== "BUY" && sideText !== "SELL") return ERRORS.invalidSide();
  const typeText = param(params, "type");
  if (typeText === undefined) return ERRORS.mandatory("type");
  if (!(ORDER_TYPES as readonly string[]).includes(typeText)) {
    return ERRORS.invalidType();
  }
  const type = typeText as OrderType;
  const tifText = param(params, "timeInForce");
  if (type === "LIMIT" && tifText === undefined) {
    return ERRORS.mandatory("timeInForce");
  }
  if (
    tifText !== undefined &&
    !(TIME_IN_FORCE as readonly string[]).includes(tifText)
  ) return ERRORS.invalidTif();
  const tif = (tifText ?? "GTC") as TimeInForce;
  const reduceOnly = bool(params, "reduceOnly");
  if (isReply(reduceOnly)) return reduceOnly;
  const closePosition = bool(params, "closePosition");
  if (isReply(closePosition)) return closePosition;
  const priceProtect = bool(params, "priceProtect");
  if (isReply(priceProtect)) return priceProtect;
  const priceText = param(params, "price");
  const qtyText = param(params, "quantity");
  const stopText = param(params, "stopPrice");
  const activationText = param(params, "activationPrice");
  const callbackText = param(params, "callbackRate");
  if (type === "LIMIT" && qtyText === undefined) {
    return ERRORS.mandatory("quantity");
  }
  if (type === "LIMIT" && priceText === undefined) {
    return ERRORS.mandatory("price");
  }
  if (type === "MARKET" && qtyText === undefined) {
    return ERRORS.mandatory("quantity");
  }
  if (
    (type === "STOP_MARKET" || type === "TAKE_PROFIT_MARKET") &&
    stopText === undefined
  ) return ERRORS.mandatory("stopPrice");
  if (type === "TRAILING_STOP_MARKET" && callbackText === undefined) {
    return ERRORS.mandatory("callbackRate");
  }
  if (closePosition === true) {
    if (type !== "STOP_MARKET" && type !== "TAKE_PROFIT_MARKET") {
      return ERRORS.notRequired("closePosition");
    }
    if (qtyText !== undefined) return ERRORS.qtyWithClosePosition();
    if (reduceOnly === false) return ERRORS.reduceOnlyWithClosePosition();
  } else if (isConditional(type) && qtyText === undefined) {
    return ERRORS.mandatory("quantity");
  }
  if (type !== "LIMIT" && priceText !== undefined) {
    return ERRORS.notRequired("price");
  }
  const workingText = param(params, "workingType") ?? "CONTRACT_PRICE";
  if (workingText !== "CONTRACT_PRICE" && workingText !== "MARK_PRICE") {
    return ERRORS.invalidParam("workingType");
  }
  const respText = param(params, "newOrderRespType") ?? "ACK";
  if (respText !== "ACK" && respText !== "RESULT") {
    return ERRORS.invalidParam("newOrderRespType");
  }
  const positionSide = param(params, "positionSide") ?? "BOTH";
  if (positionSide !== "BOTH") return ERRORS.positionSideMismatch();
  let callbackTenths = 0;
  if (type === "TRAILING_STOP_MARKET") {
    if (!CALLBACK.test(callbackText!)) {
      return ERRORS.invalidParam("callbackRate");
    }
    callbackTenths = parseScaled(callbackText!, 1);
    if (!(callbackTenths >= 1 && callbackTenths <= 50)) {
      return ERRORS.invalidParam("callbackRate");
    }
  }
  const clientOrderId = param(params, "newClientOrderId");
  if (clientOrderId !== undefined && !CLIENT_ID.test(clientOrderId)) {
    return ERRORS.badClientId();
  }
  const market = lookup(symbol);
  if (market === undefined || !market.spec.trading) return ERRORS.badSymbol();
  const spec = market.spec;

  // Precision (-1111) and malformed numbers (-1102).
  for (
    const [name, text] of [
      ["price", priceText],
      ["stopPrice", stopText],
      ["activationPrice", activationText],
    ] as const
  ) {
    if (text === undefined) continue;
    const digits = fractionDigits(text);
    if (digits < 0) return ERRORS.mandatory(name);
    if (digits > spec.pricePrecision) return ERRORS.badPrecision();
  }
  if (qtyText !== undefined) {
    const digits = fractionDigits(qtyText);
    if (digits < 0) return ERRORS.mandatory("quantity");
    if (digits > spec.quantityPrecision) return ERRORS.badPrecision();
  }
  const price = priceText === undefined ? 0 : parseScaled(priceText, spec.pd);
  const stopPrice = stopText === undefined ? 0 : parseScaled(stopText, spec.pd);
  const activationPrice = activationText === undefined
    ? 0
    : parseScaled(activationText, spec.pd);
  const qty = qtyText === undefined ? 0 : parseScaled(qtyText, spec.qd);
  if (Number.isNaN(price)) return ERRORS.mandatory("price");
  if (Number.isNaN(stopPrice)) return ERRORS.mandatory("stopPrice");
  if (Number.isNaN(activationPrice)) return ERRORS.invalidActivation();
  if (Number.isNaN(qty)) return ERRORS.mandatory("quantity");

  // PRICE_FILTER on price and stopPrice; activation price reports -4135.
  if (priceText !== undefined) {
    const error = checkPrice(spec, price);
    if (error) return error;
  }
  if (stopText !== undefined) {
    const error = checkPrice(spec, stopPrice);
    if (error) return error;
  }
  if (activationText !== undefined && checkPrice(spec, activationPrice)) {
    return ERRORS.invalidActivation();
  }

  // LOT_SIZE (LIMIT) or MARKET_LOT_SIZE (market-type orders).
  if (closePosition !== true) {
    const isLimit = type === "LIMIT";
    const minQty = isLimit ? spec.minQty : spec.mktMinQty;
    const maxQty = isLimit ? spec.maxQty : spec.mktMaxQty;
    const step = isLimit ? spec.step : spec.mktStep;
    if (qty <= 0) return ERRORS.qtyNotPositive();
    if (qty < minQty) return ERRORS.qtyBelowMin();
    if (maxQty > 0 && qty > maxQty) return ERRORS.qtyAboveMax();
    if ((qty - minQty) % step !== 0) return ERRORS.qtyNotStep();
  }

  // PERCENT_PRICE against the mark (when one is known).
  const side = sideText === "BUY" ? 1 : -1;
  if (type === "LIMIT" && !Number.isNaN(market.mark)) {
    const p = price / spec.priceScale;
    if (side === 1 && p > market.mark * spec.multiplierUp) {
      return ERRORS.priceAboveMultiplier(
        (market.mark * spec.multiplierUp).toFixed(spec.pd),
      );
    }
    if (side === -1 && p < market.mark * spec.multiplierDown) {
      return ERRORS.priceBelowMultiplier(
        (market.mark * spec.multiplierDown).toFixed(spec.pd),
      );
    }
  }

  // MIN_NOTIONAL (reduce-only and closePosition orders are exempt).
  if (
    reduceOnly !== true && closePosition !== true && spec.minNotionalUnits > 0
  ) {
    let notional: number;
    if (type === "LIMIT") notional = price * qty * spec.rawToUnits;
    else if (type !== "TRAILING_STOP_MARKET" && type !== "MARKET") {
      notional = stopPrice * qty * spec.rawToUnits;
    } else {
      const ref = Number.isNaN(market.mark) ? market.last : market.mark;
      notional = Number.isNaN(ref) ? Infinity : ref * qty / spec.qtyScale * 1e8;
    }
    if (Math.round(notional) < spec.minNotionalUnits) {
      return ERRORS.minNotional(spec.minNotional);
    }
  }

  return {
    market,
    order: {
      side,
      type,
      tif,
      price,
      qty,
      stopPrice,
      reduceOnly: reduceOnly === true || closePosition === true,
      closePosition: closePosition === true,
      workingType: workingText,
      priceProtect: priceProtect === true,
      activationPrice,
      callbackTenths,
      clientOrderId,
      respType: respText,
    },
  };
}
