/**
 * Strictly increasing microsecond nonces for V3 requests.
 *
 * @module
 */

/**
 * A nonce refused locally because the clock reads nothing usable or the nonce would be too
 * far from the local clock: the request is not signed (nor sent). A clock error, like the
 * exchange's `-1021` / nonce-window answers.
 */
export class NonceClockError extends RangeError {
  /** @param message what was refused and why */
  constructor(message: string) {
    super(message);
    this.name = "NonceClockError";
  }
}

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

  /**
   * The farthest a nonce may be from the local clock when {@linkcode NonceCounter.next} is
   * given it: the exchange's nonce window (±10 s of server time) minus a margin, so one bad
   * clock reading can never push the process-wide counter (which never goes back) out of
   * reach of every later request.
   */
  static readonly MAX_LOCAL_SKEW_MS = 8_000;

  /** The last nonce issued (0 before the first). */
  get last(): number {
    return this.#last;
  }

  /**
   * Next nonce for the time `nowMs` (epoch milliseconds, may be fractional).
   *
   * @param localMs the uncorrected local clock: when given, a nonce more than
   *   {@linkcode NonceCounter.MAX_LOCAL_SKEW_MS} away from it is refused (nothing issued)
   * @throws {NonceClockError} (a RangeError) when `nowMs` is not a finite positive
   *   number, or is (or the counter already is) too far from `localMs`
   */
  next(nowMs: number, localMs?: number): number {
    if (!Number.isFinite(nowMs) || nowMs <= 0) {
      throw new NonceClockError(`Cannot issue nonce: clock reads ${nowMs}`);
    }
    const nowUs = Math.floor(nowMs * 1000);
    const nonce = nowUs > this.#last ? nowUs : this.#last + 1;
    if (
      localMs !== undefined &&
      Math.abs(nonce / 1000 - localMs) > NonceCounter.MAX_LOCAL_SKEW_MS
    ) {
      throw new NonceClockError(
        `Cannot issue nonce: it would be ${
          Math.round(nonce / 1000 - localMs)
        } ms from the local clock (limit ${NonceCounter.MAX_LOCAL_SKEW_MS} ms)`,
      );
    }
    this.#last = nonce;
    return nonce;
  }
}

/**
 * The process-wide counter every V3 signer uses unless given its own, so that nonces stay
 * strictly increasing across all signers of the process.
 */
export const PROCESS_NONCES: NonceCounter = new NonceCounter();
