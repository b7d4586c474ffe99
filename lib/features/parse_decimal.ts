/**
 * Number parsing straight from CSV bytes, without building a string per field.
 *
 * @module
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses the decimal number in `bytes[start, end)`; the result equals `Number(text)` of that
 * text. Plain decimals of up to 15 digits are parsed from the bytes (an exact integer
 * divided by an exact power of ten is correctly rounded); anything else goes through
 * `Number()`.
 *
 * @returns the value, or NaN when the field is empty or not a decimal number
 */
export function parseDecimal(
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  let i = start;
  let negative = false;
  const first = bytes[i];
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let dot = -1;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) {
      dot = i;
    } else {
      return parseSlow(bytes, start, end);
    }
  }
  if (digits === 0) return NaN;
  if (digits > 15) return parseSlow(bytes, start, end);
  const value = dot < 0 || dot === end - 1
    ? mantissa
    : mantissa / POW10[end - dot - 1]!;
  return negative ? -value : value;
}

function parseSlow(bytes: Uint8Array, start: number, end: number): number {
  const text = latin1(bytes, start, end);
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** Decodes `bytes[start, end)` as Latin-1 (ASCII for CSV logs). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
