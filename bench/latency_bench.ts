/**
 * `deno task bench:latency`: tick-to-order latency of the live bot. From the closed-kline
 * WebSocket message arriving at the bot's market socket to the entry order arriving at
 * the simulator's order engine (after HTTP parsing and V1 signature check), on loopback,
 * both ends timestamped in this process with `performance.now()`. Signals fire on every
 * bar (k = 0, n = 0, wide blockers); the bench flattens each position right away so the
 * next bar may enter again.
 *
 * @module
 */
import {
  formatHelp,
  parseFlags,
  runMain,
  setupLogging,
} from "../lib/cli/mod.ts";
import {
  type LiveConfig,
  LiveSession,
  startPaperExchange,
} from "../lib/live/mod.ts";
import { parseClientOrderId } from "../lib/order/mod.ts";

const FLAGS = {
  signals: {
    type: "number",
    default: 300,
    integer: true,
    min: 10,
    help: "entries to measure",
  },
  speed: {
    type: "number",
    default: 600,
    min: 1,
    max: 2000,
    help: "simulated ms per real ms (a bar every 60000/speed real ms)",
  },
  symbols: {
    type: "list",
    default: "BTCUSDT,ETHUSDT",
    help: "simulated symbols",
  },
} as const;

/** Runs the benchmark. */
export async function main(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, FLAGS);
  if (flags.help) {
    print(formatHelp("Usage: deno task bench:latency [--signals 300]", FLAGS));
    return 0;
  }
  setupLogging({ level: "error" });
  const symbols = flags.symbols.map((s) => s.toUpperCase());
  await using ex = await startPaperExchange({
    symbols,
    speed: flags.speed,
    historyMinutes: 30,
  });
  const engine = ex.sim.trading.engine;
  const arrivals = new Map<string, number>(); // symbol:openTime → ms
  const samples: number[] = [];
  const newOrder = engine.newOrder.bind(engine);
  engine.newOrder = (account, params, now) => {
    const t1 = performance.now();
    const get = (k: string) =>
      params instanceof URLSearchParams
        ? params.get(k) ?? undefined
        : params[k];
    const id = parseClientOrderId(get("newClientOrderId") ?? "");
    const symbol = get("symbol") ?? "";
    const reply = newOrder(account, params, now);
    if (id?.purpose === "entry") {
      const t0 = arrivals.get(`${symbol}:${id.key}`);
      if (t0 !== undefined) samples.push(t1 - t0);
      // flatten at once so the next bar can enter again
      setTimeout(() => {
        engine.cancelAllOpenOrders(account, { symbol }, ex.sim.clock.now());
        const pos = engine.positionRisk(account, { symbol });
        const row = Array.isArray(pos.body) ? pos.body[0] : undefined;
        const amt = Number(row?.positionAmt ?? 0);
        if (amt !== 0) {
          newOrder(account, {
            symbol,
            side: amt > 0 ? "SELL" : "BUY",
            type: "MARKET",
            quantity: String(Math.abs(amt)),
            reduceOnly: "true",
          }, ex.sim.clock.now());
        }
      }, 0);
    }
    return reply;
  };
  const config: LiveConfig = {
    symbols,
    params: { k: 0, n: 0, t: 5, v: 5, maxSpreadBps: 1e4, maxFundingBps: 1e4 },
    enableTrading: true,
    orderNotional: 100,
    tpBps: 50,
    slBps: 50,
    cooldownMs: 0,
    leverage: 10,
    marginType: "ISOLATED",
    killThreshold: 1.2,
    killPauseMs: 0,
    budgets: { barMs: 600_000, bookMs: 600_000, markMs: 600_000 },
    restUrl: ex.sim.restUrl,
    wsUrl: ex.sim.wsUrl,
    updateLogs: false,
    logDir: "",
    journalPath: "",
    closeOnExit: true,
    reconcileMs: 30_000,
    housekeepingMs: 5_000,
  };
  const session = await LiveSession.start(config, {
    credentials: ex.credentials,
    clock: ex.clock,
    serverNow: () => ex.sim.clock.now(),
    marketSilenceBudgetMs: ex.silenceBudgetMs,
    marketWebSocket: (url) => {
      const ws = new WebSocket(url);
      ws.addEventListener("message", (e) => {
        const t0 = performance.now();
        const text = typeof e.data === "string" ? e.data : "";
        if (!text.includes('"x":true')) return;
        const m = /"s":"([A-Z0-9]+)".*"k":\{"t":(\d+)/.exec(text);
        if (m) arrivals.set(`${m[1]}:${m[2]}`, t0);
      });
      return ws;
    },
  });
  const started = performance.now();
  const limitMs = (flags.signals / symbols.length + 20) * 60_000 /
    flags.speed;
  while (
    samples.length < flags.signals && performance.now() - started < limitMs
  ) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await session.stop();
  if (samples.length === 0) {
    print("no samples: no entry matched a closed-kline message");
    return 1;
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) =>
    samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  const stats = session.bot.stats;
  print(
    `tick-to-order latency over ${samples.length} entries ` +
      `(${
        symbols.join(",")
      }, V1 signing, loopback; ${stats.signals} signals, ${stats.blocked} blocked):\n` +
      `  p50 ${q(0.5).toFixed(3)} ms  p90 ${q(0.9).toFixed(3)} ms  p99 ${
        q(0.99).toFixed(3)
      } ms  max ${samples.at(-1)!.toFixed(3)} ms  (target p99 < 5 ms)`,
  );
  return 0;
}

function print(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
}

if (import.meta.main) {
  await runMain(() => main(Deno.args));
}
