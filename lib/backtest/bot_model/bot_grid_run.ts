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

/**
 * Simulates every config on every market.
 *
 * @param blocks the PBO's day blocks (per-block statistics), or none
 * @param onProgress bar-configs done so far (after each signal set)
 */
export function simulateBotGrid(
  markets: readonly BotMarket[],
  configs: ConfigTable,
  costs: BotCosts,
  blocks?: DayBlocks,
  onProgress?: (done: number) => void,
): BotGridResult {
  const groups = signalGroups(configs);
  const nb = blocks?.count ?? 0;
  const rows = markets.map(() =>
    new Float64Array(configs.count * N_BOT_METRICS)
  );
  const moments = new Float64Array(markets.length * configs.count * N_MOMENTS);
  const blockStats = new Float64Array(markets.length * configs.count * nb * 3);
  const row = new Float64Array(N_BOT_METRICS);
  let done = 0;
  for (let s = 0; s < markets.length; s++) {
    const m = markets[s]!;
    const signals = new Int8Array(m.features.bars);
    const bounds = blocks !== undefined
      ? blockBounds(blocks.blockOf[s]!, nb)
      : undefined;
    if (blocks !== undefined && bounds === undefined) {
      throw new Error(`day blocks of ${m.features.symbol} are not contiguous`);
    }
    const series = newBotSeries(m.features.bars, bounds);
    for (const g of groups) {
      buildSignals(m.features, signalKeyOf(configs, g[0]!), { out: signals });
      for (const c of g) {
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
      done += g.length * m.features.bars;
      onProgress?.(done);
    }
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
