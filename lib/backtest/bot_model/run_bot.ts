/**
 * A whole bot-model run (`deno task backtest --model bot`): read the table, prepare each
 * symbol's market (touch, filters, caches), expand the bot grid, simulate every config on
 * every symbol, rank per symbol (raw maximum or plateau) with the honest ranking's PSR,
 * DSR, flags and PBO (the same pipeline as the vectorbt model, fed by the bot's per-bar
 * returns), write `ranked.csv`, `ranked.json`, `pbo.json`, `manifest.json`, and for the
 * top configs `top/<SYMBOL>_rank<r>_config<id>_trades.csv` and `..._live.json`.
 * The file edge of the pure bot model; every input is checked before anything is written,
 * and the outputs are staged and moved into place at the end.
 *
 * @module
 */
import {
  DEFAULT_ENTRY_LIMITS,
  type EntryLimits,
} from "../../order/entry_guard.ts";
import {
  type FeatureTable,
  selectSymbols,
  type SymbolFeatures,
} from "../feature_table.ts";
import { type ConfigTable, signalGroups, signalKeyOf } from "../grid.ts";
import { jsonNumber, writeLines } from "../outputs.ts";
import {
  deflateRanking,
  deflationJson,
  minReturnCounts,
  pboPerScope,
  type PboScore,
  SHARPE_SCORE,
} from "../honest_rank.ts";
import { aggregateBotMetrics } from "./bot_aggregate.ts";
import { type PboOption, planHonest } from "../honest_plan.ts";
import { plateauSelect, type RankRule, rankWithRule } from "../plateau_rank.ts";
import { finishStage, stageDir } from "../stage_outputs.ts";
import {
  honestManifestFiles,
  pboManifest,
  writeHonestOutputs,
} from "../honest_outputs.ts";
import {
  sliceTable,
  type WalkForwardSymbol,
  walkForwardWith,
} from "../walk_forward.ts";
import { botWalkForwardEngine } from "./bot_walk_forward.ts";
import {
  type BotGridResult,
  type BotGridTask,
  runBotGrid,
} from "./bot_grid_run.ts";
import { GridPool } from "../grid_runner.ts";
import {
  type BotMarketRecipe,
  marketBuilder,
  readExchangeInfo,
} from "./bot_rules.ts";
import {
  type CscvResult,
  type DayBlocks,
  hasNeighbours,
  N_MOMENTS,
  type PlateauGrid,
  type WalkForwardSpec,
  type WalkForwardWindow,
} from "../../research/mod.ts";
import { readFeatureTable } from "../read_feature_table.ts";
import {
  checkSecondSeries,
  parseSecondHeader,
  SECOND_STRIDE,
  secondFileOf,
  secondRecords,
  type SecondSeries,
  SecondSeriesError,
} from "../../features/second_series.ts";
import { buildSignals } from "../signals.ts";
import {
  BOT_DEFAULTS,
  BOT_PARAMS,
  type BotGridSpec,
  botParamsOf,
  botPlateauGrid,
  expandBotGrid,
  validateBotGrid,
} from "./bot_grid.ts";
import { BotInputError, BotMarket } from "./bot_market.ts";
import {
  botRankedCsvLines,
  type BotScope,
  botTradeCsvLines,
  liveConfigJson,
} from "./bot_outputs.ts";
import {
  BOT_LAYOUT,
  BOT_METRICS,
  type BotCosts,
  type BotMetricName,
  type BotTrade,
  N_BOT_METRICS,
  newBotSeries,
  simulateBot,
} from "./simulate_bot.ts";

