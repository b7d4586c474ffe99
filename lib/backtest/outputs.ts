/**
 * Output files of a grid run: `ranked.csv`, `ranked.json`, per-config trade lists and equity
 * curves. Formatting is pure; the `write*` functions are the file edge (streamed in chunks).
 *
 * @module
 */
import type { SymbolFeatures } from "./feature_table.ts";
import { type ConfigTable, GRID_PARAMS, N_PARAMS } from "./grid.ts";
import { METRICS, N_METRICS } from "./metrics.ts";
import type { SimRecord } from "./simulate.ts";
import type { Deflation } from "./honest_rank.ts";

/** Formats a number for CSV: shortest round trip, "" for NaN, "inf"/"-inf". */
export function csvNumber(x: number): string {
  if (x !== x) return "";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return String(x);
}

/** Formats a number for JSON: null for NaN, "inf"/"-inf" strings for infinities. */
export function jsonNumber(x: number): number | string | null {
  if (x !== x) return null;
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return x;
}

/** One ranking: a scope (a symbol, or "ALL" for the mean over symbols) and its rows. */
export interface RankedScope {
  /** Symbol or "ALL". */
  readonly scope: string;
  /** Ranked config indices. */
  readonly order: Int32Array;
  /** Metric rows, `configs * stride` (`N_METRICS` here, `N_BOT_METRICS` for the bot model). */
  readonly rows: Float64Array;
  /**
   * Configs left out of the ranking (fewer than `--min_trades` trades), by the same metric:
   * written after the ranked ones, flagged `few_trades`, never chosen.
   */
  readonly unranked?: Int32Array;
  /** PSR, DSR and flags of every config (see `deflateRanking`). */
  readonly deflation?: Deflation;
  /** Plateau score of every config (see `plateauScores`), when the grid has neighbours. */
  readonly plateau?: Float64Array;
}

/** Header of `ranked.csv`. */
export const RANKED_COLUMNS: readonly string[] = [
  "scope",
  "rank",
  "config_id",
  ...GRID_PARAMS,
  ...METRICS,
  "psr",
  "dsr",
  "plateau_score",
  "flags",
];

function paramCells(configs: ConfigTable, c: number): string[] {
  const out: string[] = [];
  for (let p = 0; p < N_PARAMS; p++) {
    const x = configs.values[c * N_PARAMS + p]!;
    out.push(
      GRID_PARAMS[p] === "sl_trail"
        ? (x === 1 ? "true" : "false")
        : x !== x
        ? "none"
        : String(x),
    );
  }
  return out;
}

/** Renders `ranked.csv` lines (header first) for the given scopes. */
export function rankedCsvLines(
  scopes: readonly RankedScope[],
  configs: ConfigTable,
): Generator<string> {
  return rankedCsvRows(
    RANKED_COLUMNS,
    scopes,
    N_METRICS,
    (c) => paramCells(configs, c),
  );
}

/**
 * Renders `ranked.csv` lines for either model (header `columns` first): per config its scope,
 * rank, id, `params(c)`, its `stride` metrics, psr, dsr, plateau_score and flags; each scope's
 * ranked configs first, then the unranked ones.
 */
export function* rankedCsvRows(
  columns: readonly string[],
  scopes: readonly RankedScope[],
  stride: number,
  params: (config: number) => readonly string[],
): Generator<string> {
  yield columns.join(",");
  for (const s of scopes) {
    const unranked = s.unranked ?? new Int32Array(0);
    const total = s.order.length + unranked.length;
    for (let r = 0; r < total; r++) {
      const c = r < s.order.length
        ? s.order[r]!
        : unranked[r - s.order.length]!;
      const cells = [s.scope, String(r + 1), String(c), ...params(c)];
      for (let m = 0; m < stride; m++) {
        cells.push(csvNumber(s.rows[c * stride + m]!));
      }
      const d = s.deflation;
      cells.push(
        csvNumber(d?.psr[c] ?? NaN),
        csvNumber(d?.dsr[c] ?? NaN),
        csvNumber(s.plateau?.[c] ?? NaN),
        d?.flags[c] ?? "",
      );
      yield cells.join(",");
    }
  }
}

