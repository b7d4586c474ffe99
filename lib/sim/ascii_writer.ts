/**
 * A growable ASCII byte buffer for building large JSON responses without intermediate
 * strings: numbers are written digit by digit straight into the bytes. Used by the history
 * endpoints, where a 1,500-row page would otherwise cost ~20,000 short strings.
 *
 * Invariant: {@linkcode AsciiWriter.fixed} writes exactly the bytes of
 * {@linkcode fixed} (`format.ts`) for every number: values outside its fast path are
 * formatted by `fixed` itself (tested on random values and rounding ties).
 *
 * @module
 */
import { fixed } from "./format.ts";

const POW10 = [
  1,
  10,
  100,
  1e3,
  1e4,
  1e5,
  1e6,
  1e7,
  1e8,
  1e9,
  1e10,
  1e11,
  1e12,
  1e13,
  1e14,
  1e15,
];
/** "00".."99" as ASCII bytes. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}
/** The largest integer the int32 digit loop handles. */
const INT32_MAX = 2_147_483_647;

/** A growable ASCII buffer; see the module doc. */
export class AsciiWriter {
  #bytes: Uint8Array<ArrayBuffer>;
  #pos = 0;

  /** @param capacity the initial size in bytes (it grows as needed) */
  constructor(capacity = 1 << 16) {
    this.#bytes = new Uint8Array(Math.max(16, capacity));
  }

  /** The bytes written so far (a view: copy it before the next {@linkcode reset}). */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#pos);
  }

  /** Forgets what was written, keeping the memory. */
  reset(): void {
    this.#pos = 0;
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#bytes.length) return;
    const next = new Uint8Array(
      Math.max(this.#bytes.length * 2, this.#pos + n),
    );
    next.set(this.#bytes.subarray(0, this.#pos));
    this.#bytes = next;
  }

  /** Writes one byte (an ASCII code). */
  byte(code: number): void {
    this.#room(1);
    this.#bytes[this.#pos++] = code;
  }

  /** Writes an ASCII string (every char code below 128). */
  text(s: string): void {
    const n = s.length;
    this.#room(n);
    const b = this.#bytes;
    let p = this.#pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.#pos = p;
  }

  /** Writes `String(n)` (digits only for non-negative safe integers). */
  int(n: number): void {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) {
      this.text(String(n));
      return;
    }
    if (n <= INT32_MAX) {
      this.#digits(n, 0);
      return;
    }
    const hi = Math.floor(n / 1e9);
    this.#digits(hi, 0);
    this.#digits(n - hi * 1e9, 9);
  }

  /** Writes exactly `fixed(value, decimals)`. */
  fixed(value: number, decimals: number): void {
    const scale = POW10[decimals];
    const prod = value * scale!;
    // Fast path: value >= 0, at most 9 decimals, the integer and fraction parts fit int32,
    // and the scaled
    // value is not within its rounding error of a tie, so rounding it picks the same
    // integer as toFixed's exact decimal rounding.
    if (
      decimals >= 0 && decimals <= 9 && scale !== undefined && value >= 0 &&
      prod < 9e15 &&
      Math.abs(prod - Math.floor(prod) - 0.5) > prod * 4.5e-16 + 1e-9
    ) {
      const n = Math.round(prod);
      const ip = Math.floor(n / scale);
      if (ip <= INT32_MAX) {
        this.#room(decimals + 12);
        this.#digits(ip, 0);
        if (decimals > 0) {
          this.#bytes[this.#pos++] = 46;
          this.#digits(n - ip * scale, decimals);
        }
        return;
      }
    }
    this.text(fixed(value, decimals));
  }

  /** Writes int32 `x` in decimal, zero-padded to at least `width` digits. */
  #digits(x: number, width: number): void {
    let n = width;
    if (n === 0 || x >= POW10[n]!) {
      n = 1;
      while (n < 10 && x >= POW10[n]!) n++;
      if (n < width) n = width;
    }
    this.#room(n);
    const b = this.#bytes;
    const start = this.#pos;
    let j = start + n;
    // Two digits per division, from the end.
    while (j - start >= 2) {
      const q = (x / 100) | 0;
      const r = (x - q * 100) << 1;
      b[--j] = PAIRS[r + 1]!;
      b[--j] = PAIRS[r]!;
      x = q;
    }
    if (j > start) b[--j] = 48 + x;
    this.#pos = start + n;
  }
}
