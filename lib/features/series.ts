/**
 * The batch form of the features over typed arrays (one element per bar, sorted by open
 * time, one symbol). It yields exactly the numbers of {@linkcode BarWindows}.
 *
 * @module
 */
import { MINUTE_MS, retBps, rsVar, rsVolBps } from "./formulas.ts";

/**
 * For each bar, how many consecutive 1m bars end at it (itself included): 1 after a gap.
 *
 * @param openTime bar open times in epoch ms, increasing
 */
export function consecutiveRuns(openTime: ArrayLike<number>): Int32Array {
  const n = openTime.length;
  const runs = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    runs[i] = i > 0 && openTime[i]! - openTime[i - 1]! === MINUTE_MS
      ? runs[i - 1]! + 1
      : 1;
  }
  return runs;
}

/** `ret_bps` per bar: NaN when the previous bar is not exactly the previous minute. */
export function retBpsSeries(
  runs: Int32Array,
  close: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(runs.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = runs[i]! >= 2 ? retBps(close[i - 1]!, close[i]!) : NaN;
  }
  return out;
}

/** `rs_var_1m` per bar: the bar's own Rogers–Satchell variance. */
export function rsVarSeries(
  open: ArrayLike<number>,
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(open.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = rsVar(open[i]!, high[i]!, low[i]!, close[i]!);
  }
  return out;
}

/**
 * The left-to-right sum of `values[i-window] .. values[i-1]` for each bar i, or NaN when
 * those bars are not the `window` consecutive minutes right before bar i.
 */
export function trailingSumSeries(
  runs: Int32Array,
  values: ArrayLike<number>,
  window: number,
): Float64Array {
  const out = new Float64Array(runs.length);
  for (let i = 0; i < out.length; i++) {
    if (runs[i]! - 1 < window) {
      out[i] = NaN;
      continue;
    }
    let sum = 0;
    for (let k = i - window; k < i; k++) sum += values[k]!;
    out[i] = sum;
  }
  return out;
}

/** `rs_vol_<T>m_bps` per bar from `rs_var_1m` (see {@linkcode trailingSumSeries}). */
export function rsVolSeries(
  runs: Int32Array,
  rsVars: ArrayLike<number>,
  window: number,
): Float64Array {
  const out = trailingSumSeries(runs, rsVars, window);
  for (let i = 0; i < out.length; i++) out[i] = rsVolBps(out[i]!, window);
  return out;
}

/** `avg_vol_<V>m` per bar from the bar volumes (see {@linkcode trailingSumSeries}). */
export function avgVolSeries(
  runs: Int32Array,
  volume: ArrayLike<number>,
  window: number,
): Float64Array {
  const out = trailingSumSeries(runs, volume, window);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / window;
  return out;
}
