import assert from "node:assert/strict";
import { downsampleMinMax, drawdownCurve } from "./downsample.ts";

Deno.test("downsampleMinMax() keeps each bucket's extremes in time order", async (t) => {
  await t.step("a series within 2 * buckets points is copied", () => {
    const x = Float64Array.of(1, 2, 3, 4, 5, 6);
    const y = Float64Array.of(5, 4, 6, 1, 2, 3);
    const d = downsampleMinMax(x, y, 2);
    assert.deepEqual([...d.x], [...x]);
    assert.deepEqual([...d.y], [...y]);
    assert.notEqual(d.y, y);
  });
  await t.step("two buckets of five keep min and max of each", () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i * 10);
    const y = Float64Array.of(3, 9, 1, 4, 5, 2, 2, 8, 0, 7);
    const d = downsampleMinMax(x, y, 2);
    // bucket 0: first point, max 9 at i=1, min 1 at i=2;
    // bucket 1: max 8 at i=7, min 0 at i=8, last point
    assert.deepEqual([...d.x], [0, 10, 20, 70, 80, 90]);
    assert.deepEqual([...d.y], [3, 9, 1, 8, 0, 7]);
  });
  await t.step(
    "NaN values are skipped; an all-NaN bucket emits nothing",
    () => {
      const x = Float64Array.from({ length: 8 }, (_, i) => i);
      const y = Float64Array.of(NaN, NaN, NaN, NaN, 1, NaN, NaN, 3);
      const d = downsampleMinMax(x, y, 2);
      assert.deepEqual([...d.x], [4, 7]);
    },
  );
  await t.step(
    "a flat bucket emits one point (the last bucket also its end)",
    () => {
      const x = Float64Array.from({ length: 8 }, (_, i) => i);
      const y = new Float64Array(8).fill(2);
      assert.deepEqual([...downsampleMinMax(x, y, 2).x], [0, 4, 7]);
    },
  );
  await t.step("global extremes of a long series survive", () => {
    const n = 100_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 700));
    y[54_321] = -5;
    y[12_345] = 5;
    const d = downsampleMinMax(x, y, 500);
    assert.ok(d.x.length <= 1002);
    assert.equal(d.x[0], 0);
    assert.equal(d.x.at(-1), n - 1);
    assert.equal(Math.min(...d.y), -5);
    assert.equal(Math.max(...d.y), 5);
    assert.ok(d.x.every((v, i) => i === 0 || v > d.x[i - 1]!));
  });
  await t.step("bad arguments throw RangeError", () => {
    assert.throws(
      () => downsampleMinMax(new Float64Array(2), new Float64Array(3), 1),
      RangeError,
    );
    assert.throws(
      () => downsampleMinMax(new Float64Array(2), new Float64Array(2), 0),
      RangeError,
    );
  });
});

Deno.test("drawdownCurve() measures the fall from the running peak", async (t) => {
  await t.step("new highs are 0, falls are negative fractions", () => {
    const dd = drawdownCurve(Float64Array.of(100, 110, 99, 121, 60.5));
    assert.deepEqual([...dd].map((v) => Math.round(v * 1e12) / 1e12), [
      0,
      0,
      -0.1,
      0,
      -0.5,
    ]);
  });
  await t.step("NaN keeps the previous drawdown", () => {
    const dd = drawdownCurve(Float64Array.of(100, 50, NaN, 100));
    assert.deepEqual([...dd], [0, -0.5, -0.5, 0]);
  });
});
