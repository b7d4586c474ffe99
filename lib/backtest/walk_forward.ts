/**
 * Walk-forward optimisation: per window, run the whole grid on the in-sample bars, choose
 * with the same rule as the plain ranking, run the chosen config on the out-of-sample bars,
 * and stitch the OOS segments. Features come from the one table over all data (bars before
 * a split are legitimate past data that warm the rolling windows; nothing is recomputed on a
 * slice); every symbol is split at the same timestamps; each OOS segment starts flat with
 * the running capital (all-in sizing makes returns scale-free, so the stitched curve is
 * `init_cash * prod(1 + r)`); a position open at a segment's end is marked to its last
 * close (vectorbt's "open at end", no exit fee).
 *
 * @module
 */
import {
  N_MOMENTS,
  type PlateauGrid,
  psr,
  returnMoments,
  type WalkForwardWindow,
} from "../research/mod.ts";
import type { FeatureTable, SymbolFeatures } from "./feature_table.ts";
import {
  type ConfigTable,
  GRID_PARAMS,
  N_PARAMS,
  signalKeyOf,
  simParamsOf,
} from "./grid.ts";
import { type GridPool, type GridResult, runGrid } from "./grid_runner.ts";
import {
  M,
  metricIndex,
  type MetricLayout,
  type MetricName,
  N_METRICS,
  VBT_LAYOUT,
} from "./metrics.ts";
import { type RankRule, rankWithRule } from "./plateau_rank.ts";
import { aggregateMetrics, symbolRows } from "./rank.ts";
import { buildSignals } from "./signals.ts";
import { ANN_FACTOR, simulate } from "./simulate.ts";

const INIT_CASH = GRID_PARAMS.indexOf("init_cash");

/** Options of {@linkcode runWalkForward}. */
export interface WalkForwardOptions {
  /** The windows (see `planWindows`). */
  readonly windows: readonly WalkForwardWindow[];
  /** Ranking metric. */
  readonly rankBy: MetricName;
  /** Minimum in-sample trades of a candidate, per IS window. */
  readonly minTrades: number;
  /** Selection rule. */
  readonly rule: RankRule;
  /** The grid's plateau shape. */
  readonly grid: PlateauGrid;
  /** Spread/funding/opening-loss blockers. */
  readonly blockers: boolean;
  /** Worker threads for the IS grids. */
  readonly workers?: number;
  /** Workers already started for the IS grids (see `GridPool`). */
  readonly pool?: GridPool;
  /** Progress over all IS grids (bar-configs done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Where window k's in-sample grid result comes from (only its metric rows are read).
   * @default running the grid on `isTable` (a merge of shards supplies theirs instead)
   */
  readonly isGrid?: (k: number, isTable: FeatureTable) => Promise<GridResult>;
}

/** One window of one symbol. */
export interface WalkForwardRow {
  /** Window number. */
  readonly window: number;
  /** The window. */
  readonly span: WalkForwardWindow;
  /** Chosen config (-1: none eligible, the OOS stays flat). */
  readonly config: number;
  /** IS bars and OOS bars. */
  readonly isBars: number;
  /** OOS bars. */
  readonly oosBars: number;
  /** IS value of the ranking metric, Sharpe, total return and trades of the choice. */
  readonly isMetric: number;
  /** IS Sharpe. */
  readonly isSharpe: number;
  /** IS total return. */
  readonly isReturn: number;
  /** IS trades. */
  readonly isTrades: number;
  /** OOS Sharpe. */
  readonly oosSharpe: number;
  /** OOS total return. */
  readonly oosReturn: number;
  /** OOS trades. */
  readonly oosTrades: number;
}

