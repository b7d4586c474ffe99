/**
 * Plateau ranking (`--rank_rule plateau`): configs ranked by the mean of the ranking metric
 * over their radius-1 box in index space on the numeric axes with at least 3 levels (k, n,
 * T, V, the blocker thresholds, the stops; "stop off", the trailing flag and the cost axes
 * are held equal, never smoothed). Pure.
 *
 * @module
 */
import {
  argmaxFirst,
  type CscvSelect,
  hasNeighbours,
  type PlateauGrid,
  plateauGrid,
  plateauScores,
} from "../research/mod.ts";
import { type ConfigTable, GRID_PARAMS, N_PARAMS } from "./grid.ts";
import {
  metricIndex,
  type MetricLayout,
  type MetricName,
  VBT_LAYOUT,
} from "./metrics.ts";
import { rankRows, unrankedRows } from "./rank.ts";

/** How the winner is chosen: the raw maximum or the best plateau. */
export type RankRule = "max" | "plateau";

/** Axes never smoothed: a flag and the cost scenarios. */
const CATEGORICAL: ReadonlySet<string> = new Set([
  "sl_trail",
  "fees",
  "slippage",
  "init_cash",
]);

/** The plateau grid of a config table. */
export function configPlateauGrid(configs: ConfigTable): PlateauGrid {
  return tablePlateauGrid(configs, GRID_PARAMS, CATEGORICAL);
}

/**
 * The plateau grid of a config table of any model: axis p of `params` is smoothed unless
 * its name is in `categorical`; `off(name, x)` marks a value as a categorical level (e.g.
 * "no trailing stop") that is never smoothed across.
 */
export function tablePlateauGrid(
  configs: ConfigTable,
  params: readonly string[],
  categorical: ReadonlySet<string>,
  off: (name: string, x: number) => boolean = () => false,
): PlateauGrid {
  const values = params.map((name, p) =>
    Float64Array.from({ length: configs.count }, (_, c) => {
      const x = configs.values[c * N_PARAMS + p]!;
      return off(name, x) ? NaN : x;
    })
  );
  return plateauGrid(values, params.map((name) => !categorical.has(name)));
}

/**
 * The metric of eligible configs (at least `minTrades` trades, finite metric), NaN elsewhere.
 */
export function eligibleMetric(
  rows: Float64Array,
  metric: number,
  minTrades: number,
  layout: MetricLayout = VBT_LAYOUT,
): Float64Array {
  const w = layout.stride;
  const count = rows.length / w;
  const out = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    const v = rows[c * w + metric]!;
    out[c] = rows[c * w + layout.nTrades]! >= minTrades && Number.isFinite(v)
      ? v
      : NaN;
  }
  return out;
}

/**
 * Ranks by plateau score, best first (NaN last, ties by config index); configs below
 * `minTrades` are left out, as in the raw ranking.
 */
export function rankByPlateau(
  rows: Float64Array,
  score: Float64Array,
  minTrades: number,
  layout: MetricLayout = VBT_LAYOUT,
): Int32Array {
  const keep: number[] = [];
  for (let c = 0; c < score.length; c++) {
    if (rows[c * layout.stride + layout.nTrades]! >= minTrades) keep.push(c);
  }
  keep.sort((a, b) => {
    const x = score[a]!, y = score[b]!;
    const xn = x !== x, yn = y !== y;
    if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1;
    return x > y ? -1 : x < y ? 1 : a - b;
  });
  return Int32Array.from(keep);
}

/**
 * A CSCV selection rule over the eligible configs `ids` (ascending config ids): the best
 * plateau of the in-sample scores on the full grid (ties: the lowest config id).
 */
export function plateauSelect(grid: PlateauGrid, ids: Int32Array): CscvSelect {
  const full = new Float64Array(grid.configs);
  const mine = new Float64Array(ids.length);
  return (scores) => {
    full.fill(NaN);
    for (let j = 0; j < ids.length; j++) full[ids[j]!] = scores[j]!;
    const p = plateauScores(grid, full);
    for (let j = 0; j < ids.length; j++) mine[j] = p.score[ids[j]!]!;
    return argmaxFirst(mine);
  };
}

/** Options of {@linkcode rankWithRule}. */
export interface RuleOptions {
  /** The ranking metric (of the vectorbt model; see `metric` for other models). */
  readonly rankBy?: MetricName;
  /** The ranking metric's index in a row; overrides `rankBy`. */
  readonly metric?: number;
  /** The rows' layout. @default VBT_LAYOUT */
  readonly layout?: MetricLayout;
  /** Minimum trades to be ranked. */
  readonly minTrades: number;
  /** Raw maximum or plateau. */
  readonly rule: RankRule;
  /** The grid's plateau shape (required for the plateau rule and the score column). */
  readonly grid?: PlateauGrid;
}

/**
 * Ranks one metric table by the rule: the order (eligible configs only) and, when the grid
 * has neighbours, every config's plateau score.
 */
export function rankWithRule(
  rows: Float64Array,
  options: RuleOptions,
): { order: Int32Array; unranked: Int32Array; plateau?: Float64Array } {
  const { minTrades } = options;
  const layout = options.layout ?? VBT_LAYOUT;
  const m = options.metric ?? metricIndex(options.rankBy ?? "sharpe");
  const plateau = options.grid !== undefined && hasNeighbours(options.grid)
    ? plateauScores(options.grid, eligibleMetric(rows, m, minTrades, layout))
      .score
    : undefined;
  const unranked = unrankedRows(rows, layout, m, minTrades);
  if (options.rule === "plateau") {
    if (plateau === undefined) {
      throw new RangeError("Cannot rank by plateau: no axis to smooth over");
    }
    return {
      order: rankByPlateau(rows, plateau, minTrades, layout),
      unranked,
      plateau,
    };
  }
  return {
    order: rankRows(rows, layout, m, minTrades),
    unranked,
    ...(plateau ? { plateau } : {}),
  };
}