/** Options of {@linkcode runBotBacktest}. */
export interface BotBacktestOptions {
  /** The feature table CSV. */
  readonly features: string;
  /** Output directory. */
  readonly out: string;
  /** Grid lists by the bot's parameter names; missing ones take the bot's defaults
   * (T and V: every window of the table). */
  readonly grid: Partial<BotGridSpec>;
  /** Costs and the intrabar convention. */
  readonly costs: BotCosts;
  /**
   * Use the table's per-second companion file (`<features>.1s`) when it exists: exits on
   * the recorded seconds, the entry touch from its book. @default true
   */
  readonly seconds?: boolean;
  /** Quoted spread for OHLCV-only tables (required for them, refused otherwise). */
  readonly spreadBps?: number;
  /** An exchangeInfo JSON file for the filters. @default the simulator's filters */
  readonly exchangeInfo?: string;
  /** The live bot's entry guard limits. @default DEFAULT_ENTRY_LIMITS */
  readonly entryLimits?: EntryLimits;
  /** Ranking metric. @default "net_pnl" */
  readonly rankBy?: BotMetricName;
  /** Minimum trades to be ranked. @default 1 */
  readonly minTrades?: number;
  /** Raw maximum or plateau (PBO uses the same rule). @default "max" */
  readonly rankRule?: RankRule;
  /** PBO by CSCV over whole-UTC-day blocks (as the vectorbt model). @default "auto" */
  readonly pbo?: PboOption;
  /** Grids already run on the same data, counted as DSR trials. @default 0 */
  readonly priorTrials?: number;
  /** Walk-forward design (see `parseWalkForward`). @default none */
  readonly walkForward?: WalkForwardSpec;
  /** Top configs per symbol with trades and `_live.json`. @default 5 */
  readonly top?: number;
  /** Only these symbols. */
  readonly symbols?: readonly string[];
  /**
   * Worker threads of the bot engine's pool (`GridPool`); 0 runs on the calling thread.
   * Results are the same for any count. @default navigator.hardwareConcurrency
   */
  readonly workers?: number;
  /** Progress (bar-configs done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** One-line status messages. */
  readonly onStatus?: (line: string) => void;
}

/** What a bot-model run did. */
export interface BotBacktestSummary {
  /** The configs. */
  readonly configs: ConfigTable;
  /** One ranking per symbol, then `ALL` (every symbol, see `bot_aggregate.ts`) with several. */
  readonly scopes: readonly BotScope[];
  /** The time blocks of the PBO (undefined when it was off or skipped). */
  readonly blocks?: DayBlocks;
  /** PBO per symbol (absent where skipped). */
  readonly pbo: ReadonlyMap<string, CscvResult>;
  /** Why PBO was skipped, if it was. */
  readonly pboSkipped?: string;
  /** Walk-forward results per symbol (with `walkForward`). */
  readonly walkForward?: readonly WalkForwardSymbol[];
  /** Bar-configs simulated. */
  readonly barConfigs: number;
  /** Seconds: simulate, total. */
  readonly seconds: {
    readonly simulate: number;
    /** Ranking, deflation and PBO. */
    readonly rank: number;
    /** Walk-forward (0 without). */
    readonly walkForward: number;
    readonly total: number;
  };
  /** Files written, relative to `out`. */
  readonly files: readonly string[];
}

export { loadFilters, type SymbolRules } from "./bot_rules.ts";

/**
 * Everything a bot-model run decides before simulating: the table, the markets, the grid,
 * the PBO's blocks and the walk-forward windows. A single run, a shard and a merge all start
 * from it, so they agree on the configs, the tasks and the blocks.
 */
