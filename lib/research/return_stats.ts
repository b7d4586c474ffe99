/**
 * Statistics of one config's per-bar return series, taken right after the engine ran it (any
 * engine that leaves its per-bar returns in an array): the count of finite returns, biased
 * skewness and Pearson kurtosis for the PSR/DSR, and per-time-block `(n, mean, M2)` for CSCV.
 * Pure; allocation-free on the hot path.
 *
 * @module
 */

/** Values per config written by {@linkcode returnMoments}: `[t, skew, kurt]`. */
export const N_MOMENTS = 3;

/**
 * Biased moments of the finite values of `rets[0..n)`: writes `t` (their count), skewness
 * `m3/m2^1.5` and Pearson kurtosis `m4/m2^2` (normal = 3) at `out[at..at+3)`. Skewness and
 * kurtosis are NaN for fewer than 2 returns, a constant series, or any infinite return (an
 * account that hit zero), so the PSR is undefined there.
 *
 * @returns the sum of squared deviations from the mean (see {@linkcode returnStats})
 */
export function returnMoments(
  rets: Float64Array,
  n: number,
  out: Float64Array,
  at: number,
): number {
  let sum = 0, cnt = 0, inf = false;
  for (let i = 0; i < n; i++) {
    const r = rets[i]!;
    if (r === r) {
      if (r === Infinity || r === -Infinity) inf = true;
      else {
        sum += r;
        cnt++;
      }
    }
  }
  out[at] = cnt;
  if (cnt < 2 || inf) {
    out[at + 1] = NaN;
    out[at + 2] = NaN;
    return NaN;
  }
  const mean = sum / cnt;
  let s2 = 0, s3 = 0, s4 = 0;
  for (let i = 0; i < n; i++) {
    const r = rets[i]!;
    if (r === r) {
      const d = r - mean, d2 = d * d;
      s2 += d2;
      s3 += d2 * d;
      s4 += d2 * d2;
    }
  }
  const m2 = s2 / cnt;
  out[at + 1] = m2 > 0 ? (s3 / cnt) / (m2 * Math.sqrt(m2)) : NaN;
  out[at + 2] = m2 > 0 ? (s4 / cnt) / (m2 * m2) : NaN;
  return s2;
}

/**
 * Per-block running statistics of the finite returns: for each block b of `blocks`, writes
 * `(n, mean, M2)` at `out[at + 3b ..]`. `blockOf[i]` is bar i's block, or -1 for a bar in no
 * block. Two passes per block set (mean, then squared deviations) for stability. An infinite
 * return makes its block's mean and M2 NaN.
 */
export function blockMoments(
  rets: Float64Array,
  blockOf: Int16Array,
  blocks: number,
  out: Float64Array,
  at: number,
): void {
  const n = blockOf.length;
  out.fill(0, at, at + 3 * blocks);
  for (let i = 0; i < n; i++) {
    const b = blockOf[i]!;
    const r = rets[i]!;
    if (b < 0 || r !== r) continue;
    const o = at + 3 * b;
    out[o] = out[o]! + 1;
    out[o + 1] = out[o + 1]! + r;
  }
  for (let b = 0; b < blocks; b++) {
    const o = at + 3 * b;
    out[o + 1] = out[o]! > 0 ? out[o + 1]! / out[o]! : 0;
  }
  for (let i = 0; i < n; i++) {
    const b = blockOf[i]!;
    const r = rets[i]!;
    if (b < 0 || r !== r) continue;
    const o = at + 3 * b;
    const d = r - out[o + 1]!;
    out[o + 2] = out[o + 2]! + d * d;
  }
}

/**
 * {@linkcode returnMoments} and {@linkcode blockMoments} in the same two passes over the
 * returns (the engine's hot path): writes `[t, skew, kurt]` at `out[at..]` and, with
 * `blockOf`, the `3 * blocks` per-block values right after. Same results as the two calls,
 * bit for bit: each pass walks the bars in order, one run of equal `blockOf` at a time, with
 * that block's running sums in locals (loaded from and stored back to `out` around the run),
 * so every sum takes its terms in the same order as the per-bar definition.
 *
 * @returns `s2`, the sum of `(r - mean)^2` over the non-NaN returns in bar order, `mean` being
 * their sum in bar order divided by their count: exactly the second pass of a sample
 * variance (the engine's Sharpe reuses it). NaN when the moments are NaN for lack of returns
 * or an infinite one.
 */
