import { deepEqual, equal } from "node:assert/strict";
import {
  settledFundingBar,
  SETTLEMENT_STAMP_MS,
  settlementCutoff,
  upcomingFundingBars,
  upcomingSettlement,
} from "./funding_rule.ts";

const T = Date.UTC(2025, 4, 26, 8);
const M = 60_000;

Deno.test("settlementCutoff(): a settlement file's event may be stamped late, a prediction may not", () => {
  equal(settlementCutoff(T, "settlements"), T + SETTLEMENT_STAMP_MS);
  equal(settlementCutoff(T, "predictions"), T);
});

Deno.test("settledFundingBar(): the bar opening at T for settlements, the bar ending at T for predictions", () => {
  // bars 07:58, 07:59, 08:00, 08:01
  const ts = Float64Array.of(T - 2 * M, T - M, T, T + M);
  equal(settledFundingBar(ts, T, "settlements"), 2);
  equal(settledFundingBar(ts, T, "predictions"), 1);
  // a missing 07:59 bar: the last prediction before 08:00 is the 07:58 bar's
  const gap = Float64Array.of(T - 2 * M, T, T + M);
  equal(settledFundingBar(gap, T, "predictions"), 0);
  // a missing 08:00 bar: the 08:00 event shows first in the 08:01 bar
  const late = Float64Array.of(T - 2 * M, T - M, T + M);
  equal(settledFundingBar(late, T, "settlements"), 2);
  // the table does not reach the bar that shows the rate
  equal(settledFundingBar(Float64Array.of(T, T + M), T, "predictions"), -1);
  equal(
    settledFundingBar(Float64Array.of(T - 2 * M, T - M), T, "settlements"),
    -1,
  );
});

Deno.test("upcomingFundingBars(): the replay shows the next settlement's rate, the one at the close included", () => {
  equal(upcomingSettlement(T), T);
  equal(upcomingSettlement(T + 1), T + 8 * 3_600_000);
  equal(upcomingSettlement(T - M), T);
  // bars 07:58, 07:59 (closes at 08:00: still the 08:00 settlement), 08:00, 08:01 (the
  // 16:00 settlement is past the table)
  const ts = Float64Array.of(T - 2 * M, T - M, T, T + M);
  deepEqual([...upcomingFundingBars(ts)], [2, 2, -1, -1]);
  // a missing 08:00 bar: the 08:00 event shows first in the 08:01 bar
  deepEqual([...upcomingFundingBars(Float64Array.of(T - M, T + M))], [1, -1]);
});
