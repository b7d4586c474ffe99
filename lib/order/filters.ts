/**
 * Exchange filters applied with decimal.js: entry quantity from a USD notional, prices on
 * the tick, exit levels rounded away from triggering, trailing-stop parameters. Pure.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import type { SymbolInfo } from "../exchange/exchange_info.ts";

/** The filters one symbol's orders must pass, as decimals. */
export interface OrderFilters {
  readonly symbol: string;
  /** PRICE_FILTER.tickSize (0 = no tick). */
  readonly tickSize: Decimal;
  /** LOT_SIZE. */
  readonly stepSize: Decimal;
  readonly minQty: Decimal;
  readonly maxQty: Decimal;
  /** MARKET_LOT_SIZE, LOT_SIZE when absent. */
  readonly marketStepSize: Decimal;
  readonly marketMinQty: Decimal;
  readonly marketMaxQty: Decimal;
  /** MIN_NOTIONAL (0 when absent). */
  readonly minNotional: Decimal;
}

/** Refusal to size an order (callers skip the entry and journal it). */
export class OrderSizeError extends RangeError {
  /** Why: the quantity needed is above maxQty, or the input is unusable. */
  readonly reason: "above_max_qty" | "bad_input";
  /**
   * @param message "Cannot size order: ..."
   * @param reason the machine-readable reason
   */
  constructor(message: string, reason: "above_max_qty" | "bad_input") {
    super(message);
    this.name = "OrderSizeError";
    this.reason = reason;
  }
}

/** Builds {@linkcode OrderFilters} from a parsed exchangeInfo symbol. */
export function orderFilters(info: SymbolInfo): OrderFilters {
  const d = (s: string | undefined, fallback: string) =>
    new Decimal(s ?? fallback);
  const maxQty = d(info.maxQty, "0");
  return {
    symbol: info.symbol,
    tickSize: d(info.tickSize, "0"),
    stepSize: d(info.stepSize, "0"),
    minQty: d(info.minQty, "0"),
    maxQty,
    marketStepSize: d(info.marketStepSize, info.stepSize),
    marketMinQty: d(info.marketMinQty, info.minQty),
    marketMaxQty: d(info.marketMaxQty, info.maxQty),
    minNotional: d(info.minNotional, "0"),
  };
}

/** Rounds `value` to a multiple of `step` (0 = unchanged), down or up. */
export function roundToStep(
  value: Decimal.Value,
  step: Decimal,
  mode: "down" | "up",
): Decimal {
  const v = new Decimal(value);
  if (step.isZero()) return v;
  const q = v.div(step);
  return (mode === "down" ? q.floor() : q.ceil()).mul(step);
}

/**
 * The entry quantity for a target notional: the smallest step multiple whose notional at
 * `price` is at least `notionalUsd` and the exchange's MIN_NOTIONAL, and whose size is at
 * least minQty. Both LOT_SIZE and MARKET_LOT_SIZE apply (the coarser step, the larger
 * minQty, the smaller maxQty), so the position's market-type exits can cover it.
 *
 * With `maxUpsize`, a quantity whose notional would exceed `notionalUsd × (1 +
 * maxUpsize)` is rounded down a step instead when that still meets minQty and
 * MIN_NOTIONAL (an entry a little below the target rather than far above it); when the
 * minimums themselves force more, the rounded-up quantity is returned and the caller
 * refuses it (see `entry_plan.ts`).
 *
 * @param notionalUsd the target notional in quote currency (> 0)
 * @param price the expected fill price (> 0)
 * @param maxUpsize allowed excess over `notionalUsd`, a fraction. @default {Infinity}
 * @returns the quantity as a decimal string
 * @throws {OrderSizeError} when the quantity exceeds a maxQty or an input is not > 0
 */
export function entryQuantity(
  f: OrderFilters,
  notionalUsd: Decimal.Value,
  price: Decimal.Value,
  maxUpsize: number = Infinity,
): string {
  const target = new Decimal(notionalUsd);
  const p = new Decimal(price);
  if (!target.isFinite() || !target.gt(0) || !p.isFinite() || !p.gt(0)) {
    throw new OrderSizeError(
      `Cannot size order on ${f.symbol}: notional ${target} and price ${p} must be > 0`,
      "bad_input",
    );
  }
  const need = Decimal.max(target, f.minNotional);
  // the position's exits and closes are market-type orders (MARKET_LOT_SIZE): the entry
  // must pass both lot filters so that one exit order can cover the whole position
  const step = Decimal.max(f.stepSize, f.marketStepSize);
  const minQty = Decimal.max(f.minQty, f.marketMinQty);
  const maxQty = f.maxQty.gt(0) && f.marketMaxQty.gt(0)
    ? Decimal.min(f.maxQty, f.marketMaxQty)
    : Decimal.max(f.maxQty, f.marketMaxQty);
  let qty = roundToStep(need.div(p), step, "up");
  // the division may round; make sure the notional really reaches `need`
  while (qty.mul(p).lt(need)) qty = qty.add(step);
  if (qty.lt(minQty)) qty = roundToStep(minQty, step, "up");
  if (Number.isFinite(maxUpsize) && !step.isZero()) {
    const limit = target.mul(new Decimal(maxUpsize).add(1));
    const down = qty.sub(step);
    if (
      qty.mul(p).gt(limit) && down.gt(0) && down.gte(minQty) &&
      down.mul(p).gte(f.minNotional)
    ) qty = down;
  }
  if (maxQty.gt(0) && qty.gt(maxQty)) {
    throw new OrderSizeError(
      `Cannot size order on ${f.symbol}: ${qty} for ${need} USD at ${p} exceeds maxQty ${maxQty}`,
      "above_max_qty",
    );
  }
  return qty.toFixed();
}