export interface BotPrepared {
  /** When the run started (`performance.now()`). */
  readonly t0: number;
  /** The table (after `symbols`). */
  readonly table: FeatureTable;
  /** Per symbol its market. */
  readonly markets: readonly BotMarket[];
  /** Builds a market for (a slice of) a symbol's features. */
  readonly market: (f: SymbolFeatures) => BotMarket;
  /** What every thread builds the markets from (see `marketBuilder`). */
  readonly recipe: BotMarketRecipe;
  /** The entry guard limits. */
  readonly limits: EntryLimits;
  /** The grid lists, defaults filled in. */
  readonly spec: Record<string, readonly number[]>;
  /** The configs. */
  readonly configs: ConfigTable;
  /** The ranking rule. */
  readonly rankRule: RankRule;
  /** The plateau grid of the configs. */
  readonly plateauGrid: PlateauGrid;
  /** The `--pbo` option. */
  readonly pboOpt: PboOption;
  /** The PBO's time blocks (undefined when off or skipped). */
  readonly blocks?: DayBlocks;
  /** The walk-forward windows. */
  readonly windows?: readonly WalkForwardWindow[];
  /** Why PBO was skipped before the run, if it was. */
  readonly pboSkipped?: string;
  /** Number of signal sets. */
  readonly groups: number;
  /** Bar-configs of the whole grid. */
  readonly total: number;
  /** The table's per-second companion file, when it is used. */
  readonly perSecond?: SecondSeries;
}

/**
 * Reads the table and filters and checks the grid; throws {@linkcode BotInputError} on bad
 * input. Prints the grid line through `onStatus`.
 *
 * @param shared put the table's columns and the per-second records in SharedArrayBuffers
 * (for a worker pool: shared, not copied per worker)
 */
export async function prepareBotRun(
  options: BotBacktestOptions,
  shared = false,
): Promise<BotPrepared> {
  const status = options.onStatus ?? (() => {});
  const t0 = performance.now();
  let table: FeatureTable;
  try {
    table = await readFeatureTable(options.features, { shared });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BotInputError(
        `Cannot read the feature table: ${options.features} does not exist`,
      );
    }
    if (error instanceof SyntaxError || error instanceof RangeError) {
      throw new BotInputError(error.message);
    }
    throw error;
  }
  if (options.symbols !== undefined) {
    try {
      table = selectSymbols(table, options.symbols);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new BotInputError(error.message);
      }
      throw error;
    }
  }
  const perSecond = options.seconds === false
    ? undefined
    : await loadSeconds(options.features, table, shared);
  const limits = options.entryLimits ?? DEFAULT_ENTRY_LIMITS;
  const recipe: BotMarketRecipe = {
    limits,
    ...(options.exchangeInfo !== undefined
      ? { exchangeInfo: await readExchangeInfo(options.exchangeInfo) }
      : {}),
    ...(options.spreadBps !== undefined
      ? { spreadBps: options.spreadBps }
      : {}),
    ...(perSecond !== undefined ? { seconds: perSecond.records } : {}),
  };
  const market = marketBuilder(recipe, table.symbols.map((s) => s.symbol));
  const markets = table.symbols.map(market);
  const spec = {} as Record<string, readonly number[]>;
  for (const name of BOT_PARAMS) {
    spec[name] = options.grid[name] ??
      (name === "T"
        ? table.rsWindows
        : name === "V"
        ? table.volWindows
        : BOT_DEFAULTS[name]);
  }
  try {
    validateBotGrid(spec as BotGridSpec, table);
  } catch (error) {
    if (error instanceof RangeError) throw new BotInputError(error.message);
    throw error;
  }
  const configs = expandBotGrid(spec as BotGridSpec);
  const rankRule = options.rankRule ?? "max";
  const plateauGrid = botPlateauGrid(configs);
  if (rankRule === "plateau" && !hasNeighbours(plateauGrid)) {
    throw new BotInputError(
      "--rank_rule plateau: no numeric grid axis has 3 or more levels, so no config has neighbours to smooth over",
    );
  }
  const pboOpt = options.pbo ?? "auto";
  let plan;
  try {
    plan = planHonest(table, pboOpt, options.walkForward);
  } catch (error) {
    if (error instanceof RangeError) throw new BotInputError(error.message);
    throw error;
  }
  const { blocks, windows } = plan;
  const groups = signalGroups(configs);
  const bars = table.symbols.reduce((a, s) => a + s.bars, 0);
  const total = bars * configs.count;
  status(
    `grid (bot model): ${configs.count} configs (${groups.length} signal sets) x ${table.symbols.length} symbol(s), ${bars} bars = ${
      total.toExponential(2)
    } bar-configs; touch from ${
      markets.map((m) => `${m.features.symbol}: ${m.quoteSource}`).join(", ")
    }; exits on ${
      perSecond === undefined
        ? `1m bars (intrabar ${options.costs.intrabar})`
        : `the per-second paths of ${secondFileOf(options.features)}`
    }`,
  );

  return {
    t0,
    table,
    markets,
    market,
    recipe,
    limits,
    spec,
    configs,
    rankRule,
    plateauGrid,
    pboOpt,
    ...(blocks !== undefined ? { blocks } : {}),
    ...(windows !== undefined ? { windows } : {}),
    ...(plan.pboSkipped !== undefined ? { pboSkipped: plan.pboSkipped } : {}),
    groups: groups.length,
    total,
    ...(perSecond !== undefined ? { perSecond } : {}),
  };
}

