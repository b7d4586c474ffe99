/**
 * Strictly increasing microsecond nonces for V3 requests.
 *
 * @module
 */

/**
 * Issues nonces `max(nowUs, last + 1)`: the current time in microseconds, bumped past the
 * previous nonce so that two requests never share one, even when many are signed within
 * the same microsecond or the clock steps back after a resync.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * const nonces = new NonceCounter();
 * equal(nonces.next(1000), 1_000_000);
 * equal(nonces.next(1000), 1_000_001);
 * ```
 */
export class NonceCounter {
  #last = 0;

  /** The last nonce issued (0 before the first). */
  get last(): number {
    return this.#last;
  }

  /**
   * Next nonce for the time `nowMs` (epoch milliseconds, may be fractional).
   *
   * @throws {RangeError} when `nowMs` is not a finite positive number
   */
  next(nowMs: number): number {
    if (!Number.isFinite(nowMs) || nowMs <= 0) {
      throw new RangeError(`Cannot issue nonce: clock reads ${nowMs}`);
    }
    const nowUs = Math.floor(nowMs * 1000);
    const nonce = nowUs > this.#last ? nowUs : this.#last + 1;
    this.#last = nonce;
    return nonce;
  }
}

/**
 * The process-wide counter every V3 signer uses unless given its own, so that nonces stay
 * strictly increasing across all signers of the process.
 */
export const PROCESS_NONCES: NonceCounter = new NonceCounter();
