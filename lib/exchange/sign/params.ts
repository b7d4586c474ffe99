/**
 * Turning request parameters into the exact URL-encoded bytes that are signed and sent.
 *
 * @module
 */

/** A parameter value as callers pass it; see {@linkcode paramToString} for the rules. */
export type ParamValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | readonly unknown[]
  | { readonly [key: string]: unknown };

/** Ordered parameters: a list of key/value pairs, or a record (insertion order kept). */
export type Params =
  | readonly (readonly [string, ParamValue])[]
  | { readonly [key: string]: ParamValue };

/**
 * Stringifies one parameter value, or returns `undefined` for a value to drop.
 *
 * Rules: strings pass unchanged; `null`/`undefined` are dropped; booleans become
 * `true`/`false`; bigints and safe integers print in decimal; lists and objects become
 * compact JSON. Non-integer numbers are refused: prices and quantities must arrive as
 * decimal strings so that no float formatting (`1e-7`, `0.30000000000000004`) reaches the
 * exchange.
 *
 * @throws {TypeError} for a non-integer or unsafe number, or a function/symbol value
 */
export function paramToString(
  key: string,
  value: ParamValue,
): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "undefined":
      return undefined;
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "number":
      if (!Number.isSafeInteger(value)) {
        throw new TypeError(
          `Cannot encode parameter "${key}": ${value} is not a safe integer; pass decimals as strings`,
        );
      }
      return String(value);
    case "object":
      return value === null ? undefined : JSON.stringify(value);
    default:
      throw new TypeError(
        `Cannot encode parameter "${key}": unsupported type ${typeof value}`,
      );
  }
}

/**
 * URL-encodes parameters into `k1=v1&k2=v2` in their given order, dropping null/undefined.
 * Keys and values are encoded with `encodeURIComponent` (a space becomes `%20`).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * equal(encodeParams([["symbol", "BTCUSDT"], ["reduceOnly", true], ["x", null]]), "symbol=BTCUSDT&reduceOnly=true");
 * ```
 */
export function encodeParams(params: Params): string {
  const entries: Iterable<readonly [string, ParamValue]> = Array.isArray(params)
    ? params as readonly (readonly [string, ParamValue])[]
    : Object.entries(params);
  let out = "";
  for (const [key, value] of entries) {
    const text = paramToString(key, value);
    if (text === undefined) continue;
    if (out.length > 0) out += "&";
    out += encodeURIComponent(key) + "=" + encodeURIComponent(text);
  }
  return out;
}

/** Joins two encoded parameter strings with `&`, skipping empty ones. */
export function joinEncoded(a: string, b: string): string {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return a + "&" + b;
}
