/**
 * Number → decimal-string formatting for wire values.
 *
 * @module
 */

/** `value` with exactly `decimals` decimals (no exponent; -0 printed as 0). */
export function fixed(value: number, decimals: number): string {
  const s = value.toFixed(decimals);
  return s.startsWith("-") && Number(s) === 0 ? s.slice(1) : s;
}

/** The number of decimals written in a decimal string ("1.50" → 2, "3" → 0). */
export function decimalsOf(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}
