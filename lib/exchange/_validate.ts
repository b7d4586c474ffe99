/**
 * Field validators shared by the REST and stream parsers. Each throws a TypeError or
 * SyntaxError naming the field.
 *
 * @module
 */

/** A JSON object. */
export type Obj = Record<string, unknown>;

/** Returns `v` as an object, or throws naming `what`. */
export function obj(v: unknown, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new TypeError(`Cannot parse ${what}: not an object`);
  }
  return v as Obj;
}

/** Returns `v` as an array, or throws naming `what`. */
export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) {
    throw new TypeError(`Cannot parse ${what}: not an array`);
  }
  return v;
}

/**
 * Returns a decimal field as its exact string (numbers are accepted and stringified), or
 * throws when it is missing or not a finite number.
 */
export function dec(v: unknown, what: string): string {
  if (typeof v === "string") {
    if (v.length !== 0 && Number.isFinite(+v)) return v;
  } else if (typeof v === "number" && Number.isFinite(v)) {
    return String(v);
  }
  throw new SyntaxError(
    `Cannot parse ${what}: ${JSON.stringify(v)} is not a decimal`,
  );
}

/**
 * The strict decimal grammar of prices and quantities at the exchange boundary: digits, an
 * optional fraction, no sign, exponent, hex/binary prefix, whitespace or leading zeros,
 * at most 18 digits on each side. Anything else is refused before it reaches a cache, an
 * order or a CSV (where a newline would split a row).
 */
export const UNSIGNED_DECIMAL_RE = /^(?:0|[1-9]\d{0,17})(?:\.\d{1,18})?$/;
/** {@linkcode UNSIGNED_DECIMAL_RE} with an optional leading minus (funding rates). */
export const SIGNED_DECIMAL_RE = /^-?(?:0|[1-9]\d{0,17})(?:\.\d{1,18})?$/;
const NONZERO_RE = /[1-9]/;

/** How a strict decimal field may be signed. */
export type DecimalKind = "positive" | "nonNegative" | "signed";

/**
 * Returns `v` when it is a string in the strict decimal grammar of `kind` (a price is
 * `positive`, a quantity `nonNegative`, a rate `signed`), or throws naming the field.
 */
export function strictDecimal(
  v: unknown,
  what: string,
  kind: DecimalKind,
): string {
  if (typeof v === "string") {
    const ok = kind === "signed"
      ? SIGNED_DECIMAL_RE.test(v)
      : UNSIGNED_DECIMAL_RE.test(v) &&
        (kind === "nonNegative" || NONZERO_RE.test(v));
    if (ok) return v;
  }
  throw new SyntaxError(
    `Cannot parse ${what}: ${String(JSON.stringify(v)).slice(0, 40)} is not a ${
      kind === "signed" ? "" : kind + " "
    }decimal`,
  );
}

/** Like {@linkcode dec} but also rejects negative values. */
export function nonNeg(v: unknown, what: string): string {
  const s = dec(v, what);
  if (+s < 0) {
    throw new RangeError(`Cannot parse ${what}: ${s} is negative`);
  }
  return s;
}

/** Returns an integer field (a safe integer number or integer string), or throws. */
export function int(v: unknown, what: string): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v ? +v : NaN;
  if (Number.isSafeInteger(n)) return n;
  throw new SyntaxError(
    `Cannot parse ${what}: ${JSON.stringify(v)} is not an integer`,
  );
}

/** Returns a non-empty string field, or throws. */
export function str(v: unknown, what: string): string {
  if (typeof v === "string" && v.length !== 0) return v;
  throw new TypeError(
    `Cannot parse ${what}: ${JSON.stringify(v)} is not a non-empty string`,
  );
}

/** Returns a boolean field, or throws. */
export function bool(v: unknown, what: string): boolean {
  if (typeof v === "boolean") return v;
  throw new TypeError(
    `Cannot parse ${what}: ${JSON.stringify(v)} is not a boolean`,
  );
}

/** Parses `[[price, qty], ...]` levels. */
export function levels(
  v: unknown,
  what: string,
): (readonly [string, string])[] {
  const rows = arr(v, what);
  const out = new Array<readonly [string, string]>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length < 2) {
      throw new TypeError(
        `Cannot parse ${what}[${i}]: not a [price, qty] pair`,
      );
    }
    out[i] = [
      nonNeg(row[0], `${what}[${i}] price`),
      nonNeg(row[1], `${what}[${i}] qty`),
    ];
  }
  return out;
}
