/**
 * Probability of Backtest Overfitting by combinatorially symmetric cross-validation (Bailey,
 * Borwein, López de Prado, Zhu 2017), computed from per-block running statistics of the full
 * run — no re-simulation. Pure. Reference: `shared/research-validation.md` §2.
 *
 * Input layout: for S blocks and N configs, `n`, `mean`, `m2` hold the count, mean and sum of
 * squared deviations of block b of config c at index `b * N + c`. Configs are in canonical
 * (config id) order, so ties of the in-sample argmax go to the lowest config id.
 *
 * @module
 */

/** Per-block `(n, mean, M2)` of N configs over S blocks, index `b * configs + c`. */
export interface BlockColumns {
  /** Number of blocks S. */
  readonly blocks: number;
  /** Number of configs N. */
  readonly configs: number;
  /** Counts. */
  readonly n: Float64Array;
  /** Means. */
  readonly mean: Float64Array;
  /** Sums of squared deviations from the block mean. */
  readonly m2: Float64Array;
}

/** How a half is scored from its merged `(n, mean, M2)`. */
export type CscvMetric = "sharpe" | "sum";

/**
 * Picks the in-sample winner from the N in-sample scores; must be deterministic and break
 * ties by the lowest index. Returns -1 when nothing can be chosen.
 */
export type CscvSelect = (scores: Float64Array) => number;

/** Options of {@linkcode cscv}. */
export interface CscvOptions {
  /** Score of a half. @default "sharpe" (per-period: mean / std, ddof 1) */
  readonly metric?: CscvMetric;
  /** Selection rule. @default {@linkcode argmaxFirst} */
  readonly select?: CscvSelect;
  /** Histogram bins of the logits. @default 20 */
  readonly bins?: number;
}

/** What CSCV found. */
export interface CscvResult {
  /** Number of splits, `C(S, S/2)`. */
  readonly splits: number;
  /** Share of splits whose logit is <= 0. */
  readonly pbo: number;
  /** Logit `ln(w / (1 - w))` per split, in enumeration order. */
  readonly logits: Float64Array;
  /** In-sample score of the chosen config per split. */
  readonly isScore: Float64Array;
  /** Out-of-sample score of the chosen config per split. */
  readonly oosScore: Float64Array;
  /** Chosen config (index into the input) per split. */
  readonly chosen: Int32Array;
  /** OLS of OOS score on IS score across splits: slope, intercept, R². */
  readonly degradation: {
    readonly slope: number;
    readonly intercept: number;
    readonly r2: number;
  };
  /** Share of splits whose chosen config's OOS score is < 0. */
  readonly probLoss: number;
  /** Logit histogram: `bins + 1` edges and `bins` counts. */
  readonly histogram: { readonly edges: number[]; readonly counts: number[] };
}

/** Index of the largest finite score, the first on ties; -1 when none is finite. */
export function argmaxFirst(scores: Float64Array): number {
  let best = -1, bv = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (v === v && v !== Infinity && (best < 0 || v > bv)) {
      best = i;
      bv = v;
    }
  }
  return best;
}

/** `C(n, k)` as a float (exact for the sizes used here). */
export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = r * (n - k + i) / i;
  return Math.round(r);
}

/**
 * Chan's parallel merge of two `(n, mean, M2)` summaries. Returns `[n, mean, M2]`.
 * Use it to combine the same block computed in pieces (e.g. by shards over time).
 */
export function chanMerge(
  na: number,
  ma: number,
  m2a: number,
  nb: number,
  mb: number,
  m2b: number,
): [number, number, number] {
  const n = na + nb;
  if (n === 0) return [0, 0, 0];
  const d = mb - ma;
  return [n, ma + d * nb / n, m2a + m2b + d * d * na * nb / n];
}

/**
 * Merges the blocks listed in `chosen` (ascending) for every config into `score`, scored by
 * `metric`. Two passes over the blocks: the grand mean, then `sum(M2_b + n_b (mean_b - mean)^2)`
 * (deviations from the grand mean: stable, no raw power sums).
 */
