/**
 * The bot model's grid over prepared markets: every config on every symbol, in tasks of one
 * symbol and up to `TASK_CHUNK` configs of one signal set, with each config's per-bar return
 * moments and per-block statistics laid out as `GridResult` lays them out (so the honest
 * ranking reads both models alike). {@linkcode simulateBotGrid} runs on the calling thread;
 * {@linkcode runBotGrid} on the worker pool (`GridPool` with the bot engine, the vectorbt
 * model's pool and protocol) or the calling thread. Each config is simulated on its own
 * and its row stored by config id, so results do not depend on the worker count, the task
 * order or the grid's order (config ids are canonical).
 *
 * @module
 */
import { type ConfigTable, signalGroups, signalKeyOf } from "../grid.ts";
import { blockBounds, N_MOMENTS } from "../../research/mod.ts";
import { buildSignals } from "../signals.ts";
import type { SymbolFeatures } from "../feature_table.ts";
import { type GridPool, runPoolTasks } from "../grid_runner.ts";
import { TASK_CHUNK } from "../task.ts";
import { botParamsOf, expandBotGrid } from "./bot_grid.ts";
import { syntheticTable } from "../synthetic_table.ts";
import { DEFAULT_ENTRY_LIMITS } from "../../order/entry_guard.ts";
import type { BotMarket } from "./bot_market.ts";
import { type BotMarketRecipe, marketBuilder } from "./bot_rules.ts";
import {
  type BotCosts,
  type BotSeries,
  N_BOT_METRICS,
  newBotSeries,
  simulateBot,
} from "./simulate_bot.ts";

/** What {@linkcode simulateBotGrid} gives. */
export interface BotGridResult {
  /** Number of symbols. */
  readonly symbols: number;
  /** Number of configs. */
  readonly configs: number;
  /** Per symbol the metric rows, `configs * N_BOT_METRICS`. */
  readonly rows: Float64Array[];
  /** `[t, skew, kurt]` of (symbol s, config c) at `(s * configs + c) * N_MOMENTS`. */
  readonly moments: Float64Array;
  /** Time blocks S (0 without). */
  readonly blocks: number;
  /** `(n, mean, M2)` of block b of (s, c) at `((s * configs + c) * blocks + b) * 3`. */
  readonly blockStats: Float64Array;
  /** Bar-configs simulated. */
  readonly barConfigs: number;
}

/** A chunk of configs sharing one signal set, on one symbol (a shard's unit of work). */
export interface BotGridTask {
  /** Symbol index (into the markets). */
  readonly symbol: number;
  /** Config ids, all of one signal set. */
  readonly configs: Int32Array;
}

/** The PBO's time blocks as the runner needs them (plain data: crosses to workers). */
export interface BotBlocks {
  /** Number of blocks S. */
  readonly count: number;
  /** Per symbol, `blockOf[i]` = block of bar i (-1 for a dropped bar). */
  readonly blockOf: readonly Int16Array[];
}

/** Values per config of a task's rows (and of `rows.f64`) with `blocks` PBO blocks. */
export function botRowWidth(blocks: number): number {
  return N_BOT_METRICS + N_MOMENTS + 3 * blocks;
}

/** The grid's tasks: per symbol, per signal set, chunks of at most `chunk` configs. */
export function planBotTasks(
  configs: ConfigTable,
  symbols: number,
  chunk = TASK_CHUNK,
): BotGridTask[] {
  const groups = signalGroups(configs);
  const tasks: BotGridTask[] = [];
  for (let s = 0; s < symbols; s++) {
    for (const g of groups) {
      for (let a = 0; a < g.length; a += chunk) {
        tasks.push({ symbol: s, configs: g.slice(a, a + chunk) });
      }
    }
  }
  return tasks;
}

/**
 * Runs bot-grid tasks on one thread, reusing per symbol its signals buffer (rebuilt only when
 * the signal set changes) and its return series. A task's rows depend on the task alone.
 */
export class BotTaskRunner {
  readonly #market: (s: number) => BotMarket;
  readonly #markets: (BotMarket | undefined)[] = [];
  readonly #configs: ConfigTable;
  readonly #costs: BotCosts;
  readonly #blocks: BotBlocks | undefined;
  readonly #signals: (Int8Array | undefined)[] = [];
  readonly #keys: string[] = [];
  readonly #series: (BotSeries | undefined)[] = [];
  readonly #row = new Float64Array(N_BOT_METRICS);

