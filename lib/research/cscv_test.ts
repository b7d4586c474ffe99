import assert from "node:assert/strict";
import { type BlockColumns, chanMerge, cscv } from "./cscv.ts";
import { blockMoments } from "./return_stats.ts";

/** Builds block columns from a T x N row matrix cut into S contiguous blocks. */
function columns(rows: number[][], s: number): BlockColumns {
  const t = rows.length, nCfg = rows[0]!.length;
  const len = Math.floor(t / s), drop = t - s * len;
  const blockOf = new Int16Array(t).fill(-1);
  for (let i = drop; i < t; i++) blockOf[i] = Math.floor((i - drop) / len);
  const n = new Float64Array(s * nCfg),
    mean = new Float64Array(s * nCfg),
    m2 = new Float64Array(s * nCfg);
  const out = new Float64Array(3 * s);
  for (let c = 0; c < nCfg; c++) {
    blockMoments(Float64Array.from(rows.map((r) => r[c]!)), blockOf, s, out, 0);
    for (let b = 0; b < s; b++) {
      n[b * nCfg + c] = out[3 * b]!;
      mean[b * nCfg + c] = out[3 * b + 1]!;
      m2[b * nCfg + c] = out[3 * b + 2]!;
    }
  }
  return { blocks: s, configs: nCfg, n, mean, m2 };
}

const M = [
  [4, 1, 0, -2],
  [2, 0, 1, 3],
  [-3, 2, 1, 0],
  [-1, 1, 2, 1],
  [5, 0, -1, 2],
  [-2, 1, 3, -1],
  [0, 3, -2, 1],
  [1, -1, 2, 0],
];

Deno.test("CSCV: the reference's 8-row example (metric = sum)", () => {
  const r = cscv(columns(M, 4), { metric: "sum" });
  assert.equal(r.splits, 6);
  // Order: {0,1}, {2,3}, {0,2}, {1,3}, {0,3}, {1,2}.
  assert.deepEqual([...r.chosen], [1, 0, 0, 1, 0, 2]);
  assert.deepEqual([...r.isScore], [4, 4, 9, 5, 7, 5]);
  assert.deepEqual([...r.oosScore], [3, 2, -3, 2, -1, 1]);
  const lam = (w: number) => Math.log(w / (1 - w));
  assert.deepEqual([...r.logits], [
    lam(0.6),
    lam(0.3),
    lam(0.2),
    lam(0.3),
    lam(0.2),
    lam(0.2),
  ]);
  assert.equal(r.pbo, 5 / 6);
  assert.equal(r.probLoss, 2 / 6);
  assert.ok(Math.abs(r.degradation.slope - -65 / 58) < 1e-12);
  assert.ok(Math.abs(r.degradation.intercept - 1221 / 174) < 1e-12);
  assert.equal(r.histogram.counts.reduce((a, b) => a + b), 6);
});

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("CSCV from block statistics equals concatenate-and-score", () => {
  const rand = rng(7);
  const t = 1603, nCfg = 50, s = 8;
  const rows = Array.from(
    { length: t },
    () => Array.from({ length: nCfg }, () => rand() - 0.5 + 0.001),
  );
  const r = cscv(columns(rows, s), { metric: "sharpe" });
  assert.equal(r.splits, 70);
  // Naive: concatenate the rows of the chosen blocks, per-period Sharpe (ddof 1).
  const len = Math.floor(t / s), drop = t - s * len;
  const sharpeOf = (blocks: number[], c: number) => {
    const xs: number[] = [];
    for (const b of blocks) {
      for (let i = 0; i < len; i++) xs.push(rows[drop + b * len + i]![c]!);
    }
    const mu = xs.reduce((a, b) => a + b) / xs.length;
    const sd = Math.sqrt(
      xs.reduce((a, b) => a + (b - mu) ** 2, 0) / (xs.length - 1),
    );
    return mu / sd;
  };
  // The first split: IS = blocks 0..3, OOS = 4..7.
  const isv = Array.from({ length: nCfg }, (_, c) => sharpeOf([0, 1, 2, 3], c));
  const oos = Array.from({ length: nCfg }, (_, c) => sharpeOf([4, 5, 6, 7], c));
  const star = isv.indexOf(Math.max(...isv));
  assert.equal(r.chosen[0], star);
  assert.ok(Math.abs(r.isScore[0]! - isv[star]!) < 1e-12);
  assert.ok(Math.abs(r.oosScore[0]! - oos[star]!) < 1e-12);
  const rank = oos.filter((x) => x < oos[star]!).length + 1;
  assert.ok(Math.abs(r.logits[0]! - Math.log(rank / (nCfg + 1 - rank))) < 1e-9);
  // Noise: PBO near 0.5.
  assert.ok(r.pbo > 0.2 && r.pbo < 0.8, `pbo ${r.pbo}`);
});

Deno.test("CSCV: one persistently better config gives PBO 0", () => {
  const rand = rng(3);
  const rows = Array.from(
    { length: 400 },
    () =>
      Array.from({ length: 12 }, (_, c) => rand() - 0.5 + (c === 5 ? 0.3 : 0)),
  );
  const r = cscv(columns(rows, 8));
  assert.equal(r.pbo, 0);
  assert.ok(r.chosen.every((c) => c === 5));
});

Deno.test("CSCV refuses an odd S", () => {
  assert.throws(() => cscv({ ...columns(M, 4), blocks: 3 }), RangeError);
});

Deno.test("chanMerge equals the statistics of the concatenation", () => {
  const xs = [1, 4, 2, 8, 5, 7];
  const stat = (v: number[]) => {
    const mu = v.reduce((a, b) => a + b) / v.length;
    return [v.length, mu, v.reduce((a, b) => a + (b - mu) ** 2, 0)];
  };
  const [na, ma, qa] = stat(xs.slice(0, 2)) as [number, number, number];
  const [nb, mb, qb] = stat(xs.slice(2)) as [number, number, number];
  const [n, m, q] = chanMerge(na, ma, qa, nb, mb, qb);
  const [n2, m2, q2] = stat(xs);
  assert.equal(n, n2);
  assert.ok(Math.abs(m - m2!) < 1e-12 && Math.abs(q - q2!) < 1e-12);
});

Deno.test("CSCV over several symbols averages their half scores", () => {
  const one = columns(M, 4);
  const r1 = cscv(one, { metric: "sum" });
  const r2 = cscv([one, one], { metric: "sum" });
  assert.deepEqual([...r2.logits], [...r1.logits]);
  assert.deepEqual([...r2.oosScore], [...r1.oosScore]);
});