function scoreHalf(
  cols: BlockColumns,
  chosen: Int32Array,
  metric: CscvMetric,
  cnt: Float64Array,
  sum: Float64Array,
  score: Float64Array,
): void {
  const nCfg = cols.configs;
  const { n, mean, m2 } = cols;
  cnt.fill(0);
  sum.fill(0);
  for (let j = 0; j < chosen.length; j++) {
    const o = chosen[j]! * nCfg;
    for (let c = 0; c < nCfg; c++) {
      const k = n[o + c]!;
      cnt[c] = cnt[c]! + k;
      sum[c] = sum[c]! + k * mean[o + c]!;
    }
  }
  if (metric === "sum") {
    score.set(sum);
    return;
  }
  // score holds the grand mean, then M2 is accumulated in sum.
  for (let c = 0; c < nCfg; c++) {
    score[c] = cnt[c]! > 0 ? sum[c]! / cnt[c]! : NaN;
    sum[c] = 0;
  }
  for (let j = 0; j < chosen.length; j++) {
    const o = chosen[j]! * nCfg;
    for (let c = 0; c < nCfg; c++) {
      const d = mean[o + c]! - score[c]!;
      sum[c] = sum[c]! + m2[o + c]! + n[o + c]! * d * d;
    }
  }
  for (let c = 0; c < nCfg; c++) {
    const k = cnt[c]!, mu = score[c]!;
    if (!(k >= 2)) {
      score[c] = NaN;
      continue;
    }
    const v = sum[c]! / (k - 1);
    // A flat half (no risk taken) scores 0, not NaN: it neither won nor lost.
    score[c] = v > 0
      ? mu / Math.sqrt(v)
      : mu > 0
      ? Infinity
      : mu < 0
      ? -Infinity
      : 0;
  }
}

/** OOS rank of value x among `values` (1-based, average rank on ties), NaNs ignored. */
function averageRank(values: Float64Array, x: number): [number, number] {
  let less = 0, equal = 0, valid = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    valid++;
    if (v < x) less++;
    else if (v === x) equal++;
  }
  return [less + (equal - 1) / 2 + 1, valid];
}

/**
 * Runs CSCV over every balanced split of the S blocks: each subset containing block 0 (in
 * lexicographic order) gives the split `subset -> complement` then `complement -> subset`.
 *
 * @throws RangeError when S is odd or < 2, or N < 1
 */
export function cscv(
  cols: BlockColumns | readonly BlockColumns[],
  options: CscvOptions = {},
): CscvResult {
  // Several column sets (one per symbol, same configs and blocks): a half's score is the mean
  // of the finite per-set scores, as the aggregate ranking averages over symbols.
  const sets: readonly BlockColumns[] = "blocks" in cols ? [cols] : cols;
  const first = sets[0];
  if (first === undefined) throw new RangeError("Cannot run CSCV: no data");
  const s = first.blocks, nCfg = first.configs;
  for (const c of sets) {
    if (c.blocks !== s || c.configs !== nCfg) {
      throw new RangeError("Cannot run CSCV: column sets differ in shape");
    }
  }
  if (s < 2 || s % 2 !== 0) {
    throw new RangeError(`Cannot run CSCV: S must be even and >= 2, got ${s}`);
  }
  if (nCfg < 1) throw new RangeError("Cannot run CSCV: no configs");
  const metric = options.metric ?? "sharpe";
  const select = options.select ?? argmaxFirst;
  const half = s / 2;
  const splits = binomial(s, half);
  const logits = new Float64Array(splits);
  const isScore = new Float64Array(splits);
  const oosScore = new Float64Array(splits);
  const chosen = new Int32Array(splits);
  const cnt = new Float64Array(nCfg), sum = new Float64Array(nCfg);
  const a = new Float64Array(nCfg), b = new Float64Array(nCfg);
  const part = new Float64Array(nCfg), used = new Float64Array(nCfg);
  const score = (chosenBlocks: Int32Array, into: Float64Array) => {
    if (sets.length === 1) {
      scoreHalf(first, chosenBlocks, metric, cnt, sum, into);
      return;
    }
    into.fill(0);
    used.fill(0);
    for (const set of sets) {
      scoreHalf(set, chosenBlocks, metric, cnt, sum, part);
      for (let c = 0; c < nCfg; c++) {
        const v = part[c]!;
        if (Number.isFinite(v)) {
          into[c] = into[c]! + v;
          used[c] = used[c]! + 1;
        }
      }
    }
    for (let c = 0; c < nCfg; c++) {
      into[c] = used[c]! > 0 ? into[c]! / used[c]! : NaN;
    }
  };
  const subset = new Int32Array(half), rest = new Int32Array(half);
  // First subset {0, 1, ..., half-1}.
  for (let i = 0; i < half; i++) subset[i] = i;
  let k = 0;
  const record = (isv: Float64Array, oos: Float64Array) => {
    const star = select(isv);
    chosen[k] = star;
    if (star < 0) {
      logits[k] = NaN;
      isScore[k] = NaN;
      oosScore[k] = NaN;
    } else {
      const x = oos[star]!;
      isScore[k] = isv[star]!;
      oosScore[k] = x;
      if (x !== x) logits[k] = NaN;
      else {
        const [rank, valid] = averageRank(oos, x);
        const w = rank / (valid + 1);
        logits[k] = Math.log(w / (1 - w));
      }
    }
    k++;
  };
  while (true) {
    let r = 0;
    for (let blk = 0, j = 0; blk < s; blk++) {
      if (j < half && subset[j] === blk) j++;
      else rest[r++] = blk;
    }
    score(subset, a);
    score(rest, b);
    record(a, b);
    record(b, a);
    // Next subset containing 0: advance positions 1..half-1 lexicographically.
    let i = half - 1;
    while (i >= 1 && subset[i] === s - half + i) i--;
    if (i < 1) break;
    subset[i] = subset[i]! + 1;
    for (let j = i + 1; j < half; j++) subset[j] = subset[j - 1]! + 1;
  }
  return summarise(logits, isScore, oosScore, chosen, options.bins ?? 20);
}

