/**
 * Whether the exchange accepts the client's signed requests' clock: the stretch of signed
 * requests failing with clock errors (V1 `-1021`: timestamp outside `recvWindow`; V3
 * nonce-window errors, or a nonce the signer refuses locally: `NonceClockError`; each also
 * resyncs the clock before its one retry, `TradingClient`). A bot in such a stretch cannot
 * place, move or cancel an order (no stop can be placed), so monitoring must see it:
 * `/health` turns unhealthy when the stretch outlasts its budget (`lib/metrics/health.ts`).
 *
 * @module
 */

/** The state of {@linkcode SigningHealth}, for monitoring. */
export interface SigningState {
  /**
   * How long signed requests have kept failing with clock errors, ms: from the first
   * clock error after the last accepted signed request; 0 while they are accepted.
   */
  readonly failingMs: number;
  /** Clock errors answered since start (each answer, also one a resync then cured). */
  readonly clockErrors: number;
  /** The last clock error's message, if any. */
  readonly lastError?: string;
}

/**
 * Tracks the clock-error stretch of one client's signed requests.
 *
 * Invariant: the stretch starts at the first clock error after an accepted signed request
 * and ends only at the next accepted one (a 2xx answer); other failures (timeouts, 5xx, a
 * refusal for another reason) neither start nor end it, and no request at all keeps it
 * going (nothing shows the clock is fixed).
 */
export class SigningHealth {
  #clock: () => number;
  #since: number | undefined;
  #errors = 0;
  #last: string | undefined;

  /** @param clock the time of the stretch, epoch ms */
  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** A signed request was answered with a clock error (`message`). */
  clockError(message: string): void {
    this.#errors++;
    this.#last = message;
    this.#since ??= this.#clock();
  }

  /** A signed request was accepted: the stretch (if any) ends. */
  accepted(): void {
    this.#since = undefined;
  }

  /** The state now. */
  state(): SigningState {
    return {
      failingMs: this.#since === undefined
        ? 0
        : Math.max(0, this.#clock() - this.#since),
      clockErrors: this.#errors,
      ...(this.#last === undefined ? {} : { lastError: this.#last }),
    };
  }
}
