/**
 * Lockstep paper trading: the simulator runs on a `ManualClock` that a driver advances by
 * `stepMs` of simulated time, giving the bot (in the same process, over loopback)
 * `settleMs` of real time after each step; the bot's clock follows the same manual clock
 * (`lib/time/stepped_clock.ts`, wired by `startPaperExchange({ manualClock })`). Simulated
 * time never runs ahead of the bot by more than a step, however slow or loaded the
 * machine, so the same input gives the same fills at any pace.
 *
 * @module
 */
import type { FlagSpec } from "../cli/flags.ts";
import type { ManualClock, SourceSpec } from "../sim/mod.ts";
import { sleepReal } from "../time/clock.ts";

/** The lockstep flags of `deno task paper` and `deno task parity`. */
export const LOCKSTEP_STEP_FLAGS = {
  "step_ms": {
    type: "number",
    default: 1000,
    min: 10,
    max: 10_000,
    help: "lockstep: simulated ms per step",
  },
  "settle_ms": {
    type: "number",
    default: 2,
    min: 0,
    max: 1000,
    help: "lockstep: real ms the bot gets after each step",
  },
} as const satisfies Record<string, FlagSpec>;

/** Lockstep settings. */
export interface LockstepOptions {
  /** Simulated ms per step. */
  readonly stepMs: number;
  /** Real ms the bot gets after each step. */
  readonly settleMs: number;
}

/** The default: one simulated second per step, 2 ms of real time to react. */
export const DEFAULT_LOCKSTEP: LockstepOptions = { stepMs: 1_000, settleMs: 2 };

/**
 * Where the manual clock must start for `source`: the current minute for the synthetic
 * market, the latest first bar plus the history for OHLCV files.
 *
 * @throws {RangeError} for a recorded-log replay (not supported in lockstep yet) or an
 * unreadable first bar
 */
export async function lockstepStart(
  source: SourceSpec,
  historyMinutes: number,
  wallNow: number = Date.now(),
): Promise<number> {
  if (source.kind === "synthetic") return Math.floor(wallNow / 60_000) * 60_000;
  if (source.kind !== "ohlcv") {
    throw new RangeError(
      "Cannot run in lockstep: only the synthetic market and OHLCV files are supported (not recorded logs yet)",
    );
  }
  let first = -Infinity;
  for (const path of Object.values(source.files)) {
    using f = await Deno.open(path);
    const buf = new Uint8Array(4096);
    const n = await f.read(buf);
    const text = new TextDecoder().decode(buf.subarray(0, n ?? 0));
    const t = Number(text.split("\n")[1]?.split(",")[0]);
    if (!Number.isFinite(t)) {
      throw new RangeError(`Cannot read the first bar of ${path}`);
    }
    first = Math.max(first, t);
  }
  return first + historyMinutes * 60_000;
}

/**
 * Steps `manual` once `isReady()` (the bot is seeded and subscribed) until `isDone()`
 * (the session has stopped).
 */
export async function driveLockstep(
  manual: ManualClock,
  options: LockstepOptions,
  isReady: () => boolean,
  isDone: () => boolean,
): Promise<void> {
  while (!isReady() && !isDone()) await sleepReal(5);
  while (!isDone()) {
    manual.advance(options.stepMs);
    await sleepReal(options.settleMs);
  }
}
