import assert from "node:assert/strict";
import { plateauGrid, plateauScores } from "./plateau.ts";

const M = [
  [0.5, 0.6, 0.7, NaN],
  [0.6, 2.5, 0.4, 0.5],
  [0.5, 0.4, 1.6, 1.7],
  [0.4, 0.5, 1.8, 1.9],
];
const SCORE = [
  [1.05, 0.883333, 0.94, 0.533333],
  [0.85, 0.866667, 1.05, 0.98],
  [0.816667, 0.966667, 1.255556, 1.316667],
  [0.45, 0.866667, 1.316667, 1.75],
];
const VALID = [[4, 6, 5, 3], [6, 9, 8, 5], [6, 9, 9, 6], [4, 6, 6, 4]];

function grid4() {
  const a1 = new Float64Array(16), a2 = new Float64Array(16);
  const metric = new Float64Array(16);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      a1[i * 4 + j] = 10 * (i + 1);
      a2[i * 4 + j] = [0.1, 0.3, 1, 7][j]!; // irregular values: index space
      metric[i * 4 + j] = M[i]![j]!;
    }
  }
  return { grid: plateauGrid([a1, a2], [true, true]), metric };
}

Deno.test("plateau scores: the reference's 4x4 example", () => {
  const { grid, metric } = grid4();
  const p = plateauScores(grid, metric, 1, 0);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      assert.equal(p.valid[i * 4 + j], VALID[i]![j]);
      if (i === 0 && j === 3) {
        assert.ok(Number.isNaN(p.score[3]!));
        continue;
      }
      assert.ok(
        Math.abs(p.score[i * 4 + j]! - SCORE[i]![j]!) < 1e-6,
        `(${i},${j}) ${p.score[i * 4 + j]}`,
      );
    }
  }
  let best = 0;
  for (let c = 1; c < 16; c++) if (p.score[c]! > p.score[best]!) best = c;
  assert.equal(best, 15); // (3,3), not the spike (1,1) = 2.5
});

Deno.test("plateau scores equal brute force, categorical levels never smoothed", () => {
  // Axis 1: stop off (NaN) plus 3 levels; axis 2 has only 2 levels (not smoothed).
  const v1: number[] = [], v2: number[] = [], metric: number[] = [];
  let seed = 5;
  for (const x of [NaN, 0.01, 0.02, 0.05]) {
    for (const y of [1, 2]) {
      v1.push(x);
      v2.push(y);
      seed = (seed * 16807) % 2147483647;
      metric.push(seed % 7 === 0 ? NaN : (seed % 1000) / 100);
    }
  }
  const grid = plateauGrid(
    [Float64Array.from(v1), Float64Array.from(v2)],
    [true, true],
  );
  assert.deepEqual(grid.smoothed, [true, false]);
  const p = plateauScores(grid, Float64Array.from(metric), 1, 0);
  for (let c = 0; c < v1.length; c++) {
    const li = grid.levels[0]![c]!;
    let s = 0, n = 0;
    for (let d = 0; d < v1.length; d++) {
      const lj = grid.levels[0]![d]!;
      const near = li < 0 ? lj === li : lj >= 0 && Math.abs(lj - li) <= 1;
      if (near && v2[d] === v2[c] && Number.isFinite(metric[d]!)) {
        s += metric[d]!;
        n++;
      }
    }
    assert.equal(p.valid[c], n);
    if (Number.isFinite(metric[c]!)) {
      assert.ok(Math.abs(p.score[c]! - s / n) < 1e-12);
    } else assert.ok(Number.isNaN(p.score[c]!));
  }
});

Deno.test("plateau coverage below the minimum gives NaN", () => {
  const { grid } = grid4();
  const metric = new Float64Array(16).fill(NaN);
  metric[0] = 1;
  const p = plateauScores(grid, metric);
  assert.equal(p.coverage[0], 0.25);
  assert.ok(Number.isNaN(p.score[0]!));
});