  /**
   * @param markets per symbol its market, or a function building symbol s's market (called
   *   when a task of s first runs: a pool worker builds only the markets it uses)
   * @param configs the configs (task config ids point into it)
   * @param costs costs and the intrabar convention
   * @param blocks the PBO's day blocks (per-block statistics), or none
   */
  constructor(
    markets: readonly BotMarket[] | ((s: number) => BotMarket),
    configs: ConfigTable,
    costs: BotCosts,
    blocks?: BotBlocks,
  ) {
    this.#market = typeof markets === "function" ? markets : (s) => markets[s]!;
    this.#configs = configs;
    this.#costs = costs;
    this.#blocks = blocks;
  }

  /**
   * Runs a task; returns `configs.length` rows of {@linkcode botRowWidth} values: the
   * metrics, the return moments and the per-block statistics.
   */
  run(task: BotGridTask): Float64Array {
    const s = task.symbol;
    const m = this.#markets[s] ??= this.#market(s);
    if (m === undefined) {
      throw new RangeError(`Cannot run task: no symbol #${s}`);
    }
    const nb = this.#blocks?.count ?? 0;
    let series = this.#series[s];
    if (series === undefined) {
      const bounds = this.#blocks !== undefined
        ? blockBounds(this.#blocks.blockOf[s]!, nb)
        : undefined;
      if (this.#blocks !== undefined && bounds === undefined) {
        throw new Error(
          `day blocks of ${m.features.symbol} are not contiguous`,
        );
      }
      series = this.#series[s] = newBotSeries(m.features.bars, bounds);
    }
    const signals = this.#signals[s] ??= new Int8Array(m.features.bars);
    const sk = signalKeyOf(this.#configs, task.configs[0]!);
    const tag = JSON.stringify(sk);
    if (tag !== this.#keys[s]) {
      buildSignals(m.features, sk, { out: signals });
      this.#keys[s] = tag;
    }
    const width = botRowWidth(nb);
    const out = new Float64Array(task.configs.length * width);
    const row = this.#row;
    for (let j = 0; j < task.configs.length; j++) {
      simulateBot(
        m,
        signals,
        botParamsOf(this.#configs, task.configs[j]!),
        this.#costs,
        row,
        undefined,
        series,
      );
      out.set(row, j * width);
      out.set(
        series.stats.subarray(0, N_MOMENTS + 3 * nb),
        j * width + N_BOT_METRICS,
      );
    }
    return out;
  }
}

/** Empty rows for the grid, and the function that stores a task's rows into them. */
function gridRows(
  markets: readonly { readonly bars: number }[],
  configs: ConfigTable,
  nb: number,
  onProgress?: (done: number) => void,
) {
  const rows = markets.map(() =>
    new Float64Array(configs.count * N_BOT_METRICS)
  );
  const moments = new Float64Array(markets.length * configs.count * N_MOMENTS);
  const blockStats = new Float64Array(markets.length * configs.count * nb * 3);
  const width = botRowWidth(nb);
  let done = 0;
  const store = (task: BotGridTask, out: Float64Array) => {
    const s = task.symbol;
    for (let j = 0; j < task.configs.length; j++) {
      const c = task.configs[j]!, o = j * width;
      rows[s]!.set(out.subarray(o, o + N_BOT_METRICS), c * N_BOT_METRICS);
      const at = s * configs.count + c;
      moments.set(
        out.subarray(o + N_BOT_METRICS, o + N_BOT_METRICS + N_MOMENTS),
        at * N_MOMENTS,
      );
      if (nb > 0) {
        blockStats.set(
          out.subarray(o + N_BOT_METRICS + N_MOMENTS, o + width),
          at * nb * 3,
        );
      }
    }
    done += task.configs.length * markets[s]!.bars;
    onProgress?.(done);
  };
  const result = (): BotGridResult => ({
    symbols: markets.length,
    configs: configs.count,
    rows,
    moments,
    blocks: nb,
    blockStats,
    barConfigs: done,
  });
  return { store, result };
}

/**
 * Simulates every config on every market on the calling thread, or only `tasks` (a shard's
 * part: the other rows stay 0 and `barConfigs` counts these tasks only).
 *
 * @param blocks the PBO's day blocks (per-block statistics), or none
 * @param onProgress bar-configs done so far (after each task)
 * @param tasks only these (symbol, configs) chunks; all of the grid by default
 */
export function simulateBotGrid(
  markets: readonly BotMarket[],
  configs: ConfigTable,
  costs: BotCosts,
  blocks?: BotBlocks,
  onProgress?: (done: number) => void,
  tasks?: readonly BotGridTask[],
): BotGridResult {
  const nb = blocks?.count ?? 0;
  const { store, result } = gridRows(
    markets.map((m) => m.features),
    configs,
    nb,
    onProgress,
  );
  const runner = new BotTaskRunner(markets, configs, costs, blocks);
  for (const task of tasks ?? planBotTasks(configs, markets.length)) {
    store(task, runner.run(task));
  }
  return result();
}

/** What {@linkcode runBotGrid} simulates on. */
export interface BotGridInput {
  /** The symbols' features (SharedArrayBuffer-backed arrays are shared with the workers). */
  readonly symbols: readonly SymbolFeatures[];
  /** How every thread builds their markets (see `marketBuilder`). */
  readonly recipe: BotMarketRecipe;
  /** Their markets on the calling thread, when already built (used with no workers). */
  readonly markets?: readonly BotMarket[];
}

/** Options of {@linkcode runBotGrid}. */
export interface RunBotGridOptions {
  /** The PBO's day blocks (per-block statistics), or none. */
  readonly blocks?: BotBlocks;
  /** Bar-configs done so far (after each task). */
  readonly onProgress?: (done: number) => void;
  /** Only these (symbol, configs) chunks (a shard); all of the grid by default. */
  readonly tasks?: readonly BotGridTask[];
  /** Workers started for the bot engine (`new GridPool(n, "bot")`); none: calling thread. */
  readonly pool?: GridPool;
  /** At most this many of the pool's workers. @default the pool's size */
  readonly workers?: number;
}

/**
 * Simulates the bot grid on the pool's workers (each builds the markets from the recipe
 * once per call), or on the calling thread without a pool: the same rows either way.
 */
export async function runBotGrid(
  input: BotGridInput,
  configs: ConfigTable,
  costs: BotCosts,
  options: RunBotGridOptions = {},
): Promise<BotGridResult> {
  const { pool, blocks } = options;
  const tasks = options.tasks ?? planBotTasks(configs, input.symbols.length);
  const workers = Math.max(
    0,
    Math.min(options.workers ?? Infinity, pool?.size ?? 0, tasks.length),
  );
  // Built here when not given, also for the workers: a table the market refuses is the
  // same BotInputError (one line at the edge) with or without workers.
  const markets = input.markets ??
    input.symbols.map(
      marketBuilder(input.recipe, input.symbols.map((f) => f.symbol)),
    );
  if (pool === undefined || workers === 0) {
    return simulateBotGrid(
      markets,
      configs,
      costs,
      blocks,
      options.onProgress,
      tasks,
    );
  }
  if (pool.model !== "bot") {
    throw new Error("Cannot run the bot grid on a pool of another engine");
  }
  const nb = blocks?.count ?? 0;
  const { store, result } = gridRows(
    input.symbols,
    configs,
    nb,
    options.onProgress,
  );
  const sent = tasks.map((t, id) => ({
    id,
    symbol: t.symbol,
    configs: t.configs,
  }));
  await runPoolTasks(
    pool.take(workers),
    {
      type: "init",
      symbols: input.symbols,
      recipe: input.recipe,
      configs: { count: configs.count, values: configs.values },
      costs,
      ...(blocks !== undefined
        ? { blocks: { count: blocks.count, blockOf: blocks.blockOf } }
        : {}),
    },
    sent,
    store,
    (t) => t.symbol, // a worker builds and fills the markets of the symbols it runs
  );
  return result();
}

/**
 * Runs a small synthetic bot grid (2,000 bars of BTCUSDT with the built-in filters, 8
 * configs with and without trailing, block statistics, 4 times) through a throw-away
 * {@linkcode BotTaskRunner}, so that V8 has optimised the bot engine before the first real
 * task. A pool worker does this while the main thread reads the table. Touches no shared
 * state: later tasks give the same rows with or without it.
 */
export function warmUpBot(): void {
  const table = syntheticTable({
    bars: 2000,
    symbols: ["BTCUSDT"],
    windows: [10],
    seed: 11,
  });
  const configs = expandBotGrid({
    k: [0.5, 1],
    n: [1],
    T: [10],
    V: [10],
    "max_spread_bps": [50],
    "max_funding_bps": [10],
    "tp_bps": [40],
    "sl_bps": [15, 30],
    "trail_activation_bps": [0, 20],
    "trail_callback_pct": [0.5],
    cooldown: [60],
    "order_notional": [500],
  });
  const f = table.symbols[0]!;
  const market = marketBuilder({ limits: DEFAULT_ENTRY_LIMITS }, [f.symbol])(f);
  const blockOf = Int16Array.from({ length: f.bars }, (_, i) => i >> 9);
  const runner = new BotTaskRunner([market], configs, {
    takerFeeBps: 3.5,
    exitSlippageBps: 1,
    intrabar: "stop_first",
  }, { count: 4, blockOf: [blockOf] });
  for (let rep = 0; rep < 4; rep++) {
    for (const task of planBotTasks(configs, 1)) runner.run(task);
  }
}
