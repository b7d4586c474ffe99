/**
 * Reads a grid backtest's output directory (`manifest.json`, `ranked.csv`, the top configs'
 * `*_trades.csv` and `*_equity.csv` listed in the manifest's `files.top` (each symbol's top
 * configs) and `files.top_all` (the aggregate ranking's top configs on every symbol), as
 * written by `lib/backtest/run_backtest.ts`) into the
 * {@linkcode ReportData} model. The only module that knows the engine's file formats.
 *
 * @module
 */
import { join } from "node:path";
import { loadOos } from "./oos.ts";
import { parseCsvNumber, readCsv } from "./_csv.ts";
import type {
  ConfigCurves,
  PriceSeries,
  RankedTable,
  ReportData,
  ReportTrade,
  RunSummary,
} from "./report_data.ts";

/** Bad or missing backtest outputs (the entry script turns it into exit code 2). */
export class ReportInputError extends Error {
  /** @param message what is wrong */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ReportInputError";
  }
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

function num(x: unknown): number {
  if (typeof x === "number") return x;
  if (x === true) return 1;
  if (x === false) return 0;
  if (x === "inf") return Infinity;
  if (x === "-inf") return -Infinity;
  return NaN;
}

function text(x: unknown): string {
  if (x === null || x === undefined) return "off";
  if (Array.isArray(x)) return x.map(text).join(", ");
  if (typeof x === "number") return String(x);
  return String(x);
}

async function readJson(path: string): Promise<unknown> {
  let raw: string;
  try {
    raw = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ReportInputError(
        `Cannot read the backtest outputs: ${path} does not exist`,
      );
    }
    throw error;
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new ReportInputError(`Cannot parse ${path}: ${String(error)}`, {
      cause: error,
    });
  }
}

/** Builds the run summary from a parsed `manifest.json`. */
export function summaryFromManifest(m: Json): RunSummary {
  const symbols: string[] = [];
  const bars: Record<string, number> = {};
  let startMs = NaN, endMs = NaN;
  for (const s of Array.isArray(m.symbols) ? m.symbols : []) {
    if (typeof s === "string") {
      symbols.push(s);
      continue;
    }
    if (!isObject(s) || typeof s.symbol !== "string") continue;
    symbols.push(s.symbol);
    bars[s.symbol] = num(s.bars);
    const first = num(s.first_ts), last = num(s.last_ts);
    if (first === first && !(first >= startMs)) startMs = first;
    if (last === last && !(last <= endMs)) endMs = last;
  }
  const grid: Record<string, number[]> = {};
  if (isObject(m.grid)) {
    for (const [k, v] of Object.entries(m.grid)) {
      grid[k] = (Array.isArray(v) ? v : [v]).map(num);
    }
  }
  const costs: Record<string, string> = {};
  if (isObject(m.costs)) {
    for (const [k, v] of Object.entries(m.costs)) costs[k] = text(v);
  }
  const runtime = isObject(m.runtime_s) ? num(m.runtime_s.total) : num(
    m.runtime_s,
  );
  const extra: Record<string, string> = {};
  for (
    const k of [
      "engine",
      "blockers",
      "min_trades",
      "rank_rule",
      "prior_trials",
      "signal_sets",
      "bar_configs",
      "bar_configs_per_s",
      "workers",
      "top",
      "features",
    ]
  ) {
    const v = m[k];
    if (v === undefined) continue;
    extra[k] = typeof v === "number" && !Number.isInteger(v)
      ? v.toPrecision(4)
      : text(v);
  }
  return {
    symbols,
    bars,
    startMs,
    endMs,
    gridSize: num(m.grid_size),
    rankBy: typeof m.rank_by === "string" ? m.rank_by : "sharpe",
    runtimeMs: runtime * 1000,
    grid,
    costs,
    extra,
  };
}

class Growing {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(capacity);
  }
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

function differences(a: Float64Array, b: Float64Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x !== y && (x === x || y === y)) n++;
  }
  return n;
}

/** Options of {@linkcode readRankedCsv}. */
export interface RankedCsvOptions {
  /**
   * Keep only the top `keepTop` rows of each scope plus the rows that differ from the scope's
   * best config in at most two parameters (all a heatmap needs), so a grid of millions of
   * configs loads in little memory. @default Infinity (keep every row)
   */
  readonly keepTop?: number;
}

/**
 * Reads `ranked.csv` (`scope,rank,config_id,<params>,<metrics>`, rows in rank order within
 * each scope) into a columnar table.
 *
 * @param path the file
 * @param paramNames the parameter columns (the grid's names); other columns after
 *   `config_id` are metrics
 * @param options which rows to keep
 * @throws {ReportInputError} on a malformed header or row, or rows out of rank order
 */
