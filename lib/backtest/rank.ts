/**
 * Ranking of configs by one metric (the original `build_ranked_metrics`), per symbol and
 * aggregated over symbols. Pure.
 *
 * @module
 */
import type { GridResult } from "./grid_runner.ts";
import { M, metricIndex, type MetricName, N_METRICS } from "./metrics.ts";

/** Options of {@linkcode rankConfigs}. */
export interface RankOptions {
  /** The metric to sort by, descending. @default "sharpe" */
  readonly rankBy?: MetricName;
  /** Drop configs with fewer trades (all trades, the open one included). @default 1 */
  readonly minTrades?: number;
}

const COUNT_METRICS: readonly number[] = [
  M.nTrades,
  M.nClosedTrades,
  M.nOpenTrades,
  M.nOrders,
  M.nExitSignal,
  M.nExitSl,
  M.nExitTsl,
  M.nExitTp,
  M.nExitOpen,
];

/**
 * Aggregates over symbols: the mean of each metric over the symbols where it is finite (NaN
 * when it is finite nowhere), except trade and order counts, which are summed. Leaving out
 * non-finite values keeps a symbol without trades (whose sharpe is `inf`, as in vectorbt)
 * from putting a config on top of the aggregate ranking.
 *
 * @returns `configs * N_METRICS` values
 */
export function aggregateMetrics(
  result: Pick<GridResult, "symbols" | "configs" | "metrics" | "barConfigs">,
): Float64Array {
  const { symbols, configs, metrics } = result;
  const size = configs * N_METRICS;
  const out = new Float64Array(size);
  const finite = new Uint32Array(size);
  for (let s = 0; s < symbols; s++) {
    const base = s * size;
    for (let i = 0; i < size; i++) {
      const v = metrics[base + i]!;
      if (Number.isFinite(v)) {
        out[i] = out[i]! + v;
        finite[i] = finite[i]! + 1;
      }
    }
  }
  for (let c = 0; c < configs; c++) {
    for (let m = 0; m < N_METRICS; m++) {
      if (COUNT_METRICS.includes(m)) continue;
      const i = c * N_METRICS + m;
      out[i] = finite[i] === 0 ? NaN : out[i]! / finite[i]!;
    }
  }
  return out;
}

/**
 * Ranks the configs of one metric table (`rows`: `count * N_METRICS`), best first: by the metric
 * descending (NaN last), ties by config index. Configs below `minTrades` are left out.
 *
 * @returns the ranked config indices
 */
export function rankConfigs(
  rows: Float64Array,
  options: RankOptions = {},
): Int32Array {
  const m = metricIndex(options.rankBy ?? "sharpe");
  const minTrades = options.minTrades ?? 1;
  const count = rows.length / N_METRICS;
  const keep: number[] = [];
  for (let c = 0; c < count; c++) {
    if (rows[c * N_METRICS + M.nTrades]! >= minTrades) keep.push(c);
  }
  keep.sort((a, b) => {
    const x = rows[a * N_METRICS + m]!, y = rows[b * N_METRICS + m]!;
    const xn = x !== x, yn = y !== y;
    if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1;
    return x > y ? -1 : x < y ? 1 : a - b;
  });
  return Int32Array.from(keep);
}

/** The rows of symbol `s` of a grid result (a view, not a copy). */
export function symbolRows(result: GridResult, s: number): Float64Array {
  const size = result.configs * N_METRICS;
  return result.metrics.subarray(s * size, (s + 1) * size);
}

/**
 * The configs {@linkcode rankConfigs} leaves out (fewer than `minTrades` trades), in the same
 * order (metric descending, NaN last, ties by index).
 */
export function unrankedConfigs(
  rows: Float64Array,
  options: RankOptions = {},
): Int32Array {
  const minTrades = options.minTrades ?? 1;
  const all = rankConfigs(rows, { ...options, minTrades: -Infinity });
  return all.filter((c) => rows[c * N_METRICS + M.nTrades]! < minTrades);
}
