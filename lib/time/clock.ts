/**
 * Time as an injected dependency: the system clock live, a scaled clock that follows the
 * simulator, a manual clock in tests.
 *
 * @module
 */

/** A source of epoch-millisecond time that can also wait. */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /**
   * Resolves after `ms` of this clock's time have passed (rejects with the signal's reason
   * when aborted).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepReal(ms, signal),
};

/**
 * A clock that reads time from `source` (e.g. the simulator's clock) and waits
 * `ms / speed` of real time, for a simulated market running `speed` times faster.
 *
 * @param source the clock to read
 * @param speed clock milliseconds per real millisecond
 */
export function followClock(source: { now(): number }, speed: number): Clock {
  if (!(speed > 0)) {
    throw new RangeError(`Cannot follow a clock: speed ${speed} is not > 0`);
  }
  return {
    now: () => source.now(),
    sleep: (ms, signal) => sleepReal(ms / speed, signal),
  };
}

/** Waits `ms` real milliseconds, or until `signal` aborts. */
export function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(id);
      reject(signal?.reason);
    };
    const id = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A clock whose `sleep` jumps time forward at once: runs timed loops instantly and
 * deterministically (tests, replays as fast as possible).
 *
 * @param start the initial epoch-ms time
 */
export function virtualClock(start: number): Clock & { set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      t += Math.max(0, ms);
      return Promise.resolve();
    },
    set: (ms) => {
      t = ms;
    },
  };
}
