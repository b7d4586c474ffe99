/**
 * Sharded bot-model runs, like the vectorbt model's (`run_shard.ts`, same directory format):
 * `runBotShard` simulates shard i of n of the bot grid (the same deterministic split by
 * symbol and signal-set chunk, balanced by bar-configs) and writes `rows.f64` and
 * `shard.json`; `mergeBotShards` checks a complete set, puts the rows together and writes
 * the outputs through the single run's own ranking and output code (`finishBotRun`), so they
 * are the single run's byte for byte, except the timings. With `--walk_forward` the merge
 * runs the in-sample grids itself, on a worker pool of every core (the bot's walk-forward
 * does not shard yet).
 *
 * A row of `rows.f64` is, per task in plan order and per config, the `N_BOT_METRICS`
 * metrics, the `N_MOMENTS` return moments and `3 * blocks` per-block statistics.
 *
 * @module
 */
import { N_MOMENTS, parseWalkForward } from "../../research/mod.ts";
import {
  type ShardSpec,
  shardTasks,
  tableFingerprint,
  taskBarConfigs,
  taskRows,
} from "../shard.ts";
import { BacktestInputError } from "../run_backtest.ts";
import {
  loadShardRows,
  packRows,
  rankingIdentity,
  SHARD_FORMAT,
  SHARD_KIND,
  type ShardDoc,
  type ShardRows,
  type ShardSummary,
  writeShardDir,
} from "../run_shard.ts";
import { BOT_PARAMS, type BotGridSpec } from "./bot_grid.ts";
import { BotInputError } from "./bot_market.ts";
import { type BotGridResult, botRowWidth } from "./bot_grid_run.ts";
import {
  type BotBacktestOptions,
  type BotBacktestSummary,
  type BotPrepared,
  finishBotRun,
  prepareBotRun,
  simulateBotGrid,
  startBotPool,
} from "./run_bot.ts";
import {
  BOT_METRICS,
  type BotMetricName,
  N_BOT_METRICS,
} from "./simulate_bot.ts";

/** The engine string of a bot shard's identity (a merge refuses another). */
const BOT_ENGINE =
  "bot model: the live bot's decision, sizing and exit levels; fixed notional, PnL in USDT";

export { botRowWidth } from "./bot_grid_run.ts";

/** The rows of a bot grid result, as the shard files hold them. */
function botRows(grid: BotGridResult): ShardRows {
  return {
    configs: grid.configs,
    nMetrics: N_BOT_METRICS,
    blocks: grid.blocks,
    metricRow: (s, c) =>
      grid.rows[s]!.subarray(c * N_BOT_METRICS, (c + 1) * N_BOT_METRICS),
    moments: grid.moments,
    blockStats: grid.blockStats,
  };
}

/** What identifies a bot run: shards merge only when all of it is equal. */
function identityOf(
  options: BotBacktestOptions,
  prep: BotPrepared,
): Record<string, unknown> {
  return {
    format: SHARD_FORMAT,
    model: "bot",
    engine: BOT_ENGINE,
    metrics: BOT_METRICS,
    features: options.features,
    fingerprint: tableFingerprint(prep.table),
    symbols: prep.table.symbols.map((s) => ({
      symbol: s.symbol,
      bars: s.bars,
    })),
    grid: Object.fromEntries(BOT_PARAMS.map((n) => [n, prep.spec[n]])),
    costs: {
      "taker_fee_bps": options.costs.takerFeeBps,
      "exit_slippage_bps": options.costs.exitSlippageBps,
      intrabar: options.costs.intrabar,
    },
    // The per-second companion file: whether it is read, and whether it was there.
    seconds: options.seconds ?? true,
    "per_second": prep.perSecond !== undefined,
    "spread_bps": options.spreadBps ?? null,
    "exchange_info": options.exchangeInfo ?? null,
    "entry_limits": {
      "max_price_deviation_bps": prep.limits.maxPriceDeviationBps,
      "max_upsize": prep.limits.maxUpsize,
      "max_position_notional": prep.limits.maxPositionNotional,
    },
    ...rankingIdentity(options, prep, "net_pnl"),
  };
}

/** The shard's tasks: the vectorbt model's plan and split, applied to the bot grid. */
function botShardTasks(prep: BotPrepared, shard: ShardSpec) {
  return shardTasks(
    prep.configs,
    prep.table.symbols.map((s) => s.bars),
    shard,
  );
}

/**
 * Runs shard `shard` of the bot grid and writes its directory to `options.out` (an old
 * `shard.json` there is removed first, so a re-run shard is never half old, half new).
 *
 * @throws {BotInputError} for bad input (nothing written)
 */
export async function runBotShard(
  options: BotBacktestOptions,
  shard: ShardSpec,
): Promise<ShardSummary> {
  using pool = startBotPool(options);
  const prep = await prepareBotRun(options, pool !== undefined);
  const read = (performance.now() - prep.t0) / 1000;
  const tasks = botShardTasks(prep, shard);
  const total = taskBarConfigs(
    tasks,
    prep.table.symbols.map((s) => s.bars),
  );
  const tSim0 = performance.now();
  const grid = await simulateBotGrid(options, prep, pool, { tasks, total });
  const simulate = (performance.now() - tSim0) / 1000;
  const width = botRowWidth(grid.blocks);
  const rows = taskRows(tasks);
  const data = packRows(botRows(grid), tasks);
  const seconds = { read, simulate };
  const doc = {
    kind: SHARD_KIND,
    shard: { index: shard.index, count: shard.count },
    run: identityOf(options, prep),
    tasks: tasks.length,
    rows,
    "row_width": width,
    "wf_rows": 0,
    "bar_configs": grid.barConfigs,
    workers: pool?.size ?? 0,
    "runtime_s": seconds,
  };
  await writeShardDir(options.out, [{ name: "rows.f64", data }], doc);
  return {
    shard,
    dir: options.out,
    tasks: tasks.length,
    rows,
    barConfigs: grid.barConfigs,
    seconds,
  };
}

