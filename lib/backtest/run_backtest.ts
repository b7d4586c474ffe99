/**
 * A whole grid backtest run: read the feature table, expand and check the grid, simulate every
 * config on every symbol over the worker pool, rank, and write the outputs and a manifest.
 * The edge between the entry script (flags) and the pure engine.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { type FeatureTable, selectSymbols } from "./feature_table.ts";
import {
  type ConfigTable,
  expandGrid,
  GRID_PARAMS,
  type GridParam,
  type GridSpec,
  signalGroups,
  signalKeyOf,
  simParamsOf,
  validateGrid,
} from "./grid.ts";
import {
  GridPool,
  type GridResult,
  runGrid,
  writeTopOnPool,
} from "./grid_runner.ts";
import { type TopJob, writeTopFiles } from "./top_files.ts";
import type { BlockPlan } from "./task.ts";
import { type MetricName, METRICS, N_METRICS } from "./metrics.ts";
import {
  jsonNumber,
  rankedCsvLines,
  rankedJson,
  type RankedScope,
  topFileStem,
  writeLines,
} from "./outputs.ts";
import { aggregateMetrics, symbolRows } from "./rank.ts";
import {
  deflateRanking,
  type Deflation,
  deflationJson,
  minReturnCounts,
  pboPerScope,
  returnCounts,
  symbolMoments,
  vbtPboScore,
} from "./honest_rank.ts";
import { finishStage, stageDir } from "./stage_outputs.ts";
import {
  honestManifestFiles,
  pboManifest,
  writeHonestOutputs,
} from "./honest_outputs.ts";
import { type HonestPlan, planHonest } from "./honest_plan.ts";
import { runWalkForward, type WalkForwardSymbol } from "./walk_forward.ts";
import {
  configPlateauGrid,
  plateauSelect,
  type RankRule,
  rankWithRule,
} from "./plateau_rank.ts";
import {
  type CscvResult,
  type DayBlocks,
  hasNeighbours,
  type WalkForwardSpec,
  type WalkForwardWindow,
} from "../research/mod.ts";
import { readFeatureTable } from "./read_feature_table.ts";

const log = getLogger(["aster", "backtest"]);

/** Bad input from the person running the backtest (file, table or grid): exit code 2. */
export class BacktestInputError extends Error {
  /** @param message what is wrong */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BacktestInputError";
  }
}

/** Options of {@linkcode runBacktest}. */
export interface BacktestOptions {
  /** The feature table CSV. */
  readonly features: string;
  /** Output directory (created). */
  readonly out: string;
  /** Grid lists; a missing T or V means every window of the table. */
  readonly grid: Partial<GridSpec>;
  /** Apply the spread/funding/opening-loss blockers. @default true */
  readonly blockers?: boolean;
  /** Ranking metric. @default "sharpe" */
  readonly rankBy?: MetricName;
  /** Minimum trades for a ranked config. @default 1 */
  readonly minTrades?: number;
  /**
   * Configs per ranking whose trades and equity are written: each symbol's top N, and with
   * several symbols also the aggregate ranking's top N on every symbol (each file once).
   * @default 5
   */
  readonly top?: number;
  /** Worker threads (0 = calling thread). @default navigator.hardwareConcurrency */
  readonly workers?: number;
  /** Only these symbols. @default all */
  readonly symbols?: readonly string[];
  /**
   * How the winner is chosen: "max" of the metric, or "plateau" (the best radius-1 box mean
   * over the numeric axes with >= 3 levels); PBO uses the same rule. @default "max"
   */
  readonly rankRule?: RankRule;
  /**
   * Walk-forward design (see `parseWalkForward`): per window the grid on the IS bars, the
   * chosen config on the OOS bars, stitched. @default none
   */
  readonly walkForward?: WalkForwardSpec;
  /** Grids already run on the same data, counted as DSR trials. @default 0 */
  readonly priorTrials?: number;
  /**
   * PBO by CSCV: S blocks of whole UTC days, "auto" (16 or the largest even S the days
   * support; skipped with a note when they support none or too few configs are eligible), or
   * "off". An explicit S that the data cannot support is bad input. @default "auto"
   */
  readonly pbo?: number | "auto" | "off";
  /** Receives progress (bar-configs done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Receives one-line status messages (grid size, warnings). */
  readonly onStatus?: (line: string) => void;
}