export function returnStats(
  rets: Float64Array,
  n: number,
  blockOf: Int16Array | undefined,
  blocks: number,
  out: Float64Array,
  at: number,
): number {
  if (blockOf === undefined || blocks === 0) {
    return returnMoments(rets, n, out, at);
  }
  const bo = at + N_MOMENTS;
  out.fill(0, bo, bo + 3 * blocks);
  let sum = 0, cnt = 0, inf = false;
  for (let i = 0; i < n;) {
    const b = blockOf[i]!;
    let j = i + 1;
    while (j < n && blockOf[j] === b) j++;
    if (b < 0) {
      for (; i < j; i++) {
        const r = rets[i]!;
        if (r !== r) continue;
        if (r === Infinity || r === -Infinity) inf = true;
        else {
          sum += r;
          cnt++;
        }
      }
      continue;
    }
    const o = bo + 3 * b;
    let bn = out[o]!, bs = out[o + 1]!;
    for (; i < j; i++) {
      const r = rets[i]!;
      if (r !== r) continue;
      if (r === Infinity || r === -Infinity) inf = true;
      else {
        sum += r;
        cnt++;
      }
      bn++;
      bs += r;
    }
    out[o] = bn;
    out[o + 1] = bs;
  }
  for (let b = 0; b < blocks; b++) {
    const o = bo + 3 * b;
    out[o + 1] = out[o]! > 0 ? out[o + 1]! / out[o]! : 0;
  }
  out[at] = cnt;
  const moments = cnt >= 2 && !inf;
  const mean = moments ? sum / cnt : 0;
  let s2 = 0, s3 = 0, s4 = 0;
  for (let i = 0; i < n;) {
    const b = blockOf[i]!;
    let j = i + 1;
    while (j < n && blockOf[j] === b) j++;
    const o = bo + 3 * b;
    const bm = b < 0 ? 0 : out[o + 1]!;
    let m2 = b < 0 ? 0 : out[o + 2]!;
    for (; i < j; i++) {
      const r = rets[i]!;
      if (r !== r) continue;
      const d = r - mean, d2 = d * d;
      s2 += d2;
      s3 += d2 * d;
      s4 += d2 * d2;
      const e = r - bm;
      m2 += e * e;
    }
    if (b >= 0) out[o + 2] = m2;
  }
  if (!moments) {
    out[at + 1] = NaN;
    out[at + 2] = NaN;
    return NaN;
  }
  const m2 = s2 / cnt;
  out[at + 1] = m2 > 0 ? (s3 / cnt) / (m2 * Math.sqrt(m2)) : NaN;
  out[at + 2] = m2 > 0 ? (s4 / cnt) / (m2 * m2) : NaN;
  return s2;
}

/**
 * The contiguous ranges of a block map: `bounds[b]..bounds[b+1]` are block b's bars for
 * `b < blocks` (so `bounds` has `blocks + 1` entries); undefined when the blocks are not
 * contiguous and ascending (then use the per-bar map).
 */
export function blockBounds(
  blockOf: Int16Array,
  blocks: number,
): Int32Array | undefined {
  const bounds = new Int32Array(blocks + 1).fill(-1);
  let prev = -1, i = 0;
  const n = blockOf.length;
  while (i < n && blockOf[i]! < 0) i++;
  for (; i < n; i++) {
    const b = blockOf[i]!;
    if (b < 0) break;
    if (b !== prev) {
      if (b !== prev + 1) return undefined;
      bounds[b] = i;
      prev = b;
    }
  }
  const end = i;
  for (; i < n; i++) if (blockOf[i]! >= 0) return undefined;
  if (prev !== blocks - 1) return undefined;
  bounds[blocks] = end;
  return bounds;
}

/**
 * The first pass of {@linkcode returnStatsRanges}: `[sum, count, inf, s_0, n_0, s_1, n_1, ...]`
 * — the sum and count of the finite returns in bar order, 1 if any return is infinite (else
 * 0), and per block the sum (from +0, in bar order) and count of its non-NaN returns. An
 * engine that sums its returns as it makes them can fill this itself (see
 * {@linkcode returnStatsFromSums}).
 */
