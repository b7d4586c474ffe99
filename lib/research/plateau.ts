/**
 * Plateau scores on a parameter grid: each config's metric averaged over the valid configs
 * of the closed box of radius r around it in index space (per smoothed axis, the configs at
 * most r levels away; every other axis held equal), so the best point of a flat region beats
 * a lonely spike. Separable box sums on the dense grid: O(axes x cells). Pure.
 * Reference: `shared/research-validation.md` §4.
 *
 * @module
 */

/** The grid's shape: per axis, each config's level and whether the axis is smoothed. */
export interface PlateauGrid {
  /** Number of configs. */
  readonly configs: number;
  /**
   * Per axis, per config its level index: 0..L-1 for the axis's sorted numeric levels, or a
   * negative number for a categorical level never smoothed across (e.g. "stop off").
   */
  readonly levels: readonly Int32Array[];
  /** Per axis, the number of numeric levels L. */
  readonly sizes: readonly number[];
  /** Per axis, whether it is smoothed. */
  readonly smoothed: readonly boolean[];
}

/** Scores of {@linkcode plateauScores}. */
export interface Plateau {
  /** Mean of the valid metrics in the box; NaN if the config is invalid or coverage is low. */
  readonly score: Float64Array;
  /** Valid configs in the box. */
  readonly valid: Float64Array;
  /** Valid share of the configs in the box. */
  readonly coverage: Float64Array;
}

/**
 * Builds the {@linkcode PlateauGrid} of configs given per axis the value of every config:
 * numeric levels are the sorted distinct finite values, NaN is categorical; axes are smoothed
 * when `smooth[a]` and they have at least 3 numeric levels.
 */
export function plateauGrid(
  values: readonly Float64Array[],
  smooth: readonly boolean[],
): PlateauGrid {
  const configs = values[0]?.length ?? 0;
  const levels: Int32Array[] = [], sizes: number[] = [];
  const smoothed: boolean[] = [];
  values.forEach((v, a) => {
    const distinct = [...new Set(Array.from(v).filter((x) => x === x))]
      .sort((x, y) => x - y);
    const index = new Map(distinct.map((x, i) => [x, i]));
    levels.push(Int32Array.from(v, (x) => x === x ? index.get(x)! : -1));
    sizes.push(distinct.length);
    smoothed.push(smooth[a]! && distinct.length >= 3);
  });
  return { configs, levels, sizes, smoothed };
}

/**
 * Plateau scores of `metric` (NaN = invalid: not eligible or not finite) with box radius `r`;
 * a score needs the config itself valid and coverage >= `minCoverage`.
 */
export function plateauScores(
  grid: PlateauGrid,
  metric: Float64Array,
  r = 1,
  minCoverage = 0.5,
): Plateau {
  const axes = grid.levels.length, count = grid.configs;
  // Dense layout: axis a has sizes[a] numeric levels plus one slot per categorical level
  // (slot index = sizes[a] + (-level - 1)).
  const dims: number[] = [];
  for (let a = 0; a < axes; a++) {
    let extra = 0;
    for (const l of grid.levels[a]!) if (l < 0) extra = Math.max(extra, -l);
    dims.push(grid.sizes[a]! + extra);
  }
  const strides: number[] = new Array(axes).fill(1);
  for (let a = axes - 2; a >= 0; a--) {
    strides[a] = strides[a + 1]! * dims[a + 1]!;
  }
  const cells = axes === 0 ? 1 : strides[0]! * dims[0]!;
  const cellOf = new Int32Array(count);
  let sum = new Float64Array(cells),
    val = new Float64Array(cells),
    pres = new Float64Array(cells);
  for (let c = 0; c < count; c++) {
    let at = 0;
    for (let a = 0; a < axes; a++) {
      const l = grid.levels[a]![c]!;
      at += (l >= 0 ? l : grid.sizes[a]! - l - 1) * strides[a]!;
    }
    cellOf[c] = at;
    pres[at] = 1;
    const m = metric[c]!;
    if (Number.isFinite(m)) {
      sum[at] = m;
      val[at] = 1;
    }
  }
  for (let a = 0; a < axes; a++) {
    if (!grid.smoothed[a]) continue;
    const size = grid.sizes[a]!, stride = strides[a]!, dim = dims[a]!;
    const ns = new Float64Array(cells),
      nv = new Float64Array(cells),
      np = new Float64Array(cells);
    for (let at = 0; at < cells; at++) {
      const i = Math.floor(at / stride) % dim;
      if (i >= size) {
        // Categorical level: itself only.
        ns[at] = sum[at]!;
        nv[at] = val[at]!;
        np[at] = pres[at]!;
        continue;
      }
      const lo = Math.max(0, i - r), hi = Math.min(size - 1, i + r);
      let s = 0, v = 0, p = 0;
      for (let j = lo; j <= hi; j++) {
        const o = at + (j - i) * stride;
        s += sum[o]!;
        v += val[o]!;
        p += pres[o]!;
      }
      ns[at] = s;
      nv[at] = v;
      np[at] = p;
    }
    sum = ns;
    val = nv;
    pres = np;
  }
  const score = new Float64Array(count),
    valid = new Float64Array(count),
    coverage = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    const at = cellOf[c]!;
    valid[c] = val[at]!;
    coverage[c] = pres[at]! > 0 ? val[at]! / pres[at]! : 0;
    score[c] = Number.isFinite(metric[c]!) && coverage[c]! >= minCoverage
      ? sum[at]! / val[at]!
      : NaN;
  }
  return { score, valid, coverage };
}

/** Whether any axis of the grid is smoothed (a plateau needs neighbours). */
export function hasNeighbours(grid: PlateauGrid): boolean {
  return grid.smoothed.some((s) => s);
}
