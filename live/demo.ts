/**
 * `deno task demo`: the toolkit's main job on the built-in simulator, with no account and
 * no network. Starts the simulator on its synthetic market at a high speed, records a few
 * simulated hours for two symbols into `./demo/logs`, builds the feature table from those
 * logs, sweeps a parameter grid over it with the backtest engine and prints the ranking,
 * paper-trades half an hour with the live bot on a fresh simulated account, and ends by
 * writing the HTML report of the backtest and printing its path.
 *
 * @module
 */
import {
  checkOutputDir,
  CONFIG_FLAG,
  formatHelp,
  parseCommandFlags,
  runMain,
  setupLogging,
  writeStderr,
} from "../lib/cli/mod.ts";
import { MarketRestClient, RestTransport } from "../lib/exchange/mod.ts";
import { MarketFeed } from "../lib/market/mod.ts";
import { recordMarket, type RecordSummary } from "../lib/recorder/mod.ts";
import { buildFeatureFile } from "../lib/features/mod.ts";
import {
  formatRankedTable,
  honestLines,
  runBacktest,
} from "../lib/backtest/mod.ts";
import { runBotBacktest } from "../lib/backtest/bot_model/run_bot.ts";
import {
  BOT_LAYOUT,
  BOT_METRICS,
  N_BOT_METRICS,
} from "../lib/backtest/bot_model/simulate_bot.ts";
import type { BotGridSpec } from "../lib/backtest/bot_model/bot_grid.ts";

/** The demo's bot-model grid: the bot's parameter names and units. */
const DEMO_BOT_GRID: Partial<BotGridSpec> = {
  k: [0.5, 1, 2],
  n: [1, 1.5, 2],
  T: [10, 30],
  V: [10, 30],
  "tp_bps": [20, 40],
  "sl_bps": [25],
  "trail_activation_bps": [0, 20],
  "order_notional": [100],
};
import { writeReport } from "../lib/report/mod.ts";
import { startSimulator } from "../lib/sim/mod.ts";
import { followClock } from "../lib/time/clock.ts";
import {
  type LiveSummary,
  runLiveSession,
  startPaperExchange,
} from "../lib/live/mod.ts";
import {
  DEFAULT_LOCKSTEP,
  driveLockstep,
  lockstepStart,
} from "../lib/live/lockstep.ts";
import { ManualClock } from "../lib/sim/mod.ts";

const FLAGS = {
  ...CONFIG_FLAG,
  symbols: {
    type: "list",
    alias: "symbol",
    default: "BTCUSDT,ETHUSDT",
    help: "simulated symbols",
  },
  hours: {
    type: "number",
    default: 3,
    min: 0.05,
    max: 48,
    help: "simulated hours to record",
  },
  speed: {
    type: "number",
    default: 240,
    min: 1,
    max: 1000,
    help: "simulated ms per real ms",
  },
  seed: {
    type: "number",
    default: 7,
    integer: true,
    help: "seed of the synthetic market",
  },
  out_dir: {
    type: "string",
    default: "./demo",
    alias: "out",
    help: "output directory",
  },
} as const;

/** The demo's grid: 3 × 3 × 2 × 2 × 2 × 2 × 2 = 288 configs, with taker fees and slippage. */
const DEMO_GRID = {
  k: [0.5, 1, 2],
  n: [1, 1.5, 2],
  T: [10, 30],
  V: [10, 30],
  "sl_stop": [0.005, 0.01],
  "tp_stop": [0.01, 0.02],
  "sl_trail": [0, 1],
  "max_spread_bps": [5],
  "max_funding_bps": [10],
  fees: [0.0004],
  slippage: [0.0001],
  "init_cash": [100],
};

const USAGE =
  "Usage: deno task demo [--hours 3] [--speed 240] [--out_dir ./demo]";

