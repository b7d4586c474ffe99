/**
 * The last local check before an entry order leaves: a price band around the mark and
 * notional caps, so a poisoned or broken book can never become a huge order. Pure.
 *
 * Invariants (tested in `entry_guard_test.ts` and, end to end, `lib/live/security_test.ts`):
 * - no entry whose limit price is outside `mark × (1 − downBps / 1e4)` …
 *   `mark × (1 + upBps / 1e4)`, the band being the tighter of the symbol's `PERCENT_PRICE`
 *   and `--max_price_deviation_bps`;
 * - no entry whose `quantity × mark` is above `order_notional × (1 + max_upsize)`;
 * - no entry after which `|position| × mark` would be above `--max_position_notional`;
 * - no entry without a positive mark to check against.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import type { Direction } from "./filters.ts";

/** The user's limits on an entry (the flags of the same names). */
export interface EntryLimits {
  /** Largest distance of the entry price from the mark, bp; 0 = the symbol's PERCENT_PRICE alone. */
  readonly maxPriceDeviationBps: number;
  /** Largest `quantity × mark` above the order notional, as a fraction (0.1 = 10 % above). */
  readonly maxUpsize: number;
  /** Largest `|position| × mark` an entry may lead to, quote currency. */
  readonly maxPositionNotional: number;
}

/** The defaults of {@linkcode EntryLimits} (those of the flags). */
export const DEFAULT_ENTRY_LIMITS: EntryLimits = {
  maxPriceDeviationBps: 0,
  maxUpsize: 0.1,
  maxPositionNotional: 1000,
};

/** How far from the mark one symbol's entries may be priced, bp on each side. */
export interface PriceBand {
  /** Above the mark (a BUY's limit). */
  readonly upBps: Decimal;
  /** Below the mark (a SELL's limit). */
  readonly downBps: Decimal;
}

/**
 * One symbol's price band: the tighter of its `PERCENT_PRICE` filter (BUY ≤ mark ×
 * multiplierUp, SELL ≥ mark × multiplierDown) and `maxPriceDeviationBps` (when > 0).
 *
 * @throws {RangeError} naming `--max_price_deviation_bps` when the symbol has no
 * PERCENT_PRICE filter and no deviation was given (no band at all is never assumed)
 */
export function priceBand(
  info: Pick<SymbolInfo, "symbol" | "multiplierUp" | "multiplierDown">,
  maxPriceDeviationBps: number,
): PriceBand {
  if (!(maxPriceDeviationBps >= 0) || !(maxPriceDeviationBps < 10_000)) {
    throw new RangeError(
      `Invalid --max_price_deviation_bps ${maxPriceDeviationBps}: must be in [0, 10000)`,
    );
  }
  const user = maxPriceDeviationBps > 0
    ? new Decimal(maxPriceDeviationBps)
    : undefined;
  const up = info.multiplierUp === undefined
    ? undefined
    : new Decimal(info.multiplierUp).sub(1).mul(10_000);
  const down = info.multiplierDown === undefined
    ? undefined
    : new Decimal(1).sub(info.multiplierDown).mul(10_000);
  const tighter = (a: Decimal | undefined, b: Decimal | undefined) =>
    a === undefined ? b : b === undefined ? a : Decimal.min(a, b);
  const upBps = tighter(up?.gt(0) ? up : undefined, user);
  const downBps = tighter(down?.gt(0) ? down : undefined, user);
  if (upBps === undefined || downBps === undefined) {
    throw new RangeError(
      `Cannot bound entry prices on ${info.symbol}: the exchange sends no PERCENT_PRICE filter; set --max_price_deviation_bps`,
    );
  }
  return { upBps, downBps };
}

/** Why the guard refused an entry. */
export type EntryRefusal = "no_mark" | "price_band" | "notional_cap";

/** An entry the guard refused: the reason and one line saying what was out of bounds. */
export interface EntryVerdict {
  readonly reason: EntryRefusal;
  readonly message: string;
}

