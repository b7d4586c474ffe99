import { deepEqual, equal, ok } from "node:assert/strict";
import { expandGrid, type GridSpec, signalKeyOf, simParamsOf } from "./grid.ts";
import { runGrid } from "./grid_runner.ts";
import { M } from "./metrics.ts";
import { configPlateauGrid, rankWithRule } from "./plateau_rank.ts";
import { aggregateMetrics, symbolRows } from "./rank.ts";
import { buildSignals } from "./signals.ts";
import { simulate } from "./simulate.ts";
import { syntheticTable } from "./synthetic_table.ts";
import {
  equalWeight,
  runWalkForward,
  sliceSymbol,
  sliceTable,
} from "./walk_forward.ts";
import { parseWalkForward, planWindows } from "../research/mod.ts";

const SPEC: GridSpec = {
  k: [1, 2, 3],
  n: [1, 2],
  T: [10, 30],
  V: [10],
  "max_spread_bps": [5],
  "max_funding_bps": [10],
  "sl_stop": [NaN, 0.005],
  "tp_stop": [0.01],
  "sl_trail": [0],
  fees: [0.0005],
  slippage: [0],
  "init_cash": [100],
};

Deno.test("runWalkForward() chooses on IS, trades the choice on OOS, stitches", async (t) => {
  const table = syntheticTable({ bars: 3 * 1440, symbols: ["AAA", "BBB"] });
  const configs = expandGrid(SPEC);
  const grid = configPlateauGrid(configs);
  const start = table.symbols[0]!.ts[0]!;
  const end = table.symbols[0]!.ts[table.symbols[0]!.bars - 1]! + 60_000;
  const windows = planWindows(start, end, parseWalkForward("is=1d,oos=12h"));
  equal(windows.length, 4);
  const opts = {
    windows,
    rankBy: "sharpe" as const,
    minTrades: 1,
    rule: "max" as const,
    grid,
    blockers: false,
  };
  const res = await runWalkForward(table, configs, { ...opts, workers: 0 });

  await t.step(
    "each window's choice is the IS grid's winner, run on the OOS slice",
    async () => {
      const w = windows[2]!;
      const isRes = await runGrid(
        sliceTable(table, w.isStart, w.isEnd),
        configs,
        {
          workers: 0,
          blockers: false,
        },
      );
      const best = rankWithRule(symbolRows(isRes, 1), {
        rankBy: "sharpe",
        minTrades: 1,
        rule: "max",
      }).order[0]!;
      const row = res[1]!.rows[2]!;
      equal(row.config, best);
      const oos = sliceSymbol(table.symbols[1]!, w.isEnd, w.oosEnd);
      equal(oos.bars, 720);
      // Features come from the full table: the OOS slice starts warm.
      ok(Number.isFinite(oos.rsVol.get(30)![0]!));
      const signals = buildSignals(oos, signalKeyOf(configs, best), {
        blockers: false,
      });
      const m = simulate(
        {
          close: oos.close,
          open: oos.open,
          high: oos.high,
          low: oos.low,
          signals,
        },
        simParamsOf(configs, best),
      );
      equal(row.oosReturn, m[M.totalReturn]);
      equal(row.oosTrades, m[M.nTrades]);
    },
  );

  await t.step("the stitched curve compounds the OOS segments", () => {
    for (const s of res) {
      equal(s.ts.length, 4 * 720);
      // Per symbol the segments compound; ALL is the symbols' equal-weight mix.
      if (s.symbol !== "ALL") {
        const prod = s.rows.reduce((a, r) => a * (1 + r.oosReturn), 1);
        ok(Math.abs(s.stitched.totalReturn - (prod - 1)) < 1e-9);
      }
      ok(s.stitched.psr >= 0 && s.stitched.psr <= 1);
      // OOS segments tile without overlap.
      for (let i = 1; i < s.ts.length; i++) ok(s.ts[i]! > s.ts[i - 1]!);
    }
  });

  await t.step(
    "ALL: the aggregate ranking's choice on every symbol, equal weight",
    async () => {
      equal(res[2]!.symbol, "ALL");
      const w = windows[1]!;
      const isRes = await runGrid(
        sliceTable(table, w.isStart, w.isEnd),
        configs,
        {
          workers: 0,
          blockers: false,
        },
      );
      const best = rankWithRule(aggregateMetrics(isRes), {
        rankBy: "sharpe",
        minTrades: 1,
        rule: "max",
      }).order[0]!;
      const row = res[2]!.rows[1]!;
      equal(row.config, best);
      // Its window return is the mean over the symbols of the choice's OOS return.
      const r = [0, 1].map((s) => {
        const oos = sliceSymbol(table.symbols[s]!, w.isEnd, w.oosEnd);
        const signals = buildSignals(oos, signalKeyOf(configs, best), {
          blockers: false,
        });
        return simulate(
          {
            close: oos.close,
            open: oos.open,
            high: oos.high,
            low: oos.low,
            signals,
          },
          simParamsOf(configs, best),
        )[M.totalReturn]!;
      });
      ok(Math.abs(row.oosReturn - (r[0]! + r[1]!) / 2) < 1e-15);
    },
  );

  await t.step("2 workers give identical results", async () => {
    const two = await runWalkForward(table, configs, { ...opts, workers: 2 });
    deepEqual(
      two.map((s) => [s.rows, [...s.value]]),
      res.map((s) => [s.rows, [...s.value]]),
    );
  });
});

Deno.test("equalWeight() averages the symbols' values on the union of times", () => {
  const { ts, rets } = equalWeight(
    [Float64Array.from([0.1, 0.1]), Float64Array.from([0, -0.5, 1])],
    [Float64Array.from([1, 2]), Float64Array.from([1, 2, 3])],
  );
  deepEqual([...ts], [1, 2, 3]);
  // values: t1 (1.1 + 1) / 2, t2 (1.21 + 0.5) / 2, t3 (1.21 + 1) / 2
  const v = [1.05, 0.855, 1.105];
  ok(Math.abs(rets[0]! - (v[0]! - 1)) < 1e-12);
  ok(Math.abs(rets[1]! - (v[1]! / v[0]! - 1)) < 1e-12);
  ok(Math.abs(rets[2]! - (v[2]! / v[1]! - 1)) < 1e-12);
});
