/**
 * Units of work for the grid runner: one symbol, one signal set, a chunk of configs that share
 * it. Planning and running a task are pure, so the worker and the in-thread runner share them.
 *
 * @module
 */
import type { SymbolFeatures } from "./feature_table.ts";
import {
  type ConfigTable,
  expandGrid,
  N_PARAMS,
  signalGroups,
  signalKeyOf,
} from "./grid.ts";
import { syntheticTable } from "./synthetic_table.ts";
import { N_METRICS } from "./metrics.ts";
import { buildSignals, type SignalKey } from "./signals.ts";
import { simulate } from "./simulate.ts";
import {
  blockBounds,
  N_MOMENTS,
  returnStats,
  returnStatsFromSums,
  returnStatsRanges,
} from "../research/return_stats.ts";

/**
 * Time blocks for per-block return statistics (CSCV): per symbol, bar i's block or -1.
 * Plain data, so it crosses to workers as is.
 */
export interface BlockPlan {
  /** Number of blocks S. */
  readonly count: number;
  /** Per symbol (table order), `blockOf[i]` = block of bar i, -1 for none. */
  readonly blockOf: readonly Int16Array[];
}

/**
 * Values per config in a task's output row: the `N_METRICS` metrics, then the `N_MOMENTS`
 * return moments `[t, skew, kurt]`, then `3 * blocks` per-block `(n, mean, M2)`.
 */
export function taskRowWidth(blocks: number): number {
  return N_METRICS + N_MOMENTS + 3 * blocks;
}

/** A chunk of configs sharing one signal set, on one symbol. */
export interface GridTask {
  /** Task number (index into the plan). */
  readonly id: number;
  /** Symbol index in the feature table. */
  readonly symbol: number;
  /** The shared signal parameters. */
  readonly key: SignalKey;
  /** Config indices of this chunk. */
  readonly configs: Int32Array;
  /** Their simulation parameters: `configs.length * 6` values (sl, tp, trail, fees, slippage, init_cash). */
  readonly params: Float64Array;
}

/** Configs per task of a plan (the grid runner's default and the unit of sharding). */
export const TASK_CHUNK = 32;

/** Number of simulation parameters per config in {@linkcode GridTask.params}. */
export const N_SIM_PARAMS = 6;

/**
 * Splits the grid into tasks: per symbol, per signal set, chunks of at most `chunk` configs.
 *
 * @param table the configs
 * @param symbols number of symbols
 * @param chunk maximum configs per task
 */
export function planTasks(
  table: ConfigTable,
  symbols: number,
  chunk: number,
): GridTask[] {
  const groups = signalGroups(table);
  const tasks: GridTask[] = [];
  for (let s = 0; s < symbols; s++) {
    for (const g of groups) {
      const key = signalKeyOf(table, g[0]!);
      for (let a = 0; a < g.length; a += chunk) {
        const configs = g.slice(a, Math.min(g.length, a + chunk));
        const params = new Float64Array(configs.length * N_SIM_PARAMS);
        for (let j = 0; j < configs.length; j++) {
          const o = configs[j]! * N_PARAMS + 6;
          params.set(
            table.values.subarray(o, o + N_SIM_PARAMS),
            j * N_SIM_PARAMS,
          );
        }
        tasks.push({ id: tasks.length, symbol: s, key, configs, params });
      }
    }
  }
  return tasks;
}

/** Reusable per-thread buffers and the last signal set (tasks of one set run back to back). */
export class TaskRunner {
  #symbols: readonly SymbolFeatures[];
  #blockers: boolean;
  #signals: Int8Array = new Int8Array(0);
  #scratch: Float64Array = new Float64Array(0);
  #sums: Float64Array = new Float64Array(0);
  #cached = "";
  #blocks: BlockPlan | undefined;
  // Per symbol the blocks as contiguous bar ranges (undefined: use the per-bar map).
  #bounds: (Int32Array | undefined)[];

  /**
   * @param symbols the feature table's symbols
   * @param blockers whether the spread/funding/opening-loss blockers apply
   * @param blocks time blocks for per-block statistics (none: no block statistics)
   */
  constructor(
    symbols: readonly SymbolFeatures[],
    blockers: boolean,
    blocks?: BlockPlan,
  ) {
    this.#symbols = symbols;
    this.#blockers = blockers;
    this.#blocks = blocks;
    this.#bounds = blocks?.blockOf.map((b) => blockBounds(b, blocks.count)) ??
      [];
  }