function summarise(
  logits: Float64Array,
  isScore: Float64Array,
  oosScore: Float64Array,
  chosen: Int32Array,
  bins: number,
): CscvResult {
  const splits = logits.length;
  let over = 0, valid = 0, loss = 0;
  for (let i = 0; i < splits; i++) {
    const l = logits[i]!;
    if (l !== l) continue;
    valid++;
    if (l <= 0) over++;
    if (oosScore[i]! < 0) loss++;
  }
  // OLS of OOS on IS over the splits where both are finite.
  let sx = 0, sy = 0, m = 0;
  for (let i = 0; i < splits; i++) {
    const x = isScore[i]!, y = oosScore[i]!;
    if (Number.isFinite(x) && Number.isFinite(y)) {
      sx += x;
      sy += y;
      m++;
    }
  }
  let slope = NaN, intercept = NaN, r2 = NaN;
  if (m >= 2) {
    const mx = sx / m, my = sy / m;
    let sxx = 0, sxy = 0, syy = 0;
    for (let i = 0; i < splits; i++) {
      const x = isScore[i]!, y = oosScore[i]!;
      if (Number.isFinite(x) && Number.isFinite(y)) {
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
        syy += (y - my) * (y - my);
      }
    }
    if (sxx > 0) {
      slope = sxy / sxx;
      intercept = my - slope * mx;
      r2 = syy > 0 ? sxy * sxy / (sxx * syy) : NaN;
    }
  }
  let lo = Infinity, hi = -Infinity;
  for (const l of logits) {
    if (l === l) {
      if (l < lo) lo = l;
      if (l > hi) hi = l;
    }
  }
  const edges: number[] = [];
  const counts = new Array<number>(bins).fill(0);
  if (lo <= hi) {
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    const width = (hi - lo) / bins;
    for (let i = 0; i <= bins; i++) edges.push(lo + i * width);
    for (const l of logits) {
      if (l !== l) continue;
      const j = Math.min(bins - 1, Math.floor((l - lo) / width));
      counts[j] = counts[j]! + 1;
    }
  }
  return {
    splits,
    pbo: valid > 0 ? over / valid : NaN,
    logits,
    isScore,
    oosScore,
    chosen,
    degradation: { slope, intercept, r2 },
    probLoss: valid > 0 ? loss / valid : NaN,
    histogram: { edges, counts },
  };
}