export function rangeSums(
  rets: Float64Array,
  n: number,
  bounds: Int32Array,
  sums: Float64Array,
): void {
  const blocks = bounds.length - 1;
  let sum = 0, cnt = 0, inf = false;
  let i = 0;
  for (let seg = -1; seg <= blocks; seg++) {
    const hi = seg < 0 ? bounds[0]! : seg < blocks ? bounds[seg + 1]! : n;
    let bs = 0, bc = 0;
    for (; i < hi; i++) {
      const r = rets[i]!;
      if (r !== r) continue;
      if (r === Infinity || r === -Infinity) inf = true;
      else {
        sum += r;
        cnt++;
      }
      bs += r;
      bc++;
    }
    if (seg >= 0 && seg < blocks) {
      sums[3 + 2 * seg] = bs;
      sums[4 + 2 * seg] = bc;
    }
  }
  sums[0] = sum;
  sums[1] = cnt;
  sums[2] = inf ? 1 : 0;
}

/**
 * {@linkcode returnStats} over contiguous block ranges (see {@linkcode blockBounds}): the
 * same two passes with the block sums kept in registers. Same results bit for bit, and the
 * same return value.
 */
export function returnStatsRanges(
  rets: Float64Array,
  n: number,
  bounds: Int32Array,
  out: Float64Array,
  at: number,
): number {
  const sums = new Float64Array(3 + 2 * (bounds.length - 1));
  rangeSums(rets, n, bounds, sums);
  return returnStatsFromSums(rets, n, bounds, out, at, sums);
}

/**
 * {@linkcode returnStatsRanges} from its first pass's sums (see {@linkcode rangeSums}),
 * however they were made: the second pass only. Same results bit for bit when `sums` holds
 * what `rangeSums` would.
 */
export function returnStatsFromSums(
  rets: Float64Array,
  n: number,
  bounds: Int32Array,
  out: Float64Array,
  at: number,
  sums: Float64Array,
): number {
  const blocks = bounds.length - 1, bo = at + N_MOMENTS;
  for (let b = 0; b < blocks; b++) {
    const bs = sums[3 + 2 * b]!, bc = sums[4 + 2 * b]!;
    out[bo + 3 * b] = bc;
    out[bo + 3 * b + 1] = bc > 0 ? bs / bc : 0;
  }
  const sum = sums[0]!, cnt = sums[1]!, inf = sums[2] !== 0;
  out[at] = cnt;
  const moments = cnt >= 2 && !inf;
  const mean = moments ? sum / cnt : 0;
  let s2 = 0, s3 = 0, s4 = 0;
  let i = 0;
  for (let seg = -1; seg <= blocks; seg++) {
    const hi = seg < 0 ? bounds[0]! : seg < blocks ? bounds[seg + 1]! : n;
    const inBlock = seg >= 0 && seg < blocks;
    const bm = inBlock ? out[bo + 3 * seg + 1]! : 0;
    let q = 0;
    for (; i < hi; i++) {
      const r = rets[i]!;
      if (r !== r) continue;
      const d = r - mean, d2 = d * d;
      s2 += d2;
      s3 += d2 * d;
      s4 += d2 * d2;
      const e = r - bm;
      q += e * e;
    }
    if (inBlock) out[bo + 3 * seg + 2] = q;
  }
  if (!moments) {
    out[at + 1] = NaN;
    out[at + 2] = NaN;
    return NaN;
  }
  const m2 = s2 / cnt;
  out[at + 1] = m2 > 0 ? (s3 / cnt) / (m2 * Math.sqrt(m2)) : NaN;
  out[at + 2] = m2 > 0 ? (s4 / cnt) / (m2 * m2) : NaN;
  return s2;
}

/**
 * {@linkcode returnStats} of a series that is exactly zero outside `spans` (half-open bar
 * ranges `[spans[2k], spans[2k+1])`, `k < nSpans`, ascending and disjoint), without visiting
 * the zero bars: a strategy that is flat most of the time (the bot model) pays for the bars it
 * held a position, not for every bar. Writes `[t, skew, kurt]` at `out[at..]` and, with
 * `bounds` (see {@linkcode blockBounds}), `(n, mean, M2)` per block right after; returns the
 * per-bar Sharpe `mean / std` (ddof 1) of the finite returns, NaN for fewer than 2 of them,
 * a zero standard deviation or an infinite return. Same two-pass definitions as
 * {@linkcode returnStats}; the zero bars enter in closed form (`z` zeros add `z * mean^k`
 * to the k-th central sum, with the sign of `(-mean)^k`), so values agree with the dense
 * version up to rounding (tested to 1e-12 relative), not bit for bit.
 */
