/**
 * A seeded synthetic feature table (random-walk 1m bars with volatility and volume bursts),
 * for benchmarks and tests. The derived columns follow the feature builder's formulas.
 * Pure and deterministic for a given seed.
 *
 * @module
 */
import type { FeatureTable, SymbolFeatures } from "./feature_table.ts";
import { mulberry32 } from "../random/mulberry32.ts";

/** Options of {@linkcode syntheticTable}. */
export interface SyntheticOptions {
  /** Bars per symbol. */
  readonly bars: number;
  /** Symbols. @default ["SYNUSDT"] */
  readonly symbols?: readonly string[];
  /** rs_vol and avg_vol windows. @default [10, 30, 60] */
  readonly windows?: readonly number[];
  /** PRNG seed. @default 1 */
  readonly seed?: number;
}

/** Column order of a synthetic row (see {@linkcode syntheticRows}). */
const BASE = 13; // ts, open, high, low, close, vol, ret, spread, funding, mark, olL, olS, rsVar

/**
 * Yields one bar at a time into a reused Float64Array: ts, open, high, low, close, vol1m,
 * ret_bps, spread_bps, funding_bps, mark_price, open_loss_long_bps, open_loss_short_bps,
 * rs_var_1m, then rs_vol per window, then avg_vol per window. Memory O(max window).
 */
export function* syntheticRows(
  bars: number,
  windows: readonly number[],
  seed: number,
): Generator<Float64Array> {
  const rnd = mulberry32(seed);
  const gauss = () => {
    const u = rnd() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const maxW = Math.max(...windows);
  const ringVar = new Float64Array(maxW), ringVol = new Float64Array(maxW);
  const row = new Float64Array(BASE + 2 * windows.length);
  let price = 30000, prevClose = NaN, sigma = 8e-4;
  for (let i = 0; i < bars; i++) {
    sigma = Math.min(4e-3, Math.max(2e-4, sigma * Math.exp(0.05 * gauss())));
    const burst = rnd() < 0.07 ? 3 + 3 * rnd() : 1;
    const o = price;
    const c = Math.round(o * Math.exp(sigma * burst * gauss()) * 10) / 10;
    const h =
      Math.round(Math.max(o, c) * (1 + Math.abs(sigma * 0.6 * gauss())) * 10) /
      10;
    const l =
      Math.round(Math.min(o, c) * (1 - Math.abs(sigma * 0.6 * gauss())) * 10) /
      10;
    const vol = Math.round(100 * burst * Math.exp(0.8 * gauss())) / 100 + 0.01;
    // Windows over the bars before this one, summed oldest first.
    for (let w = 0; w < windows.length; w++) {
      const win = windows[w]!;
      if (i < win) {
        row[BASE + w] = NaN;
        row[BASE + windows.length + w] = NaN;
        continue;
      }
      let s = 0, sv = 0;
      for (let j = i - win; j < i; j++) {
        s += ringVar[j % maxW]!;
        sv += ringVol[j % maxW]!;
      }
      row[BASE + w] = Math.sqrt(s / win) * 10000;
      row[BASE + windows.length + w] = sv / win;
    }
    const rsVar = Math.log(h / c) * Math.log(h / o) +
      Math.log(l / c) * Math.log(l / o);
    row[0] = 1_700_000_040_000 + i * 60_000;
    row[1] = o;
    row[2] = h;
    row[3] = l;
    row[4] = c;
    row[5] = vol;
    row[6] = i === 0 ? NaN : (c / prevClose - 1) * 10000;
    row[7] = 0.5 + 3 * rnd();
    row[8] = 2 * gauss();
    row[9] = c;
    row[10] = 1 + 6 * rnd();
    row[11] = 1 + 6 * rnd();
    row[12] = rsVar;
    ringVar[i % maxW] = rsVar;
    ringVol[i % maxW] = vol;
    prevClose = c;
    price = c;
    yield row;
  }
}

/** Generates a feature table of `bars` 1-minute bars per symbol. */
export function syntheticTable(options: SyntheticOptions): FeatureTable {
  const windows = options.windows ?? [10, 30, 60];
  const symbols = (options.symbols ?? ["SYNUSDT"]).map((symbol, si) => {
    const n = options.bars;
    const cols = Array.from(
      { length: BASE + 2 * windows.length },
      () => new Float64Array(n),
    );
    let i = 0;
    for (
      const row of syntheticRows(n, windows, (options.seed ?? 1) + si * 7919)
    ) {
      for (let k = 0; k < row.length; k++) cols[k]![i] = row[k]!;
      i++;
    }
    const f: SymbolFeatures = {
      symbol,
      bars: n,
      ts: cols[0]!,
      open: cols[1]!,
      high: cols[2]!,
      low: cols[3]!,
      close: cols[4]!,
      vol: cols[5]!,
      ret: cols[6]!,
      spread: cols[7]!,
      funding: cols[8]!,
      openLossLong: cols[10]!,
      openLossShort: cols[11]!,
      mark: cols[9]!,
      rsVol: new Map(windows.map((w, k) => [w, cols[BASE + k]!])),
      avgVol: new Map(
        windows.map((w, k) => [w, cols[BASE + windows.length + k]!]),
      ),
    };
    return f;
  });
  return { symbols, rsWindows: windows, volWindows: windows };
}

/** Streams a synthetic feature table as CSV lines without holding it in memory. */
export function* syntheticCsvLines(
  options: SyntheticOptions,
): Generator<string> {
  const windows = options.windows ?? [10, 30, 60];
  yield csvHeader(windows, windows);
  const s = (x: number) => (x !== x ? "" : String(x));
  for (const [si, symbol] of (options.symbols ?? ["SYNUSDT"]).entries()) {
    for (
      const row of syntheticRows(
        options.bars,
        windows,
        (options.seed ?? 1) + si * 7919,
      )
    ) {
      let line = `${row[0]},${symbol}`;
      for (let k = 1; k < row.length; k++) line += `,${s(row[k]!)}`;
      yield line;
    }
  }
}

function csvHeader(rs: readonly number[], av: readonly number[]): string {
  return [
    "ts,symbol,open,high,low,close,vol1m,ret_bps,spread_bps,funding_bps,mark_price,open_loss_long_bps,open_loss_short_bps,rs_var_1m",
    ...rs.map((w) => `rs_vol_${w}m_bps`),
    ...av.map((w) => `avg_vol_${w}m`),
  ].join(",");
}

/** Renders a feature table as the feature builder's CSV (header first, then rows). */
export function* featureTableCsvLines(table: FeatureTable): Generator<string> {
  const rs = table.rsWindows, av = table.volWindows;
  yield csvHeader(rs, av);
  const s = (x: number) => (x !== x ? "" : String(x));
  for (const f of table.symbols) {
    const rsCols = rs.map((w) => f.rsVol.get(w)!);
    const avCols = av.map((w) => f.avgVol.get(w)!);
    for (let i = 0; i < f.bars; i++) {
      let line = `${f.ts[i]},${f.symbol},${s(f.open[i]!)},${s(f.high[i]!)},${
        s(f.low[i]!)
      },${s(f.close[i]!)},${s(f.vol[i]!)},${s(f.ret[i]!)},${s(f.spread[i]!)},${
        s(f.funding[i]!)
      },${s(f.close[i]!)},${s(f.openLossLong[i]!)},${s(f.openLossShort[i]!)},`;
      for (const c of rsCols) line += `,${s(c[i]!)}`;
      for (const c of avCols) line += `,${s(c[i]!)}`;
      yield line;
    }
  }
}