/** Builds the `ranked.json` document (at most `limit` rows per scope). */
export function rankedJson(
  scopes: readonly RankedScope[],
  configs: ConfigTable,
  meta: Record<string, unknown>,
  limit: number,
): Record<string, unknown> {
  const rankings: Record<string, unknown[]> = {};
  for (const s of scopes) {
    const rows: unknown[] = [];
    const n = Math.min(limit, s.order.length);
    for (let r = 0; r < n; r++) {
      const c = s.order[r]!;
      const params: Record<string, unknown> = {};
      for (let p = 0; p < N_PARAMS; p++) {
        const x = configs.values[c * N_PARAMS + p]!;
        params[GRID_PARAMS[p]!] = GRID_PARAMS[p] === "sl_trail"
          ? x === 1
          : jsonNumber(x);
      }
      const metrics: Record<string, unknown> = {};
      for (let m = 0; m < N_METRICS; m++) {
        metrics[METRICS[m]!] = jsonNumber(s.rows[c * N_METRICS + m]!);
      }
      const d = s.deflation;
      rows.push({
        rank: r + 1,
        "config_id": c,
        params,
        metrics,
        psr: jsonNumber(d?.psr[c] ?? NaN),
        dsr: jsonNumber(d?.dsr[c] ?? NaN),
        "plateau_score": jsonNumber(s.plateau?.[c] ?? NaN),
        flags: d?.flags[c] ? d.flags[c]!.split(";") : [],
      });
    }
    rankings[s.scope] = rows;
  }
  return { ...meta, rankings };
}

/**
 * The path stem (relative to the output directory) of a config's `_trades.csv` and
 * `_equity.csv` on a symbol: `top/<symbol>_rank<rank>_config<id>` for a symbol's own top
 * configs, `top/<symbol>_config<id>` for a config written only for the aggregate ranking.
 */
export function topFileStem(
  symbol: string,
  config: number,
  rank?: number,
): string {
  return rank === undefined
    ? `top/${symbol}_config${config}`
    : `top/${symbol}_rank${rank}_config${config}`;
}

/** Header of a trades CSV. */
export const TRADE_COLUMNS: readonly string[] = [
  "trade_id",
  "direction",
  "status",
  "entry_idx",
  "entry_ts",
  "entry_price",
  "exit_idx",
  "exit_ts",
  "exit_price",
  "size",
  "entry_fees",
  "exit_fees",
  "pnl",
  "return",
  "exit_reason",
];

/** Renders a trade list as CSV lines (header first). */
export function* tradeCsvLines(
  rec: SimRecord,
  f: SymbolFeatures,
): Generator<string> {
  yield TRADE_COLUMNS.join(",");
  let id = 0;
  for (const t of rec.trades) {
    yield [
      id++,
      t.direction,
      t.status,
      t.entryIdx,
      csvNumber(f.ts[t.entryIdx]!),
      csvNumber(t.entryPrice),
      t.exitIdx,
      csvNumber(f.ts[t.exitIdx]!),
      csvNumber(t.exitPrice),
      csvNumber(t.size),
      csvNumber(t.entryFees),
      csvNumber(t.exitFees),
      csvNumber(t.pnl),
      csvNumber(t.ret),
      t.exitReason,
    ].join(",");
  }
}

/** Renders an equity curve as CSV lines: `ts,close,position,value` per bar. */
export function* equityCsvLines(
  rec: SimRecord,
  f: SymbolFeatures,
): Generator<string> {
  yield "ts,close,position,value";
  // Position and value stay the same for long stretches (flat, or a position between fills),
  // and closes repeat: a value equal to the previous bar's reuses its text.
  let close = NaN, pos = NaN, value = NaN;
  let closeText = "", posText = "", valueText = "";
  for (let i = 0; i < f.bars; i++) {
    const c = f.close[i]!, p = rec.position[i]!, v = rec.value[i]!;
    if (!Object.is(c, close)) closeText = csvNumber(close = c);
    if (!Object.is(p, pos)) posText = csvNumber(pos = p);
    if (!Object.is(v, value)) valueText = csvNumber(value = v);
    yield `${csvNumber(f.ts[i]!)},${closeText},${posText},${valueText}`;
  }
}

/** Writes lines to a file in chunks of about 1 MB. */
export async function writeLines(
  path: string,
  lines: Iterable<string>,
): Promise<void> {
  using file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  const enc = new TextEncoder();
  let buf: string[] = [];
  let size = 0;
  const flush = async () => {
    const bytes = enc.encode(buf.join(""));
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    buf = [];
    size = 0;
  };
  for (const line of lines) {
    buf.push(line, "\n");
    size += line.length + 1;
    if (size >= 1 << 20) await flush();
  }
  if (size > 0) await flush();
}
