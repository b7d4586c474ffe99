/**
 * Turns the {@linkcode ReportData} model into the JSON the HTML page embeds: the top rows of
 * each ranking, heatmap cells, and display copies of the curves (min/max downsampled, times in
 * seconds, values rounded to 7 significant digits). Pure.
 *
 * @module
 */
import { downsampleMinMax, drawdownCurve } from "./downsample.ts";
import { buildHeatmaps, type HeatmapCells } from "./heatmap.ts";
import { type OosPayload, oosPayload } from "./oos.ts";
import {
  AGGREGATE,
  type ConfigCurves,
  type ReportData,
  type RunSummary,
} from "./report_data.ts";

/**
 * A line for uPlot. Times are delta-encoded to keep the page small: point `i` is at
 * `t0 + dt[0] + ... + dt[i]` epoch seconds (`dt[0]` = 0).
 */
export interface LinePayload {
  /** Epoch seconds of the first point. */
  readonly t0: number;
  /** Seconds since the previous point (integers for whole-second bars). */
  readonly dt: readonly number[];
  /** Values (null = gap). */
  readonly v: readonly (number | null)[];
}

/** Trades of one curve as columns. */
export interface TradesPayload {
  /** Entry times, epoch seconds. */
  readonly entryT: readonly number[];
  /** Entry prices. */
  readonly entryP: readonly number[];
  /** Exit times, epoch seconds. */
  readonly exitT: readonly number[];
  /** Exit prices. */
  readonly exitP: readonly number[];
  /** 1 = long, -1 = short. */
  readonly dir: readonly number[];
  /** Exit reasons. */
  readonly reason: readonly string[];
  /** Trade returns (fraction). */
  readonly ret: readonly (number | null)[];
}

/** The embedded curves of one config on one symbol. */
export interface CurvePayload {
  /** Config id. */
  readonly config: number;
  /** Symbol. */
  readonly symbol: string;
  /** Portfolio value. */
  readonly equity: LinePayload;
  /** Drawdown (fraction, ≤ 0). */
  readonly drawdown: LinePayload;
  /** Trades (entry and exit markers). */
  readonly trades: TradesPayload;
  /** Number of trades left out by `maxTrades`. */
  readonly tradesOmitted: number;
}

/** One row of a ranking table. */
export interface TableRowPayload {
  /** Rank (1 = best). */
  readonly rank: number;
  /** Config id. */
  readonly config: number;
  /** Parameter values (null = off). */
  readonly params: readonly (number | null)[];
  /** Metric values (null = NaN). */
  readonly metrics: readonly (number | null)[];
  /** Flags (`few_trades;short_sample;non_finite_sharpe`), "" for none. */
  readonly flags: string;
}

/** A ranking: the aggregate over symbols or one symbol. */
export interface ViewPayload {
  /** {@linkcode AGGREGATE} or a symbol. */
  readonly symbol: string;
  /** Tab label. */
  readonly label: string;
  /** Rows ranked in this view (all of them, not only the embedded ones). */
  readonly rankedRows: number;
  /** The top rows. */
  readonly rows: readonly TableRowPayload[];
  /** Heatmaps around this view's best config. */
  readonly heatmaps: readonly HeatmapPayload[];
}

/** The run summary as embedded: NaN values become null. */
export type SummaryPayload =
  & Omit<RunSummary, "startMs" | "endMs" | "runtimeMs" | "gridSize" | "grid">
  & {
    readonly startMs: number | null;
    readonly endMs: number | null;
    readonly runtimeMs: number | null;
    readonly gridSize: number | null;
    readonly grid: Readonly<Record<string, readonly (number | null)[]>>;
  };

/** A heatmap as embedded: "off" (NaN) axis values become null. */
export type HeatmapPayload = Omit<HeatmapCells, "xs" | "ys"> & {
  readonly xs: readonly (number | null)[];
  readonly ys: readonly (number | null)[];
};

