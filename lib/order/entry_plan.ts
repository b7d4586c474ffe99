/**
 * The entry an order notional really buys (pure): the quantity {@linkcode entryQuantity}
 * sizes at a price (a step below the target when the step above would exceed the
 * allowance), its notional, and whether the exchange's minimums force it above
 * `orderNotional × (1 + maxUpsize)`. The live bot refuses to start and the doctor fails
 * on the same verdict and the same message.
 *
 * Invariant: an entry's notional at the planning price is at most
 * `orderNotional × (1 + maxUpsize)`, or the bot does not start.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import { DEFAULT_ENTRY_LIMITS } from "./entry_guard.ts";
import { entryQuantity, type OrderFilters } from "./filters.ts";

/** How far above `--order_notional` an entry may go, by default (`--max_upsize`, 10 %). */
export const DEFAULT_MAX_UPSIZE: number = DEFAULT_ENTRY_LIMITS.maxUpsize;

/** The planned entry of one symbol. */
export interface EntryPlan {
  readonly symbol: string;
  /** The quantity an entry would send. */
  readonly quantity: string;
  /** The price it was planned at. */
  readonly price: string;
  /** quantity × price, USD (2 decimals). */
  readonly notional: string;
  /** orderNotional × (1 + maxUpsize), USD. */
  readonly limit: string;
  /** notional / orderNotional. */
  readonly ratio: number;
}

/** The verdict of {@linkcode planEntry}. */
export type EntryPlanResult =
  | { readonly ok: true; readonly plan: EntryPlan }
  | { readonly ok: false; readonly message: string; readonly plan?: EntryPlan };

/**
 * Plans the entry of `orderNotional` USD at `price`.
 *
 * @param maxUpsize the allowed excess over `orderNotional`, a fraction (0.1 = 10 %)
 * @returns the plan, or a one-line refusal naming `order_notional` and the minimums
 */
export function planEntry(
  f: OrderFilters,
  orderNotional: number,
  price: Decimal.Value,
  maxUpsize: number = DEFAULT_MAX_UPSIZE,
): EntryPlanResult {
  const p = new Decimal(price);
  const want = new Decimal(orderNotional);
  if (!p.isFinite() || !p.gt(0)) {
    return { ok: false, message: `no usable price for ${f.symbol}` };
  }
  if (want.lt(f.minNotional)) {
    const ratio = f.minNotional.div(want);
    if (ratio.gt(new Decimal(maxUpsize).add(1))) {
      return {
        ok: false,
        message:
          `order_notional ${want} USD is below the minimum notional ${f.minNotional} USD of ${f.symbol}; raise order_notional`,
      };
    }
  }
  let quantity: string;
  try {
    quantity = entryQuantity(f, want, p, maxUpsize);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const notional = new Decimal(quantity).mul(p);
  const limit = want.mul(new Decimal(maxUpsize).add(1));
  const plan: EntryPlan = {
    symbol: f.symbol,
    quantity,
    price: p.toFixed(),
    notional: notional.toDecimalPlaces(2).toFixed(2),
    limit: limit.toDecimalPlaces(2).toFixed(2),
    ratio: notional.div(want).toNumber(),
  };
  if (notional.lte(limit)) return { ok: true, plan };
  const step = Decimal.max(f.stepSize, f.marketStepSize);
  const minQty = Decimal.max(f.minQty, f.marketMinQty);
  return {
    ok: false,
    plan,
    message:
      `order_notional ${want} USD buys ${quantity} ${f.symbol} = ${plan.notional} USD at ${p} ` +
      `(${
        plan.ratio.toFixed(2)
      }x; minimum notional ${f.minNotional} USD, minimum quantity ${minQty}, step ${step}), ` +
      `above order_notional x (1 + max_upsize ${maxUpsize}) = ${plan.limit} USD; ` +
      `raise order_notional to ${plan.notional} or max_upsize to ${
        Math.ceil((plan.ratio - 1) * 100) / 100
      }`,
  };
}

/** The start-up line of a plan: what one entry of the symbol will trade. */
export function describePlan(plan: EntryPlan): string {
  return `${plan.symbol} planned entry: ${plan.quantity} at ${plan.price} = ${plan.notional} USD (limit ${plan.limit} USD)`;
}
