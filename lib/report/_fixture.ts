/**
 * Hand-made backtest outputs in the engine's format (`manifest.json`, `ranked.csv`, top
 * `*_trades.csv` / `*_equity.csv`, see lib/backtest/outputs.ts), for the report's tests. The
 * metrics form a smooth plateau with seeded noise, so heatmaps have structure. Deterministic.
 *
 * @module
 */
import { join } from "node:path";
import { GRID_PARAMS } from "../backtest/grid.ts";
import { type MetricName, METRICS } from "../backtest/metrics.ts";
import { mulberry32 } from "../random/mulberry32.ts";

/** Options of {@linkcode writeFixtureOutputs}. */
export interface FixtureOptions {
  /** Symbols. @default ["BTCUSDT", "ETHUSDT"] */
  readonly symbols?: readonly string[];
  /** Bars per symbol. @default 2000 */
  readonly bars?: number;
  /** Top configs per symbol with curves. @default 3 */
  readonly top?: number;
  /** PRNG seed. @default 7 */
  readonly seed?: number;
}

/** What the fixture wrote, for assertions. */
export interface Fixture {
  /** The grid lists (NaN = off, sl_trail 0/1). */
  readonly grid: Record<string, number[]>;
  /** Configs in canonical order: parameter values by name. */
  readonly configs: readonly Record<string, number>[];
  /** Sharpe per symbol per config (the ranking metric). */
  readonly sharpe: Readonly<Record<string, Float64Array>>;
  /** Top entries written: symbol, rank, config, bars' ts, values, closes, trades. */
  readonly top: readonly {
    readonly symbol: string;
    readonly rank: number;
    readonly config: number;
    readonly ts: Float64Array;
    readonly close: Float64Array;
    readonly value: Float64Array;
    readonly reasons: readonly string[];
    readonly entryIdx: readonly number[];
    readonly exitIdx: readonly number[];
  }[];
}

const REASONS = ["signal", "sl", "tsl", "tp"];

function cell(name: string, x: number): string {
  if (name === "sl_trail") return x === 1 ? "true" : "false";
  if (x !== x) return name === "sl_stop" || name === "tp_stop" ? "none" : "";
  return String(x);
}

/**
 * Writes a complete output directory.
 *
 * @param dir the directory (created)
 * @param options size of the fixture
 * @returns what was written
 */
