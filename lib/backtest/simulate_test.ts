import { deepEqual, equal, ok } from "node:assert/strict";
import { M } from "./metrics.ts";
import {
  N_MOMENTS,
  rangeSums,
  returnStats,
  returnStatsFromSums,
  returnStatsRanges,
} from "../research/return_stats.ts";
import { buildSignals } from "./signals.ts";
import { syntheticTable } from "./synthetic_table.ts";
import {
  newSimRecord,
  type SimParams,
  type SimRecord,
  simulate,
} from "./simulate.ts";

interface Case {
  close: number[];
  open?: number[];
  high?: number[];
  low?: number[];
  le?: number[];
  se?: number[];
  params?: Partial<SimParams>;
}

function run(c: Case): { m: Float64Array; rec: SimRecord } {
  const n = c.close.length;
  const arr = (x: number[] | undefined) =>
    x ? Float64Array.from(x) : new Float64Array(n).fill(NaN);
  const signals = new Int8Array(n);
  for (const i of c.le ?? []) signals[i] = 1;
  for (const i of c.se ?? []) signals[i] = -1;
  const params: SimParams = {
    slStop: NaN,
    tpStop: NaN,
    slTrail: false,
    fees: 0,
    slippage: 0,
    initCash: 100,
    ...c.params,
  };
  const rec = newSimRecord(n);
  const m = simulate(
    {
      close: Float64Array.from(c.close),
      open: arr(c.open),
      high: arr(c.high),
      low: arr(c.low),
      signals,
    },
    params,
    { record: rec },
  );
  return { m, rec };
}

const A: Case = {
  close: [100, 101, 102, 99, 98],
  open: [100, 100.5, 101.5, 101, 98.5],
  high: [100.5, 101.5, 102.5, 101.2, 99],
  low: [99.5, 100.2, 101, 98.9, 97.5],
  le: [0],
  params: { slStop: 0.02, fees: 0.001, slippage: 0.001 },
};

