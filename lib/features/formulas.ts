/**
 * The scalar feature formulas shared by the live strategy and the feature builder.
 * One formula, one place: every other module of `lib/features` calls these.
 *
 * Missing inputs are `NaN` and give `NaN` (written as an empty CSV field).
 *
 * @module
 */

/** One minute in milliseconds: the bar length. */
export const MINUTE_MS = 60_000;

/** Basis points per unit (1 = 10,000 bp). */
export const BPS = 10_000;

/**
 * The bar-to-bar return in basis points: `(close / prevClose - 1) * 10000`.
 *
 * @param prevClose the previous bar's close (the bar exactly one minute earlier)
 * @param close this bar's close
 * @returns the return in bp
 */
export function retBps(prevClose: number, close: number): number {
  return (close / prevClose - 1) * BPS;
}

/**
 * The Rogers–Satchell variance of one bar:
 * `ln(h/c)*ln(h/o) + ln(l/c)*ln(l/o)`.
 *
 * @returns the bar's variance (a fraction squared, not annualised)
 */
export function rsVar(
  open: number,
  high: number,
  low: number,
  close: number,
): number {
  return Math.log(high / close) * Math.log(high / open) +
    Math.log(low / close) * Math.log(low / open);
}

/**
 * The Rogers–Satchell volatility in bp from a window sum: `sqrt(sum / window) * 10000`.
 *
 * @param sum the left-to-right sum of the window's `rsVar` values
 * @param window the number of bars summed
 */
export function rsVolBps(sum: number, window: number): number {
  return Math.sqrt(sum / window) * BPS;
}

/**
 * The quoted spread in bp of the mid: `(ask - bid) / ((ask + bid) / 2) * 10000`.
 */
export function spreadBps(bid: number, ask: number): number {
  return (ask - bid) / ((ask + bid) / 2) * BPS;
}

/** The funding rate (a fraction per funding interval) in bp: `rate * 10000`. */
export function fundingBps(rate: number): number {
  return rate * BPS;
}

/**
 * The cost in bp of opening a long at the ask, against the mark:
 * `(ask - mark) / mark * 10000`.
 */
export function openLossLongBps(ask: number, mark: number): number {
  return (ask - mark) / mark * BPS;
}

/**
 * The cost in bp of opening a short at the bid, against the mark:
 * `(mark - bid) / mark * 10000`.
 */
export function openLossShortBps(bid: number, mark: number): number {
  return (mark - bid) / mark * BPS;
}

/** The book and mark features of one quote; NaN where the quote is unusable. */
export interface QuoteFeatures {
  /** {@linkcode spreadBps}, NaN unless `bid > 0` and `ask >= bid`. */
  readonly spreadBps: number;
  /** {@linkcode openLossLongBps}, NaN unless the book is usable and `mark > 0`. */
  readonly openLossLongBps: number;
  /** {@linkcode openLossShortBps}, NaN unless the book is usable and `mark > 0`. */
  readonly openLossShortBps: number;
}

/**
 * The quote features the strategy's blockers read, with the one rule for an unusable
 * quote: a book is usable when `bid > 0` and `ask >= bid` (a crossed or empty book is
 * not), a mark when `mark > 0`. Unusable (or missing, NaN) inputs give NaN features, so the
 * live strategy and the feature table (which writes them as empty fields) refuse the same
 * bars.
 */
export function quoteFeatures(
  bid: number,
  ask: number,
  mark: number,
): QuoteFeatures {
  const book = bid > 0 && ask >= bid;
  const withMark = book && mark > 0;
  return {
    spreadBps: book ? spreadBps(bid, ask) : NaN,
    openLossLongBps: withMark ? openLossLongBps(ask, mark) : NaN,
    openLossShortBps: withMark ? openLossShortBps(bid, mark) : NaN,
  };
}
