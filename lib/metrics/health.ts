/**
 * The `/health` report: ready or not, and why not — the bot not started yet or stopping,
 * a disconnected stream, a stale input, the kill switch, a position without a stop on the
 * exchange for longer than its budget, signed requests failing with clock errors (`-1021`)
 * for longer than theirs. Pure: built from a {@linkcode BotView} snapshot.
 *
 * @module
 */
import type { BotView, KillSwitchView } from "./bot_view.ts";

/**
 * Default budget of a stretch of signed requests failing with clock errors, s: a clock
 * step is re-measured at the first `-1021` and taken at the second agreeing measurement
 * (`TimeSync`), i.e. within two signed requests (the reconcile and the margin read run
 * every 5 s); longer means the bot cannot heal it and can neither place nor move a stop.
 */
export const SIGNING_BUDGET_S = 15;

/** One position in the report. */
export interface HealthPosition {
  readonly symbol: string;
  /** Signed amount. */
  readonly amount: number;
  readonly entryPrice: number;
  /** Open exit orders by purpose (`tp`, `sl`, `trail`). */
  readonly exits: readonly string[];
  /** Seconds without a stop on the exchange (0 when protected). */
  readonly unprotectedSeconds: number;
}

/** Realized PnL, fees and funding of a period, USD. */
export interface PnlPeriod {
  readonly realized: number;
  readonly fees: number;
  readonly funding: number;
}

/** The `/health` JSON. */
export interface HealthReport {
  /** True when nothing needs attention; `/health` answers 503 otherwise. */
  readonly ready: boolean;
  /** Why not ready, one line each. */
  readonly reasons: readonly string[];
  /** Whether the bot places orders. */
  readonly trading: boolean;
  /** The bot clock, ISO. */
  readonly time: string;
  readonly streams: Readonly<
    Record<string, { connected: boolean; reconnects: number }>
  >;
  /** Input ages per symbol, seconds (null = never received). */
  readonly inputAges: Readonly<
    Record<
      string,
      { bar: number | null; book: number | null; mark: number | null }
    >
  >;
  readonly killSwitch: KillSwitchView | null;
  readonly positions: readonly HealthPosition[];
  /** Symbols whose position has been without a stop past the budget. */
  readonly unprotected: readonly string[];
  /**
   * The signed requests' clock errors: for how long they have kept failing (0 =
   * accepted), how many since start, the last one; null when not trading.
   */
  readonly signing: {
    readonly failingSeconds: number;
    readonly clockErrors: number;
    readonly lastError: string | null;
    /** Seconds since the last clock error (null when none or unknown). */
    readonly lastErrorAgeSeconds: number | null;
  } | null;
  readonly pnl: { readonly sinceStart: PnlPeriod; readonly utcDay: PnlPeriod };
  /** Seconds since the last evaluation (null before the first). */
  readonly lastDecisionAgeSeconds: number | null;
  readonly recentDecisions: readonly {
    time: string;
    symbol: string;
    what: string;
    detail: string;
  }[];
  readonly recentErrors: readonly {
    time: string;
    symbol: string;
    what: string;
    detail: string;
  }[];
}

/** What {@linkcode healthReport} needs. */
export interface HealthInput {
  /** The bot's read side; absent before the bot exists. */
  readonly view: BotView | undefined;
  readonly nowMs: number;
  /** The bot finished starting (seeded, account adopted). */
  readonly started: boolean;
  /** The bot is shutting down. */
  readonly stopping: boolean;
  /** When each unprotected position lost (or never had) its stop, epoch ms. */
  readonly unprotectedSince: ReadonlyMap<string, number>;
  /** Allowed seconds without a stop. */
  readonly unprotectedBudgetS: number;
  /** Allowed seconds of signed requests failing with clock errors. @default {SIGNING_BUDGET_S} */
  readonly signingBudgetS?: number;
  readonly pnl: {
    readonly start: PnlPeriod;
    readonly day: PnlPeriod;
  };
  readonly recentDecisions: HealthReport["recentDecisions"];
  readonly recentErrors: HealthReport["recentErrors"];
  /** Bot clock of the last evaluation (or of the start), epoch ms. */
  readonly lastDecisionMs: number;
}