/** An entry direction. */
export type Direction = "long" | "short";

/**
 * The IOC entry price at the touch (BUY at the ask, SELL at the bid), on the tick: a
 * BUY rounds up and a SELL down, so an off-tick quote still crosses.
 */
export function entryPrice(
  f: OrderFilters,
  direction: Direction,
  bid: Decimal.Value,
  ask: Decimal.Value,
): string {
  return direction === "long"
    ? roundToStep(ask, f.tickSize, "up").toFixed()
    : roundToStep(bid, f.tickSize, "down").toFixed();
}

/** Take-profit and stop-loss trigger prices. */
export interface ExitLevels {
  /** TAKE_PROFIT_MARKET stopPrice. */
  readonly takeProfit: string;
  /** STOP_MARKET stopPrice. */
  readonly stopLoss: string;
}

/**
 * TP and SL levels in bp around the fill price, rounded to the tick AWAY from
 * triggering at once: a long's TP rounds up and its SL down; a short's TP rounds down
 * and its SL up. So each level is at least as far from the fill as asked.
 *
 * @param tpBps take-profit distance in bp (> 0)
 * @param slBps stop-loss distance in bp (> 0)
 * @throws {RangeError} when a distance is not > 0 or the SL of a long is not above 0
 */
export function exitLevels(
  f: OrderFilters,
  direction: Direction,
  fillPrice: Decimal.Value,
  tpBps: number,
  slBps: number,
): ExitLevels {
  if (!(tpBps > 0) || !(slBps > 0) || slBps >= 10_000) {
    throw new RangeError(
      `Cannot set exit levels: tpBps ${tpBps} and slBps ${slBps} must be in (0, 10000)`,
    );
  }
  const p = new Decimal(fillPrice);
  const tp = new Decimal(tpBps).div(10_000);
  const sl = new Decimal(slBps).div(10_000);
  const long = direction === "long";
  const takeProfit = long
    ? roundToStep(p.mul(tp.add(1)), f.tickSize, "up")
    : roundToStep(p.mul(new Decimal(1).sub(tp)), f.tickSize, "down");
  const stopLoss = long
    ? roundToStep(p.mul(new Decimal(1).sub(sl)), f.tickSize, "down")
    : roundToStep(p.mul(sl.add(1)), f.tickSize, "up");
  if (!takeProfit.gt(0) || !stopLoss.gt(0)) {
    throw new RangeError(
      `Cannot set exit levels: TP ${takeProfit} or SL ${stopLoss} is not > 0`,
    );
  }
  return { takeProfit: takeProfit.toFixed(), stopLoss: stopLoss.toFixed() };
}

/** The trailing stop's activation price and callback rate. */
export interface TrailingParams {
  /** activationPrice, on the tick, on the far side of the fill. */
  readonly activationPrice: string;
  /** callbackRate in percent (0.1 to 5). */
  readonly callbackRate: string;
}

/**
 * Trailing-stop parameters: activation `activationBps` beyond the fill in the profit
 * direction (a long's rounds up, a short's down, away from immediate activation), and
 * the callback rate in percent, which the exchange accepts from 0.1 to 5.
 *
 * @throws {RangeError} when the callback rate is outside 0.1–5 % or activationBps < 0
 */
export function trailingParams(
  f: OrderFilters,
  direction: Direction,
  fillPrice: Decimal.Value,
  activationBps: number,
  callbackPct: number,
): TrailingParams {
  if (!(callbackPct >= 0.1 && callbackPct <= 5)) {
    throw new RangeError(
      `Cannot set trailing stop: callback rate ${callbackPct} % is outside 0.1-5 %`,
    );
  }
  if (!(activationBps >= 0) || activationBps >= 10_000) {
    throw new RangeError(
      `Cannot set trailing stop: activation ${activationBps} bp is outside [0, 10000)`,
    );
  }
  const p = new Decimal(fillPrice);
  const a = new Decimal(activationBps).div(10_000);
  const activation = direction === "long"
    ? roundToStep(p.mul(a.add(1)), f.tickSize, "up")
    : roundToStep(p.mul(new Decimal(1).sub(a)), f.tickSize, "down");
  return {
    activationPrice: activation.toFixed(),
    callbackRate: new Decimal(callbackPct).toDecimalPlaces(2).toFixed(),
  };
}

/**
 * The quantity of a reduce-only market-type order (exit or close) covering `positionQty`:
 * rounded UP to MARKET_LOT_SIZE's step and at least its minQty, capped at its maxQty (a
 * larger position needs several orders).
 *
 * Dust: a position off the market step (a partial fill on the finer LOT_SIZE step, a
 * manual order) cannot be matched exactly by a market-type order. Rounding down would
 * leave the remainder below one market step unprotected and impossible to close;
 * rounding up is safe because a reduce-only order never trades more than the position
 * (the exchange clips it), so the exit or close covers the dust too.
 */
export function marketCloseQuantity(
  f: OrderFilters,
  positionQty: Decimal.Value,
): string {
  const abs = new Decimal(positionQty).abs();
  if (abs.isZero()) return "0";
  let q = roundToStep(abs, f.marketStepSize, "up");
  if (q.lt(f.marketMinQty)) {
    q = roundToStep(f.marketMinQty, f.marketStepSize, "up");
  }
  if (f.marketMaxQty.gt(0) && q.gt(f.marketMaxQty)) q = f.marketMaxQty;
  return q.toFixed();
}
