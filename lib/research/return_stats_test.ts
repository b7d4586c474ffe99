import assert from "node:assert/strict";
import {
  blockBounds,
  blockMoments,
  N_MOMENTS,
  rangeSums,
  returnMoments,
  returnStats,
  returnStatsFromSums,
  returnStatsRanges,
  sparseReturnStats,
} from "./return_stats.ts";

Deno.test("returnStats() equals returnMoments() and blockMoments() bit for bit", () => {
  let seed = 9;
  const rets = Float64Array.from({ length: 5000 }, (_, i) => {
    seed = (seed * 16807) % 2147483647;
    return i % 97 === 0 ? NaN : (seed / 2147483647 - 0.5) * 1e-3;
  });
  const blockOf = Int16Array.from(
    { length: 5000 },
    (_, i) => i < 200 ? -1 : Math.min(5, Math.floor((i - 200) / 800)),
  );
  const a = new Float64Array(N_MOMENTS + 18),
    b = new Float64Array(N_MOMENTS + 18);
  returnMoments(rets, 5000, a, 0);
  blockMoments(rets, blockOf, 6, a, N_MOMENTS);
  returnStats(rets, 5000, blockOf, 6, b, 0);
  assert.deepEqual([...b], [...a]);
  const bounds = blockBounds(blockOf, 6)!;
  assert.deepEqual([...bounds], [200, 1000, 1800, 2600, 3400, 4200, 5000]);
  const d = new Float64Array(N_MOMENTS + 18);
  returnStatsRanges(rets, 5000, bounds, d, 0);
  assert.deepEqual([...d], [...a]);
  assert.equal(blockBounds(Int16Array.from([0, 1, 0]), 2), undefined);
  assert.equal(blockBounds(Int16Array.from([-1, 0, 0]), 2), undefined);
  const c = new Float64Array(N_MOMENTS);
  returnStats(rets, 5000, undefined, 0, c, 0);
  assert.deepEqual([...c], [...a.subarray(0, N_MOMENTS)]);
});

Deno.test("returnStats() equals the two calls with interleaved blocks and an infinite return", () => {
  let seed = 5;
  const rets = Float64Array.from({ length: 3000 }, (_, i) => {
    seed = (seed * 16807) % 2147483647;
    return i % 113 === 0
      ? NaN
      : i % 500 === 7
      ? 0
      : (seed / 2147483647 - 0.5) * 1e-2;
  });
  // Blocks that come back after other blocks and gaps (runs of 37 bars), bar 0 in none.
  const blockOf = Int16Array.from(
    { length: 3000 },
    (_, i) =>
      i === 0 || Math.floor(i / 37) % 5 === 4 ? -1 : Math.floor(i / 37) % 3,
  );
  for (const withInf of [false, true]) {
    const r = rets.slice();
    if (withInf) r[1500] = -Infinity;
    const a = new Float64Array(N_MOMENTS + 9),
      b = new Float64Array(N_MOMENTS + 9);
    const s2a = returnMoments(r, 3000, a, 0);
    blockMoments(r, blockOf, 3, a, N_MOMENTS);
    const s2b = returnStats(r, 3000, blockOf, 3, b, 0);
    assert.deepEqual([...b], [...a]);
    // The returned s2 is the variance's second pass in bar order (NaN with an infinite return).
    let sum = 0, cnt = 0;
    for (const x of r) if (x === x) (sum += x, cnt++);
    let s2 = 0;
    for (const x of r) if (x === x) s2 += (x - sum / cnt) * (x - sum / cnt);
    assert.equal(s2a, withInf ? NaN : s2);
    assert.equal(s2b, s2a);
    const bounds = blockBounds(
      Int16Array.from(
        { length: 3000 },
        (_, i) => i < 100 ? -1 : i < 2000 ? 0 : 1,
      ),
      2,
    )!;
    const d = new Float64Array(N_MOMENTS + 6);
    assert.equal(returnStatsRanges(r, 3000, bounds, d, 0), s2a);
  }
});

