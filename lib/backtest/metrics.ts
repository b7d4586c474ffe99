/**
 * The per-config, per-symbol metric row: names, their positions in a result row, and how to
 * rank by them.
 *
 * @module
 */

/** Metric names in the order of a result row (see `simulate()`). */
export const METRICS = [
  "total_return",
  "total_profit",
  "final_value",
  "sharpe",
  "max_drawdown",
  "win_rate",
  "profit_factor",
  "avg_trade_return",
  "exposure",
  "n_trades",
  "n_closed_trades",
  "n_open_trades",
  "n_orders",
  "n_exit_signal",
  "n_exit_sl",
  "n_exit_tsl",
  "n_exit_tp",
  "n_exit_open",
] as const;

/** One metric name. */
export type MetricName = typeof METRICS[number];

/** Number of values in one metric row. */
export const N_METRICS: number = METRICS.length;

/** Column index of each metric in a result row. */
export const M = {
  totalReturn: 0,
  totalProfit: 1,
  finalValue: 2,
  sharpe: 3,
  maxDrawdown: 4,
  winRate: 5,
  profitFactor: 6,
  avgTradeReturn: 7,
  exposure: 8,
  nTrades: 9,
  nClosedTrades: 10,
  nOpenTrades: 11,
  nOrders: 12,
  nExitSignal: 13,
  nExitSl: 14,
  nExitTsl: 15,
  nExitTp: 16,
  nExitOpen: 17,
} as const;

/** Metrics that a run can be ranked by (higher is better for all of them). */
export const RANKABLE: readonly MetricName[] = [
  "sharpe",
  "total_return",
  "total_profit",
  "final_value",
  "max_drawdown",
  "win_rate",
  "profit_factor",
  "avg_trade_return",
];

/** Returns the row index of metric `name`. */
export function metricIndex(name: MetricName): number {
  return METRICS.indexOf(name);
}

/**
 * Where a model's metric rows keep what the honest ranking reads (PSR/DSR, PBO, plateaus,
 * walk-forward): both models fill rows of this shape, so one pipeline serves both.
 */
export interface MetricLayout {
  /** Values per config row. */
  readonly stride: number;
  /** Index of the annualised per-bar Sharpe of the value series. */
  readonly sharpe: number;
  /** Index of the trade count (eligibility: `>= --min_trades`). */
  readonly nTrades: number;
}

/** The vectorbt model's layout. */
export const VBT_LAYOUT: MetricLayout = {
  stride: N_METRICS,
  sharpe: M.sharpe,
  nTrades: M.nTrades,
};
