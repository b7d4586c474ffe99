/**
 * V3 replay guard per user (aster-protocol §2.2): a nonce (µs) must lie within 10 s of
 * server time; the last 100 nonces are kept; a repeat is a duplicate; once the window is
 * full, a nonce below its minimum is expired.
 *
 * @module
 */

/** The verdict of {@linkcode NonceWindow.accept}. */
export type NonceVerdict =
  | "ok"
  | "malformed"
  | "stale"
  | "duplicate"
  | "expired";

/** Nonces kept per user. */
export const NONCE_WINDOW = 100;
/** Largest distance between a nonce and server time, ms. */
export const NONCE_TOLERANCE_MS = 10_000;

const NONCE_RE = /^\d{1,16}$/;

/** The nonces seen from one user. */
export class NonceWindow {
  /** Ascending. */
  #seen: number[] = [];

  /** Checks `text` at server time `nowMs` and records it when accepted. */
  accept(text: string, nowMs: number): NonceVerdict {
    if (!NONCE_RE.test(text)) return "malformed";
    const nonce = Number(text);
    if (Math.abs(nonce / 1000 - nowMs) > NONCE_TOLERANCE_MS) return "stale";
    const seen = this.#seen;
    if (seen.length >= NONCE_WINDOW && nonce < seen[0]!) return "expired";
    // Binary search for the insertion point.
    let lo = 0, hi = seen.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seen[mid]! < nonce) lo = mid + 1;
      else hi = mid;
    }
    if (seen[lo] === nonce) return "duplicate";
    seen.splice(lo, 0, nonce);
    if (seen.length > NONCE_WINDOW) seen.shift();
    return "ok";
  }
}
