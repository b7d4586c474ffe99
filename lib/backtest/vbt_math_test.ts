import { equal } from "node:assert/strict";
import { add, isClose, isCloseOrLess, isLess } from "./vbt_math.ts";

Deno.test("isClose() and add() follow vectorbt's tolerances", async (t) => {
  await t.step("isClose", () => {
    equal(isClose(1, 1 + 1e-10), true);
    equal(isClose(1, 1 + 1e-8), false);
    equal(isClose(0, 1e-13), true);
    equal(isClose(NaN, NaN), false);
    equal(isClose(Infinity, Infinity), false);
  });
  await t.step("isCloseOrLess, isLess", () => {
    equal(isCloseOrLess(1 + 1e-10, 1), true);
    equal(isLess(1 - 1e-10, 1), false);
    equal(isLess(0.5, 1), true);
  });
  await t.step("add snaps cancellation to exactly 0", () => {
    equal(add(100, -100.00000000001), 0);
    equal(add(0.1 + 0.2, -0.3), 0);
    equal(add(1e-13, 1e-13), 0);
    equal(add(1, 2), 3);
    equal(add(5, -0), 5);
  });
});
