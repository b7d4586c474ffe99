/**
 * Ranking of configs by one metric (the original `build_ranked_metrics`), per symbol and
 * aggregated over symbols. Pure.
 *
 * @module
 */
import type { GridResult } from "./grid_runner.ts";
import {
  M,
  metricIndex,
  type MetricLayout,
  type MetricName,
  N_METRICS,
  VBT_LAYOUT,
} from "./metrics.ts";

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
  return rankRows(
    rows,
    VBT_LAYOUT,
    metricIndex(options.rankBy ?? "sharpe"),
    options.minTrades ?? 1,
  );
}

/**
 * {@linkcode rankConfigs} for rows of any model: by the value at index `metric` of each row
 * descending (NaN last), ties by config index, configs below `minTrades` left out.
 */
export function rankRows(
  rows: Float64Array,
  layout: MetricLayout,
  metric: number,
  minTrades: number,
): Int32Array {
  const w = layout.stride, t = layout.nTrades;
  const count = rows.length / w;
  const keep: number[] = [];
  for (let c = 0; c < count; c++) {
    if (rows[c * w + t]! >= minTrades) keep.push(c);
  }
  keep.sort((a, b) => {
    const x = rows[a * w + metric]!, y = rows[b * w + metric]!;
    const xn = x !== x, yn = y !== y;
    if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1;
    return x > y ? -1 : x < y ? 1 : a - b;
  });
  return Int32Array.from(keep);
}

/** The configs {@linkcode rankRows} leaves out (below `minTrades`), in the same order. */
export function unrankedRows(
  rows: Float64Array,
  layout: MetricLayout,
  metric: number,
  minTrades: number,
): Int32Array {
  return rankRows(rows, layout, metric, -Infinity).filter((c) =>
    rows[c * layout.stride + layout.nTrades]! < minTrades
  );
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
  return unrankedRows(
    rows,
    VBT_LAYOUT,
    metricIndex(options.rankBy ?? "sharpe"),
    options.minTrades ?? 1,
  );
}