/** Everything the page embeds. */
export interface ReportPayload {
  /** Page title. */
  readonly title: string;
  /** When the report was built, epoch ms. */
  readonly generatedMs: number;
  /** Run summary. */
  readonly summary: SummaryPayload;
  /** Parameter names (table columns). */
  readonly paramNames: readonly string[];
  /** Metric names (table columns). */
  readonly metricNames: readonly string[];
  /** Metrics the heatmaps can show. */
  readonly heatmapMetrics: readonly string[];
  /** Rankings: aggregate first, then per symbol. */
  readonly views: readonly ViewPayload[];
  /** Curves of the top configs. */
  readonly curves: readonly CurvePayload[];
  /** Close prices per symbol. */
  readonly prices: Readonly<Record<string, LinePayload>>;
  /** The "Out of sample" section (null when the run wrote nothing for it). */
  readonly oos: OosPayload | null;
}

/** Options of {@linkcode buildReportPayload}. */
export interface PayloadOptions {
  /** Page title. @default "Backtest report" */
  readonly title?: string;
  /** Build time, epoch ms. @default 0 */
  readonly generatedMs?: number;
  /** Table rows per view. @default 100 */
  readonly tableRows?: number;
  /** Display buckets per curve (each keeps ≤ 2 points). @default 4000 */
  readonly buckets?: number;
  /** Most trades embedded per curve (the last ones are dropped). @default 20000 */
  readonly maxTrades?: number;
  /** Most heatmap pairs per view. @default 8 */
  readonly maxPairs?: number;
}

const HEATMAP_METRICS = [
  "total_return",
  "sharpe",
  "max_drawdown",
  "win_rate",
  "profit_factor",
  "n_trades",
];

/** Rounds to 7 significant digits; NaN and ±Infinity become null. */
export function roundValue(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  return v === 0 ? 0 : Number(v.toPrecision(7));
}

