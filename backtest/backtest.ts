/**
 * `deno task backtest`: sweep a parameter grid over a feature table with the
 * vectorbt-compatible engine (`--model vbt`, the default) or the bot model
 * (`--model bot`: the live bot's rules, `lib/backtest/bot_model`), rank the configs and
 * write the outputs.
 *
 * @module
 */
import { writeReport } from "../lib/report/mod.ts";
import { parseHonestFlags } from "../lib/backtest/honest_plan.ts";
import {
  checkInputFile,
  checkOutputDir,
  CONFIG_FLAG,
  formatHelp,
  parseCommandFlags,
  runMain,
  UsageError,
  writeStderr,
} from "../lib/cli/mod.ts";
import {
  BacktestInputError,
  type BacktestOptions,
  GRID_PARAMS,
  type GridParam,
  type GridSpec,
  type MetricName,
  parseGridJson,
  parseGridList,
  parseShard,
  Progress,
  RANKABLE,
  runBacktest,
  runShard,
  shardDoneLine,
  type ShardSpec,
  summaryLines,
} from "../lib/backtest/mod.ts";
import {
  BOT_FLAGS,
  checkVbtArgs,
  mainBot,
} from "../lib/backtest/bot_model/bot_cli.ts";

/** The flags (exported for the deploy definitions' tests). */
export const SPECS = {
  ...CONFIG_FLAG,
  features: { type: "string", help: "feature table CSV (required)" },
  out_dir: {
    type: "string",
    default: "out/backtest",
    alias: "out",
    help: "output directory",
  },
  grid: {
    type: "string",
    help:
      'JSON grid file {"k": [1, 2], ...}; its lists replace the flags\' lists',
  },
  k: {
    type: "string",
    default: "1,2,3",
    help: "return threshold multiples of rs_vol",
  },
  n: {
    type: "string",
    default: "1,2",
    help: "volume threshold multiples of avg_vol",
  },
  T: {
    type: "string",
    help: "rs_vol windows (default: every window in the table)",
  },
  V: {
    type: "string",
    help: "avg_vol windows (default: every window in the table)",
  },
  "max_spread_bps": {
    type: "string",
    default: "5",
    help: "blocker: max spread (bps)",
  },
  "max_funding_bps": {
    type: "string",
    default: "10",
    help: "blocker: max |funding| (bps)",
  },
  "sl_stop": {
    type: "string",
    default: "0.005,0.01",
    help: "stop-loss fractions (none = off)",
  },
  "tp_stop": {
    type: "string",
    default: "0.01,0.02",
    help: "take-profit fractions (none = off)",
  },
  "sl_trail": {
    type: "string",
    default: "false,true",
    help: "trailing stop-loss",
  },
  fees: { type: "string", default: "0.0005", help: "fees per order, fraction" },
  slippage: {
    type: "string",
    default: "0",
    help: "slippage on signal orders, fraction",
  },
  "init_cash": { type: "string", default: "100", help: "starting cash" },
  blockers: {
    type: "string",
    default: "on",
    choices: ["on", "off"],
    help: "spread/funding/opening-loss blockers",
  },
  symbols: {
    type: "list",
    alias: "symbol",
    help: "only these symbols (default: all)",
  },
  "rank_by": {
    type: "string",
    default: "sharpe",
    choices: RANKABLE,
    help: "ranking metric",
  },
  "min_trades": {
    type: "number",
    default: 1,
    min: 0,
    integer: true,
    help: "minimum trades to be ranked",
  },
  "rank_rule": {
    type: "string",
    default: "max",
    choices: ["max", "plateau"],
    help:
      "winner: max of the metric, or plateau (best radius-1 box mean over numeric axes with >= 3 levels)",
  },
  "walk_forward": {
    type: "string",
    help:
      "walk-forward: is=30d,oos=7d[,step=7d][,anchored] (m/h/d); the grid on each IS window, its choice on the OOS",
  },
  "prior_trials": {
    type: "number",
    default: 0,
    min: 0,
    integer: true,
    help: "grids already tried on the same data, counted as DSR trials",
  },
  pbo: {
    type: "string",
    default: "auto",
    help:
      "PBO by CSCV over S whole-UTC-day blocks: an even S >= 4, auto (16 or the largest even S the days support) or off",
  },
  top: {
    type: "number",
    default: 5,
    min: 0,
    integer: true,
    help: "configs per symbol with trade and equity CSVs",
  },
  workers: {
    type: "number",
    default: navigator.hardwareConcurrency,
    min: 0,
    integer: true,
    help: "worker threads (0 = main thread)",
  },
  quiet: { type: "boolean", default: false, help: "no progress output" },
  report: {
    type: "boolean",
    default: false,
    help: "also write the HTML report (report.html in --out_dir)",
  },
  shard: {
    type: "string",
    help:
      "run only shard i of n (0 <= i < n) and write a shard directory to --out_dir; join them with deno task merge",
  },
  ...BOT_FLAGS,
} as const;

