/**
 * Metrics benchmark: a bot with 10 symbols (positions with exits, every decision outcome,
 * order counters by type and code, both histograms filled) serving its endpoint on
 * loopback. Reports the time to render `/metrics`, the HTTP round trip of a scrape, and
 * the CPU a scrape costs — as a share of one core at a 5 s scrape interval.
 *
 * Targets (issue 17): `/metrics` answers in under 5 ms; scraping adds under 1 % CPU at 5 s
 * with 10 symbols. The scrape CPU is measured in the bot's process and includes the
 * client side of the request (`fetch` runs in the same process): an upper bound.
 *
 * Run: `deno task bench:metrics`
 *
 * @module
 */
import process from "node:process";
import { BotMetrics } from "../lib/metrics/bot_metrics.ts";
import { DECISION_OUTCOMES } from "../lib/metrics/decision_outcome.ts";
import { startMetricsServer } from "../lib/metrics/metrics_server.ts";
import type { BotView, PositionView } from "../lib/metrics/bot_view.ts";

const SYMBOLS = [
  "BTCUSDT",
  "ETHUSDT",
  "SOLUSDT",
  "BNBUSDT",
  "XRPUSDT",
  "DOGEUSDT",
  "ADAUSDT",
  "AVAXUSDT",
  "LINKUSDT",
  "ASTERUSDT",
];
const INTERVAL_S = 5;
const SCRAPES = 300;

const now = Date.now();
const position = (i: number): PositionView => ({
  amount: i % 3 === 0 ? 0 : (i % 2 ? 0.5 : -0.25),
  entryPrice: 100 + i,
  exits: [{ purpose: "tp", state: "open" }, { purpose: "sl", state: "open" }],
  cooldownUntilMs: now + 30_000,
});
const view: BotView = {
  symbols: SYMBOLS,
  trading: true,
  nowMs: () => Date.now(),
  inputs: () => ({
    barMs: 800,
    bookMs: 120,
    markMs: 900,
    stale: [],
    mark: { price: 101, fundingRate: 0.0001, nextFundingTimeMs: now + 3.6e6 },
  }),
  position: (s) => position(SYMBOLS.indexOf(s)),
  unprotected: () => [],
  killSwitch: () => ({ tripped: false }),
  killThreshold: 1.2,
  streams: () => ({
    market: { connected: true, reconnects: 2, silences: 1 },
    user: { connected: true, reconnects: 1, silences: 0 },
  }),
  rest: () => ({ used: 130, limit: 2400, rateLimited: 0, banned: 0 }),
  clockOffsetMs: () => -3,
  fillTotals: () => ({
    start: { realizedPnl: 50, fees: 8 },
    day: { realizedPnl: 12, fees: 2 },
  }),
};

const metrics = new BotMetrics({ component: "live" });
metrics.attach(view);
metrics.setReady(true);
for (const s of SYMBOLS) {
  for (const outcome of DECISION_OUTCOMES) {
    metrics.decision({
      timeMs: now,
      symbol: s,
      gapBars: 0,
      action: "none",
      detail: "",
      decision: { reason: outcome },
    });
  }
  metrics.barClosed(s, now);
  metrics.entrySent(s, now + 7);
}
for (const t of ["LIMIT", "MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET"]) {
  metrics.orderPlaced(t, { kind: "placed" });
  metrics.orderPlaced(t, { kind: "rejected", code: -2021 });
  metrics.orderPlaced(t, { kind: "unknown" });
  metrics.userEvent({ kind: "orderUpdate", status: "FILLED", origType: t });
}
const calls = [
  "place_order",
  "cancel_order",
  "cancel_all",
  "query_order",
  "open_orders",
  "position_risk",
  "account",
  "set_leverage",
  "set_margin_type",
];
for (let i = 0; i < 5000; i++) {
  metrics.restCall(calls[i % calls.length]!, 5 + (i % 400));
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) =>
    a - b
  )[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

// render only (after a warm-up)
for (let i = 0; i < 50; i++) await metrics.render();
const render: number[] = [];
for (let i = 0; i < SCRAPES; i++) {
  const t0 = performance.now();
  await metrics.render();
  render.push(performance.now() - t0);
}
const text = await metrics.render();
const series = text.split("\n").filter((l) => l && !l.startsWith("#")).length;

// over HTTP, as a scraper sees it
const server = startMetricsServer({ hostname: "127.0.0.1", port: 0 }, metrics);
const http: number[] = [];
for (let i = 0; i < 20; i++) {
  await (await fetch(`${server.url}/metrics`)).text();
}
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (let i = 0; i < SCRAPES; i++) {
  const t0 = performance.now();
  await (await fetch(`${server.url}/metrics`)).text();
  http.push(performance.now() - t0);
}
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - wall0;
await server.close();

const cpuPerScrapeMs = (cpu.user + cpu.system) / 1000 / SCRAPES;
const share = cpuPerScrapeMs / (INTERVAL_S * 1000) * 100;
const lines = [
  `metrics: ${SYMBOLS.length} symbols, ${series} series, ${text.length} bytes of exposition text`,
  `render /metrics: median ${quantile(render, 0.5).toFixed(2)} ms, p99 ${
    quantile(render, 0.99).toFixed(2)
  } ms`,
  `GET /metrics over loopback: median ${
    quantile(http, 0.5).toFixed(2)
  } ms, p99 ${quantile(http, 0.99).toFixed(2)} ms (target < 5 ms: median ${
    quantile(http, 0.5) < 5 ? "met" : "NOT met"
  }, p99 ${quantile(http, 0.99) < 5 ? "met" : "NOT met"})`,
  `CPU per scrape ${
    cpuPerScrapeMs.toFixed(2)
  } ms (server and client, ${SCRAPES} scrapes in ${wall.toFixed(0)} ms) = ${
    share.toFixed(3)
  } % of one core at a ${INTERVAL_S} s interval (target < 1 %: ${
    share < 1 ? "met" : "NOT met"
  })`,
];
Deno.stdout.writeSync(new TextEncoder().encode(lines.join("\n") + "\n"));
