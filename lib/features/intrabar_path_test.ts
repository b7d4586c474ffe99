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
