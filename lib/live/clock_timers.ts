/**
 * Timers on a bot clock: a wait of `ms` takes as long as the clock's `sleep(ms)`, so with
 * a clock that follows a simulator at N× the timers fire after ms/N real ms. Used for the
 * user stream's listen-key keepalive, which must keep pace with the exchange's clock.
 *
 * @module
 */
import type { TimerApi } from "../exchange/sign/mod.ts";
import type { Clock } from "../time/clock.ts";

/** A {@linkcode TimerApi} whose delays are `clock.sleep` waits. */
export function clockTimers(clock: Clock): TimerApi {
  return {
    setTimeout(callback: () => void, ms: number): unknown {
      const handle = new AbortController();
      clock.sleep(ms, handle.signal).then(callback, () => {});
      return handle;
    },
    clearTimeout(handle: unknown): void {
      if (handle instanceof AbortController) handle.abort();
    },
  };
}
