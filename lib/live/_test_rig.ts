/**
 * Test rig of the assembled bot: a paper exchange (simulator with a fresh account) at a
 * chosen speed, a session on it with fast-signal parameters, and views of the engine.
 *
 * @module
 */
import type { OrderRecord } from "../order/mod.ts";
import type { RawOrder, RawPositionRisk } from "../exchange/trading/wire.ts";
import type { SourceSpec } from "../sim/mod.ts";
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
    /** The market. @default {{ kind: "synthetic" }} */
    source?: SourceSpec;
    /** Closed bars of history before the start. @default {30} */
    historyMinutes?: number;
  } = {},
): Promise<Rig> {
  const symbols = options.symbols ?? ["BTCUSDT"];
  const ex = await startPaperExchange({
    symbols,
    speed: options.speed ?? 60,
    historyMinutes: options.historyMinutes ?? 30,
    ...(options.source ? { source: options.source } : {}),
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
      // a sped-up simulator compresses the exchange's 5 s recvWindow (21 ms of real
      // latency at 240×), which a loaded machine exceeds: every signed request -1021
      // (the machine, not the bot); the largest window, 60 s, is 250 ms at 240×
      recvWindowMs: 60_000,
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

/** One 1m bar of a scripted market. */
export interface ScriptBar {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A bar at one price all minute. */
export function flatBar(price: number, volume = 10): ScriptBar {
  return { open: price, high: price, low: price, close: price, volume };
}

/**
 * A bar moving from `from` to `to` (an up bar trades open → low → high → close, a down
 * bar open → high → low → close; see `lib/sim/ohlcv_source.ts`).
 */
export function moveBar(from: number, to: number, volume = 10): ScriptBar {
  return {
    open: from,
    high: Math.max(from, to),
    low: Math.min(from, to),
    close: to,
    volume,
  };
}

/** Open time of a scripted market's first bar (a minute boundary). */
export const SCRIPT_START_MS = Date.UTC(2026, 0, 5);

/** Writes `bars` as a 1m OHLCV CSV (2 price decimals) from `startMs`. */
export async function writeOhlcv(
  path: string,
  bars: readonly ScriptBar[],
  startMs = SCRIPT_START_MS,
): Promise<void> {
  const lines = ["open_time,open,high,low,close,volume"];
  bars.forEach((b, i) => {
    const p = (x: number) => x.toFixed(2);
    lines.push(
      `${startMs + i * 60_000},${p(b.open)},${p(b.high)},${p(b.low)},${
        p(b.close)
      },${b.volume}`,
    );
  });
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/**
 * Starts a rig on a scripted OHLCV market of `symbol`: `history` bars served as REST
 * history, then `live` bars replayed from the start (bar `i` of `live` opens at
 * `SCRIPT_START_MS + (history.length + i) * 60_000`). The temp file is removed at
 * `close()`.
 */
export async function startScriptedRig(
  history: readonly ScriptBar[],
  live: readonly ScriptBar[],
  options: {
    speed?: number;
    config?: Partial<LiveConfig>;
    deps?: Partial<LiveDeps>;
    symbol?: string;
  } = {},
): Promise<Rig> {
  const symbol = options.symbol ?? "BTCUSDT";
  const dir = await Deno.makeTempDir({ prefix: "live_e2e_" });
  let rig: Rig;
  try {
    const path = `${dir}/${symbol}_1m.csv`;
    await writeOhlcv(path, [...history, ...live]);
    rig = await startRig({
      symbols: [symbol],
      historyMinutes: history.length,
      source: { kind: "ohlcv", files: { [symbol]: path } },
      ...(options.speed === undefined ? {} : { speed: options.speed }),
      ...(options.config ? { config: options.config } : {}),
      ...(options.deps ? { deps: options.deps } : {}),
    });
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  const close = rig.close.bind(rig);
  rig.close = async () => {
    try {
      await close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  };
  return rig;
}

/** An order of the rig's account as the engine holds it (open or closed). */
export function engineOrder(
  rig: Rig,
  clientOrderId: string,
  symbol = "BTCUSDT",
): RawOrder {
  const r = rig.ex.sim.trading.engine.queryOrder(rig.ex.accountId, {
    symbol,
    origClientOrderId: clientOrderId,
  });
  if (r.status !== 200 || !("orderId" in r.body)) {
    throw new Error(
      `Cannot find order ${clientOrderId}: ${JSON.stringify(r.body)}`,
    );
  }
  return r.body;
}
