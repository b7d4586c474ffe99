import { deepEqual, equal } from "node:assert/strict";
import { intrabarPath, PATH_POINTS, PATH_VERTICES } from "./intrabar_path.ts";

Deno.test("intrabarPath() walks open, the extremes and the close on the tick", () => {
  const out = new Float64Array(PATH_POINTS);
  intrabarPath(100, 101, 99.5, 100.6, 0.1, out); // an up bar: low first
  deepEqual(PATH_VERTICES.map((i) => out[i]), [100, 99.5, 101, 100.6]);
  for (let i = 0; i < PATH_POINTS; i++) {
    equal(out[i]! >= 99.5 && out[i]! <= 101, true);
    equal(
      Math.abs(out[i]! * 10 - Math.round(out[i]! * 10)) < 1e-6,
      true,
      `${out[i]} on the tick`,
    );
  }
  intrabarPath(100, 101, 99.5, 99.7, 0.1, out); // a down bar: high first
  deepEqual(PATH_VERTICES.map((i) => out[i]), [100, 101, 99.5, 99.7]);
  // monotone between vertices
  for (let i = 1; i <= PATH_VERTICES[1]!; i++) {
    equal(out[i]! >= out[i - 1]!, true);
  }
  for (let i = PATH_VERTICES[1]! + 1; i <= PATH_VERTICES[2]!; i++) {
    equal(out[i]! <= out[i - 1]!, true);
  }
});

Deno.test("intrabarPath() prices are the decimals the replay prints, as the nearest doubles", () => {
  const out = new Float64Array(PATH_POINTS);
  // BTCUSDT 2025-05-25 23:19: the path passes 108742.4, which k * 0.1 makes
  // 108742.40000000001 (above a take-profit at 108742.4 that the simulator fires on)
  intrabarPath(108822.9, 108842.5, 108704.8, 108754.5, 0.1, out);
  equal(out.includes(108742.4), true);
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (
    const [tick, dp] of [[0.1, 1], [0.01, 2], [0.001, 3], [0.5, 1]] as const
  ) {
    for (let n = 0; n < 200; n++) {
      const at = (x: number) =>
        Number((Math.round(x / tick) * tick).toFixed(dp));
      const base = 100 + rnd() * 200_000;
      const o = at(base), c = at(base * (1 + (rnd() - 0.5) / 100));
      const h = at(Math.max(o, c) * (1 + rnd() / 100));
      const l = at(Math.min(o, c) * (1 - rnd() / 100));
      intrabarPath(o, h, l, c, tick, out);
      for (const p of out) {
        // what the simulator prints and its engine parses back
        equal(
          p,
          Number(p.toFixed(dp)),
          `${p} (tick ${tick}) is not a clean decimal`,
        );
        equal(Math.abs(p / tick - Math.round(p / tick)) < 1e-6, true);
      }
    }
  }
});
