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
import type { ManualClock, SourceSpec, SymbolMarket } from "../sim/mod.ts";
import { sleepReal } from "../time/clock.ts";
import { LogSource } from "../sim/log_source.ts";

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
 * market, the latest first bar plus the history for OHLCV files, and for recorded logs
 * where the log replay itself starts (`LogSource.startTime`: the logs' first minute plus
 * the history).
 *
 * @throws {RangeError} for an unreadable first bar or a log directory without rows
 */
export async function lockstepStart(
  source: SourceSpec,
  historyMinutes: number,
  wallNow: number = Date.now(),
): Promise<number> {
  if (source.kind === "synthetic") return Math.floor(wallNow / 60_000) * 60_000;
  if (source.kind === "logs") {
    const logs = new LogSource(source.logDir, [], historyMinutes);
    logs.close();
    return logs.startTime;
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
 * (the session has stopped); after each step's `settleMs`, `idle(now)` (when given) may
 * hold the next step until the bot has acted (see {@linkcode DecisionBarrier}).
 */
export async function driveLockstep(
  manual: ManualClock,
  options: LockstepOptions,
  isReady: () => boolean,
  isDone: () => boolean,
  idle?: (now: number) => Promise<void>,
): Promise<void> {
  while (!isReady() && !isDone()) await sleepReal(5);
  while (!isDone()) {
    manual.advance(options.stepMs);
    await sleepReal(options.settleMs);
    if (idle !== undefined) await idle(manual.now());
  }
}

/** The longest real-time wait of {@linkcode DecisionBarrier} for the market stream. */
export const STREAM_WAIT_MS = 10_000;

/**
 * Holds the lockstep after each step that closes a bar until the bot has decided on it:
 * a decision (journal row) of every symbol for that bar, then its entries and their exits
 * settled (`settle`), each wait capped at `capMs` of real time. Without it the bot, given
 * only `settleMs` of real time per step, can decide some steps late on a loaded machine,
 * on a book that has moved since the bar closed (a recorded-log replay's book changes
 * every second); with it every decision and entry happens at the bar's close.
 *
 * Every step is also held while the bot's market stream reconnects (`reconnecting`, capped at
 * {@linkcode STREAM_WAIT_MS} of real time): the bot reconnects after a stream falls silent
 * (a log replay publishes no kline across a recorder gap), a reconnect takes real time,
 * and stepping meanwhile runs the market ahead of a bot that cannot see it (its book
 * goes stale and its entry IOC misses: 1 entry of 136 on 13 h of gappy generated logs).
 */
export class DecisionBarrier {
  #symbols: number;
  #deciders: (bar: number) => number;
  #capMs: number;
  #decided = new Map<number, number>();
  #settle: (() => Promise<void>) | undefined;
  #reconnecting: () => boolean = () => false;

  /**
   * @param symbols how many symbols decide on each bar
   * @param capMs the longest real-time wait per condition
   * @param deciders how many symbols decide on the bar opening at `bar`, when that can be
   *   fewer than `symbols`: a log replay serves no bar for a recorder gap, so no decision
   *   on it comes (see {@linkcode replayDeciders}). @default {every symbol}
   */
  constructor(
    symbols: number,
    capMs = 3_000,
    deciders?: (bar: number) => number,
  ) {
    this.#symbols = symbols;
    this.#capMs = capMs;
    this.#deciders = deciders ?? (() => symbols);
  }

  /** Counts a decision (the session's `onDecision`). */
  decided(barOpenTime: number): void {
    this.#decided.set(barOpenTime, (this.#decided.get(barOpenTime) ?? 0) + 1);
  }

  /** What waits for entries in flight and their exits (the session's `settle`). */
  set settle(fn: () => Promise<void>) {
    this.#settle = fn;
  }

  /** Whether the bot's market stream is down and reconnecting (`feed.stream.reconnecting`). */
  set reconnecting(fn: () => boolean) {
    this.#reconnecting = fn;
  }

  /**
   * Follows a live session (the session's `onSession`): waits on its `settle` and holds
   * while its market stream reconnects.
   */
  follow(session: {
    settle(): Promise<void>;
    feed: { readonly stream: { readonly reconnecting: boolean } | undefined };
  }): void {
    this.settle = () => session.settle();
    this.reconnecting = () => session.feed.stream?.reconnecting ?? false;
  }

  /** The `idle` of {@linkcode driveLockstep}. */
  async idle(now: number): Promise<void> {
    if (this.#reconnecting()) {
      const until = performance.now() + STREAM_WAIT_MS;
      while (this.#reconnecting() && performance.now() < until) {
        await sleepReal(1);
      }
    }
    if (now % 60_000 !== 0) return;
    const bar = now - 60_000;
    const until = performance.now() + this.#capMs;
    const expected = Math.min(this.#symbols, this.#deciders(bar));
    while (
      (this.#decided.get(bar) ?? 0) < expected && performance.now() < until
    ) await sleepReal(1);
    this.#decided.delete(bar - 60_000);
    if (this.#settle === undefined) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#settle(),
      new Promise<void>((r) => (timer = setTimeout(r, this.#capMs))),
    ]);
    clearTimeout(timer);
  }
}

/**
 * The {@linkcode DecisionBarrier} `deciders` of a simulator: the symbols whose market
 * served the bar opening at `bar` (a log replay serves none for a recorder gap, see
 * `SymbolFeed.recordedBar`).
 */
export function replayDeciders(
  market: { symbol(s: string): SymbolMarket | undefined },
  symbols: readonly string[],
): (bar: number) => number {
  return (bar) =>
    symbols.filter((s) => market.symbol(s)?.barServed(bar) !== false).length;
}