export async function readRankedCsv(
  path: string,
  paramNames: readonly string[],
  options: RankedCsvOptions = {},
): Promise<RankedTable> {
  let header: string[] = [];
  let scopeCol = -1, rankCol = -1, configCol = -1, flagsCol = -1;
  const flags: string[] = [];
  let paramCols: number[] = [];
  let metricCols: number[] = [];
  const symbolNames: string[] = [];
  const symbolIndex = new Map<string, number>();
  const symbol = new Growing(1024), config = new Growing(1024);
  const rank = new Growing(1024);
  const params = new Growing(1024 * 12), metrics = new Growing(1024 * 18);
  const counts: number[] = [], lastRank: number[] = [];
  const best: Float64Array[] = [];
  const keepTop = options.keepTop ?? Infinity;
  let np = 0;
  let scratch = new Float64Array(0);
  try {
    await readCsv(path, (fields, line) => {
      if (line === 1) {
        header = fields.map((f) => f.trim());
        scopeCol = header.indexOf("scope");
        rankCol = header.indexOf("rank");
        configCol = header.indexOf("config_id");
        flagsCol = header.indexOf("flags");
        if (configCol < 0) {
          throw new ReportInputError(
            `Cannot read ${path}: no config_id column in the header`,
          );
        }
        // flags is text (few_trades;short_sample...), not a metric
        const known = new Set(["scope", "rank", "config_id", "flags"]);
        paramCols = paramNames.map((p) => header.indexOf(p)).filter((i) =>
          i >= 0
        );
        np = paramCols.length;
        scratch = new Float64Array(np);
        const isParam = new Set(paramCols);
        metricCols = header.map((_, i) => i).filter((i) =>
          !isParam.has(i) && !known.has(header[i]!)
        );
        return;
      }
      if (fields.length !== header.length) {
        throw new ReportInputError(
          `Cannot read ${path}: line ${line} has ${fields.length} fields, the header ${header.length}`,
        );
      }
      const where = `${path} line ${line}`;
      const scope = scopeCol >= 0 ? fields[scopeCol]! : "";
      let si = symbolIndex.get(scope);
      if (si === undefined) {
        si = symbolNames.length;
        symbolNames.push(scope);
        symbolIndex.set(scope, si);
        counts.push(0);
        lastRank.push(0);
        best.push(new Float64Array(np));
      }
      const n = ++counts[si]!;
      const r = rankCol >= 0 ? parseCsvNumber(fields[rankCol]!, where) : n;
      if (!(r > lastRank[si]!)) {
        throw new ReportInputError(
          `Cannot read ${path}: line ${line} has rank ${r} after rank ${
            lastRank[si]
          } of ${scope || "its scope"} (expected rank order)`,
        );
      }
      lastRank[si] = r;
      for (let p = 0; p < np; p++) {
        scratch[p] = parseCsvNumber(fields[paramCols[p]!]!, where);
      }
      if (n === 1) best[si]!.set(scratch);
      else if (r > keepTop && differences(scratch, best[si]!) > 2) return;
      symbol.push(si);
      config.push(parseCsvNumber(fields[configCol]!, where));
      if (flagsCol >= 0) flags.push(fields[flagsCol]!);
      rank.push(r);
      for (let p = 0; p < np; p++) params.push(scratch[p]!);
      for (const c of metricCols) {
        metrics.push(parseCsvNumber(fields[c]!, where));
      }
    });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ReportInputError(
        `Cannot read the backtest outputs: ${path} does not exist`,
      );
    }
    if (error instanceof SyntaxError) {
      throw new ReportInputError(error.message, { cause: error });
    }
    throw error;
  }
  const rows = config.length;
  const rankOut = Int32Array.from(rank.done());
  return {
    rows,
    paramNames: paramCols.map((i) => header[i]!),
    metricNames: metricCols.map((i) => header[i]!),
    symbolNames,
    scopeRows: counts,
    symbol: Int32Array.from(symbol.done()),
    config: Int32Array.from(config.done()),
    rank: rankOut,
    params: params.done(),
    metrics: metrics.done(),
    ...(flagsCol >= 0 ? { flags } : {}),
  };
}

/** An equity file read back: times, closes and values per bar. */
export interface EquityFile {
  /** Bar times, epoch ms. */
  readonly ts: Float64Array;
  /** Close prices (NaN when the file has no close column). */
  readonly close: Float64Array;
  /** Portfolio values. */
  readonly value: Float64Array;
}

/** Reads an equity CSV (`ts,close,position,value`). */
export async function readEquityCsv(path: string): Promise<EquityFile> {
  const ts = new Growing(4096), close = new Growing(4096);
  const value = new Growing(4096);
  let tsCol = -1, closeCol = -1, valueCol = -1;
  await readCsv(path, (f, line) => {
    if (line === 1) {
      tsCol = f.indexOf("ts");
      closeCol = f.indexOf("close");
      valueCol = f.indexOf("value");
      if (tsCol < 0 || valueCol < 0) {
        throw new ReportInputError(
          `Cannot read ${path}: expected ts and value columns, got ${
            f.join(",")
          }`,
        );
      }
      return;
    }
    const where = `${path} line ${line}`;
    ts.push(parseCsvNumber(f[tsCol] ?? "", where));
    close.push(closeCol >= 0 ? parseCsvNumber(f[closeCol] ?? "", where) : NaN);
    value.push(parseCsvNumber(f[valueCol] ?? "", where));
  });
  return { ts: ts.done(), close: close.done(), value: value.done() };
}

