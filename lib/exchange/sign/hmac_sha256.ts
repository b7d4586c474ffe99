/**
 * HMAC-SHA256 with the keyed inner/outer state computed once per key.
 *
 * @module
 */
import { type _HMAC, hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "./_hex.ts";

const ENCODER = new TextEncoder();

/**
 * Computes lowercase hex HMAC-SHA256 tags for one key. The key's padded inner and outer
 * SHA-256 states are computed once and cloned per message, which makes short messages
 * (a signed order) about 2.5 times faster than `node:crypto` `createHmac` or a fresh
 * `hmac()` call (measured by `deno task bench:signing`). Uses `@noble/hashes`.
 *
 * Not safe to share between concurrently running workers; each instance owns scratch
 * buffers (JavaScript itself never interleaves a call).
 */
export class HmacSha256 {
  readonly #base: _HMAC<ReturnType<typeof sha256.create>>;
  #work: _HMAC<ReturnType<typeof sha256.create>>;
  #buffer = new Uint8Array(1024);
  readonly #tag = new Uint8Array(32);

  /** Prepares the keyed state; the caller's key bytes are not kept. */
  constructor(key: Uint8Array) {
    this.#base = hmac.create(sha256, key);
    this.#work = this.#base.clone();
  }

  /** Hex tag of `first` immediately followed by `second` (no separator, no concatenation). */
  hex(first: string, second = ""): string {
    const work = this.#base._cloneInto(this.#work);
    this.#work = work;
    this.#update(work, first);
    if (second.length > 0) this.#update(work, second);
    work.digestInto(this.#tag);
    return toHex(this.#tag);
  }

  #update(work: _HMAC<ReturnType<typeof sha256.create>>, text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (text.length * 3 > this.#buffer.length) {
      this.#buffer = new Uint8Array(text.length * 3);
    }
    const { written } = ENCODER.encodeInto(text, this.#buffer);
    work.update(this.#buffer.subarray(0, written));
  }

  /** Deno.inspect hook: never prints key-derived state. */
  [Symbol.for("Deno.customInspect")](): string {
    return "HmacSha256 [redacted]";
  }
}
