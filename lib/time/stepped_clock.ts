/**
 * A {@linkcode Clock} on a manually stepped time source (the simulator's `ManualClock`):
 * `now()` is that time and `sleep(ms)` resolves once it has been stepped past `now + ms`,
 * so timers follow the stepped time however fast or slow the steps come.
 *
 * @module
 */
import type { Clock } from "./clock.ts";

/** A time that moves only when stepped, and says when it moves. */
export interface ManualTime {
  /** The time, epoch ms. */
  now(): number;
  /** Calls `listener` after every move; returns the unsubscribe function. */
  onMove(listener: (now: number) => void): () => void;
}

/** A clock on a {@linkcode ManualTime}: `sleep` resolves once it reaches its end. */
export class SteppedBotClock implements Clock {
  readonly #manual: ManualTime;
  #waiters: { at: number; resolve: () => void }[] = [];

  /** @param manual the simulator's clock */
  constructor(manual: ManualTime) {
    this.#manual = manual;
    manual.onMove((now) => {
      if (this.#waiters.length === 0) return;
      const due = this.#waiters.filter((w) => w.at <= now);
      this.#waiters = this.#waiters.filter((w) => w.at > now);
      for (const w of due) w.resolve();
    });
  }

  /** The sim time. */
  now(): number {
    return this.#manual.now();
  }

  /** Resolves when the sim clock reaches `now + ms` (at once for `ms <= 0`). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        at: this.#manual.now() + ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(w);
    });
  }
}
