/**
 * Exact conversions between the exchange's decimal strings and scaled integers.
 *
 * Prices and quantities are held as integers at a fixed number of decimals (a price of
 * "100.5" at 2 decimals is 10050). Parsing and formatting are pure string arithmetic, so no
 * float drift reaches a response. Values must stay below `Number.MAX_SAFE_INTEGER`.
 *
 * @module
 */

const ZEROS = "0".repeat(22);
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** `10 ** n` for `0 <= n <= 22`, exact as a double. */
export function pow10(n: number): number {
  const value = POW10[n];
  if (value === undefined) {
    throw new RangeError(`Cannot scale by 10^${n}: out of range`);
  }
  return value;
}

/**
 * Number of significant fractional digits of a decimal string, ignoring trailing zeros;
 * -1 when the text is not a plain decimal (`[-]digits[.digits]`).
 */
export function fractionDigits(text: string): number {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= n) return -1;
  let digits = 0;
  let dot = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot >= 0) return -1;
      dot = i;
    } else if (c < 48 || c > 57) {
      return -1;
    } else {
      digits++;
    }
  }
  if (digits === 0) return -1;
  if (dot < 0) return 0;
  let end = n - 1;
  while (end > dot && text.charCodeAt(end) === 48) end--;
  return end - dot;
}

/**
 * Parses a decimal string into an integer scaled by `10^decimals`; NaN when the text is
 * malformed, has non-zero digits beyond `decimals`, or exceeds the safe integer range.
 *
 * @example Parse a price at 2 decimals
 * ```ts
 * import { parseScaled } from "./decimal.ts";
 * parseScaled("100.5", 2); // 10050
 * ```
 */
export function parseScaled(text: string, decimals: number): number {
  const n = text.length;
  let i = 0;
  let sign = 1;
  if (n > 0 && text.charCodeAt(0) === 45) {
    sign = -1;
    i = 1;
  }
  let whole = 0;
  let digits = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return NaN;
    whole = whole * 10 + (c - 48);
    digits++;
  }
  let frac = 0;
  let fracDigits = 0;
  if (i < n) {
    i++; // the dot
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return NaN;
      digits++;
      if (fracDigits < decimals) {
        frac = frac * 10 + (c - 48);
        fracDigits++;
      } else if (c !== 48) {
        return NaN;
      }
    }
  }
  if (digits === 0) return NaN;
  const value = whole * pow10(decimals) + frac * pow10(decimals - fracDigits);
  if (!Number.isSafeInteger(value)) return NaN;
  return sign * value;
}

/**
 * Parses a decimal string and rounds it half away from zero to `decimals`; NaN when
 * malformed. For market inputs (book levels, marks) that may be finer than the tick.
 */
export function parseRounded(text: string, decimals: number): number {
  const exact = parseScaled(text, decimals);
  if (!Number.isNaN(exact)) return exact;
  if (fractionDigits(text) < 0) return NaN;
  const value = Math.round(Number(text) * pow10(decimals));
  return Number.isSafeInteger(value) ? value : NaN;
}

/**
 * Formats an integer scaled by `10^decimals` as a decimal string with exactly `decimals`
 * fractional digits.
 *
 * @example Format ticks
 * ```ts
 * import { formatScaled } from "./decimal.ts";
 * formatScaled(10050, 2); // "100.50"
 * ```
 */
export function formatScaled(value: number, decimals: number): string {
  if (decimals === 0) return String(value);
  const negative = value < 0;
  const abs = negative ? -value : value;
  const scale = pow10(decimals);
  let whole = Math.trunc(abs / scale);
  if (whole * scale > abs) whole--;
  const frac = String(abs - whole * scale);
  return (negative ? "-" : "") + whole + "." +
    ZEROS.slice(0, decimals - frac.length) + frac;
}

/** Formats a derived float (averages, liquidation prices) with `decimals` digits, never "-0". */
export function formatFloat(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}
