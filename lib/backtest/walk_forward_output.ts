/**
 * Walk-forward outputs: `walk_forward.json` (design, per symbol the stitched OOS metrics,
 * WFE, share of profitable windows, parameter drift and the window table),
 * `walk_forward.csv` (one row per symbol and window) and `walk_forward_equity.csv` (the
 * stitched OOS value per bar). Pure formatting.
 *
 * @module
 */
import type { WalkForwardSpec } from "../research/mod.ts";
import { type ConfigTable, GRID_PARAMS, N_PARAMS } from "./grid.ts";
import { csvNumber, jsonNumber } from "./outputs.ts";
import type { WalkForwardRow, WalkForwardSymbol } from "./walk_forward.ts";

const iso = (ms: number) => new Date(ms).toISOString();

function params(
  configs: ConfigTable,
  c: number,
  names: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c < 0) return out;
  names.forEach((name, p) => {
    const x = configs.values[c * N_PARAMS + p]!;
    out[name] = name === "sl_trail" ? x === 1 : jsonNumber(x);
  });
  return out;
}

function rowJson(
  r: WalkForwardRow,
  configs: ConfigTable,
  names: readonly string[],
): Record<string, unknown> {
  return {
    window: r.window,
    "is_start": iso(r.span.isStart),
    "is_end": iso(r.span.isEnd),
    "oos_end": iso(r.span.oosEnd),
    "config_id": r.config < 0 ? null : r.config,
    params: params(configs, r.config, names),
    "is_bars": r.isBars,
    "oos_bars": r.oosBars,
    "is_metric": jsonNumber(r.isMetric),
    "is_sharpe": jsonNumber(r.isSharpe),
    "is_total_return": jsonNumber(r.isReturn),
    "is_trades": jsonNumber(r.isTrades),
    "oos_sharpe": jsonNumber(r.oosSharpe),
    "oos_total_return": jsonNumber(r.oosReturn),
    "oos_trades": jsonNumber(r.oosTrades),
  };
}

/**
 * The `walk_forward.json` document.
 *
 * @param names the configs' parameter names (the model's grid parameters)
 */
export function walkForwardJson(
  spec: WalkForwardSpec,
  results: readonly WalkForwardSymbol[],
  configs: ConfigTable,
  meta: Record<string, unknown>,
  names: readonly string[] = GRID_PARAMS,
): Record<string, unknown> {
  const symbols: Record<string, unknown> = {};
  for (const r of results) {
    symbols[r.symbol] = {
      stitched: {
        sharpe: jsonNumber(r.stitched.sharpe),
        "total_return": jsonNumber(r.stitched.totalReturn),
        "max_drawdown": jsonNumber(r.stitched.maxDrawdown),
        psr: jsonNumber(r.stitched.psr),
        trades: r.stitched.trades,
        bars: r.stitched.bars,
      },
      wfe: jsonNumber(r.wfe),
      "profitable_windows": jsonNumber(r.profitableShare),
      "distinct_configs": r.distinct,
      "param_changes": r.drift,
      windows: r.rows.map((x) => rowJson(x, configs, names)),
    };
  }
  return {
    design: spec.text,
    "is_days": spec.isMs / 86_400_000,
    "oos_days": spec.oosMs / 86_400_000,
    "step_days": spec.stepMs / 86_400_000,
    anchored: spec.anchored,
    windows: results[0]?.rows.length ?? 0,
    notes:
      "OOS segments start flat; a position open at a segment's end is marked to its last close (no exit fee). wfe = OOS mean per-bar return / IS mean per-bar return of the chosen configs (null when the IS return is not positive). The stitched curve is out of sample for the choice: its PSR needs no grid deflation.",
    ...meta,
    symbols,
  };
}

/** Header of `walk_forward.csv` for a model with grid parameters `names`. */
export function walkForwardColumns(
  names: readonly string[] = GRID_PARAMS,
): string[] {
  return [
    "symbol",
    "window",
    "is_start",
    "is_end",
    "oos_end",
    "config_id",
    ...names,
    "is_metric",
    "is_sharpe",
    "is_total_return",
    "is_trades",
    "oos_sharpe",
    "oos_total_return",
    "oos_trades",
  ];
}

/** Header of the vectorbt model's `walk_forward.csv`. */
export const WALK_FORWARD_COLUMNS: readonly string[] = walkForwardColumns();

/** Renders `walk_forward.csv` lines (header first). */
export function* walkForwardCsvLines(
  results: readonly WalkForwardSymbol[],
  configs: ConfigTable,
  names: readonly string[] = GRID_PARAMS,
): Generator<string> {
  yield walkForwardColumns(names).join(",");
  for (const s of results) {
    for (const r of s.rows) {
      const p = names.map((name, i) => {
        if (r.config < 0) return "";
        const x = configs.values[r.config * N_PARAMS + i]!;
        return name === "sl_trail"
          ? (x === 1 ? "true" : "false")
          : x !== x
          ? "none"
          : String(x);
      });
      yield [
        s.symbol,
        r.window,
        iso(r.span.isStart),
        iso(r.span.isEnd),
        iso(r.span.oosEnd),
        r.config < 0 ? "" : r.config,
        ...p,
        csvNumber(r.isMetric),
        csvNumber(r.isSharpe),
        csvNumber(r.isReturn),
        csvNumber(r.isTrades),
        csvNumber(r.oosSharpe),
        csvNumber(r.oosReturn),
        csvNumber(r.oosTrades),
      ].join(",");
    }
  }
}

/** Renders `walk_forward_equity.csv`: `symbol,ts,value` per stitched OOS bar. */
export function* walkForwardEquityLines(
  results: readonly WalkForwardSymbol[],
): Generator<string> {
  yield "symbol,ts,value";
  for (const s of results) {
    for (let i = 0; i < s.ts.length; i++) {
      yield `${s.symbol},${csvNumber(s.ts[i]!)},${csvNumber(s.value[i]!)}`;
    }
  }
}