/** What a run did. */
export interface BacktestSummary {
  /** The table read. */
  readonly table: FeatureTable;
  /** The configs. */
  readonly configs: ConfigTable;
  /** The metric rows. */
  readonly result: GridResult;
  /** Rankings: one per symbol, plus "ALL" with several symbols. */
  readonly scopes: readonly RankedScope[];
  /** Seconds: reading the table, simulating, writing, total. */
  readonly seconds: {
    readonly read: number;
    readonly simulate: number;
    /** Ranking, deflation and PBO. */
    readonly rank: number;
    /** Walk-forward (0 without). */
    readonly walkForward: number;
    readonly write: number;
    readonly total: number;
  };
  /** Files written, relative to `out`. */
  readonly files: readonly string[];
  /** The time blocks of the PBO (undefined when it was off or skipped). */
  readonly blocks?: DayBlocks;
  /** PBO per ranking scope (absent where skipped). */
  readonly pbo: ReadonlyMap<string, CscvResult>;
  /** Why PBO was skipped, if it was. */
  readonly pboSkipped?: string;
  /** Walk-forward results per symbol (with `walkForward`). */
  readonly walkForward?: readonly WalkForwardSymbol[];
}

/**
 * Everything a run decides before simulating: the table read, the grid checked and expanded,
 * the PBO's time blocks planned. A single run, a shard and a merge all start from it, so they
 * agree on the configs, the tasks and the blocks.
 */
export interface PreparedRun {
  /** The table (after `symbols`). */
  readonly table: FeatureTable;
  /** The grid lists, T and V filled in. */
  readonly spec: GridSpec;
  /** The configs. */
  readonly configs: ConfigTable;
  /** Whether the blockers apply. */
  readonly blockers: boolean;
  /** The ranking rule. */
  readonly rankRule: RankRule;
  /** The plateau grid of the configs. */
  readonly plateauGrid: ReturnType<typeof configPlateauGrid>;
  /** Whether any config has plateau neighbours. */
  readonly smoothable: boolean;
  /** Number of signal sets. */
  readonly nGroups: number;
  /** Bars over all symbols. */
  readonly bars: number;
  /** The `--pbo` option. */
  readonly pboOpt: number | "auto" | "off";
  /** The PBO's time blocks (undefined when off or skipped). */
  readonly blocks?: DayBlocks;
  /** Why PBO was skipped before the run, if it was. */
  readonly pboSkipped?: string;
  /** The grid runner's block plan, derived from `blocks`. */
  readonly blockPlan?: BlockPlan;
  /** The walk-forward windows (with `walkForward`). */
  readonly windows?: WalkForwardWindow[];
  /** Seconds spent reading the table. */
  readonly readSeconds: number;
}

/**
 * Reads the table and checks the grid; throws {@linkcode BacktestInputError} on bad input.
 * Prints the grid line and warnings through `onStatus`.
 */