/**
 * Runs the bot-model grid.
 *
 * @throws {BotInputError} for bad input (nothing written)
 */
export async function runBotBacktest(
  options: BotBacktestOptions,
): Promise<BotBacktestSummary> {
  using pool = startBotPool(options);
  const prep = await prepareBotRun(options, pool !== undefined);
  const tSim0 = performance.now();
  const grid = await simulateBotGrid(options, prep, pool);
  return await finishBotRun(options, prep, grid, {
    simulate: (performance.now() - tSim0) / 1000,
  }, pool);
}

/**
 * Simulates the run's grid (the table's symbols, their markets and recipe) on `pool`: all of
 * it, or a shard's `tasks` with progress counted out of their `total` bar-configs.
 */
export function simulateBotGrid(
  options: BotBacktestOptions,
  prep: BotPrepared,
  pool: GridPool | undefined,
  shard?: { readonly tasks: readonly BotGridTask[]; readonly total: number },
): Promise<BotGridResult> {
  const total = shard?.total ?? prep.total;
  return runBotGrid(
    { symbols: prep.table.symbols, recipe: prep.recipe, markets: prep.markets },
    prep.configs,
    options.costs,
    {
      ...(prep.blocks !== undefined ? { blocks: prep.blocks } : {}),
      onProgress: (done) => options.onProgress?.(done, total),
      ...(shard !== undefined ? { tasks: shard.tasks } : {}),
      ...(pool !== undefined ? { pool } : {}),
    },
  );
}

/**
 * Starts the bot engine's worker threads (`options.workers`, by default one per core; none
 * for 0) before anything else, so that their start-up and warm-up overlap reading the table.
 */
export function startBotPool(
  options: Pick<BotBacktestOptions, "workers">,
): GridPool | undefined {
  const count = options.workers ?? navigator.hardwareConcurrency;
  return count > 0 ? new GridPool(count, "bot") : undefined;
}

/**
 * Ranks a complete bot grid result and writes `ranked.csv`, `ranked.json`, `pbo.json`,
 * walk-forward files, `top/` and `manifest.json` into `options.out`: the common end of a
 * single run and of a shard merge.
 *
 * @param seconds the simulation time to report (a merge reports its shards' sum)
 * @param pool the bot engine's workers for the walk-forward's in-sample grids, if started
 * @throws {BotInputError} for an explicit `--pbo` the configs cannot support (nothing written)
 */