Deno.test("simulate() reproduces vectorbt's golden examples", async (t) => {
  await t.step("A: long SL at the level", () => {
    const { m, rec } = run(A);
    equal(rec.orders.length, 2);
    const [buy, sell] = rec.orders;
    deepEqual(
      [buy!.idx, buy!.side, buy!.size, buy!.price, buy!.fees],
      [0, "buy", 0.9980029960049942, 100.1, 0.09990009990008275],
    );
    deepEqual(
      [sell!.idx, sell!.side, sell!.size, sell!.price, sell!.fees],
      [4, "sell", 0.9980029960049942, 98.0, 0.09780429360848943],
    );
    equal(sell!.reason, "sl");
    equal(rec.trades.length, 1);
    equal(rec.trades[0]!.pnl, -2.2935106851190588);
    equal(rec.trades[0]!.ret, -0.022958041958041773);
    equal(rec.trades[0]!.exitReason, "sl");
    deepEqual(Array.from(rec.value), [
      99.80029960049941,
      100.79830259650441,
      101.79630559250941,
      98.80229660449443,
      97.70648931488094,
    ]);
    equal(m[M.totalReturn], -0.022935106851190597);
    equal(m[M.maxDrawdown], -0.04017647058823537);
    equal(m[M.sharpe], -198.68674027307142);
    equal(m[M.nTrades], 1);
    equal(m[M.nClosedTrades], 1);
    equal(m[M.winRate], 0);
    equal(m[M.nExitSl], 1);
  });

  await t.step("B: a gap through the SL fills at the open", () => {
    const { m, rec } = run({ ...A, open: [100, 100.5, 101.5, 101, 97.8] });
    equal(rec.orders[1]!.price, 97.8);
    equal(rec.orders[1]!.fees, 0.09760469300928842);
    equal(m[M.totalReturn], -0.024929116837208623);
    equal(m[M.maxDrawdown], -0.04213529411764727);
    equal(m[M.sharpe], -213.52760640230358);
  });

  await t.step("C: SL and TP both inside the bar: the SL wins", () => {
    const { m, rec } = run({
      close: [100, 100, 100],
      open: [100, 100, 100],
      high: [100, 100, 103],
      low: [100, 100, 97],
      le: [0],
      params: { slStop: 0.02, tpStop: 0.02 },
    });
    deepEqual(
      rec.orders.map((o) => [o.idx, o.side, o.price, o.reason]),
      [[0, "buy", 100, "entry"], [2, "sell", 98.0, "sl"]],
    );
    equal(m[M.totalReturn], -0.02);
    equal(m[M.nExitTp], 0);
  });

  await t.step(
    "D: entry bar range ignored, a signal on the stop bar dropped",
    () => {
      const { m, rec } = run({
        close: [100, 100, 100, 100],
        open: [100, 100, 100, 100],
        high: [100, 100, 101, 100],
        low: [90, 100, 97, 100],
        le: [0],
        se: [2],
        params: { slStop: 0.02 },
      });
      deepEqual(
        rec.orders.map((o) => [o.idx, o.side, o.price]),
        [[0, "buy", 100], [2, "sell", 98.0]],
      );
      equal(m[M.finalValue], 98.0);
      equal(rec.value[3], 98.0);
      equal(m[M.nTrades], 1);
    },
  );

  await t.step("E: trailing SL folds each high in after the check", () => {
    const { m, rec } = run({
      close: [100, 103, 104, 101, 100],
      open: [100, 100, 103, 104, 101],
      high: [100, 105, 104.5, 104, 101],
      low: [100, 99, 102, 100.5, 99],
      le: [0],
      params: { slStop: 0.03, slTrail: true },
    });
    deepEqual(
      rec.orders.map((o) => [o.idx, o.side, o.price, o.reason]),
      [[0, "buy", 100, "entry"], [3, "sell", 101.85, "tsl"]],
    );
    equal(m[M.totalReturn], 0.018499999999999944);
    equal(m[M.sharpe], 150.2876141644247);
    equal(m[M.maxDrawdown], -0.02067307692307696);
    equal(m[M.nExitTsl], 1);
    equal(m[M.winRate], 1);
  });

  await t.step("F: reversal in one order, then a short TP, no OHLC", () => {
    const { m, rec } = run({
      close: [100, 102, 101, 98, 97],
      le: [0],
      se: [1],
      params: { tpStop: 0.03, fees: 0.001, slippage: 0.0005 },
    });
    const [o0, o1, o2] = rec.orders;
    equal(rec.orders.length, 3);
    deepEqual([o0!.idx, o0!.side, o0!.size, o0!.price], [
      0,
      "buy",
      0.9985017481269357,
      100.05,
    ]);
    deepEqual([o1!.idx, o1!.side, o1!.size, o1!.price, o1!.fees], [
      1,
      "sell",
      1.9950084877661056,
      101.94900000000001,
      0.20338912031926673,
    ]);
    deepEqual([o2!.idx, o2!.side, o2!.size, o2!.price, o2!.fees, o2!.reason], [
      3,
      "buy",
      0.9965067396391699,
      98.0,
      0.09765766048463866,
      "tp",
    ]);
    deepEqual(rec.trades.map((x) => [x.direction, x.pnl, x.exitReason]), [
      ["long", 1.6944584650731906, "signal"],
      ["short", 3.735954588750973, "tp"],
    ]);
    // cash after bar 1 = value - position * close
    equal(rec.value[1]! - rec.position[1]! * 102, 203.18573119894748);
    equal(m[M.totalReturn], 0.05430413053824182);
    equal(m[M.maxDrawdown], 0.0);
    equal(m[M.sharpe], 628.0321062339062);
    equal(m[M.nExitSignal], 1);
    equal(m[M.nExitTp], 1);
    equal(m[M.winRate], 1);
  });

  await t.step(
    "G: without OHLC a stop crossed at the close fills at it",
    () => {
      const { rec } = run({
        close: [100, 99, 97, 96],
        le: [0],
        params: { slStop: 0.02 },
      });
      deepEqual(rec.orders.map((o) => [o.idx, o.side, o.price]), [
        [0, "buy", 100],
        [2, "sell", 97.0],
      ]);
    },
  );

  await t.step("H: short from flat, then SL", () => {
    const { m, rec } = run({
      close: [100, 101, 103, 104],
      open: [100, 100.5, 101, 103],
      high: [100, 101.5, 103.5, 104],
      low: [100, 100, 101, 102],
      se: [0],
      params: { slStop: 0.025, fees: 0.002 },
    });
    const [o0, o1] = rec.orders;
    deepEqual([o0!.idx, o0!.side, o0!.size, o0!.price, o0!.fees], [
      0,
      "sell",
      0.998003992015968,
      100.0,
      0.1996007984031936,
    ]);
    equal(rec.value[0]! - rec.position[0]! * 100, 199.6007984031936);
    deepEqual([o1!.idx, o1!.side, o1!.price, o1!.fees], [
      2,
      "buy",
      102.49999999999999,
      0.20459081836327342,
    ]);
    equal(m[M.totalReturn], -0.02899201596806378);
    equal(m[M.maxDrawdown], -0.02705000000000002);
    equal(m[M.sharpe], -670.459457305395);
    equal(rec.trades[0]!.direction, "short");
  });

  await t.step("I: no trades: flat value, sharpe inf", () => {
    const { m, rec } = run({ close: [100, 101, 102] });
    deepEqual(Array.from(rec.value), [100, 100, 100]);
    equal(m[M.totalReturn], 0.0);
    equal(m[M.totalProfit], 0.0);
    equal(m[M.maxDrawdown], 0.0);
    equal(m[M.sharpe], Infinity);
    equal(m[M.nTrades], 0);
    ok(Number.isNaN(m[M.winRate]!));
  });
});

