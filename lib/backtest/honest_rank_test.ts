import assert from "node:assert/strict";
import { deflateRanking, pboOfRanking } from "./honest_rank.ts";
import { honestLines } from "./honest_summary.ts";
import { M, N_METRICS } from "./metrics.ts";
import { dsr, N_MOMENTS, psr } from "../research/mod.ts";

const ANN = Math.sqrt(525600);

function rowsOf(sharpes: number[], trades: number[]): Float64Array {
  const rows = new Float64Array(sharpes.length * N_METRICS);
  sharpes.forEach((s, c) => {
    rows[c * N_METRICS + M.sharpe] = s;
    rows[c * N_METRICS + M.nTrades] = trades[c]!;
  });
  return rows;
}

Deno.test("deflateRanking() uses N eligible + prior, V of their per-bar Sharpes", () => {
  // Config 2 has too few trades, config 3 no finite Sharpe: neither is a trial.
  const sharpes = [12, 6, 30, Infinity, -3];
  const rows = rowsOf(sharpes, [40, 12, 2, 0, 25]);
  const moments = new Float64Array(5 * N_MOMENTS);
  const t = new Float64Array(5);
  for (let c = 0; c < 5; c++) {
    moments.set([43200, 0.8, 45], c * N_MOMENTS);
    t[c] = 43200;
  }
  t[4] = 1000;
  moments[4 * N_MOMENTS] = 1000;
  const d = deflateRanking(rows, moments, t, { minTrades: 5, priorTrials: 7 });
  assert.deepEqual([...d.eligible], [0, 1, 4]);
  assert.equal(d.trials, 10);
  const sr = [12, 6, -3].map((x) => x / ANN);
  const mean = (sr[0]! + sr[1]! + sr[2]!) / 3;
  const v = sr.reduce((a, x) => a + (x - mean) ** 2, 0) / 2;
  assert.ok(Math.abs(d.variance - v) <= 1e-15 * v);
  assert.equal(d.dsr[0], dsr(12 / ANN, 43200, 0.8, 45, 10, d.variance));
  assert.equal(d.psr[0], psr(12 / ANN, 0, 43200, 0.8, 45));
  // Every config has a DSR against the same hurdle, eligible or not.
  assert.equal(d.dsr[2], psr(30 / ANN, d.hurdle, 43200, 0.8, 45));
  assert.ok(Number.isNaN(d.dsr[3]!));
  assert.deepEqual(d.flags, [
    "",
    "",
    "few_trades",
    "few_trades;non_finite_sharpe",
    "short_sample",
  ]);
  assert.equal(d.bars, 43200);
  assert.ok(d.noiseBest > 0 && d.minTrl[0]! > 43200);
});

Deno.test("deflateRanking() without moments (the aggregate) leaves PSR/DSR empty", () => {
  const rows = rowsOf([1, 2], [3, 3]);
  const d = deflateRanking(rows, undefined, Float64Array.from([5000, 5000]), {
    minTrades: 1,
  });
  assert.equal(d.trials, 2);
  assert.ok(Number.isNaN(d.psr[0]!) && Number.isNaN(d.dsr[1]!));
});

Deno.test("honestLines() prints the noise line, the winner's DSR and the PBO", () => {
  const rows = rowsOf([12, 6, -3], [40, 12, 25]);
  const moments = new Float64Array(3 * N_MOMENTS);
  for (let c = 0; c < 3; c++) moments.set([43200, 0.8, 45], c * N_MOMENTS);
  const t = Float64Array.from([43200, 43200, 43200]);
  const deflation = deflateRanking(rows, moments, t, { minTrades: 1 });
  const lines = honestLines(
    { scope: "X", rows, order: Int32Array.from([0, 1, 2]), deflation },
  );
  assert.match(lines[0]!, /best of N=3 null configs over 43200 bars/);
  assert.match(lines[1]!, /winner config 0: Sharpe 12\.00, PSR 0\.9997, DSR/);
  assert.match(lines[1]!, /MinTRL [\d.]+ days/);
  // The aggregate's winner is reported per symbol.
  const agg = honestLines(
    {
      scope: "ALL",
      rows,
      order: Int32Array.from([0, 1, 2]),
      deflation: deflateRanking(rows, undefined, t, { minTrades: 1 }),
    },
    undefined,
    [{ scope: "X", rows, order: Int32Array.from([0, 1, 2]), deflation }],
  );
  assert.match(agg[1]!, /its DSR per symbol: X 0\.\d{4} \(N=3\)/);
});

Deno.test("pboOfRanking() with the sum score: a half's sum of returns times the config's factor", () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const configs = 12, blocks = 6;
  const blockStats = new Float64Array(configs * blocks * 3);
  for (let c = 0; c < configs; c++) {
    for (let b = 0; b < blocks; b++) {
      const o = (c * blocks + b) * 3;
      blockStats[o] = 100 + Math.floor(rnd() * 50);
      blockStats[o + 1] = (rnd() - 0.5) * 1e-3;
      blockStats[o + 2] = rnd() * 1e-4;
    }
  }
  const source = {
    symbols: 1,
    configs,
    moments: new Float64Array(configs * N_MOMENTS),
    blocks,
    blockStats,
  };
  const scale = (c: number) => 25 * (c + 1); // e.g. order_notional
  const total = (c: number) => {
    let s = 0;
    for (let b = 0; b < blocks; b++) {
      const o = (c * blocks + b) * 3;
      s += blockStats[o]! * blockStats[o + 1]! * scale(c);
    }
    return s;
  };
  const eligible = Int32Array.from({ length: configs }, (_, c) => c);
  const r = pboOfRanking(source, [0], eligible, undefined, {
    metric: "sum",
    scale,
    annualised: false,
    text: "net_pnl",
  });
  assert.equal(r.splits, 20);
  for (let k = 0; k < r.splits; k++) {
    const c = r.chosen[k]!;
    // the two halves partition the blocks: IS + OOS = the config's whole sum
    assert.ok(
      Math.abs(r.isScore[k]! + r.oosScore[k]! - total(c)) <
        1e-9 * Math.abs(total(c)) + 1e-12,
    );
  }
  // two symbols: the sum over both (CSCV averages, the factor doubles)
  const two = {
    ...source,
    symbols: 2,
    moments: new Float64Array(2 * configs * N_MOMENTS),
    blockStats: Float64Array.from([...blockStats, ...blockStats]),
  };
  const r2 = pboOfRanking(two, [0, 1], eligible, undefined, {
    metric: "sum",
    scale,
    annualised: false,
    text: "net_pnl",
  });
  for (let k = 0; k < r2.splits; k++) {
    assert.ok(Math.abs(r2.isScore[k]! - 2 * r.isScore[k]!) < 1e-9);
  }
  // the default score is per-bar Sharpe, independent of any factor
  const sh = pboOfRanking(source, [0], eligible);
  assert.notDeepEqual([...sh.isScore], [...r.isScore]);
});
