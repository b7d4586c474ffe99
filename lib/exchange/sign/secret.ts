/**
 * A wrapper that keeps secret text out of logs, errors, JSON and inspect output.
 *
 * @module
 */

const REDACTED = "[redacted]";

/**
 * Holds a secret string (API key, HMAC secret, private key). Every way of printing it —
 * `String()`, template literals, `JSON.stringify`, `Deno.inspect`, `node:util` inspect —
 * yields `[redacted]`; only {@linkcode Secret.reveal} returns the value.
 *
 * @example Redacted when printed
 * ```ts
 * import { equal } from "node:assert/strict";
 * const secret = new Secret("hunter2");
 * equal(`${secret}`, "[redacted]");
 * equal(JSON.stringify({ secret }), '{"secret":"[redacted]"}');
 * equal(secret.reveal(), "hunter2");
 * ```
 */
export class Secret {
  readonly #value: string;

  /** Wraps `value`. */
  constructor(value: string) {
    this.#value = value;
  }

  /** Returns the secret value; call it only where the value is consumed (signing, headers). */
  reveal(): string {
    return this.#value;
  }

  /** Number of characters of the secret (safe to report). */
  get length(): number {
    return this.#value.length;
  }

  /** Always `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** Always `[redacted]`. */
  toJSON(): string {
    return REDACTED;
  }

  /** Always `[redacted]`, for template literals and string coercion. */
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  /** Deno.inspect hook: `[redacted]`. */
  [Symbol.for("Deno.customInspect")](): string {
    return REDACTED;
  }

  /** node:util inspect hook: `[redacted]`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}
