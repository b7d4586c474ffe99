import assert from "node:assert/strict";
import {
  blockBounds,
  blockMoments,
  N_MOMENTS,
  returnMoments,
  returnStats,
  returnStatsRanges,
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
    returnMoments(r, 3000, a, 0);
    blockMoments(r, blockOf, 3, a, N_MOMENTS);
    returnStats(r, 3000, blockOf, 3, b, 0);
    assert.deepEqual([...b], [...a]);
  }
});