export async function prepareRun(
  options: BacktestOptions,
): Promise<PreparedRun> {
  const status = options.onStatus ?? ((line: string) => log.info(line));
  const t0 = performance.now();
  let table: FeatureTable;
  try {
    table = await readFeatureTable(options.features, { shared: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BacktestInputError(
        `Cannot read the feature table: ${options.features} does not exist`,
      );
    }
    if (error instanceof SyntaxError || error instanceof RangeError) {
      throw new BacktestInputError(error.message, { cause: error });
    }
    throw error;
  }
  if (options.symbols !== undefined) {
    try {
      table = selectSymbols(table, options.symbols);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new BacktestInputError(error.message);
      }
      throw error;
    }
  }
  const tRead = performance.now();

  const spec = {
    ...options.grid,
    T: options.grid.T ?? table.rsWindows,
    V: options.grid.V ?? table.volWindows,
  } as Partial<GridSpec>;
  for (const name of GRID_PARAMS) {
    if (spec[name] === undefined) {
      throw new BacktestInputError(
        `Cannot build the grid: no values for ${name}`,
      );
    }
  }
  try {
    validateGrid(spec as GridSpec, table);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new BacktestInputError(error.message, { cause: error });
    }
    throw error;
  }
  const configs = expandGrid(spec as GridSpec);
  const rankRule = options.rankRule ?? "max";
  const plateauGrid = configPlateauGrid(configs);
  const smoothable = hasNeighbours(plateauGrid);
  if (rankRule === "plateau" && !smoothable) {
    throw new BacktestInputError(
      "--rank_rule plateau: no numeric grid axis has 3 or more levels, so no config has neighbours to smooth over",
    );
  }
  const blockers = options.blockers ?? true;
  const bars = table.symbols.reduce((a, s) => a + s.bars, 0);
  const nGroups = signalGroups(configs).length;
  status(
    `grid: ${configs.count} configs (${nGroups} signal sets) x ${table.symbols.length} symbol(s), ${bars} bars = ${
      (configs.count * bars).toExponential(2)
    } bar-configs`,
  );
  if (
    !blockers &&
    (new Set(spec.max_spread_bps).size > 1 ||
      new Set(spec.max_funding_bps).size > 1)
  ) {
    status(
      "warning: with --blockers off, max_spread_bps and max_funding_bps have no effect: configs differing only in them give identical results",
    );
  }
  if (blockers && table.symbols.some((s) => s.spread.every((x) => x !== x))) {
    status(
      "warning: spread_bps is empty, so the blockers block every signal; use --blockers off for OHLCV-only tables",
    );
  }

  const pboOpt = options.pbo ?? "auto";
  let plan: HonestPlan;
  try {
    plan = planHonest(table, pboOpt, options.walkForward);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new BacktestInputError(error.message);
    }
    throw error;
  }
  const { blocks, pboSkipped, windows } = plan;

  return {
    table,
    spec: spec as GridSpec,
    configs,
    blockers,
    rankRule,
    plateauGrid,
    smoothable,
    nGroups,
    bars,
    pboOpt,
    ...(blocks !== undefined
      ? {
        blocks,
        blockPlan: { count: blocks.count, blockOf: blocks.blockOf },
      }
      : {}),
    ...(pboSkipped !== undefined ? { pboSkipped } : {}),
    ...(windows !== undefined ? { windows } : {}),
    readSeconds: (tRead - t0) / 1000,
  };
}

/**
 * Starts the run's worker threads (`options.workers`, none for 0) before anything else, so
 * that their start-up overlaps reading the table.
 */
export function startPool(
  options: Pick<BacktestOptions, "workers">,
): GridPool | undefined {
  const count = options.workers ?? navigator.hardwareConcurrency;
  return count > 0 ? new GridPool(count) : undefined;
}

