/**
 * Server-time offset: measured at start, refreshed periodically, forced after `-1021` or
 * nonce-window errors.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";

const log = getLogger(["aster", "sign"]);

/** The timer functions {@linkcode TimeSync} uses (injected in tests). */
export interface TimerApi {
  /** Schedules `callback` after `ms`; returns a handle. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a handle from `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** Options for {@linkcode TimeSync}. */
export interface TimeSyncOptions {
  /** Fetches the exchange's `serverTime` in epoch ms (e.g. `GET /fapi/v1/time`). */
  readonly serverTime: (signal: AbortSignal) => Promise<number>;
  /** Local epoch-ms clock (fractional allowed). @default {performance.timeOrigin + performance.now()} */
  readonly clock?: () => number;
  /** Interval between periodic refreshes, ms. @default {120000} */
  readonly refreshMs?: number;
  /** Round trips per measurement; the one with the shortest round trip wins. @default {3} */
  readonly samples?: number;
  /** Timers for the periodic refresh. @default {globalThis timers} */
  readonly timers?: TimerApi;
  /**
   * Largest |offset| accepted at the first measurement, ms: a first sample beyond it is
   * refused (the local clock needs fixing, or the answer is bad). Later, an offset beyond
   * it is taken once a second measurement confirms it (a local clock step while running,
   * e.g. a VM resume: refusing it would make every signed request fail with `-1021`),
   * and logged as an error. @default {5000}
   */
  readonly maxOffsetMs?: number;
  /**
   * Largest change of an accepted offset, ms: a sample that moves it further is held back
   * and accepted only when the next measurement confirms it (within this distance), so
   * one bad `/time` answer never moves the clock. @default {1000}
   */
  readonly maxJumpMs?: number;
}

/** One offset measurement. */
export interface TimeSample {
  /** server − local, ms (add to the local clock to get server time). */
  readonly offsetMs: number;
  /** Round-trip time of the winning sample, ms. */
  readonly rttMs: number;
  /** Local time when it was taken. */
  readonly atMs: number;
}

function defaultClock(): number {
  return performance.timeOrigin + performance.now();
}

const DEFAULT_TIMERS: TimerApi = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) =>
    clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Tracks the offset between the local clock and the exchange's clock. Each measurement
 * takes `samples` round trips to `serverTime()` and keeps the one with the shortest round
 * trip, estimating server time at the round trip's midpoint. {@linkcode TimeSync.now}
 * is the clock signers use. Before the first measurement the offset is 0.
 *
 * @example
 * ```ts
 * const sync = new TimeSync({ serverTime: () => Promise.resolve(Date.now() + 250) });
 * await sync.start();
 * sync.now(); // ≈ Date.now() + 250
 * sync.stop();
 * ```
 */
export class TimeSync {
  readonly #serverTime: (signal: AbortSignal) => Promise<number>;
  readonly #clock: () => number;
  readonly #refreshMs: number;
  readonly #samples: number;
  readonly #timers: TimerApi;
  readonly #maxOffsetMs: number;
  readonly #maxJumpMs: number;
  /** A jump seen once, waiting for a second measurement to confirm it. */
  #pendingJump: number | undefined;
  readonly #abort = new AbortController();
  #offsetMs = 0;
  /** The offset taken beyond maxOffsetMs once confirmed (a local clock step), else 0. */
  #stepMs = 0;
  #last: TimeSample | undefined;
  #inFlight: Promise<TimeSample> | undefined;
  #timer: unknown;
  #running = false;

