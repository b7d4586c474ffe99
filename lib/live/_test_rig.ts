/**
 * Test rig of the assembled bot: a paper exchange (simulator with a fresh account) at a
 * chosen speed, a session on it with fast-signal parameters, and views of the engine.
 *
 * @module
 */
import type { OrderRecord } from "../order/mod.ts";
import type { RawOrder, RawPositionRisk } from "../sim/engine/views.ts";
import type { JournalRow } from "./journal.ts";
import { type LiveConfig, type LiveDeps, LiveSession } from "./live_session.ts";
import { type PaperExchange, startPaperExchange } from "./paper_exchange.ts";

/** A config that signals on almost every bar (k = 0, n = 0, wide blockers). */
export function fastConfig(
  ex: PaperExchange,
  overrides: Partial<LiveConfig> = {},
): LiveConfig {
  return {
    symbols: ["BTCUSDT"],
    params: { k: 0, n: 0, t: 5, v: 5, maxSpreadBps: 1000, maxFundingBps: 1000 },
    enableTrading: true,
    orderNotional: 100,
    tpBps: 8,
    slBps: 8,
    cooldownMs: 60_000,
    leverage: 10,
    marginType: "ISOLATED",
    killThreshold: 1.2,
    killPauseMs: 0,
    budgets: { barMs: 30_000, bookMs: 30_000, markMs: 30_000 },
    restUrl: ex.sim.restUrl,
    wsUrl: ex.sim.wsUrl,
    updateLogs: false,
    logDir: "",
    journalPath: "",
    closeOnExit: false,
    reconcileMs: 5_000,
    ...overrides,
  };
}

/** A session on a paper exchange with every record and decision collected. */
export interface Rig {
  readonly ex: PaperExchange;
  session: LiveSession;
  readonly records: OrderRecord[];
  readonly decisions: JournalRow[];
  /** Starts another session on the same exchange (a restart). */
  restart(overrides?: Partial<LiveConfig>): Promise<LiveSession>;
  /** The account's positions on the engine. */
  positions(): RawPositionRisk[];
  /** The account's open orders on the engine. */
  openOrders(): RawOrder[];
  close(): Promise<void>;
}

/** Starts a rig. */
export async function startRig(
  options: {
    speed?: number;
    config?: Partial<LiveConfig>;
    deps?: Partial<LiveDeps>;
    symbols?: string[];
  } = {},
): Promise<Rig> {
  const symbols = options.symbols ?? ["BTCUSDT"];
  const ex = await startPaperExchange({
    symbols,
    speed: options.speed ?? 60,
    historyMinutes: 30,
  });
  const records: OrderRecord[] = [];
  const decisions: JournalRow[] = [];
  const open = (overrides: Partial<LiveConfig>) =>
    LiveSession.start(fastConfig(ex, { symbols, ...overrides }), {
      credentials: ex.credentials,
      clock: ex.clock,
      serverNow: () => ex.sim.clock.now(),
      resolveDelaysMs: [20, 40, 80],
      timeoutMs: 2_000,
      reconnectBaseMs: 50,
      marketSilenceBudgetMs: ex.silenceBudgetMs,
      onRecord: (r) => records.push(r),
      onDecision: (d) => decisions.push(d),
      ...options.deps,
    });
  let session: LiveSession;
  try {
    session = await open(options.config ?? {});
  } catch (error) {
    await ex.close();
    throw error;
  }
  const engine = ex.sim.trading.engine;
  const rig: Rig = {
    ex,
    session,
    records,
    decisions,
    async restart(overrides = {}) {
      rig.session = await open({ ...options.config, ...overrides });
      return rig.session;
    },
    positions() {
      const r = engine.positionRisk(ex.accountId, {});
      return Array.isArray(r.body) ? r.body : [];
    },
    openOrders() {
      const r = engine.openOrders(ex.accountId, {});
      return Array.isArray(r.body) ? r.body : [];
    },
    async close() {
      try {
        await rig.session.stop();
      } finally {
        await ex.close();
      }
    },
  };
  return rig;
}

/** Waits (real time) until `pred` holds. */
export async function waitFor(
  pred: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > end) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Signed amount of `symbol`'s position on the engine (0 when none). */
export function amountOf(rig: Rig, symbol = "BTCUSDT"): number {
  const p = rig.positions().find((x) => x.symbol === symbol);
  return p ? Number(p.positionAmt) : 0;
}
