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
 * A column set prepared for fast half scores: per config its overall mean `mu`, and per block
 * the sums shifted by it, `s1 = n (mean - mu)` and `s2 = M2 + n (mean - mu)^2` (sums of
 * `r - mu` and `(r - mu)^2`). Shifting by the config's own mean keeps the power sums free of
 * cancellation, so a half is a sum of block terms and its complement is the total minus it.
 */
interface Prepared {
  readonly mu: Float64Array;
  readonly n: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  readonly tn: Float64Array;
  readonly ts1: Float64Array;
  readonly ts2: Float64Array;
}

function prepare(cols: BlockColumns): Prepared {
  const nCfg = cols.configs, nb = cols.blocks;
  const mu = new Float64Array(nCfg), tn = new Float64Array(nCfg);
  for (let b = 0; b < nb; b++) {
    for (let c = 0; c < nCfg; c++) {
      const k = cols.n[b * nCfg + c]!;
      tn[c] = tn[c]! + k;
      mu[c] = mu[c]! + k * cols.mean[b * nCfg + c]!;
    }
  }
  for (let c = 0; c < nCfg; c++) mu[c] = tn[c]! > 0 ? mu[c]! / tn[c]! : 0;
  const s1 = new Float64Array(nb * nCfg), s2 = new Float64Array(nb * nCfg);
  const ts1 = new Float64Array(nCfg), ts2 = new Float64Array(nCfg);
  for (let b = 0; b < nb; b++) {
    for (let c = 0; c < nCfg; c++) {
      const o = b * nCfg + c;
      const k = cols.n[o]!;
      const d = k > 0 ? cols.mean[o]! - mu[c]! : 0;
      s1[o] = k * d;
      s2[o] = (k > 0 ? cols.m2[o]! : 0) + k * d * d;
      ts1[c] = ts1[c]! + s1[o]!;
      ts2[c] = ts2[c]! + s2[o]!;
    }
  }
  return { mu, n: cols.n, s1, s2, tn, ts1, ts2 };
}

/** The score of a half from its shifted sums. */
function halfScore(
  metric: CscvMetric,
  mu: number,
  k: number,
  s1: number,
  s2: number,
): number {
  if (metric === "sum") return k * mu + s1;
  if (!(k >= 2)) return NaN;
  const d = s1 / k;
  const v = (s2 - s1 * d) / (k - 1);
  const m = mu + d;
  // A flat half (no risk taken) scores 0, not NaN: it neither won nor lost.
  return v > 0 ? m / Math.sqrt(v) : m > 0 ? Infinity : m < 0 ? -Infinity : 0;
}

/**
 * Scores the half made of the blocks in `chosen` into `a` and its complement into `b` for
 * every config. `levels[i]` (3 * configs: n, s1, s2) holds the sums over `chosen[0..i]`;
 * only levels from `from` on are recomputed (lexicographic successors share a prefix), and
 * each level is always its parent plus one block, so the sums do not depend on the path.
 */
function scorePair(
  p: Prepared,
  chosen: Int32Array,
  from: number,
  metric: CscvMetric,
  levels: Float64Array[],
  a: Float64Array,
  b: Float64Array,
): void {
  const nCfg = p.mu.length;
  const { n, s1, s2 } = p;
  for (let i = from; i < chosen.length; i++) {
    const lv = levels[i]!, o = chosen[i]! * nCfg;
    if (i === 0) {
      lv.set(n.subarray(o, o + nCfg), 0);
      lv.set(s1.subarray(o, o + nCfg), nCfg);
      lv.set(s2.subarray(o, o + nCfg), 2 * nCfg);
      continue;
    }
    const up = levels[i - 1]!;
    for (let c = 0; c < nCfg; c++) {
      lv[c] = up[c]! + n[o + c]!;
      lv[nCfg + c] = up[nCfg + c]! + s1[o + c]!;
      lv[2 * nCfg + c] = up[2 * nCfg + c]! + s2[o + c]!;
    }
  }
  const top = levels[chosen.length - 1]!;
  const { mu, tn, ts1, ts2 } = p;
  for (let c = 0; c < nCfg; c++) {
    const k = top[c]!, x1 = top[nCfg + c]!, x2 = top[2 * nCfg + c]!;
    a[c] = halfScore(metric, mu[c]!, k, x1, x2);
    b[c] = halfScore(metric, mu[c]!, tn[c]! - k, ts1[c]! - x1, ts2[c]! - x2);
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
  const prepared = sets.map(prepare);
  const levels = prepared.map(() =>
    Array.from({ length: half }, () => new Float64Array(3 * nCfg))
  );
  let from = 0;
  const a = new Float64Array(nCfg), b = new Float64Array(nCfg);
  const pa = new Float64Array(nCfg), pb = new Float64Array(nCfg);
  const ua = new Float64Array(nCfg), ub = new Float64Array(nCfg);
  const score = (chosenBlocks: Int32Array) => {
    if (prepared.length === 1) {
      scorePair(prepared[0]!, chosenBlocks, from, metric, levels[0]!, a, b);
      return;
    }
    a.fill(0);
    b.fill(0);
    ua.fill(0);
    ub.fill(0);
    for (let q = 0; q < prepared.length; q++) {
      scorePair(prepared[q]!, chosenBlocks, from, metric, levels[q]!, pa, pb);
      for (let c = 0; c < nCfg; c++) {
        const x = pa[c]!, y = pb[c]!;
        if (Number.isFinite(x)) {
          a[c] = a[c]! + x;
          ua[c] = ua[c]! + 1;
        }
        if (Number.isFinite(y)) {
          b[c] = b[c]! + y;
          ub[c] = ub[c]! + 1;
        }
      }
    }
    for (let c = 0; c < nCfg; c++) {
      a[c] = ua[c]! > 0 ? a[c]! / ua[c]! : NaN;
      b[c] = ub[c]! > 0 ? b[c]! / ub[c]! : NaN;
    }
  };
  const subset = new Int32Array(half);
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
    score(subset);
    record(a, b);
    record(b, a);
    // Next subset containing 0: advance positions 1..half-1 lexicographically.
    let i = half - 1;
    while (i >= 1 && subset[i] === s - half + i) i--;
    if (i < 1) break;
    subset[i] = subset[i]! + 1;
    for (let j = i + 1; j < half; j++) subset[j] = subset[j - 1]! + 1;
    from = i;
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
