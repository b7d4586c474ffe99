/**
 * The read side of a {@linkcode LiveSession} for monitoring ({@linkcode BotView}), and the
 * session hooks that feed a {@linkcode BotMetrics}: entry scripts pass
 * `meteredDeps(metrics)` to {@linkcode runLiveSession} next to their own hooks.
 *
 * @module
 */
import { type BotMetrics, type BotView, meteredPort } from "../metrics/mod.ts";
import { feedInputs, feedStream } from "../metrics/feed_view.ts";
import type { LiveDeps } from "./live_config.ts";
import type { LiveSession } from "./live_session.ts";

/** The monitoring view of `session`. */
export function sessionView(session: LiveSession): BotView {
  const now = () => session.nowMs();
  const orders = session.orders;
  const budgets = session.config.budgets;
  return {
    symbols: session.feed.symbols,
    trading: orders !== undefined,
    nowMs: now,
    inputs: (s) => feedInputs(session.feed, budgets, s, now()),
    ...(orders
      ? {
        position: (s: string) => {
          const st = orders.status(s);
          return {
            amount: Number(st.amount),
            entryPrice: Number(st.entryPrice),
            exits: st.exits.map((e) => ({
              purpose: e.purpose,
              state: e.state,
            })),
            cooldownUntilMs: st.cooldownUntil,
          };
        },
        unprotected: () => orders.unprotected(),
        killSwitch: () => {
          const tripped = orders.killed;
          const k = orders.safetyState().killSwitch;
          return tripped && k
            ? {
              tripped,
              reason: k.reason,
              sinceMs: k.trippedAtMs,
              untilMs: k.untilMs,
            }
            : { tripped: false };
        },
        killThreshold: session.config.killThreshold,
      }
      : {}),
    streams: () => ({
      market: feedStream(session.feed),
      ...(session.userStream
        ? {
          user: {
            connected: session.userStream.connected,
            reconnects: session.userStream.stats.reconnects,
            silences: 0,
          },
        }
        : {}),
    }),
    rest: () => {
      const t = [session.transport, session.client?.transport].filter((x) =>
        x !== undefined
      );
      return {
        // the exchange reports one IP-wide figure: the freshest of the transports
        used: Math.max(...t.map((x) => x.usedWeight)),
        limit: Math.min(...t.map((x) => x.weightLimit)),
        rateLimited: t.reduce((a, x) => a + x.limitStats.rateLimited, 0),
        banned: t.reduce((a, x) => a + x.limitStats.banned, 0),
      };
    },
    ...(session.client
      ? { signing: () => session.client!.signing.state() }
      : {}),
    clockOffsetMs: () => session.clockOffsetMs,
    recorderRows: () => session.recorderRows() ?? {},
    recorderDropped: () => session.recorderDropped() ?? {},
    fillTotals: (dayStartMs) => ({
      start: session.fills.totals(),
      day: session.fills.dayTotals(dayStartMs),
    }),
  };
}

/**
 * The session hooks that feed `metrics`: attaches the view, meters the exchange port, and
 * forwards decisions, order records, user events, closed bars and the housekeeping tick.
 * Combine with other hooks through {@linkcode withMetrics}.
 */
export function withMetrics<D extends LiveDeps>(
  deps: D,
  metrics: BotMetrics | undefined,
): D {
  if (!metrics) return deps;
  let session: LiveSession | undefined;
  return {
    ...deps,
    onSession: (s: LiveSession) => {
      session = s;
      metrics.attach(sessionView(s));
      deps.onSession?.(s);
    },
    wrapPort: (p) =>
      meteredPort(
        deps.wrapPort?.(p) ?? p,
        metrics,
        () => session?.nowMs() ?? Date.now(),
      ),
    onBarClosed: (symbol: string, nowMs: number) => {
      metrics.barClosed(symbol, nowMs);
      deps.onBarClosed?.(symbol, nowMs);
    },
    onDecision: (row) => {
      metrics.decision(row);
      deps.onDecision?.(row);
    },
    onRecord: (r) => {
      metrics.orderRecord(r);
      deps.onRecord?.(r);
    },
    onUserEvent: (e) => {
      metrics.userEvent(e);
      deps.onUserEvent?.(e);
    },
    onHealth: (h: boolean) => {
      metrics.tick();
      deps.onHealth?.(h);
    },
    onReady: async (status: string) => {
      await deps.onReady?.(status);
      metrics.setReady(true);
    },
  };
}
