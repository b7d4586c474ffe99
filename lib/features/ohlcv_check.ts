/**
 * The plausibility check of one 1m OHLCV row, shared by the OHLCV and the log feature
 * builders: a row failing it is counted as bad and skipped, never turned into features.
 * Pure.
 *
 * @module
 */
import { MINUTE_MS } from "./formulas.ts";

/**
 * The smallest accepted `open_time`: 1973-03-03 in epoch milliseconds. Any time in epoch
 * *seconds* up to the year 5138 is below it, so a file in seconds is refused, not misread.
 */
export const MIN_OPEN_TIME_MS = 1e11;

/**
 * The largest accepted price. No traded contract is quoted near it; a value above it
 * (e.g. 1e308) is corrupt data that would make returns absurd.
 */
export const MAX_PRICE = 1e12;

/**
 * Why an OHLCV row is unusable, or `null` when it is fine: `open_time` a minute start in
 * epoch milliseconds, prices > 0, finite and at most {@linkcode MAX_PRICE},
 * `high >= max(open, close)`, `low <= min(open, close)`, volume finite and >= 0.
 */
export function ohlcvProblem(
  openTime: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): string | null {
  if (!(openTime >= MIN_OPEN_TIME_MS)) {
    return `open_time ${openTime} is not in epoch milliseconds`;
  }
  if (openTime % MINUTE_MS !== 0) {
    return `open_time ${openTime} is not a minute start`;
  }
  for (
    const [name, p] of [["open", open], ["high", high], ["low", low], [
      "close",
      close,
    ]] as const
  ) {
    if (!(p > 0 && p <= MAX_PRICE)) {
      return `${name} ${p} is not a price (> 0 and <= ${MAX_PRICE})`;
    }
  }
  if (high < Math.max(open, close)) {
    return `high ${high} is below open ${open} or close ${close}`;
  }
  if (low > Math.min(open, close)) {
    return `low ${low} is above open ${open} or close ${close}`;
  }
  if (!(volume >= 0 && volume < Infinity)) {
    return `volume ${volume} is negative or not finite`;
  }
  return null;
}