export function sparseReturnStats(
  rets: Float64Array,
  spans: Int32Array,
  nSpans: number,
  n: number,
  bounds: Int32Array | undefined,
  out: Float64Array,
  at: number,
): number {
  const blocks = bounds === undefined ? 0 : bounds.length - 1;
  const bo = at + N_MOMENTS;
  const first = blocks > 0 ? bounds![0]! : n,
    last = blocks > 0 ? bounds![blocks]! : n;
  // Pass 1: per block (count of finite span returns, sum, NaN count) in its three slots.
  if (blocks > 0) out.fill(0, bo, bo + 3 * blocks);
  let sum = 0, cnt = 0, nan = 0, inf = false;
  let b = 0;
  for (let k = 0; k < nSpans; k++) {
    let i = spans[2 * k]!;
    const e = spans[2 * k + 1]!;
    while (i < e) {
      let hi: number, blk: number;
      if (i < first) {
        hi = first < e ? first : e;
        blk = -1;
      } else if (i >= last) {
        hi = e;
        blk = -1;
      } else {
        while (bounds![b + 1]! <= i) b++;
        hi = bounds![b + 1]! < e ? bounds![b + 1]! : e;
        blk = b;
      }
      let bs = 0, bc = 0, bn = 0;
      for (; i < hi; i++) {
        const r = rets[i]!;
        if (r !== r) {
          bn++;
          continue;
        }
        if (r === Infinity || r === -Infinity) inf = true;
        bs += r;
        bc++;
      }
      if (!inf) sum += bs;
      cnt += bc;
      nan += bn;
      if (blk >= 0) {
        const o = bo + 3 * blk;
        out[o] = out[o]! + bc;
        out[o + 1] = out[o + 1]! + bs;
        out[o + 2] = out[o + 2]! + bn;
      }
    }
  }
  const t = n - nan;
  out[at] = t;
  const mean = t > 0 && !inf ? sum / t : 0;
  // Block n and mean; M2 starts with the block's zero bars.
  for (let q = 0; q < blocks; q++) {
    const o = bo + 3 * q;
    const nb = bounds![q + 1]! - bounds![q]! - out[o + 2]!;
    const mb = nb > 0 ? out[o + 1]! / nb : 0;
    const zeros = nb - out[o]!;
    out[o] = nb;
    out[o + 1] = mb;
    out[o + 2] = zeros * mb * mb;
  }
  // Pass 2: central sums over the span bars, then the zeros in closed form.
  let s2 = 0, s3 = 0, s4 = 0;
  b = 0;
  for (let k = 0; k < nSpans; k++) {
    let i = spans[2 * k]!;
    const e = spans[2 * k + 1]!;
    while (i < e) {
      let hi: number, blk: number;
      if (i < first) {
        hi = first < e ? first : e;
        blk = -1;
      } else if (i >= last) {
        hi = e;
        blk = -1;
      } else {
        while (bounds![b + 1]! <= i) b++;
        hi = bounds![b + 1]! < e ? bounds![b + 1]! : e;
        blk = b;
      }
      const bm = blk >= 0 ? out[bo + 3 * blk + 1]! : 0;
      let q = 0;
      for (; i < hi; i++) {
        const r = rets[i]!;
        if (r !== r) continue;
        const d = r - mean, d2 = d * d;
        s2 += d2;
        s3 += d2 * d;
        s4 += d2 * d2;
        const x = r - bm;
        q += x * x;
      }
      if (blk >= 0) out[bo + 3 * blk + 2] = out[bo + 3 * blk + 2]! + q;
    }
  }
  const zeros = t - cnt;
  const m2z = mean * mean;
  s2 += zeros * m2z;
  s3 -= zeros * m2z * mean;
  s4 += zeros * m2z * m2z;
  if (t < 2 || inf) {
    out[at + 1] = NaN;
    out[at + 2] = NaN;
    return NaN;
  }
  const m2 = s2 / t;
  out[at + 1] = m2 > 0 ? (s3 / t) / (m2 * Math.sqrt(m2)) : NaN;
  out[at + 2] = m2 > 0 ? (s4 / t) / (m2 * m2) : NaN;
  return s2 > 0 ? mean / Math.sqrt(s2 / (t - 1)) : NaN;
}