export async function writeFixtureOutputs(
  dir: string,
  options: FixtureOptions = {},
): Promise<Fixture> {
  const symbols = options.symbols ?? ["BTCUSDT", "ETHUSDT"];
  const bars = options.bars ?? 2000;
  const topN = options.top ?? 3;
  const rand = mulberry32(options.seed ?? 7);
  const grid: Record<string, number[]> = {
    k: [1, 1.5, 2, 2.5, 3],
    n: [5, 10, 20, 40],
    T: [10, 30],
    V: [10, 30, 60],
    "max_spread_bps": [5],
    "max_funding_bps": [10],
    "sl_stop": [NaN, 0.01, 0.02],
    "tp_stop": [NaN, 0.02],
    "sl_trail": [0, 1],
    fees: [0.0004],
    slippage: [0.0001],
    "init_cash": [1000],
  };
  const configs: Record<string, number>[] = [{}];
  for (const p of GRID_PARAMS) {
    const next: Record<string, number>[] = [];
    for (const c of configs) {
      for (const v of grid[p]!) next.push({ ...c, [p]: v });
    }
    configs.splice(0, configs.length, ...next);
  }
  await Deno.mkdir(join(dir, "top"), { recursive: true });
  const sharpe: Record<string, Float64Array> = {};
  const metricRows: Record<string, Float64Array> = {};
  for (const [si, s] of symbols.entries()) {
    const rows = new Float64Array(configs.length * METRICS.length);
    const sh = new Float64Array(configs.length);
    configs.forEach((c, i) => {
      // a plateau around k = 2, n = 20 plus a lonely spike at k = 3, n = 5
      const plateau = 1.5 - (c.k! - 2) ** 2 - ((c.n! - 20) / 15) ** 2;
      const spike = c.k === 3 && c.n === 5 && c.T === 10 ? 2.5 : 0;
      const x = plateau + spike + (c.T === 30 ? 0.2 : 0) - si * 0.3 +
        (rand() - 0.5) * 0.4;
      sh[i] = x;
      const ret = x * 0.05;
      const nTrades = Math.round(20 + 30 * rand());
      // keyed by name so that a metric added in lib/backtest fails to compile here
      const values: Record<MetricName, number> = {
        "total_return": ret,
        "total_profit": ret * 1000,
        "final_value": 1000 * (1 + ret),
        sharpe: x,
        "max_drawdown": -0.02 - 0.1 * rand(),
        "win_rate": 0.4 + 0.2 * rand(),
        "profit_factor": i % 17 === 0 ? Infinity : 1 + x / 3,
        "avg_trade_return": ret / nTrades,
        exposure: 0.3 + 0.4 * rand(),
        "n_trades": nTrades,
        "n_closed_trades": nTrades - 1,
        "n_open_trades": 1,
        "n_orders": 2 * nTrades,
        "n_exit_signal": Math.floor(nTrades / 2),
        "n_exit_sl": Math.floor(nTrades / 4),
        "n_exit_tsl": Math.floor(nTrades / 8),
        "n_exit_tp": nTrades - 1 - Math.floor(nTrades / 2) -
          Math.floor(nTrades / 4) - Math.floor(nTrades / 8),
        "n_exit_open": 1,
      };
      METRICS.forEach((name, j) => {
        rows[i * METRICS.length + j] = values[name];
      });
    });
    sharpe[s] = sh;
    metricRows[s] = rows;
  }
  const scopes: [string, Float64Array][] = symbols.map((s) => [
    s,
    metricRows[s]!,
  ]);
  if (symbols.length > 1) {
    const all = new Float64Array(configs.length * METRICS.length);
    for (const s of symbols) {
      const r = metricRows[s]!;
      for (let i = 0; i < all.length; i++) {
        all[i] = all[i]! + r[i]! / symbols.length;
      }
    }
    scopes.push(["ALL", all]);
  }
  const lines = [
    ["scope", "rank", "config_id", ...GRID_PARAMS, ...METRICS].join(","),
  ];
  const order: Record<string, number[]> = {};
  const sIdx = METRICS.indexOf("sharpe");
  for (const [scope, rows] of scopes) {
    const ids = configs.map((_, i) => i).sort((a, b) =>
      rows[b * METRICS.length + sIdx]! - rows[a * METRICS.length + sIdx]! ||
      a - b
    );
    // like the engine with min_trades: leave a few configs unranked
    const ranked = ids.filter((i) => i % 29 !== 5);
    order[scope] = ranked;
    ranked.forEach((c, r) => {
      const p = GRID_PARAMS.map((name) => cell(name, configs[c]![name]!));
      const m = Array.from(
        rows.subarray(c * METRICS.length, (c + 1) * METRICS.length),
        (x) => x === Infinity ? "inf" : x !== x ? "" : String(x),
      );
      lines.push([scope, r + 1, c, ...p, ...m].join(","));
    });
  }
  await Deno.writeTextFile(join(dir, "ranked.csv"), lines.join("\n") + "\n");
  await Deno.writeTextFile(join(dir, "ranked.json"), "{}");
  const t0 = Date.UTC(2025, 4, 25, 10, 33);
  const top: Fixture["top"][number][] = [];
  const topFiles: Record<string, unknown>[] = [];
  for (const s of symbols) {
    const ts = new Float64Array(bars);
    const close = new Float64Array(bars);
    let px = s.startsWith("BTC") ? 107000 : 2500;
    for (let i = 0; i < bars; i++) {
      ts[i] = t0 + i * 60_000;
      px *= 1 + (rand() - 0.5) * 0.002;
      close[i] = px;
    }
    for (let r = 0; r < Math.min(topN, order[s]!.length); r++) {
      const c = order[s]![r]!;
      const value = new Float64Array(bars);
      let v = 1000;
      for (let i = 0; i < bars; i++) {
        v *= 1 + (rand() - 0.48) * 0.003;
        value[i] = v;
      }
      const entryIdx: number[] = [], exitIdx: number[] = [];
      const reasons: string[] = [];
      const trades = [
        "trade_id,direction,status,entry_idx,entry_ts,entry_price,exit_idx,exit_ts,exit_price,size,entry_fees,exit_fees,pnl,return,exit_reason",
      ];
      for (let e = 10, id = 0; e + 30 < bars; e += 97, id++) {
        const x = e + 20 + (id % 7);
        const last = e + 97 + 30 >= bars;
        const reason = last ? "open" : REASONS[id % REASONS.length]!;
        const dir = id % 3 === 1 ? "short" : "long";
        const ret = (close[x]! / close[e]! - 1) * (dir === "short" ? -1 : 1);
        entryIdx.push(e);
        exitIdx.push(x);
        reasons.push(reason);
        trades.push(
          [
            id,
            dir,
            last ? "open" : "closed",
            e,
            ts[e],
            close[e],
            x,
            ts[x],
            close[x],
            0.01,
            0.4,
            last ? 0 : 0.4,
            ret * 1000,
            ret,
            reason,
          ].join(","),
        );
      }
      const stem = `top/${s}_rank${r + 1}_config${c}`;
      await Deno.writeTextFile(
        join(dir, `${stem}_trades.csv`),
        trades.join("\n") + "\n",
      );
      const eq = ["ts,close,position,value"];
      for (let i = 0; i < bars; i++) {
        eq.push(`${ts[i]},${close[i]},${i % 97 < 25 ? 0.01 : 0},${value[i]}`);
      }
      await Deno.writeTextFile(
        join(dir, `${stem}_equity.csv`),
        eq.join("\n") + "\n",
      );
      topFiles.push({
        symbol: s,
        rank: r + 1,
        "config_id": c,
        trades: `${stem}_trades.csv`,
        equity: `${stem}_equity.csv`,
      });
      top.push({
        symbol: s,
        rank: r + 1,
        config: c,
        ts,
        close,
        value,
        reasons,
        entryIdx,
        exitIdx,
      });
    }
  }
  const jsonGrid: Record<string, unknown[]> = {};
  for (const p of GRID_PARAMS) {
    jsonGrid[p] = grid[p]!.map((x) =>
      p === "sl_trail" ? x === 1 : x !== x ? null : x
    );
  }
  const manifest = {
    kind: "aster-grid-backtest",
    version: 1,
    engine: "vectorbt 0.26 Portfolio.from_signals compatible, freq 1min",
    features: "./backtest/backtest_inputs.csv",
    symbols: symbols.map((s) => ({
      symbol: s,
      bars,
      "first_ts": t0,
      "last_ts": t0 + (bars - 1) * 60_000,
      "first_time": new Date(t0).toISOString(),
      "last_time": new Date(t0 + (bars - 1) * 60_000).toISOString(),
    })),
    bars: bars * symbols.length,
    grid: jsonGrid,
    "grid_size": configs.length,
    "signal_sets": 120,
    costs: {
      fees: jsonGrid.fees,
      slippage: jsonGrid.slippage,
      "init_cash": jsonGrid.init_cash,
    },
    blockers: true,
    "rank_by": "sharpe",
    "min_trades": 1,
    top: topN,
    workers: 2,
    "bar_configs": bars * symbols.length * configs.length,
    "runtime_s": { read: 0.25, simulate: 3.5, write: 0.25, total: 4 },
    "bar_configs_per_s": (bars * symbols.length * configs.length) / 4,
    metrics: METRICS,
    files: {
      "ranked_csv": "ranked.csv",
      "ranked_json": "ranked.json",
      top: topFiles,
    },
  };
  await Deno.writeTextFile(
    join(dir, "manifest.json"),
    JSON.stringify(manifest, null, 2),
  );
  return { grid, configs, sharpe, top };
}