/** A symbol's walk-forward result. */
export interface WalkForwardSymbol {
  /** Symbol. */
  readonly symbol: string;
  /** Per window. */
  readonly rows: readonly WalkForwardRow[];
  /** Stitched OOS bars: times. */
  readonly ts: Float64Array;
  /**
   * Stitched OOS value, starting from the first chosen config's capital base (the vectorbt
   * model's init cash, compounding; the bot model's order notional, additive).
   */
  readonly value: Float64Array;
  /** Metrics of the stitched OOS curve. */
  readonly stitched: {
    readonly sharpe: number;
    readonly totalReturn: number;
    readonly maxDrawdown: number;
    /** PSR against 0 (no grid deflation: the curve is out of sample for the choice). */
    readonly psr: number;
    readonly trades: number;
    readonly bars: number;
  };
  /**
   * Walk-forward efficiency: OOS per-bar mean return over IS per-bar mean return of the chosen
   * configs (NaN when the in-sample return is not positive).
   */
  readonly wfe: number;
  /** Share of windows whose OOS return is > 0. */
  readonly profitableShare: number;
  /** Per grid parameter: windows whose choice differs from the previous window's. */
  readonly drift: Record<string, number>;
  /** Distinct configs chosen. */
  readonly distinct: number;
}

function lowerBound(ts: Float64Array, x: number): number {
  let lo = 0, hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The bars of `f` in `[startMs, endMs)` as views (no copy; features untouched). */
export function sliceSymbol(
  f: SymbolFeatures,
  startMs: number,
  endMs: number,
): SymbolFeatures {
  const a = lowerBound(f.ts, startMs), b = lowerBound(f.ts, endMs);
  const cut = (x: Float64Array) => x.subarray(a, b);
  const cutMap = (m: ReadonlyMap<number, Float64Array>) =>
    new Map([...m].map(([k, v]) => [k, cut(v)]));
  return {
    ...f,
    bars: b - a,
    ts: cut(f.ts),
    open: cut(f.open),
    high: cut(f.high),
    low: cut(f.low),
    close: cut(f.close),
    vol: cut(f.vol),
    ret: cut(f.ret),
    spread: cut(f.spread),
    funding: cut(f.funding),
    openLossLong: cut(f.openLossLong),
    openLossShort: cut(f.openLossShort),
    mark: cut(f.mark),
    rsVol: cutMap(f.rsVol),
    avgVol: cutMap(f.avgVol),
  };
}

/** The table restricted to `[startMs, endMs)` on every symbol. */
export function sliceTable(
  table: FeatureTable,
  startMs: number,
  endMs: number,
): FeatureTable {
  return {
    ...table,
    symbols: table.symbols.map((f) => sliceSymbol(f, startMs, endMs)),
  };
}

/** What the walk-forward needs of a model (the vectorbt model's: {@linkcode runWalkForward}). */
export interface WalkForwardEngine {
  /** The model's row layout. */
  readonly layout: MetricLayout;
  /** The ranking metric's index in a row. */
  readonly metric: number;
  /** Grid parameter names, in config-table order (parameter drift). */
  readonly params: readonly string[];
  /**
   * Window k's in-sample grid over `isTable`: per-symbol metric rows, and with several
   * symbols the aggregate ranking's rows (none: no "ALL" walk-forward).
   */
  isGrid(
    k: number,
    isTable: FeatureTable,
  ): Promise<
    { rows: Float64Array[]; aggregate?: Float64Array; barConfigs: number }
  >;
  /** Config c's in-sample total return, from its row (for the WFE). */
  isReturn(rows: Float64Array, c: number): number;
  /**
   * Config c (-1: none, flat) on symbol s's bars in `[startMs, endMs)`, starting flat:
   * the bar times, per-bar returns, Sharpe, total return and trades.
   */
  oos(s: number, c: number, startMs: number, endMs: number): OosRun;
  /**
   * How the stitched curve grows from {@linkcode base}: compounding `base * prod(1 + r)`
   * (all-in sizing) or additive `base * (1 + sum r)` (a fixed notional).
   */
  readonly compound: boolean;
  /** The capital base of config c (the stitched curve starts at the first choice's). */
  base(c: number): number;
}

/** One out-of-sample run (see {@linkcode WalkForwardEngine.oos}). */
export interface OosRun {
  readonly ts: Float64Array;
  readonly rets: Float64Array;
  readonly sharpe: number;
  readonly ret: number;
  readonly trades: number;
}

/**
 * Runs the walk-forward: per symbol of the table, and with several symbols also "ALL" (the
 * aggregate ranking's choice traded on every symbol; its curve is their equal-weight mix).
 */
export async function runWalkForward(
  table: FeatureTable,
  configs: ConfigTable,
  options: WalkForwardOptions,
): Promise<WalkForwardSymbol[]> {
  const { windows } = options;
  // Progress over every IS grid.
  const isTables = windows.map((w) => sliceTable(table, w.isStart, w.isEnd));
  const total = isTables.reduce(
    (a, t) => a + t.symbols.reduce((b, f) => b + f.bars, 0) * configs.count,
    0,
  );
  let before = 0;
  const engine: WalkForwardEngine = {
    layout: VBT_LAYOUT,
    metric: metricIndex(options.rankBy),
    params: GRID_PARAMS,
    isGrid: async (k, isTable) => {
      const res = options.isGrid !== undefined
        ? await options.isGrid(k, isTable)
        : await runGrid(isTable, configs, {
          blockers: options.blockers,
          ...(options.workers !== undefined
            ? { workers: options.workers }
            : {}),
          ...(options.pool !== undefined ? { pool: options.pool } : {}),
          onProgress: (d) => options.onProgress?.(before + d, total),
        });
      before += res.barConfigs;
      return {
        rows: table.symbols.map((_, s) => symbolRows(res, s)),
        ...(table.symbols.length > 1
          ? { aggregate: aggregateMetrics(res) }
          : {}),
        barConfigs: res.barConfigs,
      };
    },
    isReturn: (rows, c) => rows[c * N_METRICS + M.totalReturn]!,
    oos: (s, c, startMs, endMs) => {
      const oos = sliceSymbol(table.symbols[s]!, startMs, endMs);
      const rets = new Float64Array(oos.bars);
      if (c < 0) {
        return { ts: oos.ts, rets, sharpe: NaN, ret: 0, trades: 0 };
      }
      const signals = buildSignals(oos, signalKeyOf(configs, c), {
        blockers: options.blockers,
      });
      const row = simulate(
        {
          close: oos.close,
          open: oos.open,
          high: oos.high,
          low: oos.low,
          signals,
        },
        simParamsOf(configs, c),
        { scratch: rets },
      );
      return {
        ts: oos.ts,
        rets,
        sharpe: row[M.sharpe]!,
        ret: row[M.totalReturn]!,
        trades: row[M.nTrades]!,
      };
    },
    compound: true,
    base: (c) => configs.values[c * N_PARAMS + INIT_CASH]!,
  };
  return await walkForwardWith(table, configs, windows, engine, options);
}

/**
 * The walk-forward of any model: per window the engine's in-sample grid, the choice by the
 * rule (the plain ranking's), the choice on the out-of-sample bars, stitched.
 */
export async function walkForwardWith(
  table: FeatureTable,
  configs: ConfigTable,
  windows: readonly WalkForwardWindow[],
  engine: WalkForwardEngine,
  rule: {
    readonly minTrades: number;
    readonly rule: RankRule;
    readonly grid: PlateauGrid;
  },
): Promise<WalkForwardSymbol[]> {
  const nSym = table.symbols.length;
  const { layout, metric: m } = engine;
  const rows: WalkForwardRow[][] = table.symbols.map(() => []);
  const chosen: number[][] = table.symbols.map(() => []);
  const oosRets: Float64Array[][] = table.symbols.map(() => []);
  const oosTs: Float64Array[][] = table.symbols.map(() => []);
  // The aggregate ranking's walk-forward (several symbols).
  const allRows: WalkForwardRow[] = [], allChosen: number[] = [];
  const allRets: Float64Array[][] = table.symbols.map(() => []);
  const allTs: Float64Array[][] = table.symbols.map(() => []);
  let hasAll = false;
  for (let k = 0; k < windows.length; k++) {
    const w = windows[k]!;
    const isTable = sliceTable(table, w.isStart, w.isEnd);
    const res = await engine.isGrid(k, isTable);
    const choose = (isRows: Float64Array) => {
      const { order } = rankWithRule(isRows, {
        metric: m,
        layout,
        minTrades: rule.minTrades,
        rule: rule.rule,
        grid: rule.grid,
      });
      return order.length > 0 ? order[0]! : -1;
    };
    const rowOf = (
      c: number,
      isRows: Float64Array,
      isBars: number,
      oosBars: number,
      oosSharpe: number,
      oosReturn: number,
      oosTrades: number,
    ): WalkForwardRow => {
      const at = (i: number) => c >= 0 ? isRows[c * layout.stride + i]! : NaN;
      return {
        window: k,
        span: w,
        config: c,
        isBars,
        oosBars,
        isMetric: at(m),
        isSharpe: at(layout.sharpe),
        isReturn: c >= 0 ? engine.isReturn(isRows, c) : NaN,
        isTrades: at(layout.nTrades),
        oosSharpe,
        oosReturn,
        oosTrades,
      };
    };
    for (let s = 0; s < nSym; s++) {
      const isRows = res.rows[s]!;
      const c = choose(isRows);
      const o = engine.oos(s, c, w.isEnd, w.oosEnd);
      oosRets[s]!.push(o.rets);
      oosTs[s]!.push(o.ts);
      chosen[s]!.push(c);
      rows[s]!.push(rowOf(
        c,
        isRows,
        isTable.symbols[s]!.bars,
        o.ts.length,
        o.sharpe,
        o.ret,
        o.trades,
      ));
    }
    if (nSym > 1 && res.aggregate !== undefined) {
      // The aggregate ranking's choice, traded on every symbol; its window metrics are the
      // means over symbols (trades summed), as the aggregate ranking.
      hasAll = true;
      const aggRows = res.aggregate;
      const c = choose(aggRows);
      let sh = 0, nsh = 0, ret = 0, trades = 0, oosBars = 0, isBars = 0;
      for (let s = 0; s < nSym; s++) {
        const o = engine.oos(s, c, w.isEnd, w.oosEnd);
        allRets[s]!.push(o.rets);
        allTs[s]!.push(o.ts);
        if (Number.isFinite(o.sharpe)) {
          sh += o.sharpe;
          nsh++;
        }
        ret += o.ret;
        trades += o.trades;
        oosBars = Math.max(oosBars, o.ts.length);
        isBars = Math.max(isBars, isTable.symbols[s]!.bars);
      }
      allChosen.push(c);
      allRows.push(rowOf(
        c,
        aggRows,
        isBars,
        oosBars,
        nsh > 0 ? sh / nsh : NaN,
        ret / nSym,
        trades,
      ));
    }
  }
  const out = table.symbols.map((f, s) =>
    summarise(
      f.symbol,
      rows[s]!,
      chosen[s]!,
      concat(oosRets[s]!),
      concat(oosTs[s]!),
      configs,
      engine,
    )
  );
  if (hasAll) {
    const { ts, rets } = equalWeight(
      allRets.map(concat),
      allTs.map(concat),
    );
    out.push(summarise("ALL", allRows, allChosen, rets, ts, configs, engine));
  }
  return out;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The equal-weight portfolio of per-symbol return series: on the union of their times, each
 * symbol's value (from 1) carried forward, averaged; returned as per-bar returns.
 */
export function equalWeight(
  rets: readonly Float64Array[],
  times: readonly Float64Array[],
): { ts: Float64Array; rets: Float64Array } {
  const all = new Set<number>();
  for (const t of times) for (const x of t) all.add(x);
  const ts = Float64Array.from([...all].sort((a, b) => a - b));
  const value = new Float64Array(ts.length);
  times.forEach((t, s) => {
    const r = rets[s]!;
    let j = 0, v = 1;
    for (let i = 0; i < ts.length; i++) {
      while (j < t.length && t[j]! <= ts[i]!) {
        const x = r[j++]!;
        if (Number.isFinite(x)) v *= 1 + x;
      }
      value[i] = value[i]! + v / times.length;
    }
  });
  const out = new Float64Array(ts.length);
  let prev = 1;
  for (let i = 0; i < ts.length; i++) {
    out[i] = value[i]! / prev - 1;
    prev = value[i]!;
  }
  return { ts, rets: out };
}

function summarise(
  symbol: string,
  rows: WalkForwardRow[],
  chosen: number[],
  all: Float64Array,
  ts: Float64Array,
  configs: ConfigTable,
  engine: WalkForwardEngine,
): WalkForwardSymbol {
  const bars = all.length;
  const first = chosen.find((c) => c >= 0);
  const init = first === undefined ? 100 : engine.base(first);
  const value = new Float64Array(bars);
  let v = init, peak = init, mdd = 0, sum = 0, cnt = 0;
  for (let i = 0; i < bars; i++) {
    const r = all[i]!;
    if (Number.isFinite(r)) {
      sum += r;
      cnt++;
      v = engine.compound ? v * (1 + r) : init * (1 + sum);
    }
    value[i] = v;
    if (v > peak) peak = v;
    const dd = v / peak - 1;
    if (dd < mdd) mdd = dd;
  }
  let sharpe = NaN;
  if (cnt >= 2) {
    const mean = sum / cnt;
    let ss = 0;
    for (const r of all) if (Number.isFinite(r)) ss += (r - mean) ** 2;
    const sd = Math.sqrt(ss / (cnt - 1));
    sharpe = sd === 0 ? NaN : mean / sd * Math.sqrt(ANN_FACTOR);
  }
  const mom = new Float64Array(N_MOMENTS);
  returnMoments(all, bars, mom, 0);
  let isRate = 0, isBars = 0, oosRate = 0, oosBars = 0, profitable = 0;
  let trades = 0;
  for (const r of rows) {
    if (r.config >= 0) {
      isRate += r.isReturn;
      isBars += r.isBars;
    }
    oosRate += r.oosReturn;
    oosBars += r.oosBars;
    if (r.oosReturn > 0) profitable++;
    trades += r.oosTrades;
  }
  const drift: Record<string, number> = {};
  engine.params.forEach((name, p) => {
    let changes = 0;
    for (let k = 1; k < chosen.length; k++) {
      const a = chosen[k - 1]!, b = chosen[k]!;
      if (a < 0 || b < 0) continue;
      if (
        !Object.is(
          configs.values[a * N_PARAMS + p],
          configs.values[b * N_PARAMS + p],
        )
      ) changes++;
    }
    drift[name] = changes;
  });
  return {
    symbol,
    rows,
    ts,
    value,
    stitched: {
      sharpe,
      totalReturn: value.length > 0 ? value[value.length - 1]! / init - 1 : NaN,
      maxDrawdown: mdd,
      psr: psr(
        sharpe / Math.sqrt(ANN_FACTOR),
        0,
        mom[0]!,
        mom[1]!,
        mom[2]!,
      ),
      trades,
      bars,
    },
    // Pardo's efficiency compares against a profitable in-sample: undefined otherwise.
    wfe: isBars > 0 && oosBars > 0 && isRate > 0
      ? (oosRate / oosBars) / (isRate / isBars)
      : NaN,
    profitableShare: rows.length > 0 ? profitable / rows.length : NaN,
    drift,
    distinct: new Set(chosen.filter((c) => c >= 0)).size,
  };
}