/** Reads a trades CSV (`trade_id,direction,...,exit_reason`). */
export async function readTradesCsv(path: string): Promise<ReportTrade[]> {
  const out: ReportTrade[] = [];
  let col: Record<string, number> = {};
  await readCsv(path, (f, line) => {
    if (line === 1) {
      col = Object.fromEntries(f.map((name, i) => [name, i]));
      for (
        const need of [
          "direction",
          "entry_ts",
          "entry_price",
          "exit_ts",
          "exit_price",
          "exit_reason",
        ]
      ) {
        if (col[need] === undefined) {
          throw new ReportInputError(
            `Cannot read ${path}: no ${need} column`,
          );
        }
      }
      return;
    }
    const where = `${path} line ${line}`;
    const get = (name: string) => f[col[name] ?? -1] ?? "";
    out.push({
      direction: get("direction") === "short" ? "short" : "long",
      entryMs: parseCsvNumber(get("entry_ts"), where),
      entryPrice: parseCsvNumber(get("entry_price"), where),
      exitMs: parseCsvNumber(get("exit_ts"), where),
      exitPrice: parseCsvNumber(get("exit_price"), where),
      reason: get("exit_reason"),
      pnl: parseCsvNumber(get("pnl"), where),
      ret: parseCsvNumber(get("return"), where),
    });
  });
  return out;
}

/** Options of {@linkcode loadBacktestOutputs}. */
export interface LoadOptions {
  /**
   * Most top configs loaded per ranking: each symbol's top `top`, and the aggregate ranking's
   * top `top` on every symbol. @default all listed in the manifest
   */
  readonly top?: number;
  /** See {@linkcode RankedCsvOptions.keepTop}. @default Infinity (every ranked row) */
  readonly keepTop?: number;
}

/**
 * Loads a backtest output directory.
 *
 * @param dir the engine's `--out` directory
 * @param options how many top configs to load
 * @returns the report model
 * @throws {ReportInputError} when a file is missing or malformed
 */
export async function loadBacktestOutputs(
  dir: string,
  options: LoadOptions = {},
): Promise<ReportData> {
  const manifest = await readJson(join(dir, "manifest.json"));
  if (!isObject(manifest)) {
    throw new ReportInputError(
      `Cannot read ${join(dir, "manifest.json")}: not a JSON object`,
    );
  }
  const summary = summaryFromManifest(manifest);
  const files = isObject(manifest.files) ? manifest.files : {};
  const rankedName = typeof files.ranked_csv === "string"
    ? files.ranked_csv
    : "ranked.csv";
  const paramNames = Object.keys(summary.grid);
  const ranked = await readRankedCsv(
    join(dir, rankedName),
    paramNames,
    options.keepTop !== undefined ? { keepTop: options.keepTop } : {},
  );
  const curves: ConfigCurves[] = [];
  const prices = new Map<string, PriceSeries>();
  const loaded = new Set<string>();
  const load = async (entry: Json) => {
    const symbol = String(entry.symbol);
    const config = num(entry.config_id);
    const key = `${symbol}\u0000${config}`;
    if (loaded.has(key)) return;
    if (typeof entry.equity !== "string" || typeof entry.trades !== "string") {
      throw new ReportInputError(
        `Cannot read the manifest: top entry ${
          JSON.stringify(entry)
        } names no equity or trades file`,
      );
    }
    loaded.add(key);
    const eq = await readOrExplain(() =>
      readEquityCsv(join(dir, entry.equity as string))
    );
    const trades = await readOrExplain(() =>
      readTradesCsv(join(dir, entry.trades as string))
    );
    curves.push({ config, symbol, ts: eq.ts, value: eq.value, trades });
    if (!prices.has(symbol) && eq.close.some((x) => x === x)) {
      prices.set(symbol, { ts: eq.ts, close: eq.close });
    }
  };
  const perSymbol = new Map<string, number>();
  for (const entry of Array.isArray(files.top) ? files.top : []) {
    if (!isObject(entry)) continue;
    const symbol = String(entry.symbol);
    const n = perSymbol.get(symbol) ?? 0;
    if (options.top !== undefined && n >= options.top) continue;
    perSymbol.set(symbol, n + 1);
    await load(entry);
  }
  // the aggregate ranking's top configs on every symbol (files shared with the above)
  for (const entry of Array.isArray(files.top_all) ? files.top_all : []) {
    if (!isObject(entry)) continue;
    if (options.top !== undefined && !(num(entry.rank) <= options.top)) {
      continue;
    }
    await load(entry);
  }
  let oos;
  try {
    oos = await loadOos(dir, manifest);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) {
      throw new ReportInputError(
        `Cannot read the out-of-sample outputs: ${(error as Error).message}`,
        { cause: error },
      );
    }
    throw error;
  }
  return { summary, ranked, curves, prices, ...(oos ? { oos } : {}) };
}

async function readOrExplain<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ReportInputError(
        `Cannot read the backtest outputs: ${error.message}`,
        { cause: error },
      );
    }
    if (error instanceof SyntaxError) {
      throw new ReportInputError(error.message, { cause: error });
    }
    throw error;
  }
}
