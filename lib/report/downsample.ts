/**
 * Min/max downsampling for display: each of `buckets` equal index ranges keeps its lowest and
 * highest point (in time order), so spikes and drawdown troughs survive. Only the embedded
 * display copy is reduced; data files are never touched. Pure.
 *
 * @module
 */

/** A downsampled series. */
export interface XYSeries {
  /** X values (time). */
  readonly x: Float64Array;
  /** Y values. */
  readonly y: Float64Array;
}

/**
 * Keeps at most `2 * buckets + 2` points of `(x, y)`: per bucket its minimum and maximum (NaN
 * values are skipped), plus the first and last points. A series of at most `2 * buckets + 2`
 * points is returned as a copy.
 *
 * @param x the x values (ascending)
 * @param y the y values, same length
 * @param buckets number of buckets (≥ 1)
 * @throws {RangeError} when the lengths differ or `buckets` < 1
 */
export function downsampleMinMax(
  x: Float64Array,
  y: Float64Array,
  buckets: number,
): XYSeries {
  if (x.length !== y.length) {
    throw new RangeError(
      `Cannot downsample: ${x.length} x values but ${y.length} y values`,
    );
  }
  if (!(buckets >= 1) || !Number.isInteger(buckets)) {
    throw new RangeError(
      `Cannot downsample: buckets must be a positive integer, got ${buckets}`,
    );
  }
  const n = x.length;
  if (n <= 2 * buckets + 2) return { x: x.slice(), y: y.slice() };
  const ox = new Float64Array(2 * buckets + 2);
  const oy = new Float64Array(2 * buckets + 2);
  let k = 0;
  const keep = [0, 0, 0, 0];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let lo = -1, hi = -1;
    for (let i = start; i < end; i++) {
      const v = y[i]!;
      if (v !== v) continue;
      if (lo < 0 || v < y[lo]!) lo = i;
      if (hi < 0 || v > y[hi]!) hi = i;
    }
    if (lo < 0) continue;
    // the first and last points stay, so every chart spans the whole run
    const first = lo < hi ? lo : hi, second = lo < hi ? hi : lo;
    keep[0] = b === 0 ? start : first;
    keep[1] = first;
    keep[2] = second;
    keep[3] = b === buckets - 1 ? end - 1 : second;
    let last = -1;
    for (const i of keep) {
      if (i === last || y[i]! !== y[i]!) continue;
      ox[k] = x[i]!;
      oy[k++] = y[i]!;
      last = i;
    }
  }
  return { x: ox.slice(0, k), y: oy.slice(0, k) };
}

/**
 * Drawdown of a value curve: `value / runningMax - 1` (0 at a new high, -0.25 = 25 % below
 * the peak). NaN values keep the previous drawdown.
 */
export function drawdownCurve(value: Float64Array): Float64Array {
  const out = new Float64Array(value.length);
  let peak = -Infinity, last = 0;
  for (let i = 0; i < value.length; i++) {
    const v = value[i]!;
    if (v === v) {
      if (v > peak) peak = v;
      last = peak > 0 ? v / peak - 1 : 0;
    }
    out[i] = last;
  }
  return out;
}