Deno.test("simulate() handles open trades and same-side entries", async (t) => {
  await t.step(
    "an open trade is marked at the last close with no exit fee",
    () => {
      const { m, rec } = run({
        close: [100, 110, 120],
        le: [0, 1],
        params: { fees: 0.01 },
      });
      equal(rec.orders.length, 1);
      equal(m[M.nTrades], 1);
      equal(m[M.nOpenTrades], 1);
      equal(m[M.nClosedTrades], 0);
      const tr = rec.trades[0]!;
      equal(tr.status, "open");
      equal(tr.exitPrice, 120);
      equal(tr.exitFees, 0);
      ok(Math.abs(m[M.finalValue]! - (100 + tr.pnl)) < 1e-9);
      equal(m[M.exposure], 1);
    },
  );
});

Deno.test("simulate(): the fast paths give the per-bar results bit for bit", () => {
  // Without a record the loop jumps over flat bars and takes the drawdown per peak epoch; with
  // one it walks every bar. Both must equal each other and the per-bar formulas of vectorbt
  // applied to the recorded value series (returns, sequential mean/variance, running peak).
  const f = syntheticTable({ bars: 3000, seed: 5 }).symbols[0]!;
  const input = (k: number) => ({
    close: f.close,
    open: f.open,
    high: f.high,
    low: f.low,
    signals: buildSignals(f, {
      k,
      n: 1,
      t: 10,
      v: 10,
      maxSpreadBps: 5,
      maxFundingBps: 10,
    }, { blockers: false }),
  });
  for (const k of [0.5, 1, 2]) {
    for (
      const [slStop, tpStop, slTrail] of [
        [NaN, NaN, false],
        [0.003, 0.006, false],
        [0.004, NaN, true],
        [NaN, 0.002, false],
      ] as const
    ) {
      const params = {
        slStop,
        tpStop,
        slTrail,
        fees: 0.0005,
        slippage: 0.0002,
        initCash: 100,
      };
      const fast = simulate(input(k), params);
      // The caller's fused pass over the returns (the grid runner's return statistics) gives
      // the Sharpe the same sum of squares; NaN from it falls back to the engine's own pass.
      let calls = 0;
      const stats = new Float64Array(N_MOMENTS);
      const fused = simulate(input(k), params, {
        returnsPass: (r, n) => {
          calls++;
          return returnStats(r, n, undefined, 0, stats, 0);
        },
      });
      deepEqual(fused, fast);
      equal(calls, 1);
      deepEqual(simulate(input(k), params, { returnsPass: () => NaN }), fast);
      const off = simulate(input(k), params, {
        returnsPass: (r, n) => returnStats(r, n, undefined, 0, stats, 0) * 4,
      });
      equal(off[M.sharpe], fast[M.sharpe]! / 2);
      const rec = newSimRecord(f.bars);
      const slow = simulate(input(k), params, { record: rec });
      deepEqual(
        fast,
        slow,
        `k=${k} sl=${slStop} tp=${tpStop} trail=${slTrail}`,
      );
      const rets: number[] = [];
      let prev = 100, cp = 1, peak = NaN, minDd = Infinity;
      for (const v of rec.value) {
        const r = (v - prev) / prev;
        prev = v;
        rets.push(r);
        cp *= 1 + r;
        const cum = cp * 100;
        if (peak !== peak || cum > peak) peak = cum;
        minDd = Math.min(minDd, cum / peak - 1);
      }
      let sum = 0;
      for (const r of rets) sum += r;
      const mean = sum / rets.length;
      let ssd = 0;
      for (const r of rets) ssd += (r - mean) * (r - mean);
      const std = Math.sqrt(
        ssd / rets.length * rets.length / (rets.length - 1),
      );
      equal(fast[M.maxDrawdown], minDd);
      equal(
        fast[M.sharpe],
        std === 0 ? Infinity : mean / std * Math.sqrt(525600),
      );
      ok(fast[M.nOrders]! > 10);
    }
  }
});

