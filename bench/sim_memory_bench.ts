/**
 * Memory over a one-hour simulated run: the simulator (10 symbols, all five streams, speed
 * 60) → the market client and caches → the recorder writing the five CSV logs to a temp
 * directory. Prints RSS and heap every 10 simulated minutes; both must stay flat.
 *
 * Run: deno task bench:memory [-- --minutes 60 --speed 60]
 */
import { parseFlags } from "../lib/cli/mod.ts";
import { MarketRestClient, RestTransport } from "../lib/exchange/mod.ts";
import { MarketFeed } from "../lib/market/mod.ts";
import { recordMarket } from "../lib/recorder/mod.ts";
import { startSimulator } from "../lib/sim/mod.ts";
import { followClock } from "../lib/time/clock.ts";

const flags = parseFlags(Deno.args, {
  minutes: { type: "number", default: 60, min: 1, help: "simulated minutes" },
  speed: {
    type: "number",
    default: 60,
    min: 1,
    help: "simulated ms per real ms",
  },
});
const SYMBOLS = [
  "BTCUSDT",
  "ETHUSDT",
  "SOLUSDT",
  "BNBUSDT",
  "XRPUSDT",
  "DOGEUSDT",
  "ASTERUSDT",
  "ADAUSDT",
  "LINKUSDT",
  "AVAXUSDT",
];

function print(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

function memory(label: string): number {
  const m = Deno.memoryUsage();
  print(
    `${label.padEnd(12)} rss ${(m.rss / 1e6).toFixed(1)} MB, heap used ${
      (m.heapUsed / 1e6).toFixed(1)
    } MB`,
  );
  return m.rss;
}

const dir = await Deno.makeTempDir({ prefix: "memory_bench_" });
try {
  await using sim = await startSimulator({
    symbols: SYMBOLS,
    speed: flags.speed,
    historyMinutes: 120,
  });
  const clock = followClock(sim.clock, flags.speed);
  const budget = 30_000;
  const feed = new MarketFeed({
    symbols: SYMBOLS,
    rest: new MarketRestClient(
      new RestTransport({ baseUrl: sim.restUrl, clock }),
      clock.now,
    ),
    stream: {
      wsUrl: sim.wsUrl,
      silenceBudgetMs: {
        kline: budget,
        bookTicker: budget,
        markPrice: budget,
        aggTrade: budget,
        depth: budget,
      },
    },
    now: clock.now,
  });
  const start = clock.now();
  const rssStart = memory("start");
  let next = start + 600_000;
  const summary = await recordMarket({
    feed,
    logDir: dir,
    clock,
    staleAfterMs: 5000 * flags.speed,
    durationMs: flags.minutes * 60_000,
    onSnapshot: (ts) => {
      if (ts >= next) {
        memory(`${Math.round((ts - start) / 60_000)} sim min`);
        next += 600_000;
      }
    },
  });
  const rssEnd = memory("end");
  const rows = Object.values(summary.rows).reduce((a, b) => a + b, 0);
  print(
    `memory: ${SYMBOLS.length} symbols, ${flags.minutes} simulated minutes at ${flags.speed}x, ` +
      `${rows} rows recorded; RSS ${(rssStart / 1e6).toFixed(1)} → ${
        (rssEnd / 1e6).toFixed(1)
      } MB`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