  /**
   * @throws {RangeError} when `refreshMs` or `samples` is not a positive integer
   */
  constructor(options: TimeSyncOptions) {
    this.#serverTime = options.serverTime;
    this.#clock = options.clock ?? defaultClock;
    this.#refreshMs = options.refreshMs ?? 120_000;
    this.#samples = options.samples ?? 3;
    this.#timers = options.timers ?? DEFAULT_TIMERS;
    this.#maxOffsetMs = options.maxOffsetMs ?? 5_000;
    this.#maxJumpMs = options.maxJumpMs ?? 1_000;
    if (!(this.#maxOffsetMs > 0) || !(this.#maxJumpMs > 0)) {
      throw new RangeError(
        `Cannot create TimeSync: maxOffsetMs ${this.#maxOffsetMs} and maxJumpMs ${this.#maxJumpMs} must be > 0`,
      );
    }
    if (!Number.isSafeInteger(this.#refreshMs) || this.#refreshMs <= 0) {
      throw new RangeError(
        `Cannot create TimeSync: refreshMs ${this.#refreshMs} is not a positive integer`,
      );
    }
    if (!Number.isSafeInteger(this.#samples) || this.#samples <= 0) {
      throw new RangeError(
        `Cannot create TimeSync: samples ${this.#samples} is not a positive integer`,
      );
    }
  }

  /** Server time now, epoch ms (fractional): the local clock plus the offset. */
  now(): number {
    return this.#clock() + this.#offsetMs;
  }

  /**
   * The local clock moved by a confirmed step, epoch ms: the local clock while the
   * offset is within `maxOffsetMs`; after a second measurement confirmed an offset
   * beyond it (a local clock step while running), the local clock plus that offset.
   * A V3 nonce is bounded by this (`V3SignerOptions.localClock`). Invariant: a single
   * bad `/time` answer never moves it (the step needs two agreeing measurements), and a
   * confirmed step does not leave every V3 signed request refused locally.
   */
  steppedLocalNow(): number {
    return this.#clock() + this.#stepMs;
  }

  /** Current offset (server − local), ms. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** The last successful measurement, if any. */
  get lastSample(): TimeSample | undefined {
    return this.#last;
  }

  /**
   * Measures the offset and starts the periodic refresh. Rejects when the first
   * measurement fails (no refresh is scheduled then).
   */
  async start(): Promise<TimeSample> {
    const sample = await this.resync();
    this.#running = true;
    this.#schedule();
    return sample;
  }

  /**
   * Measures the offset now; call after a `-1021` (timestamp outside recvWindow) or a V3
   * nonce-window error, then retry the request once. Concurrent calls share one
   * measurement. Restarts the periodic refresh interval when running.
   */
  resync(): Promise<TimeSample> {
    if (this.#inFlight === undefined) {
      this.#inFlight = this.#measure().finally(() => {
        this.#inFlight = undefined;
      });
    }
    return this.#inFlight;
  }

  /** Stops the periodic refresh and aborts a measurement in flight; final. */
  stop(): void {
    this.#running = false;
    this.#abort.abort(new DOMException("TimeSync stopped", "AbortError"));
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Same as {@linkcode TimeSync.stop}. */
  [Symbol.dispose](): void {
    this.stop();
  }

  async #measure(): Promise<TimeSample> {
    if (this.#abort.signal.aborted) {
      throw new Error("Cannot measure server time offset: TimeSync is stopped");
    }
    let best: TimeSample | undefined;
    let failure: unknown;
    for (let i = 0; i < this.#samples; i++) {
      try {
        const before = this.#clock();
        const server = await this.#serverTime(this.#abort.signal);
        const after = this.#clock();
        if (!Number.isFinite(server) || server <= 0) {
          throw new RangeError(
            `Cannot use server time: got ${String(server)}`,
          );
        }
        const rttMs = after - before;
        if (best === undefined || rttMs < best.rttMs) {
          best = {
            offsetMs: server - (before + after) / 2,
            rttMs,
            atMs: after,
          };
        }
      } catch (error) {
        if (this.#abort.signal.aborted) throw error;
        failure = error;
      }
    }
    if (best === undefined) {
      throw new Error(
        "Cannot measure server time offset: every request failed",
        {
          cause: failure,
        },
      );
    }
    // invariants: the first offset never exceeds maxOffsetMs (the local clock must be
    // fixed before trading); the offset never moves by more than maxJumpMs on one
    // measurement alone; a confirmed move is taken even beyond maxOffsetMs (a local
    // clock step while running must not leave every signed request failing for good)
    const beyond = Math.abs(best.offsetMs) > this.#maxOffsetMs;
    if (beyond && this.#last === undefined) {
      throw new RangeError(
        `Cannot use server time: offset ${
          Math.round(best.offsetMs)
        } ms exceeds ${this.#maxOffsetMs} ms (fix the local clock, e.g. NTP, or the exchange answered a bad time); keeping ${
          Math.round(this.#offsetMs)
        } ms`,
      );
    }
    const change = best.offsetMs - this.#offsetMs;
    if (this.#last !== undefined && Math.abs(change) > this.#maxJumpMs) {
      const pending = this.#pendingJump;
      this.#pendingJump = best.offsetMs;
      if (
        pending === undefined ||
        Math.abs(pending - best.offsetMs) > this.#maxJumpMs
      ) {
        throw new RangeError(
          beyond
            ? `Cannot use server time: offset ${
              Math.round(best.offsetMs)
            } ms exceeds ${this.#maxOffsetMs} ms (the local clock stepped, or the exchange answered a bad time); keeping ${
              Math.round(this.#offsetMs)
            } ms until another measurement confirms it`
            : `Cannot use server time: offset moved ${
              Math.round(change)
            } ms at once (limit ${this.#maxJumpMs} ms); keeping ${
              Math.round(this.#offsetMs)
            } ms until another measurement confirms it`,
        );
      }
    }
    if (beyond) {
      log.error(
        "Server time offset {offsetMs} ms exceeds {maxMs} ms, confirmed twice: the local clock stepped (fix it, e.g. NTP); signing on the exchange's time",
        { offsetMs: Math.round(best.offsetMs), maxMs: this.#maxOffsetMs },
      );
    }
    this.#pendingJump = undefined;
    this.#offsetMs = best.offsetMs;
    this.#stepMs = beyond ? best.offsetMs : 0;
    this.#last = best;
    log.debug(
      "Server time offset {offsetMs} ms (change {changeMs} ms, round trip {rttMs} ms)",
      { offsetMs: best.offsetMs, changeMs: change, rttMs: best.rttMs },
    );
    if (this.#running) this.#schedule();
    return best;
  }

  #schedule(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.resync().catch((error) => {
        if (this.#abort.signal.aborted) return;
        log.warn(
          "Server time refresh failed; keeping offset {offsetMs} ms: {error}",
          {
            offsetMs: this.#offsetMs,
            error: error instanceof Error ? error.message : String(error),
          },
        );
        if (this.#running) this.#schedule();
      });
    }, this.#refreshMs);
  }
}
