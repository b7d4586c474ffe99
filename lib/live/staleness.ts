/**
 * Input freshness: an entry needs the closed bar, the book and the mark price/funding
 * younger than their budgets. Pure, for the bot and the housekeeping loop.
 *
 * @module
 */

/** The age budgets of the inputs, ms. */
export interface StalenessBudgets {
  /** Time since the evaluated bar closed. */
  readonly barMs: number;
  /** Time since the last book ticker arrived. */
  readonly bookMs: number;
  /** Time since the last mark price/funding update arrived. */
  readonly markMs: number;
}

/** The ages of the inputs of one evaluation, ms (Infinity = never received). */
export interface InputAgesMs {
  readonly barMs: number;
  readonly bookMs: number;
  readonly markMs: number;
}

/** Default budgets: a bar up to 10 s after its close, book and mark up to 5 s old. */
export const DEFAULT_BUDGETS: StalenessBudgets = {
  barMs: 10_000,
  bookMs: 5_000,
  markMs: 5_000,
};

/**
 * The inputs older than their budget (`bar`, `book`, `mark`), empty when all are fresh.
 * A negative age (clock skew) counts as fresh; NaN counts as stale.
 */
export function staleInputs(
  ages: InputAgesMs,
  budgets: StalenessBudgets,
): ("bar" | "book" | "mark")[] {
  const out: ("bar" | "book" | "mark")[] = [];
  if (!(ages.barMs <= budgets.barMs)) out.push("bar");
  if (!(ages.bookMs <= budgets.bookMs)) out.push("book");
  if (!(ages.markMs <= budgets.markMs)) out.push("mark");
  return out;
}

/**
 * Checks budgets.
 *
 * @throws {RangeError} unless every budget is a positive finite number of ms
 */
export function checkBudgets(budgets: StalenessBudgets): StalenessBudgets {
  for (const [k, v] of Object.entries(budgets)) {
    if (!(v > 0) || !Number.isFinite(v)) {
      throw new RangeError(`Cannot use staleness budget ${k}: ${v} is not > 0`);
    }
  }
  return budgets;
}