/** Runs the demo. */
export async function main(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<number> {
  const flags = await parseCommandFlags(FLAGS, args, env);
  if (flags.help) {
    print(formatHelp(USAGE, FLAGS));
    return 0;
  }
  await checkOutputDir("out_dir", flags.out_dir);
  setupLogging({ level: "warning" });
  const logDir = `${flags.out_dir}/logs`;
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error("signal"));
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    print(
      `1/5 recording ${flags.hours} simulated hours of ${
        flags.symbols.join(", ")
      } ` +
        `from the simulator at ${flags.speed}x into ${logDir}`,
    );
    await using sim = await startSimulator({
      symbols: flags.symbols,
      seed: flags.seed,
      speed: flags.speed,
      historyMinutes: 240,
    });
    const clock = followClock(sim.clock, flags.speed);
    const feed = new MarketFeed({
      symbols: flags.symbols,
      rest: new MarketRestClient(
        new RestTransport({ baseUrl: sim.restUrl, clock }),
        clock.now,
      ),
      // Silence budgets in simulated ms: at 240x, 60 s is a quarter of a real second.
      stream: { wsUrl: sim.wsUrl, silenceBudgetMs: silenceBudgets(60_000) },
      now: clock.now,
    });
    const durationMs = flags.hours * 3_600_000;
    const start = clock.now();
    let nextReport = start + 1_800_000;
    const summary = await recordMarket({
      feed,
      logDir,
      deleteLogs: true,
      clock,
      // 5 real seconds of silence on the sped-up clock
      staleAfterMs: 5000 * flags.speed,
      durationMs,
      signal: stop.signal,
      onSnapshot: (ts) => {
        if (ts >= nextReport) {
          nextReport += 1_800_000;
          writeStderr(
            `  … ${
              ((ts - start) / 3_600_000).toFixed(1)
            } of ${flags.hours} simulated hours\n`,
          );
        }
      },
    });
    printRecordSummary(logDir, summary);

    const featuresCsv = `${flags.out_dir}/features.csv`;
    print(`2/5 building the feature table ${featuresCsv} (windows 10,30,60)`);
    const built = await buildFeatureFile({ logDir }, featuresCsv, {
      windows: [10, 30, 60],
      maxStalenessMs: 60_000,
      latenessMs: 10_000,
      strict: true,
    });
    print(
      `    ${built.bars} bars for ${
        built.symbols.join(", ")
      } from ${built.rowsRead} log rows`,
    );

    const botDir = `${flags.out_dir}/bot`;
    print(
      `3/5 backtesting: the bot model (the live bot's own rules, PnL in USDT) into ${botDir}`,
    );
    const bot = await runBotBacktest({
      features: featuresCsv,
      out: botDir,
      grid: DEMO_BOT_GRID,
      costs: { takerFeeBps: 3.5, exitSlippageBps: 1, intrabar: "stop_first" },
      top: 1,
    });
    for (const scope of bot.scopes) {
      const c = scope.order[0];
      if (c === undefined) {
        print(`    ${scope.scope}: no config traded`);
        continue;
      }
      const row = scope.rows.subarray(c * N_BOT_METRICS);
      print(
        `    ${scope.scope}: best of ${bot.configs.count} configs nets ${
          row[BOT_METRICS.indexOf("net_pnl")]!.toFixed(2)
        } USDT over ${
          row[BOT_METRICS.indexOf("n_trades")]
        } trades; for the bot: ${botDir}/top/${scope.scope}_rank1_config${c}_live.json`,
      );
      // How much the bot-model winner means: its DSR against N trials, and its PBO.
      for (
        const line of honestLines(
          scope,
          bot.pbo.get(scope.scope),
          bot.scopes,
          BOT_LAYOUT,
        )
      ) print(`      ${line}`);
    }
    if (bot.pboSkipped !== undefined) {
      print(`      PBO: n/a, ${bot.pboSkipped}`);
    }
    const outDir = `${flags.out_dir}/backtest`;
    print(
      `    and the vectorbt-exact model over a parameter grid into ${outDir}`,
    );
    const backtest = await runBacktest({
      features: featuresCsv,
      out: outDir,
      grid: DEMO_GRID,
      onStatus: (line) => print(`    ${line}`),
    });
    const all = backtest.scopes.find((s) => s.scope === "ALL") ??
      backtest.scopes[0];
    if (all) {
      print(
        `\n${all.scope}: ${all.order.length} of ${backtest.result.configs} configs ranked by sharpe`,
      );
      print(formatRankedTable(all, backtest.configs, 10));
    }
    // How much the winners mean: DSR per symbol (the aggregate has no single return series).
    for (const scope of backtest.scopes) {
      print(`    ${scope.scope}:`);
      const pbo = backtest.pbo.get(scope.scope);
      for (const line of honestLines(scope, pbo, backtest.scopes)) {
        print(`      ${line}`);
      }
    }
    if (backtest.pboSkipped !== undefined) {
      print(`    PBO: n/a, ${backtest.pboSkipped}`);
    }
    print(
      `\n4/5 paper trading 30 simulated minutes of ${
        flags.symbols.join(", ")
      } with the live bot on a fresh simulated account`,
    );
    await paperStep(flags.symbols, flags.seed, flags.out_dir);
    print(`\noutputs: ${logDir}/, ${featuresCsv}, ${outDir}/`);
    print(`\n5/5 writing the HTML report of the backtest`);
    const report = await writeReport(outDir);
    print(
      `    ${report.path} (${
        (report.bytes / 1e6).toFixed(2)
      } MB): open it in a browser`,
    );
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}

