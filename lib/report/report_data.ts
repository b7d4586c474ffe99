/**
 * The typed model the report is built from. Only the loader (`load_outputs.ts`) knows the
 * backtest engine's file formats; everything after it works on these types.
 *
 * @module
 */
import type { OosData } from "./oos.ts";

/** Run summary (from the engine's `manifest.json`). */
export interface RunSummary {
  /** Symbols of the run. */
  readonly symbols: readonly string[];
  /** Bars per symbol. */
  readonly bars: Readonly<Record<string, number>>;
  /** First bar, epoch ms (NaN when unknown). */
  readonly startMs: number;
  /** Last bar, epoch ms (NaN when unknown). */
  readonly endMs: number;
  /** Number of configs in the grid. */
  readonly gridSize: number;
  /** The metric the run was ranked by. */
  readonly rankBy: string;
  /** Wall time of the run in ms (NaN when unknown). */
  readonly runtimeMs: number;
  /** The grid's value lists per parameter. */
  readonly grid: Readonly<Record<string, readonly number[]>>;
  /** Cost settings as label → text (fees, slippage, initial cash...). */
  readonly costs: Readonly<Record<string, string>>;
  /** Other run facts as label → text (engine, blockers, throughput...). */
  readonly extra: Readonly<Record<string, string>>;
}

/**
 * The ranked metric table, columnar: row `r` has parameter `p` at `params[r * paramNames.length + p]`
 * and metric `m` at `metrics[r * metricNames.length + m]`.
 */
export interface RankedTable {
  /** Number of rows. */
  readonly rows: number;
  /** Parameter column names, e.g. "k", "n", "sl_stop". */
  readonly paramNames: readonly string[];
  /** Metric column names, e.g. "sharpe", "total_return". */
  readonly metricNames: readonly string[];
  /** Distinct symbol labels; {@linkcode AGGREGATE} is the aggregate over symbols. */
  readonly symbolNames: readonly string[];
  /** Per symbol label: rows ranked in the file (≥ the rows kept here). */
  readonly scopeRows: readonly number[];
  /** Per row: index into `symbolNames`. */
  readonly symbol: Int32Array;
  /** Per row: config id. */
  readonly config: Int32Array;
  /** Per row: rank within its symbol (1 = best; 0 = unknown). */
  readonly rank: Int32Array;
  /** Parameter values, `rows * paramNames.length`. */
  readonly params: Float64Array;
  /** Metric values, `rows * metricNames.length`. */
  readonly metrics: Float64Array;
  /** Per row its flags (`few_trades;short_sample;...`, "" none), when the file has them. */
  readonly flags?: readonly string[];
}

/** The symbol label of aggregate rows (mean over symbols). */
export const AGGREGATE = "ALL";

/** Exit reasons the report colours (anything else is drawn as "other"). */
export const EXIT_REASONS = ["signal", "sl", "tsl", "tp", "open"] as const;

/** One trade of a top config. */
export interface ReportTrade {
  /** "long" or "short". */
  readonly direction: "long" | "short";
  /** Entry time, epoch ms. */
  readonly entryMs: number;
  /** Entry price. */
  readonly entryPrice: number;
  /** Exit time, epoch ms. */
  readonly exitMs: number;
  /** Exit price. */
  readonly exitPrice: number;
  /** Exit reason: "signal", "sl", "tsl", "tp", "open" (still open at the end). */
  readonly reason: string;
  /** Profit and loss after fees. */
  readonly pnl: number;
  /** Return of the trade (fraction). */
  readonly ret: number;
}

/** The detailed outputs of one top config on one symbol. */
export interface ConfigCurves {
  /** Config id. */
  readonly config: number;
  /** Symbol. */
  readonly symbol: string;
  /** Bar times, epoch ms. */
  readonly ts: Float64Array;
  /** Portfolio value at each bar's close. */
  readonly value: Float64Array;
  /** Trades, in order of exit. */
  readonly trades: readonly ReportTrade[];
}

/** Close prices of one symbol, for the price chart. */
export interface PriceSeries {
  /** Bar times, epoch ms. */
  readonly ts: Float64Array;
  /** Close prices. */
  readonly close: Float64Array;
}

/** Everything the report shows. */
export interface ReportData {
  /** Run summary. */
  readonly summary: RunSummary;
  /** The ranked table (all configs the engine ranked, per symbol and aggregate). */
  readonly ranked: RankedTable;
  /** Curves and trades of the top configs. */
  readonly curves: readonly ConfigCurves[];
  /** Close prices per symbol (absent when no feature table is known). */
  readonly prices: ReadonlyMap<string, PriceSeries>;
  /** DSR hurdles, PBO and walk-forward, when the run wrote them. */
  readonly oos?: OosData;
}
