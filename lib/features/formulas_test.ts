import { equal } from "node:assert/strict";
import {
  fundingBps,
  openLossLongBps,
  openLossShortBps,
  retBps,
  rsVar,
  rsVolBps,
  spreadBps,
} from "./formulas.ts";

function near(actual: number, expected: number, tol = 1e-12): void {
  equal(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    true,
    `${actual} != ${expected}`,
  );
}

Deno.test("formulas compute the documented values", async (t) => {
  await t.step("retBps is the simple return in bp", () => {
    near(retBps(100, 101), 100);
    near(retBps(200, 199), -50);
  });
  await t.step("rsVar is the Rogers–Satchell variance of a bar", () => {
    // o=100 h=110 l=95 c=105
    const expected = Math.log(110 / 105) * Math.log(110 / 100) +
      Math.log(95 / 105) * Math.log(95 / 100);
    near(rsVar(100, 110, 95, 105), expected);
    equal(rsVar(100, 100, 100, 100), 0);
    equal(Number.isNaN(rsVar(NaN, 1, 1, 1)), true);
  });
  await t.step("rsVolBps is sqrt(sum / T) in bp", () => {
    near(rsVolBps(4e-8, 4), 1);
  });
  await t.step("spread, funding and opening losses in bp", () => {
    near(spreadBps(99, 101), 200);
    near(fundingBps(0.0001), 1);
    near(openLossLongBps(101, 100), 100);
    near(openLossShortBps(99.5, 100), 50);
    equal(Number.isNaN(spreadBps(NaN, 101)), true);
    equal(Number.isNaN(openLossLongBps(101, NaN)), true);
  });
});
