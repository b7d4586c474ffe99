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
  /**
   * How long ago the last clock error was answered, ms (with `lastError`): a stretch kept
   * open by other failures (a maintenance's 503s) shows its last clock error is old.
   */
  readonly lastErrorAgoMs?: number;
}

/**
 * Tracks the clock-error stretch of one client's signed requests.
 *
 * Invariants: the stretch starts at the first clock error after an accepted signed request
 * and ends only when a request signed after that first error is accepted (a 2xx answer):
 * a slow request signed before it (say an order answered 10 s later) says nothing of the
 * clock since; other failures (timeouts, 5xx, a refusal for another reason) neither start
 * nor end it, and no request at all keeps it going (nothing shows the clock is fixed). It
 * is timed on a monotonic clock, so a step of the wall clock neither hides nor inflates it.
 */
export class SigningHealth {
  #clock: () => number;
  #since: number | undefined;
  /** The number of clock errors when the stretch began (its first one counted). */
  #first = 0;
  #errors = 0;
  #last: string | undefined;
  #lastAt = 0;

  /** @param clock a monotonic clock, ms (never the wall clock) */
  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
  }

  /**
   * A ticket for a signed request about to be signed and sent: pass it to
   * {@linkcode SigningHealth.accepted} with the request's accepted answer.
   */
  ticket(): number {
    return this.#errors;
  }

  /** A signed request was answered with a clock error (`message`). */
  clockError(message: string): void {
    this.#errors++;
    this.#last = message;
    this.#lastAt = this.#clock();
    if (this.#since === undefined) {
      this.#since = this.#clock();
      this.#first = this.#errors;
    }
  }

  /**
   * A signed request (its {@linkcode SigningHealth.ticket} taken before it was signed)
   * was accepted: the stretch ends, unless the request was signed before it began.
   */
  accepted(ticket: number): void {
    if (this.#since !== undefined && ticket < this.#first) return;
    this.#since = undefined;
  }

  /** The state now. */
  state(): SigningState {
    return {
      failingMs: this.#since === undefined
        ? 0
        : Math.max(0, this.#clock() - this.#since),
      clockErrors: this.#errors,
      ...(this.#last === undefined ? {} : {
        lastError: this.#last,
        lastErrorAgoMs: Math.max(0, this.#clock() - this.#lastAt),
      }),
    };
  }
}
