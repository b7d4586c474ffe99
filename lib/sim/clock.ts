/**
 * Simulator clocks. Every timestamp the simulator produces comes from a {@linkcode SimClock}.
 *
 * - {@linkcode ScaledClock}: real time scaled by a speed factor (60 = one sim minute per real
 *   second); the simulator polls it with a timer.
 * - {@linkcode ManualClock}: moves only when a test calls `advance()`/`set()`; listeners run
 *   synchronously, so the market (and its stream events) are up to date when the call returns.
 *
 * @module
 */

/** A source of simulated time in epoch milliseconds. */
export interface SimClock {
  /** The current sim time in epoch milliseconds. */
  now(): number;
}

/** A clock that tells listeners when it moves (the simulator then drives the market itself). */
export interface SteppedClock extends SimClock {
  /** Calls `listener(now)` after every move; returns a function that removes it. */
  onMove(listener: (now: number) => void): () => void;
}

/** True when `clock` notifies moves (a {@linkcode ManualClock} or compatible). */
export function isSteppedClock(clock: SimClock): clock is SteppedClock {
  return typeof (clock as Partial<SteppedClock>).onMove === "function";
}

/** A clock that only moves when told to; for deterministic tests. */
export class ManualClock implements SteppedClock {
  #now: number;
  #listeners = new Set<(now: number) => void>();

  /** @param start the initial time in epoch ms */
  constructor(start: number) {
    if (!Number.isFinite(start)) {
      throw new RangeError(`Cannot create clock: start ${start} is not finite`);
    }
    this.#now = start;
  }

  /** The current time in epoch ms. */
  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` (≥ 0) and runs the listeners synchronously. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(
        `Cannot advance clock: ${ms} ms is not a finite non-negative number`,
      );
    }
    this.set(this.#now + ms);
  }

  /** Sets the time (never backwards) and runs the listeners synchronously. */
  set(ms: number): void {
    if (!Number.isFinite(ms) || ms < this.#now) {
      throw new RangeError(
        `Cannot set clock to ${ms}: it is at ${this.#now} and never goes back`,
      );
    }
    this.#now = ms;
    for (const listener of [...this.#listeners]) listener(ms);
  }

  /** Registers a move listener; returns its remover. */
  onMove(listener: (now: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Options of {@linkcode ScaledClock}. */
export interface ScaledClockOptions {
  /** Sim ms per real ms. @default {1} */
  speed?: number;
  /** Real-time source in ms (monotonic). @default {performance.now} */
  realNow?: () => number;
}

/** Real time, scaled: `start + (real elapsed) × speed`. */
export class ScaledClock implements SimClock {
  #start: number;
  #speed: number;
  #realNow: () => number;
  #real0: number;

  /** @param start the sim time at creation, in epoch ms */
  constructor(start: number, options: ScaledClockOptions = {}) {
    const speed = options.speed ?? 1;
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new RangeError(
        `Cannot create clock: speed ${speed} is not a positive number`,
      );
    }
    if (!Number.isFinite(start)) {
      throw new RangeError(`Cannot create clock: start ${start} is not finite`);
    }
    this.#start = start;
    this.#speed = speed;
    this.#realNow = options.realNow ?? (() => performance.now());
    this.#real0 = this.#realNow();
  }

  /** Sim ms per real ms. */
  get speed(): number {
    return this.#speed;
  }

  /** The current sim time in epoch ms (integer). */
  now(): number {
    return Math.floor(
      this.#start + (this.#realNow() - this.#real0) * this.#speed,
    );
  }
}