/** The bot run's options as its shards recorded them. */
function optionsOf(
  run: Record<string, unknown>,
  out: string,
  features: string | undefined,
  onStatus: ((line: string) => void) | undefined,
): BotBacktestOptions {
  const costs = run["costs"] as Record<string, unknown>;
  const limits = run["entry_limits"] as Record<string, number>;
  const grid = run["grid"] as Record<string, number[]>;
  const spread = run["spread_bps"], info = run["exchange_info"];
  const wf = run["walk_forward"];
  return {
    features: features ?? run["features"] as string,
    out,
    grid: Object.fromEntries(
      BOT_PARAMS.map((n) => [n, grid[n]!.map(Number)]),
    ) as Partial<BotGridSpec>,
    costs: {
      takerFeeBps: costs["taker_fee_bps"] as number,
      exitSlippageBps: costs["exit_slippage_bps"] as number,
      intrabar: costs["intrabar"] === "ohlc" ? "ohlc" : "stop_first",
    },
    ...(run["seconds"] === false ? { seconds: false } : {}),
    ...(typeof spread === "number" ? { spreadBps: spread } : {}),
    ...(typeof info === "string" ? { exchangeInfo: info } : {}),
    entryLimits: {
      maxPriceDeviationBps: limits["max_price_deviation_bps"]!,
      maxUpsize: limits["max_upsize"]!,
      maxPositionNotional: limits["max_position_notional"]!,
    },
    rankBy: run["rank_by"] as BotMetricName,
    rankRule: run["rank_rule"] === "plateau" ? "plateau" : "max",
    minTrades: run["min_trades"] as number,
    priorTrials: run["prior_trials"] as number,
    pbo: run["pbo"] as number | "auto" | "off",
    top: run["top"] as number,
    symbols: (run["symbols"] as { symbol: string }[]).map((s) => s.symbol),
    ...(typeof wf === "string" ? { walkForward: parseWalkForward(wf) } : {}),
    ...(onStatus !== undefined ? { onStatus } : {}),
  };
}

/** What a bot merge did: the run's summary and the options the shards ran with. */
export interface BotMergeResult {
  /** As a single run's. */
  readonly summary: BotBacktestSummary;
  /** The run's options, as recorded by the shards. */
  readonly run: BotBacktestOptions;
}

/**
 * Merges a complete, checked set of bot shard directories (see `readShardSet`) into the
 * single run's outputs. Everything is checked before anything is written; throws
 * {@linkcode BacktestInputError} naming the cause.
 *
 * @param docs the shards, by index
 * @param options the output directory, the feature table when it moved, status lines
 */
export async function mergeBotShards(
  docs: readonly ShardDoc[],
  options: {
    readonly out: string;
    readonly features?: string;
    readonly onStatus?: (line: string) => void;
  },
): Promise<BotMergeResult> {
  const run = docs[0]!.run as unknown as Record<string, unknown>;
  if (run["model"] !== "bot" || run["engine"] !== BOT_ENGINE) {
    throw new BacktestInputError(
      `Cannot merge: ${
        docs[0]!.dir
      } is not a shard of this version's bot model`,
    );
  }
  const runOptions = optionsOf(
    run,
    options.out,
    options.features,
    options.onStatus,
  );
  try {
    // the walk-forward's in-sample grids run here, on a pool of every core
    using pool = runOptions.walkForward !== undefined
      ? startBotPool({})
      : undefined;
    const prep = await prepareBotRun(runOptions, pool !== undefined);
    if (tableFingerprint(prep.table) !== run["fingerprint"]) {
      throw new BacktestInputError(
        `Cannot merge: ${runOptions.features} is not the data the shards ran on (its fingerprint differs)`,
      );
    }
    if ((prep.perSecond !== undefined) !== run["per_second"]) {
      throw new BacktestInputError(
        `Cannot merge: the shards ran ${
          run["per_second"] ? "with" : "without"
        } the per-second file beside ${runOptions.features}, it is ${
          prep.perSecond !== undefined ? "there" : "missing"
        } now`,
      );
    }
    const nSym = prep.table.symbols.length, count = prep.configs.count;
    const nb = prep.blocks?.count ?? 0;
    const grid: BotGridResult = {
      symbols: nSym,
      configs: count,
      rows: prep.table.symbols.map(() =>
        new Float64Array(count * N_BOT_METRICS)
      ),
      moments: new Float64Array(nSym * count * N_MOMENTS),
      blocks: nb,
      blockStats: new Float64Array(nSym * count * nb * 3),
      barConfigs: prep.total,
    };
    const simulate = await loadShardRows(
      docs,
      (shard) => botShardTasks(prep, shard),
      botRows(grid),
    );
    const summary = await finishBotRun(
      runOptions,
      prep,
      grid,
      { simulate },
      pool,
    );
    return { summary, run: runOptions };
  } catch (error) {
    if (error instanceof BotInputError) {
      throw new BacktestInputError(`Cannot merge: ${error.message}`);
    }
    throw error;
  }
}