/** The demo's paper step: the session, then its summary and fills on stdout. */
async function paperStep(
  symbols: string[],
  seed: number,
  out: string,
): Promise<void> {
  const summary = await demoPaperSession(
    symbols,
    seed,
    `${out}/paper_decisions.csv`,
  );
  print(
    `    ${summary.evaluations} evaluations, ${summary.signals} signals, ` +
      `${summary.entriesSent} entries; journal ${out}/paper_decisions.csv`,
  );
  for (const line of summary.fills.format().split("\n")) print(`    ${line}`);
}

/**
 * The live bot (unchanged) trading 30 simulated minutes on an in-process simulator with a
 * fresh account, in lockstep (as `deno task paper --lockstep`): the simulator's clock is
 * stepped a second at a time and the bot's clock follows it, so a loaded machine cannot
 * let the market run ahead of the bot (at 240x a 21 ms stall exceeded the 5 s recvWindow:
 * `-1021` rejections and exits armed late), and a seed gives the same fills on every run.
 * `wallNow` picks the start minute (the synthetic market depends on it).
 */
export async function demoPaperSession(
  symbols: string[],
  seed: number,
  journalPath: string,
  wallNow: number = Date.now(),
): Promise<LiveSummary> {
  const manual = new ManualClock(
    await lockstepStart({ kind: "synthetic" }, 240, wallNow),
  );
  await using ex = await startPaperExchange({
    symbols,
    seed,
    manualClock: manual,
  });
  let ready = false, done = false;
  const session = runLiveSession({
    symbols,
    params: { k: 0.5, n: 1, t: 10, v: 10, maxSpreadBps: 5, maxFundingBps: 10 },
    enableTrading: true,
    orderNotional: 100,
    tpBps: 20,
    slBps: 20,
    cooldownMs: 60_000,
    leverage: 10,
    marginType: "ISOLATED",
    killThreshold: 1.2,
    killPauseMs: 0,
    budgets: { barMs: 60_000, bookMs: 60_000, markMs: 60_000 },
    restUrl: ex.sim.restUrl,
    wsUrl: ex.sim.wsUrl,
    updateLogs: false,
    logDir: "",
    journalPath,
    closeOnExit: true,
  }, {
    credentials: ex.credentials,
    clock: ex.clock,
    serverNow: () => ex.sim.clock.now(),
    marketSilenceBudgetMs: ex.silenceBudgetMs,
    resolveDelaysMs: [50, 100, 200, 400],
    durationMs: 30 * 60_000,
    onReady: () => {
      ready = true;
    },
  }).finally(() => {
    done = true;
  });
  await driveLockstep(manual, DEFAULT_LOCKSTEP, () => ready, () => done);
  return await session;
}

function silenceBudgets(ms: number) {
  return { kline: ms, bookTicker: ms, markPrice: ms, aggTrade: ms, depth: ms };
}

function printRecordSummary(logDir: string, s: RecordSummary): void {
  const span = Number.isNaN(s.firstTs)
    ? "no snapshot"
    : `${new Date(s.firstTs).toISOString()} → ${
      new Date(s.lastTs).toISOString()
    }`;
  print(`    ${s.snapshots} snapshots, ${span}`);
  for (const [kind, rows] of Object.entries(s.rows)) {
    print(`    ${logDir}/${kind}.csv  ${rows} rows`);
  }
}

function print(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (name) => Deno.env.get(name)));
}