  /**
   * Runs a task; returns `configs.length` rows of {@linkcode taskRowWidth} values: metrics,
   * return moments and per-block statistics, all taken from the engine's per-bar returns.
   */
  run(task: GridTask): Float64Array {
    const f = this.#symbols[task.symbol];
    if (f === undefined) {
      throw new RangeError(`Cannot run task: no symbol #${task.symbol}`);
    }
    const n = f.bars;
    if (this.#scratch.length < n) {
      this.#scratch = new Float64Array(n);
      this.#signals = new Int8Array(n);
      this.#cached = "";
    }
    const signals = this.#signals.subarray(0, n);
    const k = task.key;
    const tag =
      `${task.symbol}|${k.k}|${k.n}|${k.t}|${k.v}|${k.maxSpreadBps}|${k.maxFundingBps}`;
    if (tag !== this.#cached) {
      buildSignals(f, k, { blockers: this.#blockers, out: signals });
      this.#cached = tag;
    }
    const count = task.configs.length;
    const nb = this.#blocks?.count ?? 0;
    const blockOf = this.#blocks?.blockOf[task.symbol];
    const width = taskRowWidth(nb);
    const out = new Float64Array(count * width);
    const input = {
      close: f.close,
      open: f.open,
      high: f.high,
      low: f.low,
      signals,
    };
    const p = task.params;
    const bounds = this.#bounds[task.symbol];
    // The return statistics run inside the engine's call, on its per-bar returns, and hand
    // their sum of squared deviations to its Sharpe (one pass fewer per config).
    let at = 0;
    const returnsPass = bounds !== undefined
      ? (rets: Float64Array, bars: number, sums?: Float64Array) =>
        sums !== undefined
          ? returnStatsFromSums(rets, bars, bounds, out, at, sums)
          : returnStatsRanges(rets, bars, bounds, out, at)
      : (rets: Float64Array, bars: number) =>
        returnStats(rets, bars, blockOf, nb, out, at);
    if (bounds !== undefined && this.#sums.length < bounds.length * 2 + 1) {
      this.#sums = new Float64Array(bounds.length * 2 + 1);
    }
    for (let j = 0; j < count; j++) {
      const o = j * N_SIM_PARAMS;
      at = j * width + N_METRICS;
      simulate(input, {
        slStop: p[o]!,
        tpStop: p[o + 1]!,
        slTrail: p[o + 2] === 1,
        fees: p[o + 3]!,
        slippage: p[o + 4]!,
        initCash: p[o + 5]!,
      }, {
        out,
        offset: j * width,
        scratch: this.#scratch,
        returnsPass,
        ...(bounds !== undefined
          ? { blockBounds: bounds, blockSums: this.#sums }
          : {}),
      });
    }
    return out;
  }
}

/**
 * Runs a small synthetic grid (2,000 bars, 32 configs with and without stops, trailing, block
 * statistics) through a throw-away {@linkcode TaskRunner}, so that V8 has optimised the engine
 * before the first real task instead of interpreting its first configs' bar loops. A pool
 * worker does this while the main thread reads the table. Touches no shared state: results
 * of later tasks are the same with or without it.
 */
export function warmUp(): void {
  const table = syntheticTable({ bars: 2000, windows: [10], seed: 11 });
  const configs = expandGrid({
    k: [0.5, 1],
    n: [1],
    T: [10],
    V: [10],
    "max_spread_bps": [5],
    "max_funding_bps": [10],
    "sl_stop": [NaN, 0.004],
    "tp_stop": [NaN, 0.006],
    "sl_trail": [0, 1],
    fees: [0.0005],
    slippage: [0.0002],
    "init_cash": [100],
  });
  const blockOf = Int16Array.from({ length: 2000 }, (_, i) => i >> 9);
  for (const blockers of [false, true]) {
    const runner = new TaskRunner(table.symbols, blockers, {
      count: 4,
      blockOf: [blockOf],
    });
    for (let rep = 0; rep < 4; rep++) {
      for (const task of planTasks(configs, 1, TASK_CHUNK)) runner.run(task);
    }
  }
}