/** The entry about to be sent. */
export interface EntryCandidate {
  readonly symbol: string;
  readonly direction: Direction;
  /** The limit price (exact decimal string). */
  readonly price: string;
  /** The quantity (exact decimal string). */
  readonly quantity: string;
  /** The mark price (exact decimal string); empty or absent = unknown. */
  readonly mark: string | undefined;
  /** The signed position amount before the entry. */
  readonly positionAmount: Decimal.Value;
  /** `--order_notional`. */
  readonly orderNotional: number;
}

const DECIMAL_RE = /^\d+(\.\d+)?$/;

/**
 * Checks an entry against the band and the caps.
 *
 * @returns `undefined` when the entry may go, else why not
 */
export function checkEntry(
  c: EntryCandidate,
  band: PriceBand,
  limits: EntryLimits,
): EntryVerdict | undefined {
  const mark = c.mark !== undefined && DECIMAL_RE.test(c.mark)
    ? new Decimal(c.mark)
    : undefined;
  if (mark === undefined || !mark.gt(0)) {
    return {
      reason: "no_mark",
      message: `no usable mark price on ${c.symbol} to check the entry against`,
    };
  }
  const price = new Decimal(c.price);
  const lo = mark.mul(new Decimal(1).sub(band.downBps.div(10_000)));
  const hi = mark.mul(band.upBps.div(10_000).add(1));
  if (!price.isFinite() || price.lt(lo) || price.gt(hi)) {
    return {
      reason: "price_band",
      message: `entry price ${c.price} on ${c.symbol} is outside ${
        lo.toSignificantDigits(8)
      }..${
        hi.toSignificantDigits(8)
      } (mark ${c.mark} −${band.downBps}/+${band.upBps} bp)`,
    };
  }
  const qty = new Decimal(c.quantity).abs();
  const notional = qty.mul(mark);
  const cap = new Decimal(c.orderNotional).mul(1 + limits.maxUpsize);
  if (notional.gt(cap)) {
    return {
      reason: "notional_cap",
      message: `entry of ${c.quantity} on ${c.symbol} is ${
        notional.toDecimalPlaces(2)
      } USD at mark, above order_notional ${c.orderNotional} × (1 + max_upsize ${limits.maxUpsize})`,
    };
  }
  const amount = new Decimal(c.positionAmount);
  const after = c.direction === "long" ? amount.add(qty) : amount.sub(qty);
  const positionNotional = after.abs().mul(mark);
  if (positionNotional.gt(limits.maxPositionNotional)) {
    return {
      reason: "notional_cap",
      message:
        `entry of ${c.quantity} on ${c.symbol} would make a position of ${
          positionNotional.toDecimalPlaces(2)
        } USD at mark, above max_position_notional ${limits.maxPositionNotional}`,
    };
  }
  return undefined;
}

/**
 * Checks the limits against the order notional, for the start-up check.
 *
 * @throws {RangeError} naming the flag when the limits are unusable or contradict
 * `--order_notional`
 */
export function checkEntryLimits(
  limits: EntryLimits,
  orderNotional: number,
): void {
  if (!(limits.maxUpsize >= 0) || !Number.isFinite(limits.maxUpsize)) {
    throw new RangeError(
      `Invalid --max_upsize ${limits.maxUpsize}: must be a fraction >= 0`,
    );
  }
  if (
    !(limits.maxPositionNotional > 0) ||
    !Number.isFinite(limits.maxPositionNotional)
  ) {
    throw new RangeError(
      `Invalid --max_position_notional ${limits.maxPositionNotional}: must be > 0`,
    );
  }
  if (
    !(limits.maxPriceDeviationBps >= 0 && limits.maxPriceDeviationBps < 10_000)
  ) {
    throw new RangeError(
      `Invalid --max_price_deviation_bps ${limits.maxPriceDeviationBps}: must be in [0, 10000)`,
    );
  }
  if (orderNotional > limits.maxPositionNotional) {
    throw new RangeError(
      `Invalid --order_notional ${orderNotional}: above --max_position_notional ${limits.maxPositionNotional}`,
    );
  }
}