const USAGE =
  "Usage: deno task backtest --features FILE [--model vbt|bot] [--out_dir DIR] [--k 1,2 --T 10,30 ...] [--grid grid.json]";

const encoder = new TextEncoder();

function print(text: string): void {
  const bytes = encoder.encode(`${text}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** Parses `args`, runs, prints; returns the exit code. */
export async function main(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<number> {
  const flags = await parseCommandFlags(SPECS, args, env);
  if (flags.help) {
    print(formatHelp(USAGE, SPECS));
    return 0;
  }
  if (flags.model === "bot") {
    let shard: ShardSpec | undefined;
    if (flags.shard !== undefined) {
      try {
        shard = parseShard(flags.shard);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    return await mainBot(flags, args, print, writeStderr, shard);
  }
  checkVbtArgs(args);
  if (flags.features === undefined) {
    throw new UsageError("Missing --features FILE (the feature table CSV)");
  }
  await checkInputFile("features", flags.features);
  await checkOutputDir("out_dir", flags.out_dir);
  const grid: Partial<Record<GridParam, number[]>> = {};
  try {
    for (const name of GRID_PARAMS) {
      const text = (flags as Record<string, unknown>)[name];
      if (typeof text === "string") grid[name] = parseGridList(name, text);
    }
    if (flags.grid !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(await Deno.readTextFile(flags.grid));
      } catch (error) {
        throw new UsageError(
          `Cannot read the grid file ${flags.grid}: ${
            (error as Error).message
          }`,
        );
      }
      Object.assign(grid, parseGridJson(json));
    }
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(error.message);
    throw error;
  }
  let honest;
  try {
    honest = parseHonestFlags(flags);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(error.message);
    throw error;
  }
  const { pbo, walkForward } = honest;
  let shard: ShardSpec | undefined;
  if (flags.shard !== undefined) {
    try {
      shard = parseShard(flags.shard);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (flags.report) {
      throw new UsageError(
        "--report needs the whole run: write it after deno task merge",
      );
    }
  }
  const progress = flags.quiet ? undefined : new Progress({
    write: writeStderr,
    tty: Deno.stderr.isTerminal(),
  });
  let summary;
  try {
    const options: BacktestOptions = {
      features: flags.features,
      out: flags.out_dir,
      grid: grid as Partial<GridSpec>,
      blockers: flags.blockers === "on",
      rankBy: flags.rank_by as MetricName,
      minTrades: flags.min_trades,
      priorTrials: flags.prior_trials,
      ...(walkForward !== undefined ? { walkForward } : {}),
      rankRule: flags.rank_rule as "max" | "plateau",
      pbo,
      top: flags.top,
      workers: flags.workers,
      ...(flags.symbols ? { symbols: flags.symbols } : {}),
      onStatus: (line) => {
        if (!flags.quiet) writeStderr(`${line}\n`);
      },
      ...(progress
        ? { onProgress: (d: number, t: number) => progress.update(d, t) }
        : {}),
    };
    if (shard !== undefined) {
      const done = await runShard(options, shard);
      progress?.finish();
      print(shardDoneLine(done));
      return 0;
    }
    summary = await runBacktest(options);
  } catch (error) {
    if (error instanceof BacktestInputError) {
      throw new UsageError(error.message);
    }
    throw error;
  } finally {
    progress?.finish();
  }
  for (
    const line of summaryLines(summary, {
      minTrades: flags.min_trades,
      rankBy: flags.rank_by,
      rankRule: flags.rank_rule,
      out: flags.out_dir,
    })
  ) print(line);
  if (flags.report) {
    const report = await writeReport(flags.out_dir, { top: flags.top });
    print(`report: ${report.path} (${(report.bytes / 1e6).toFixed(2)} MB)`);
  }
  return 0;
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (name) => Deno.env.get(name)));
}