/** Runs the backtest; throws {@linkcode BacktestInputError} on bad input. */
export async function runBacktest(
  options: BacktestOptions,
): Promise<BacktestSummary> {
  using pool = startPool(options);
  const prep = await prepareRun(options);
  const t0 = performance.now();
  const result = await runGrid(prep.table, prep.configs, {
    blockers: prep.blockers,
    ...(prep.blockPlan !== undefined ? { blocks: prep.blockPlan } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(pool !== undefined ? { pool } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return await finishRun(
    options,
    prep,
    result,
    {
      read: prep.readSeconds,
      simulate: (performance.now() - t0) / 1000,
    },
    undefined,
    pool,
  );
}

/**
 * Ranks a complete grid result and writes `ranked.csv`, `ranked.json`, `pbo.json`, `top/` and
 * `manifest.json` into `options.out`: the common end of a single run and of a shard merge.
 *
 * @param seconds0 the read and simulation time to report (a merge reports its shards' sum)
 * @param isGrid with `walkForward`: where the in-sample grids come from (a merge's shards)
 * @param pool the run's worker threads, if started (see {@linkcode startPool})
 */
export async function finishRun(
  options: BacktestOptions,
  prep: PreparedRun,
  result: GridResult,
  seconds0: { readonly read: number; readonly simulate: number },
  isGrid?: (k: number, isTable: FeatureTable) => Promise<GridResult>,
  pool?: GridPool,
): Promise<BacktestSummary> {
  const tSim = performance.now();
  const { table, configs, blockers, rankRule, plateauGrid } = prep;
  const { nGroups, bars, blocks, pboOpt, windows } = prep;
  const status = options.onStatus ?? ((line: string) => log.info(line));
  const spec = prep.spec;
  let pboSkipped = prep.pboSkipped;

  const rankBy = options.rankBy ?? "sharpe";
  const minTrades = options.minTrades ?? 1;
  const priorTrials = options.priorTrials ?? 0;
  const deflate = (
    rows: Float64Array,
    moments: Float64Array | undefined,
    t: Float64Array,
  ): Deflation => deflateRanking(rows, moments, t, { minTrades, priorTrials });
  const ranking = (rows: Float64Array) => ({
    ...rankWithRule(rows, {
      rankBy,
      minTrades,
      rule: rankRule,
      grid: plateauGrid,
    }),
  });
  const scopes: RankedScope[] = table.symbols.map((s, i) => {
    const rows = symbolRows(result, i);
    return {
      scope: s.symbol,
      rows,
      ...ranking(rows),
      deflation: deflate(
        rows,
        symbolMoments(result, i),
        returnCounts(result, i),
      ),
    };
  });
  if (table.symbols.length > 1) {
    const rows = aggregateMetrics(result);
    scopes.push({
      scope: "ALL",
      rows,
      ...ranking(rows),
      deflation: deflate(rows, undefined, minReturnCounts(result)),
    });
  }

  // PBO per ranking. An explicit S the configs cannot support is bad input, so it is
  // computed before anything is written; with "auto" (skipped, not refused) it is computed
  // while the workers write the top/ files.
  let pbo = new Map<string, CscvResult>();
  const computePbo = () => {
    try {
      const done = pboPerScope(
        result,
        scopes,
        table.symbols.map((s) => s.symbol),
        rankRule === "plateau"
          ? (ids) => plateauSelect(plateauGrid, ids)
          : undefined,
        pboOpt !== "auto",
        vbtPboScore(rankBy),
      );
      pbo = done.pbo;
      pboSkipped = done.skipped ?? pboSkipped;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new BacktestInputError(`--pbo ${pboOpt}: ${error.message}`);
    }
  };
  if (blocks !== undefined && pboOpt !== "auto") computePbo();

  // Everything is written into a staging directory inside --out and moved into place at
  // the end (manifest.json last), so a failed run leaves the previous outputs untouched
  // and a finished run never mixes its top/ curves with an earlier run's.
  const stage = await stageDir(options.out);
  let topWritten: Promise<void> | undefined;
  try {
    const path = (name: string) => `${stage}/${name}`;
    // The top/ files: each symbol's top N, then the aggregate ranking's top N on every
    // symbol (a config already written for the symbol is not written again).
    const top = options.top ?? 5;
    const topFiles: Record<string, unknown>[] = [];
    const topAllFiles: Record<string, unknown>[] = [];
    const topNames: string[] = [];
    const jobs: TopJob[] = [];
    if (top > 0) await Deno.mkdir(path("top"), { recursive: true });
    // (symbol, config) -> stem written, so a config in several rankings is written once
    const written = new Map<string, string>();
    const writeTop = (s: number, c: number, stem: string) => {
      jobs.push({
        symbol: s,
        key: signalKeyOf(configs, c),
        params: simParamsOf(configs, c),
        trades: path(`${stem}_trades.csv`),
        equity: path(`${stem}_equity.csv`),
      });
      topNames.push(`${stem}_trades.csv`, `${stem}_equity.csv`);
      written.set(`${table.symbols[s]!.symbol}\u0000${c}`, stem);
    };
    for (const scope of scopes) {
      if (scope.scope === "ALL") continue;
      const s = table.symbols.findIndex((x) => x.symbol === scope.scope);
      const f = table.symbols[s]!;
      for (let r = 0; r < Math.min(top, scope.order.length); r++) {
        const c = scope.order[r]!;
        const stem = topFileStem(f.symbol, c, r + 1);
        writeTop(s, c, stem);
        topFiles.push({
          symbol: f.symbol,
          rank: r + 1,
          "config_id": c,
          trades: `${stem}_trades.csv`,
          equity: `${stem}_equity.csv`,
        });
      }
    }
    const all = scopes.find((x) => x.scope === "ALL");
    if (all !== undefined) {
      for (let r = 0; r < Math.min(top, all.order.length); r++) {
        const c = all.order[r]!;
        for (let s = 0; s < table.symbols.length; s++) {
          const f = table.symbols[s]!;
          let stem = written.get(`${f.symbol}\u0000${c}`);
          if (stem === undefined) {
            stem = topFileStem(f.symbol, c);
            writeTop(s, c, stem);
          }
          topAllFiles.push({
            scope: "ALL",
            rank: r + 1,
            "config_id": c,
            symbol: f.symbol,
            trades: `${stem}_trades.csv`,
            equity: `${stem}_equity.csv`,
          });
        }
      }
    }
    // On a pool the workers write them while this thread computes the PBO and the rest.
    if (pool !== undefined && pool.size > 0 && jobs.length > 0) {
      topWritten = writeTopOnPool(pool, table.symbols, blockers, jobs);
      topWritten.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
    }
    if (blocks !== undefined && pboOpt === "auto") computePbo();
    const tRank = performance.now();
    if (windows !== undefined && topWritten !== undefined) {
      await topWritten; // walk-forward needs the workers
    }
    let walkForward: WalkForwardSymbol[] | undefined;
    if (windows !== undefined) {
      status(
        `walk-forward ${
          options.walkForward!.text
        }: ${windows.length} windows, the grid on each in-sample part`,
      );
      walkForward = await runWalkForward(table, configs, {
        windows,
        rankBy,
        minTrades,
        rule: rankRule,
        grid: plateauGrid,
        blockers,
        ...(options.workers !== undefined ? { workers: options.workers } : {}),
        ...(pool !== undefined ? { pool } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(isGrid !== undefined ? { isGrid } : {}),
      });
    }
    const tWfo = performance.now();

    const files: string[] = [];
    await writeLines(path("ranked.csv"), rankedCsvLines(scopes, configs));
    files.push("ranked.csv");
    const meta = {
      "rank_by": rankBy,
      "rank_rule": rankRule,
      "min_trades": minTrades,
      "prior_trials": priorTrials,
      metrics: METRICS,
      deflation: deflationJson(scopes),
    };
    await Deno.writeTextFile(
      path("ranked.json"),
      JSON.stringify(rankedJson(scopes, configs, meta, 10_000)),
    );
    files.push("ranked.json");
    files.push(
      ...await writeHonestOutputs(path, {
        pbo,
        blocks,
        scopes,
        rule: rankRule,
        score: vbtPboScore(rankBy),
        configs,
        ...(walkForward !== undefined
          ? {
            walkForward: {
              spec: options.walkForward!,
              results: walkForward,
              meta: {
                "rank_by": rankBy,
                "rank_rule": rankRule,
                "min_trades_per_is_window": minTrades,
              },
            },
          }
          : {}),
      }),
    );
    if (topWritten !== undefined) await topWritten;
    else {
      for (const job of jobs) await writeTopFiles(table.symbols, blockers, job);
    }
    files.push(...topNames);
    const tEnd = performance.now();
    const seconds = {
      read: seconds0.read,
      simulate: seconds0.simulate,
      rank: (tRank - tSim) / 1000,
      walkForward: (tWfo - tRank) / 1000,
      write: (tEnd - tWfo) / 1000,
      total: seconds0.read + seconds0.simulate + (tEnd - tSim) / 1000,
    };
    const lists: Record<string, unknown> = {};
    const canonical = manifestGridLists(spec as GridSpec);
    for (const name of GRID_PARAMS) lists[name] = canonical[name];
    const manifest = {
      kind: "aster-grid-backtest",
      version: 1,
      engine: "vectorbt 0.26 Portfolio.from_signals compatible, freq 1min",
      features: options.features,
      symbols: table.symbols.map((s) => ({
        symbol: s.symbol,
        bars: s.bars,
        "first_ts": s.ts[0],
        "last_ts": s.ts[s.bars - 1],
        "first_time": new Date(s.ts[0]!).toISOString(),
        "last_time": new Date(s.ts[s.bars - 1]!).toISOString(),
      })),
      bars,
      grid: lists,
      "grid_size": configs.count,
      "signal_sets": nGroups,
      costs: {
        fees: lists.fees,
        slippage: lists.slippage,
        "init_cash": lists["init_cash"],
      },
      blockers,
      "rank_by": rankBy,
      "rank_rule": rankRule,
      "min_trades": minTrades,
      "prior_trials": priorTrials,
      pbo: pboManifest(blocks, pbo, pboSkipped),
      top,
      workers: options.workers ?? navigator.hardwareConcurrency,
      "bar_configs": result.barConfigs,
      "runtime_s": seconds,
      "bar_configs_per_s": result.barConfigs / seconds.total,
      metrics: METRICS,
      deflation: deflationJson(scopes),
      files: {
        "ranked_csv": "ranked.csv",
        "ranked_json": "ranked.json",
        ...honestManifestFiles(files),
        top: topFiles,
        ...(all !== undefined ? { "top_all": topAllFiles } : {}),
      },
    };
    await finishStage(stage, options.out, manifest, files);
    return {
      table,
      configs,
      result,
      scopes,
      seconds,
      files,
      ...(blocks !== undefined ? { blocks } : {}),
      pbo,
      ...(pboSkipped !== undefined ? { pboSkipped } : {}),
      ...(walkForward !== undefined ? { walkForward } : {}),
    };
  } finally {
    await topWritten?.catch(() => {});
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

/** The grid lists as the manifest shows them: deduplicated, sorted, `null` = off, booleans. */
export function manifestGridLists(
  spec: GridSpec,
): Record<GridParam, unknown[]> {
  const out = {} as Record<GridParam, unknown[]>;
  for (const name of GRID_PARAMS) {
    const seen = [...new Set(spec[name])].sort((a, b) =>
      Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b
    );
    out[name] = seen.map((x) => name === "sl_trail" ? x === 1 : jsonNumber(x));
  }
  return out;
}

/** Renders the top `limit` rows of a scope as an aligned text table. */
export function formatRankedTable(
  scope: RankedScope,
  configs: ConfigTable,
  limit: number,
): string {
  const shown: MetricName[] = [
    "sharpe",
    "total_return",
    "max_drawdown",
    "win_rate",
    "n_trades",
  ];
  const head = [
    "rank",
    "id",
    "k",
    "n",
    "T",
    "V",
    "sl",
    "tp",
    "trail",
    ...shown,
  ];
  const lines: string[][] = [head];
  for (let r = 0; r < Math.min(limit, scope.order.length); r++) {
    const c = scope.order[r]!;
    const p = configs.values.subarray(c * GRID_PARAMS.length);
    const fmt = (x: number) =>
      x !== x
        ? "-"
        : String(x).length <= 7
        ? String(x)
        : Math.abs(x) >= 1e5
        ? x.toExponential(3)
        : x.toPrecision(4);
    lines.push([
      String(r + 1),
      String(c),
      fmt(p[0]!),
      fmt(p[1]!),
      fmt(p[2]!),
      fmt(p[3]!),
      fmt(p[6]!),
      fmt(p[7]!),
      p[8] === 1 ? "y" : "n",
      ...shown.map((m) => fmt(scope.rows[c * N_METRICS + METRICS.indexOf(m)]!)),
    ]);
  }
  const widths = head.map((_, i) =>
    Math.max(...lines.map((l) => l[i]!.length))
  );
  return lines.map((l) => l.map((x, i) => x.padStart(widths[i]!)).join("  "))
    .join("\n");
}