export async function finishBotRun(
  options: BotBacktestOptions,
  prep: BotPrepared,
  grid: BotGridResult,
  seconds0: { readonly simulate: number },
  pool?: GridPool,
): Promise<BotBacktestSummary> {
  const tSim = performance.now();
  const status = options.onStatus ?? (() => {});
  const { t0, table, markets, market, limits, spec, configs } = prep;
  const { rankRule, plateauGrid, pboOpt, blocks, windows, perSecond } = prep;
  let pboSkipped = prep.pboSkipped;
  const total = grid.barConfigs;
  const { rows, moments } = grid;
  const row = new Float64Array(N_BOT_METRICS);

  const rankBy = options.rankBy ?? "net_pnl";
  const metric = BOT_METRICS.indexOf(rankBy);
  const minTrades = options.minTrades ?? 1;
  const priorTrials = options.priorTrials ?? 0;
  const stats = grid;
  const scopes: BotScope[] = table.symbols.map((f, s) => {
    const sm = moments.subarray(
      s * configs.count * N_MOMENTS,
      (s + 1) * configs.count * N_MOMENTS,
    );
    const t = new Float64Array(configs.count);
    for (let c = 0; c < configs.count; c++) t[c] = sm[c * N_MOMENTS]!;
    return {
      scope: f.symbol,
      rows: rows[s]!,
      ...rankWithRule(rows[s]!, {
        metric,
        layout: BOT_LAYOUT,
        minTrades,
        rule: rankRule,
        grid: plateauGrid,
      }),
      deflation: deflateRanking(rows[s]!, sm, t, {
        minTrades,
        priorTrials,
        layout: BOT_LAYOUT,
      }),
    };
  });
  const symbolNames = table.symbols.map((f) => f.symbol);
  if (symbolNames.length > 1) {
    // ALL: the bot trading every symbol with one notional each
    const all = aggregateBotMetrics(rows, configs.count);
    scopes.push({
      scope: "ALL",
      rows: all,
      ...rankWithRule(all, {
        metric,
        layout: BOT_LAYOUT,
        minTrades,
        rule: rankRule,
        grid: plateauGrid,
      }),
      deflation: deflateRanking(all, undefined, minReturnCounts(stats), {
        minTrades,
        priorTrials,
        layout: BOT_LAYOUT,
      }),
    });
  }
  /** The `symbols` of a scope's `_live.json`: its symbol, or every symbol for ALL. */
  const scopeSymbols = (scope: string) =>
    scope === "ALL" ? symbolNames.join(",") : scope;
  // PBO per scope, before anything is written (an explicit S with too few configs is bad input).
  const pboScore = botPboScore(rankBy, configs);
  let pbo = new Map<string, CscvResult>();
  if (blocks !== undefined) {
    try {
      const r = pboPerScope(
        stats,
        scopes,
        table.symbols.map((f) => f.symbol),
        rankRule === "plateau"
          ? (ids) => plateauSelect(plateauGrid, ids)
          : undefined,
        pboOpt !== "auto",
        pboScore,
      );
      pbo = r.pbo;
      pboSkipped = r.skipped ?? pboSkipped;
    } catch (error) {
      if (error instanceof RangeError) {
        throw new BotInputError(`--pbo ${pboOpt}: ${error.message}`);
      }
      throw error;
    }
  }

  const tRank = performance.now();
  let walkForward: WalkForwardSymbol[] | undefined;
  if (windows !== undefined) {
    status(
      `walk-forward ${
        options.walkForward!.text
      }: ${windows.length} windows, the bot grid on each in-sample part`,
    );
    const total = windows.reduce(
      (a, w) =>
        a +
        sliceTable(table, w.isStart, w.isEnd).symbols.reduce(
            (b, f) => b + f.bars,
            0,
          ) * configs.count,
      0,
    );
    walkForward = await walkForwardWith(
      table,
      configs,
      windows,
      botWalkForwardEngine(table, configs, {
        metric,
        costs: options.costs,
        market: (_s, f) => market(f),
        isGrid: (isTable, onProgress) =>
          runBotGrid(
            { symbols: isTable.symbols, recipe: prep.recipe },
            configs,
            options.costs,
            { onProgress, ...(pool !== undefined ? { pool } : {}) },
          ),
        total,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }),
      { minTrades, rule: rankRule, grid: plateauGrid },
    );
  }

  const tWfo = performance.now();
  const stage = await stageDir(options.out);
  try {
    const path = (name: string) => `${stage}/${name}`;
    const files: string[] = [];
    await writeLines(path("ranked.csv"), botRankedCsvLines(scopes, configs));
    files.push("ranked.csv");
    const top = options.top ?? 5;
    const topFiles: Record<string, unknown>[] = [];
    const topAllFiles: Record<string, unknown>[] = [];
    if (top > 0) await Deno.mkdir(path("top"), { recursive: true });
    // trades files written, by symbol and config (ALL's top configs reuse them)
    const written = new Map<string, string>();
    const writeTrades = async (s: number, c: number, stem: string) => {
      const m = markets[s]!;
      const signals = new Int8Array(m.features.bars);
      const series = newBotSeries(m.features.bars);
      const trades: BotTrade[] = [];
      buildSignals(m.features, signalKeyOf(configs, c), { out: signals });
      simulateBot(
        m,
        signals,
        botParamsOf(configs, c),
        options.costs,
        row,
        trades,
        series,
      );
      await writeLines(
        path(`${stem}_trades.csv`),
        botTradeCsvLines(trades, m.features),
      );
      files.push(`${stem}_trades.csv`);
      written.set(`${symbolNames[s]}\u0000${c}`, `${stem}_trades.csv`);
    };
    for (let s = 0; s < scopes.length; s++) {
      const scope = scopes[s]!;
      if (scope.scope === "ALL") continue;
      for (let r = 0; r < Math.min(top, scope.order.length); r++) {
        const c = scope.order[r]!;
        const stem = `top/${scope.scope}_rank${r + 1}_config${c}`;
        await writeTrades(s, c, stem);
        await Deno.writeTextFile(
          path(`${stem}_live.json`),
          JSON.stringify(
            liveConfigJson(configs, c, scope.scope, limits),
            null,
            2,
          ) + "\n",
        );
        files.push(`${stem}_live.json`);
        topFiles.push({
          symbol: scope.scope,
          rank: r + 1,
          "config_id": c,
          trades: `${stem}_trades.csv`,
          live: `${stem}_live.json`,
        });
      }
    }
    const all = scopes.find((x) => x.scope === "ALL");
    for (let r = 0; all && r < Math.min(top, all.order.length); r++) {
      // the config for every symbol: one _live.json listing them all, and each symbol's
      // trades (the file of its own top list when the config is there)
      const c = all.order[r]!;
      const live = `top/ALL_rank${r + 1}_config${c}_live.json`;
      await Deno.writeTextFile(
        path(live),
        JSON.stringify(
          liveConfigJson(configs, c, scopeSymbols("ALL"), limits),
          null,
          2,
        ) + "\n",
      );
      files.push(live);
      for (let s = 0; s < markets.length; s++) {
        const key = `${symbolNames[s]}\u0000${c}`;
        if (!written.has(key)) {
          await writeTrades(s, c, `top/${symbolNames[s]}_config${c}`);
        }
        topAllFiles.push({
          scope: "ALL",
          rank: r + 1,
          "config_id": c,
          symbol: symbolNames[s],
          trades: written.get(key),
          live,
        });
      }
    }
    const ranked = scopes.map((sc) => ({
      scope: sc.scope,
      ranked: Array.from(sc.order.subarray(0, 10_000), (c, r) => {
        const metrics: Record<string, unknown> = {};
        BOT_METRICS.forEach((name, k) => {
          metrics[name] = jsonNumber(sc.rows[c * N_BOT_METRICS + k]!);
        });
        const d = sc.deflation;
        return {
          rank: r + 1,
          "config_id": c,
          params: liveConfigJson(configs, c, scopeSymbols(sc.scope), limits),
          metrics,
          psr: jsonNumber(d?.psr[c] ?? NaN),
          dsr: jsonNumber(d?.dsr[c] ?? NaN),
          "plateau_score": jsonNumber(sc.plateau?.[c] ?? NaN),
          flags: d?.flags[c] ? d.flags[c]!.split(";") : [],
        };
      }),
    }));
    await Deno.writeTextFile(
      path("ranked.json"),
      JSON.stringify({
        model: "bot",
        "rank_by": rankBy,
        "rank_rule": rankRule,
        "min_trades": minTrades,
        "prior_trials": priorTrials,
        deflation: deflationJson(scopes),
        scopes: ranked,
      }),
    );
    files.push("ranked.json");
    files.push(
      ...await writeHonestOutputs(path, {
        pbo,
        blocks,
        scopes,
        rule: rankRule,
        score: pboScore,
        configs,
        ...(walkForward !== undefined
          ? {
            walkForward: {
              spec: options.walkForward!,
              results: walkForward,
              meta: {
                model: "bot",
                "rank_by": rankBy,
                "rank_rule": rankRule,
                "min_trades_per_is_window": minTrades,
                notes:
                  "Bot model: each OOS segment starts flat and a position open at its end is closed at its last close with the taker fee (exit reason end). Returns are per bar on the fixed order_notional, so the stitched curve adds them: value = order_notional of the first choice * (1 + sum r); total_return is that sum. wfe = OOS mean per-bar return / IS mean per-bar return of the chosen configs (null when the IS return is not positive). The stitched curve is out of sample for the choice: its PSR needs no grid deflation.",
              },
              names: BOT_PARAMS,
            },
          }
          : {}),
      }),
    );
    const tEnd = performance.now();
    const seconds = {
      simulate: seconds0.simulate,
      rank: (tRank - tSim) / 1000,
      walkForward: (tWfo - tRank) / 1000,
      total: (tEnd - t0) / 1000,
    };
    const manifest = {
      kind: "aster-bot-backtest",
      version: 1,
      model: "bot",
      engine:
        "bot model: the live bot's decision (lib/strategy), sizing and exit levels (lib/order); fixed notional, PnL in USDT",
      features: options.features,
      symbols: markets.map((m) => ({
        symbol: m.features.symbol,
        bars: m.features.bars,
        "first_time": new Date(m.features.ts[0]!).toISOString(),
        "last_time": new Date(m.features.ts[m.features.bars - 1]!)
          .toISOString(),
        touch: m.quoteSource,
        "tick_size": m.filters.tickSize.toFixed(),
        "step_size": m.filters.stepSize.toFixed(),
        "min_notional": m.filters.minNotional.toFixed(),
      })),
      filters: options.exchangeInfo ??
        "simulator defaults (lib/sim/symbols.ts)",
      grid: Object.fromEntries(BOT_PARAMS.map((n) => [n, spec[n]])),
      "grid_size": configs.count,
      "signal_sets": prep.groups,
      costs: {
        "taker_fee_bps": options.costs.takerFeeBps,
        "exit_slippage_bps": options.costs.exitSlippageBps,
        intrabar: perSecond === undefined ? options.costs.intrabar : "seconds",
        ...(perSecond !== undefined
          ? { "per_second_file": secondFileOf(options.features) }
          : {}),
        ...(options.spreadBps !== undefined
          ? { "spread_bps": options.spreadBps }
          : {}),
      },
      "open_at_end":
        "a position open at the end is closed at the last close with the taker fee (exit_reason end)",
      "rank_by": rankBy,
      "rank_rule": rankRule,
      "min_trades": minTrades,
      "prior_trials": priorTrials,
      pbo: pboManifest(blocks, pbo, pboSkipped),
      "returns":
        "per-bar returns of the USDT PnL marked at each close, on a fixed capital base = order_notional (sharpe, psr, dsr, pbo use them)",
      deflation: deflationJson(scopes),
      top,
      "bar_configs": total,
      "runtime_s": seconds,
      "bar_configs_per_s": total / seconds.simulate,
      metrics: BOT_METRICS,
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
      configs,
      scopes,
      barConfigs: total,
      seconds,
      files,
      ...(blocks !== undefined ? { blocks } : {}),
      pbo,
      ...(pboSkipped !== undefined ? { pboSkipped } : {}),
      ...(walkForward !== undefined ? { walkForward } : {}),
    };
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

/**
 * Reads the table's per-second companion file when it exists and checks that it belongs
 * to the table. Reads the header, checks it against the table, then only the table's
 * symbols' records, each straight into its own buffer at its offset (a SharedArrayBuffer
 * with `shared`, for a worker pool): the records of the symbols run stay in memory once,
 * 80 bytes per symbol-second, whatever the worker count; the file is never held whole.
 *
 * @throws {BotInputError} for an unreadable file or one that does not match the table
 */
export async function loadSeconds(
  features: string,
  table: FeatureTable,
  shared = false,
): Promise<SecondSeries | undefined> {
  const path = secondFileOf(features);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new BotInputError(
      `Cannot read the per-second file ${path}: ${(error as Error).message}`,
    );
  }
  try {
    const size = (await file.stat()).size;
    // the header line: read on until its newline
    let head = new Uint8Array(0);
    let layout;
    while ((layout = parseSecondHeader(head, size, path)) === undefined) {
      const more = new Uint8Array(
        Math.min(size, Math.max(1 << 16, 2 * head.length)),
      );
      more.set(head);
      await readFull(file, more.subarray(head.length), path);
      head = more;
    }
    checkSecondSeries(layout, table.symbols, path, features);
    const records = new Map<string, Float64Array>();
    for (const f of table.symbols) {
      const h = layout.header.symbols.find((x) => x.symbol === f.symbol)!;
      const len = h.seconds * SECOND_STRIDE * 8;
      const raw = new Uint8Array(
        shared ? new SharedArrayBuffer(len) : new ArrayBuffer(len),
      );
      await file.seek(layout.start + h.offset, Deno.SeekMode.Start);
      await readFull(file, raw, path);
      records.set(f.symbol, secondRecords(raw));
    }
    return { header: layout.header, records };
  } catch (error) {
    if (error instanceof SecondSeriesError) {
      throw new BotInputError(error.message);
    }
    if (error instanceof BotInputError) throw error;
    throw new BotInputError(
      `Cannot read the per-second file ${path}: ${(error as Error).message}`,
    );
  } finally {
    file.close();
  }
}

/** Fills `into` from the file's position on. @throws {SecondSeriesError} at an early end */
async function readFull(
  file: Deno.FsFile,
  into: Uint8Array,
  path: string,
): Promise<void> {
  for (let at = 0; at < into.length;) {
    const n = await file.read(into.subarray(at));
    if (n === null) {
      throw new SecondSeriesError(
        `Invalid per-second file ${path}: it ended early (changed while read?)`,
      );
    }
    at += n;
  }
}

/**
 * The bot model's PBO score for `--rank_by`: `net_pnl` is exact from per-block statistics
 * (the per-bar returns on the fixed notional add up: a half's net PnL is their sum times
 * `order_notional`), `sharpe` is the default score; the per-trade and path metrics
 * (trade_sharpe, avg_trade_bps, win_rate, profit_factor, max_drawdown) cannot be scored from
 * `(n, mean, M2)`, so their PBO uses Sharpe and `pbo.json` says so.
 */
export function botPboScore(rankBy: string, configs: ConfigTable): PboScore {
  if (rankBy === "net_pnl") {
    const at = BOT_PARAMS.indexOf("order_notional");
    return {
      metric: "sum",
      scale: (c) => configs.values[c * BOT_PARAMS.length + at]!,
      annualised: false,
      text:
        "net_pnl, the ranking metric: a half's per-bar returns summed times order_notional (USDT; ALL: summed over the symbols)",
    };
  }
  return rankBy === "sharpe"
    ? { ...SHARPE_SCORE, text: `${SHARPE_SCORE.text}, the ranking metric` }
    : {
      ...SHARPE_SCORE,
      text:
        `${SHARPE_SCORE.text}; not --rank_by ${rankBy}: a per-trade or path statistic does not follow from per-block (n, mean, M2) statistics`,
    };
}
