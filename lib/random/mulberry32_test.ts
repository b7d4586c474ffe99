import { equal, notEqual, ok } from "node:assert/strict";
import { mulberry32 } from "./mulberry32.ts";

Deno.test("mulberry32() is deterministic per seed and stays in [0, 1)", () => {
  const a = mulberry32(7), b = mulberry32(7), c = mulberry32(8);
  const xs = Array.from({ length: 1000 }, () => a());
  equal(xs.join(), Array.from({ length: 1000 }, () => b()).join());
  notEqual(xs[0], c());
  ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});
