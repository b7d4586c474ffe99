/**
 * The bot model's grid over prepared markets: every config on every symbol, one signal set
 * at a time, with each config's per-bar return moments and per-block statistics laid out as
 * `GridResult` lays them out (so the honest ranking reads both models alike). Pure; one
 * thread; results do not depend on the grid's order (config ids are canonical).
 *
 * @module
 */
import { type ConfigTable, signalGroups, signalKeyOf } from "../grid.ts";
import { blockBounds, type DayBlocks, N_MOMENTS } from "../../research/mod.ts";
import { buildSignals } from "../signals.ts";
import { botParamsOf } from "./bot_grid.ts";
import type { BotMarket } from "./bot_market.ts";
import {
  type BotCosts,
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

/**
 * Simulates every config on every market, or only `tasks` (a shard's part: the other rows
 * stay 0 and `barConfigs` counts these tasks only). Each config runs on its own, so a
 * config's results do not depend on which tasks run with it.
 *
 * @param blocks the PBO's day blocks (per-block statistics), or none
 * @param onProgress bar-configs done so far (after each signal set)
 * @param tasks only these (symbol, configs) chunks; all of the grid by default
 */
export function simulateBotGrid(
  markets: readonly BotMarket[],
  configs: ConfigTable,
  costs: BotCosts,
  blocks?: DayBlocks,
  onProgress?: (done: number) => void,
  tasks?: readonly BotGridTask[],
): BotGridResult {
  const nb = blocks?.count ?? 0;
  const rows = markets.map(() =>
    new Float64Array(configs.count * N_BOT_METRICS)
  );
  const moments = new Float64Array(markets.length * configs.count * N_MOMENTS);
  const blockStats = new Float64Array(markets.length * configs.count * nb * 3);
  const row = new Float64Array(N_BOT_METRICS);
  let done = 0;
  const groups = signalGroups(configs);
  const work = tasks ??
    markets.flatMap((_, s) => groups.map((g) => ({ symbol: s, configs: g })));
  // Per symbol: its signals buffer and series (tasks of one symbol come together).
  let s = -1, key = "";
  let signals = new Int8Array(0);
  let series = newBotSeries(0);
  for (const task of work) {
    const m = markets[task.symbol]!;
    if (task.symbol !== s) {
      s = task.symbol;
      key = "";
      signals = new Int8Array(m.features.bars);
      const bounds = blocks !== undefined
        ? blockBounds(blocks.blockOf[s]!, nb)
        : undefined;
      if (blocks !== undefined && bounds === undefined) {
        throw new Error(
          `day blocks of ${m.features.symbol} are not contiguous`,
        );
      }
      series = newBotSeries(m.features.bars, bounds);
    }
    const sk = signalKeyOf(configs, task.configs[0]!);
    const tag = JSON.stringify(sk);
    if (tag !== key) {
      buildSignals(m.features, sk, { out: signals });
      key = tag;
    }
    for (const c of task.configs) {
      simulateBot(
        m,
        signals,
        botParamsOf(configs, c),
        costs,
        row,
        undefined,
        series,
      );
      rows[s]!.set(row, c * N_BOT_METRICS);
      const at = s * configs.count + c;
      moments.set(series.stats.subarray(0, N_MOMENTS), at * N_MOMENTS);
      if (nb > 0) {
        blockStats.set(series.stats.subarray(N_MOMENTS), at * nb * 3);
      }
    }
    done += task.configs.length * m.features.bars;
    onProgress?.(done);
  }
  return {
    symbols: markets.length,
    configs: configs.count,
    rows,
    moments,
    blocks: nb,
    blockStats,
    barConfigs: done,
  };
}
