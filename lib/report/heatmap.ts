/**
 * Parameter heatmaps: a metric over two parameters with every other parameter held at the
 * best config's values, so a plateau (good neighbours) or a lonely spike is visible. Pure.
 *
 * @module
 */
import type { RankedTable } from "./report_data.ts";

/** One heatmap: `values[metric][yi * xs.length + xi]`, null where no config was ranked. */
export interface HeatmapCells {
  /** Parameter on the x axis. */
  readonly x: string;
  /** Parameter on the y axis. */
  readonly y: string;
  /** X axis values, ascending (NaN = "off" first). */
  readonly xs: readonly number[];
  /** Y axis values, ascending (NaN = "off" first). */
  readonly ys: readonly number[];
  /** Per metric name: the cells, row-major by y. */
  readonly values: Readonly<Record<string, readonly (number | null)[]>>;
  /** Cell of the best config: x index. */
  readonly bestX: number;
  /** Cell of the best config: y index. */
  readonly bestY: number;
}

/** Options of {@linkcode buildHeatmaps}. */
export interface HeatmapOptions {
  /** Metrics to embed. @default the table's first metric */
  readonly metrics?: readonly string[];
  /** Most parameter pairs to show. @default 8 */
  readonly maxPairs?: number;
}

/** Pairs shown first when both parameters vary. */
export const PREFERRED_PAIRS: readonly (readonly [string, string])[] = [
  ["k", "n"],
  ["T", "V"],
  ["sl_stop", "tp_stop"],
  ["max_spread_bps", "max_funding_bps"],
  ["sl_stop", "sl_trail"],
];

function same(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

function byValue(a: number, b: number): number {
  const an = a !== a, bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? -1 : 1;
  return a - b;
}

function indexOfValue(list: readonly number[], v: number): number {
  for (let i = 0; i < list.length; i++) if (same(list[i]!, v)) return i;
  return -1;
}

/**
 * Builds the heatmaps of one symbol's rows around its best row.
 *
 * @param table the ranked table
 * @param rows the row indices of one symbol (any order)
 * @param best the row of the best config (holds the other parameters fixed)
 * @param options metrics and the number of pairs
 * @returns one heatmap per pair of varying parameters, preferred pairs first
 */
export function buildHeatmaps(
  table: RankedTable,
  rows: Int32Array,
  best: number,
  options: HeatmapOptions = {},
): HeatmapCells[] {
  const np = table.paramNames.length, nm = table.metricNames.length;
  const metrics = (options.metrics ?? table.metricNames.slice(0, 1))
    .filter((m) => table.metricNames.includes(m));
  const metricIdx = metrics.map((m) => table.metricNames.indexOf(m));
  const maxPairs = options.maxPairs ?? 8;
  // distinct values per parameter
  const distinct: number[][] = [];
  for (let p = 0; p < np; p++) {
    const seen: number[] = [];
    for (const r of rows) {
      const v = table.params[r * np + p]!;
      if (indexOfValue(seen, v) < 0) seen.push(v);
    }
    distinct.push(seen.sort(byValue));
  }
  const varying: number[] = [];
  for (let p = 0; p < np; p++) if (distinct[p]!.length > 1) varying.push(p);
  const pairs: [number, number][] = [];
  const has = (a: number, b: number) =>
    pairs.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  for (const [a, b] of PREFERRED_PAIRS) {
    const pa = table.paramNames.indexOf(a), pb = table.paramNames.indexOf(b);
    if (varying.includes(pa) && varying.includes(pb)) pairs.push([pa, pb]);
  }
  for (let i = 0; i < varying.length; i++) {
    for (let j = i + 1; j < varying.length; j++) {
      if (!has(varying[i]!, varying[j]!)) {
        pairs.push([varying[i]!, varying[j]!]);
      }
    }
  }
  pairs.length = Math.min(pairs.length, maxPairs);
  const cells = pairs.map(([px, py]) => {
    const xs = distinct[px]!, ys = distinct[py]!;
    const values: Record<string, (number | null)[]> = {};
    for (const m of metrics) {
      values[m] = new Array(xs.length * ys.length).fill(null);
    }
    return {
      px,
      py,
      xs,
      ys,
      values,
      bestX: indexOfValue(xs, table.params[best * np + px]!),
      bestY: indexOfValue(ys, table.params[best * np + py]!),
    };
  });
  // one pass: a row joins the pairs that cover every parameter where it differs from best
  const diff = [0, 0, 0];
  for (const r of rows) {
    let nd = 0;
    for (let p = 0; p < np && nd < 3; p++) {
      if (!same(table.params[r * np + p]!, table.params[best * np + p]!)) {
        diff[nd++] = p;
      }
    }
    if (nd > 2) continue;
    for (const c of cells) {
      if (nd >= 1 && diff[0] !== c.px && diff[0] !== c.py) continue;
      if (nd === 2 && diff[1] !== c.px && diff[1] !== c.py) continue;
      const xi = indexOfValue(c.xs, table.params[r * np + c.px]!);
      const yi = indexOfValue(c.ys, table.params[r * np + c.py]!);
      for (let k = 0; k < metrics.length; k++) {
        const v = table.metrics[r * nm + metricIdx[k]!]!;
        c.values[metrics[k]!]![yi * c.xs.length + xi] = Number.isFinite(v)
          ? v
          : null;
      }
    }
  }
  return cells.map((c) => ({
    x: table.paramNames[c.px]!,
    y: table.paramNames[c.py]!,
    xs: c.xs,
    ys: c.ys,
    values: c.values,
    bestX: c.bestX,
    bestY: c.bestY,
  }));
}
