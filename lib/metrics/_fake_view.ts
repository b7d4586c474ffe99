/**
 * A settable {@linkcode BotView} for the metrics tests.
 *
 * @module
 */
import type { BotView, PositionView, SigningView } from "./bot_view.ts";

/** One fill's time, realized PnL and commission (the fake sums them). */
export interface FillView {
  /** Transaction time, epoch ms. */
  readonly timeMs: number;
  readonly realizedPnl: number;
  readonly commission: number;
}

/** The fake's state; tests change it between reads. */
export interface FakeState {
  now: number;
  positions: Record<string, PositionView>;
  ages: Record<string, { barMs: number; bookMs: number; markMs: number }>;
  stale: Record<string, string[]>;
  killed: boolean;
  marketConnected: boolean;
  userConnected: boolean;
  reconnects: number;
  fills: FillView[];
  /** Unprotected positions: symbol → since (epoch ms). */
  unprotected: Record<string, number>;
  /** The signed requests' clock errors. */
  signing: SigningView;
}

/** Two symbols, flat, fresh, connected, at 2026-01-05T12:00Z. */
export function fakeState(): FakeState {
  const flat: PositionView = {
    amount: 0,
    entryPrice: 0,
    exits: [],
    cooldownUntilMs: 0,
  };
  return {
    now: Date.UTC(2026, 0, 5, 12),
    positions: { BTCUSDT: flat, ETHUSDT: flat },
    ages: {
      BTCUSDT: { barMs: 500, bookMs: 100, markMs: 900 },
      ETHUSDT: { barMs: 600, bookMs: 200, markMs: 800 },
    },
    stale: { BTCUSDT: [], ETHUSDT: [] },
    killed: false,
    marketConnected: true,
    userConnected: true,
    reconnects: 0,
    fills: [],
    unprotected: {},
    signing: { failingMs: 0, clockErrors: 0 },
  };
}

/** A trading bot's view over `st`. */
export function fakeView(st: FakeState): BotView {
  return {
    symbols: ["BTCUSDT", "ETHUSDT"],
    trading: true,
    nowMs: () => st.now,
    inputs: (s) => ({
      ...st.ages[s]!,
      stale: st.stale[s]!,
      mark: {
        price: 100,
        fundingRate: 0.0001,
        nextFundingTimeMs: st.now + 3_600_000,
      },
    }),
    position: (s) => st.positions[s]!,
    unprotected: () =>
      Object.entries(st.unprotected).map(([symbol, sinceMs]) => ({
        symbol,
        sinceMs,
      })),
    killSwitch: () =>
      st.killed
        ? { tripped: true, reason: "margin", sinceMs: st.now, untilMs: null }
        : { tripped: false },
    killThreshold: 1.2,
    streams: () => ({
      market: {
        connected: st.marketConnected,
        reconnects: st.reconnects,
        silences: 0,
      },
      user: { connected: st.userConnected, reconnects: 0, silences: 0 },
    }),
    rest: () => ({ used: 130, limit: 2400, rateLimited: 1, banned: 0 }),
    signing: () => st.signing,
    clockOffsetMs: () => -12,
    fillTotals: (dayStartMs) => {
      const sum = (fills: readonly FillView[]) => ({
        realizedPnl: fills.reduce((a, f) => a + f.realizedPnl, 0),
        fees: fills.reduce((a, f) => a + f.commission, 0),
      });
      return {
        start: sum(st.fills),
        day: sum(
          st.fills.filter((f) =>
            f.timeMs >= dayStartMs && f.timeMs < dayStartMs + 86_400_000
          ),
        ),
      };
    },
  };
}