const secs = (ms: number): number | null =>
  Number.isFinite(ms) ? Math.round(ms) / 1000 : null;

/** Builds the report; see the module doc. */
export function healthReport(h: HealthInput): HealthReport {
  const reasons: string[] = [];
  const v = h.view;
  if (h.stopping) reasons.push("stopping");
  else if (!v || !h.started) reasons.push("starting");
  const streams: Record<string, { connected: boolean; reconnects: number }> =
    {};
  const inputAges: Record<
    string,
    { bar: number | null; book: number | null; mark: number | null }
  > = {};
  const positions: HealthPosition[] = [];
  const unprotected: string[] = [];
  let killSwitch: KillSwitchView | null = null;
  let signing: HealthReport["signing"] = null;
  if (v) {
    for (const [name, s] of Object.entries(v.streams())) {
      if (!s) continue;
      streams[name] = { connected: s.connected, reconnects: s.reconnects };
      if (h.started && !s.connected) {
        reasons.push(`${name} stream disconnected`);
      }
    }
    for (const sym of v.symbols) {
      const i = v.inputs(sym);
      inputAges[sym] = {
        bar: secs(i.barMs),
        book: secs(i.bookMs),
        mark: secs(i.markMs),
      };
      // the bar is stale only between closes by design: book and mark tell the stream
      const stale = i.stale.filter((x) => x !== "bar");
      if (h.started && stale.length > 0) {
        reasons.push(`${sym} ${stale.join(",")} stale`);
      }
      if (v.position) {
        const p = v.position(sym);
        if (p.amount === 0) continue;
        const since = h.unprotectedSince.get(sym);
        const unprotectedSeconds = since === undefined
          ? 0
          : Math.max(0, h.nowMs - since) / 1000;
        positions.push({
          symbol: sym,
          amount: p.amount,
          entryPrice: p.entryPrice,
          exits: p.exits.filter((e) => e.state === "open").map((e) =>
            e.purpose
          ),
          unprotectedSeconds,
        });
        if (unprotectedSeconds > h.unprotectedBudgetS) {
          unprotected.push(sym);
          reasons.push(
            `${sym} position without a stop for ${
              unprotectedSeconds.toFixed(1)
            } s`,
          );
        }
      }
    }
    const sv = v.signing?.();
    if (sv) {
      signing = {
        failingSeconds: sv.failingMs / 1000,
        clockErrors: sv.clockErrors,
        lastError: sv.lastError ?? null,
        lastErrorAgeSeconds: sv.lastErrorAgoMs === undefined
          ? null
          : sv.lastErrorAgoMs / 1000,
      };
      // invariant: a bot whose signed requests keep failing for their clock can neither
      // place nor move a stop: unhealthy past the budget, healthy at the next accepted one
      if (
        h.started &&
        signing.failingSeconds > (h.signingBudgetS ?? SIGNING_BUDGET_S)
      ) {
        reasons.push(
          `signed requests failing with clock errors for ${
            signing.failingSeconds.toFixed(1)
          } s (${sv.lastError ?? "clock error"}${
            // other failures keep a stretch open: say how old its last clock error is
            signing.lastErrorAgeSeconds === null
              ? ""
              : `; the last ${
                signing.lastErrorAgeSeconds.toFixed(1)
              } s ago`}): no order can be placed, moved or cancelled`,
        );
      }
    }
    if (v.killSwitch) {
      killSwitch = v.killSwitch();
      if (killSwitch.tripped) {
        reasons.push(
          `kill switch tripped (${killSwitch.reason ?? "unknown"}): no entries`,
        );
      }
    }
  }
  return {
    ready: reasons.length === 0,
    reasons,
    trading: v?.trading ?? false,
    time: new Date(h.nowMs).toISOString(),
    streams,
    inputAges,
    killSwitch,
    positions,
    unprotected,
    signing,
    pnl: { sinceStart: h.pnl.start, utcDay: h.pnl.day },
    lastDecisionAgeSeconds: Number.isFinite(h.lastDecisionMs)
      ? Math.max(0, h.nowMs - h.lastDecisionMs) / 1000
      : null,
    recentDecisions: [...h.recentDecisions],
    recentErrors: [...h.recentErrors],
  };
}
