import assert from "node:assert/strict";
import { autoBlocks, DAY_MS, planDayBlocks } from "./day_blocks.ts";

Deno.test("planDayBlocks() cuts whole UTC days, drops the oldest left over", () => {
  // 10 days of hourly bars starting at 12:00 on day 100: spans 11 UTC days.
  const t = Float64Array.from(
    { length: 240 },
    (_, i) => 100 * DAY_MS + 12 * 3600_000 + i * 3600_000,
  );
  const b = planDayBlocks([t], 4);
  assert.equal(b.days, 11);
  assert.equal(b.daysPerBlock, 2);
  assert.equal(b.startMs, 103 * DAY_MS);
  const first = b.blockOf[0]!.indexOf(0);
  assert.equal(t[first], 103 * DAY_MS);
  assert.equal(b.blockOf[0]![first - 1], -1);
  assert.equal(b.blockOf[0]![239], 3);
  assert.equal(t[b.blockOf[0]!.indexOf(3)], 109 * DAY_MS);
});

Deno.test("planDayBlocks() refuses an odd, small or too large S", () => {
  const t = Float64Array.from({ length: 10 }, (_, i) => i * DAY_MS);
  assert.throws(() => planDayBlocks([t], 5), /even/);
  assert.throws(() => planDayBlocks([t], 2), /even number >= 4/);
  assert.throws(() => planDayBlocks([t], 12), /spans 10 UTC day/);
  assert.equal(planDayBlocks([t], 10).daysPerBlock, 1);
});

Deno.test("autoBlocks() picks 16 or the largest even S the days support", () => {
  assert.equal(autoBlocks(30), 16);
  assert.equal(autoBlocks(11), 10);
  assert.equal(autoBlocks(4), 4);
  assert.equal(autoBlocks(3), 0);
});