/** A value kept exactly (timestamps, counts); non-finite values become `null`. */
function exactValue(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function line(x: Float64Array, y: Float64Array, buckets: number): LinePayload {
  const d = downsampleMinMax(x, y, buckets);
  const t0 = d.x.length > 0 ? seconds(d.x[0]!) : 0;
  let prev = t0;
  return {
    t0,
    dt: Array.from(d.x, (ms) => {
      const s = seconds(ms), delta = Math.round((s - prev) * 1000) / 1000;
      prev = s;
      return delta;
    }),
    v: Array.from(d.y, roundValue),
  };
}

/** Decodes the times of a {@linkcode LinePayload} to epoch seconds. */
export function lineTimes(line: LinePayload): number[] {
  let t = line.t0;
  return line.dt.map((d) => (t = Math.round((t + d) * 1000) / 1000));
}

function curvePayload(
  c: ConfigCurves,
  buckets: number,
  maxTrades: number,
): CurvePayload {
  const trades = c.trades.slice(0, maxTrades);
  return {
    config: c.config,
    symbol: c.symbol,
    equity: line(c.ts, c.value, buckets),
    drawdown: line(c.ts, drawdownCurve(c.value), buckets),
    trades: {
      entryT: trades.map((t) => seconds(t.entryMs)),
      entryP: trades.map((t) => roundValue(t.entryPrice) ?? 0),
      exitT: trades.map((t) => seconds(t.exitMs)),
      exitP: trades.map((t) => roundValue(t.exitPrice) ?? 0),
      dir: trades.map((t) => t.direction === "short" ? -1 : 1),
      reason: trades.map((t) => t.reason),
      ret: trades.map((t) => roundValue(t.ret)),
    },
    tradesOmitted: c.trades.length - trades.length,
  };
}

function summaryPayload(s: RunSummary): SummaryPayload {
  const grid: Record<string, (number | null)[]> = {};
  for (const [k, v] of Object.entries(s.grid)) grid[k] = v.map(roundValue);
  return {
    ...s,
    // times and counts are exact: 7 significant digits would move a bar time by minutes
    startMs: exactValue(s.startMs),
    endMs: exactValue(s.endMs),
    runtimeMs: roundValue(s.runtimeMs),
    gridSize: exactValue(s.gridSize),
    grid,
  };
}

/**
 * Builds the embedded report data.
 *
 * @param data the loaded backtest outputs
 * @param options sizes and labels
 * @returns a JSON-serialisable payload
 */
export function buildReportPayload(
  data: ReportData,
  options: PayloadOptions = {},
): ReportPayload {
  const buckets = options.buckets ?? 4000;
  const tableRows = options.tableRows ?? 100;
  const maxTrades = options.maxTrades ?? 20000;
  const t = data.ranked;
  const np = t.paramNames.length, nm = t.metricNames.length;
  const heatmapMetrics = [data.summary.rankBy, ...HEATMAP_METRICS]
    .filter((m, i, all) => t.metricNames.includes(m) && all.indexOf(m) === i);
  // rows per symbol, ordered by rank
  const bySymbol: number[][] = t.symbolNames.map(() => []);
  for (let r = 0; r < t.rows; r++) bySymbol[t.symbol[r]!]!.push(r);
  const order = t.symbolNames
    .map((name, i) => ({ name, i }))
    .sort((a, b) => a.name === AGGREGATE ? -1 : b.name === AGGREGATE ? 1 : 0);
  const views: ViewPayload[] = [];
  for (const { name, i } of order) {
    const rows = bySymbol[i]!;
    if (rows.length === 0) continue;
    rows.sort((a, b) => (t.rank[a]! - t.rank[b]!) || a - b);
    const top = rows.slice(0, tableRows).map((r): TableRowPayload => ({
      rank: t.rank[r]!,
      config: t.config[r]!,
      params: Array.from(t.params.subarray(r * np, (r + 1) * np), roundValue),
      metrics: Array.from(
        t.metrics.subarray(r * nm, (r + 1) * nm),
        roundValue,
      ),
      flags: t.flags?.[r] ?? "",
    }));
    views.push({
      symbol: name,
      label: name === AGGREGATE ? "All symbols" : name,
      rankedRows: Math.max(rows.length, t.scopeRows[i] ?? 0),
      rows: top,
      heatmaps: buildHeatmaps(t, Int32Array.from(rows), rows[0]!, {
        metrics: heatmapMetrics,
        maxPairs: options.maxPairs ?? 8,
      }).map((h) => ({
        ...h,
        xs: h.xs.map(roundValue),
        ys: h.ys.map(roundValue),
      })),
    });
  }
  const prices: Record<string, LinePayload> = {};
  for (const [symbol, p] of data.prices) {
    if (data.curves.some((c) => c.symbol === symbol)) {
      prices[symbol] = line(p.ts, p.close, buckets);
    }
  }
  return {
    title: options.title ?? "Backtest report",
    generatedMs: options.generatedMs ?? 0,
    summary: summaryPayload(data.summary),
    paramNames: t.paramNames,
    metricNames: t.metricNames,
    heatmapMetrics,
    views,
    curves: data.curves.map((c) => curvePayload(c, buckets, maxTrades)),
    prices,
    oos: data.oos ? oosPayload(data.oos, winnerCurves(data), buckets) : null,
  };
}

/** Each symbol's rank-1 config's curve on that symbol (the in-sample winner), if loaded. */
function winnerCurves(data: ReportData): Map<string, ConfigCurves> {
  const t = data.ranked, out = new Map<string, ConfigCurves>();
  for (let r = 0; r < t.rows; r++) {
    if (t.rank[r] !== 1) continue;
    const symbol = t.symbolNames[t.symbol[r]!]!;
    const c = data.curves.find((x) =>
      x.symbol === symbol && x.config === t.config[r]
    );
    if (c !== undefined) out.set(symbol, c);
  }
  return out;
}