Deno.test("sparseReturnStats() equals returnStats() on a series that is zero outside its spans", () => {
  let seed = 5;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const n = 6000;
  const rets = new Float64Array(n);
  const spans: number[] = [];
  // spans crossing block boundaries, one before the first block, one after the last
  for (let i = 3; i < n;) {
    const len = 1 + Math.floor(rnd() * 120);
    const e = Math.min(n, i + len);
    spans.push(i, e);
    for (let j = i; j < e; j++) {
      rets[j] = j % 211 === 0 ? NaN : (rnd() - 0.45) * 2e-3;
    }
    i = e + 1 + Math.floor(rnd() * 300);
  }
  const blockOf = Int16Array.from(
    { length: n },
    (_, i) => i < 150 || i >= 5900 ? -1 : Math.floor((i - 150) / 1150),
  );
  const bounds = blockBounds(blockOf, 5)!;
  const dense = new Float64Array(N_MOMENTS + 15),
    sparse = new Float64Array(N_MOMENTS + 15);
  returnStats(rets, n, blockOf, 5, dense, 0);
  const sr = sparseReturnStats(
    rets,
    Int32Array.from(spans),
    spans.length / 2,
    n,
    bounds,
    sparse,
    0,
  );
  const close = (x: number, y: number) =>
    assert.ok(
      Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y)),
      `${x} vs ${y}`,
    );
  for (let k = 0; k < dense.length; k++) close(sparse[k]!, dense[k]!);
  // the Sharpe against a direct mean / std (ddof 1) over the finite returns
  const fin = [...rets].filter((r) => r === r);
  const mean = fin.reduce((a, r) => a + r, 0) / fin.length;
  const sd = Math.sqrt(
    fin.reduce((a, r) => a + (r - mean) ** 2, 0) / (fin.length - 1),
  );
  close(sr, mean / sd);
  // without blocks: the same moments; an all-zero series has no Sharpe
  const m = new Float64Array(N_MOMENTS);
  sparseReturnStats(
    rets,
    Int32Array.from(spans),
    spans.length / 2,
    n,
    undefined,
    m,
    0,
  );
  for (let k = 0; k < N_MOMENTS; k++) close(m[k]!, dense[k]!);
  assert.ok(
    Number.isNaN(
      sparseReturnStats(
        new Float64Array(10),
        new Int32Array(0),
        0,
        10,
        undefined,
        m,
        0,
      ),
    ),
  );
  assert.equal(m[0], 10);
});

Deno.test("rangeSums() is the first pass: returnStatsFromSums() of it equals returnStatsRanges()", () => {
  let seed = 11;
  const rets = Float64Array.from({ length: 2000 }, (_, i) => {
    seed = (seed * 16807) % 2147483647;
    return i % 101 === 0 ? NaN : (seed / 2147483647 - 0.5) * 1e-3;
  });
  const bounds = Int32Array.from([10, 500, 500, 1500, 1990]);
  const sums = new Float64Array(3 + 2 * 4);
  rangeSums(rets, 2000, bounds, sums);
  let s = 0, c = 0;
  for (let i = 0; i < 2000; i++) if (rets[i] === rets[i]) (s += rets[i]!, c++);
  assert.deepEqual([...sums.subarray(0, 3)], [s, c, 0]);
  let b = 0, n = 0;
  for (let i = 500; i < 1500; i++) {
    if (rets[i] === rets[i]) (b += rets[i]!, n++);
  }
  assert.deepEqual([...sums.subarray(7, 9)], [b, n]);
  assert.deepEqual([...sums.subarray(5, 7)], [0, 0]);
  const a = new Float64Array(N_MOMENTS + 12),
    d = new Float64Array(N_MOMENTS + 12);
  assert.equal(
    returnStatsFromSums(rets, 2000, bounds, d, 0, sums),
    returnStatsRanges(rets, 2000, bounds, a, 0),
  );
  assert.deepEqual([...d], [...a]);
  rets[700] = Infinity;
  rangeSums(rets, 2000, bounds, sums);
  assert.equal(sums[2], 1);
});