Deno.test("simulate(): block sums made in the bar loop equal the statistics' own first pass", () => {
  // The loop's jumps over flat bars stop at block ends; blocks may start after bar 0, end
  // before the last bar, be empty, or cut a flat stretch.
  const f = syntheticTable({ bars: 3000, seed: 7 }).symbols[0]!;
  const plans = [
    [0, 750, 1500, 2250, 3000],
    [137, 137, 900, 901, 2000, 2999],
    [500, 2500],
    [0, 3000, 3000],
  ].map((b) => Int32Array.from(b));
  for (const k of [0.5, 2]) {
    const input = {
      close: f.close,
      open: f.open,
      high: f.high,
      low: f.low,
      signals: buildSignals(f, {
        k,
        n: 1,
        t: 10,
        v: 10,
        maxSpreadBps: 5,
        maxFundingBps: 10,
      }, { blockers: false }),
    };
    for (
      const [slStop, tpStop, slTrail] of [
        [NaN, NaN, false],
        [0.003, 0.006, false],
        [0.004, NaN, true],
      ] as const
    ) {
      const params = {
        slStop,
        tpStop,
        slTrail,
        fees: 0.0005,
        slippage: 0.0002,
        initCash: 100,
      };
      for (const bounds of plans) {
        const w = N_MOMENTS + 3 * (bounds.length - 1);
        const want = new Float64Array(w), got = new Float64Array(w);
        const scratch = new Float64Array(f.bars);
        const plain = simulate(input, params, { scratch });
        returnStatsRanges(scratch, f.bars, bounds, want, 0);
        const loopSums = new Float64Array(3 + 2 * (bounds.length - 1));
        const passSums = loopSums.slice();
        let handed = false;
        const fused = simulate(input, params, {
          blockBounds: bounds,
          blockSums: loopSums,
          returnsPass: (r, n, sums) => {
            handed = sums !== undefined;
            rangeSums(r, n, bounds, passSums);
            return sums !== undefined
              ? returnStatsFromSums(r, n, bounds, got, 0, sums)
              : returnStatsRanges(r, n, bounds, got, 0);
          },
        });
        const what = `k=${k} sl=${slStop} tp=${tpStop} bounds=${bounds}`;
        equal(handed, true, what);
        deepEqual([...loopSums], [...passSums], what);
        deepEqual(fused, plain, what);
        deepEqual([...got], [...want], what);
      }
    }
  }
});
