/**
 * The feature table's columns and the formatting of one row. Floats are written as
 * `String(x)` (the shortest text that reads back to the same double); missing values
 * (NaN, ±Infinity) as empty fields.
 *
 * @module
 */
import type { BarWindows } from "./bar_windows.ts";
import { fundingBps, quoteFeatures } from "./formulas.ts";

/** The fixed leading columns of the feature table. */
export const BASE_COLUMNS: readonly string[] = [
  "ts",
  "symbol",
  "open",
  "high",
  "low",
  "close",
  "vol1m",
  "ret_bps",
  "spread_bps",
  "funding_bps",
  "mark_price",
  "open_loss_long_bps",
  "open_loss_short_bps",
  "rs_var_1m",
];

/** Every column name: the base ones, `rs_vol_<T>m_bps` per T, then `avg_vol_<V>m` per V. */
export function featureColumns(
  rsWindows: readonly number[],
  volWindows: readonly number[] = rsWindows,
): string[] {
  return [
    ...BASE_COLUMNS,
    ...rsWindows.map((t) => `rs_vol_${t}m_bps`),
    ...volWindows.map((v) => `avg_vol_${v}m`),
  ];
}

/** The header line (with newline) of the feature table. */
export function featureHeader(
  rsWindows: readonly number[],
  volWindows: readonly number[] = rsWindows,
): string {
  return featureColumns(rsWindows, volWindows).join(",") + "\n";
}

/** A CSV field for a float: `String(x)`, or empty when not finite. */
export function formatFloat(x: number): string {
  return Number.isFinite(x) ? String(x) : "";
}

/** One bar's inputs, reused from row to row (NaN for missing values). */
export interface BarQuote {
  /** The bar's open time, epoch ms. */
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Best bid as of the bar's end. */
  bid: number;
  /** Best ask as of the bar's end. */
  ask: number;
  /** Mark price as of the bar's end. */
  mark: number;
  /** Funding rate (a fraction) as of the bar's end. */
  fundingRate: number;
}

/** A {@linkcode BarQuote} with every value NaN. */
export function emptyQuote(): BarQuote {
  return {
    openTime: NaN,
    open: NaN,
    high: NaN,
    low: NaN,
    close: NaN,
    volume: NaN,
    bid: NaN,
    ask: NaN,
    mark: NaN,
    fundingRate: NaN,
  };
}

/**
 * The feature table line (with newline) of a bar.
 *
 * @param symbol the symbol
 * @param q the bar and its joined book/mark values
 * @param w the symbol's windows, already fed this bar with {@linkcode BarWindows.push}
 */
export function featureLine(
  symbol: string,
  q: BarQuote,
  w: BarWindows,
): string {
  const qf = quoteFeatures(q.bid, q.ask, q.mark);
  let line = `${q.openTime},${symbol},${formatFloat(q.open)},${
    formatFloat(q.high)
  },${formatFloat(q.low)},${formatFloat(q.close)},${formatFloat(q.volume)},${
    formatFloat(w.retBps)
  },${formatFloat(qf.spreadBps)},${formatFloat(fundingBps(q.fundingRate))},${
    formatFloat(q.mark)
  },${formatFloat(qf.openLossLongBps)},${formatFloat(qf.openLossShortBps)},${
    formatFloat(w.rsVar)
  }`;
  for (let j = 0; j < w.rsVolBps.length; j++) {
    line += "," + formatFloat(w.rsVolBps[j]!);
  }
  for (let j = 0; j < w.avgVol.length; j++) {
    line += "," + formatFloat(w.avgVol[j]!);
  }
  return line + "\n";
}
