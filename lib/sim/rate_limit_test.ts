import { deepEqual } from "node:assert/strict";
import { WeightMeter } from "./rate_limit.ts";

Deno.test("WeightMeter.use() limits per sim minute and bans repeat offenders", async (t) => {
  const m = new WeightMeter({ limit: 10, strikes: 2, banMs: 120_000 });
  const t0 = 60_000 * 1000 + 15_000;
  await t.step("within the limit", () => {
    deepEqual(m.use(10, t0), { kind: "ok", used: 10 });
  });
  await t.step("over it: retry at the next minute", () => {
    deepEqual(m.use(1, t0), { kind: "limited", used: 11, retryAfterSec: 45 });
    deepEqual(m.use(1, t0 + 1000), {
      kind: "limited",
      used: 12,
      retryAfterSec: 44,
    });
  });
  await t.step(
    "a third strike bans for 2 minutes across minute boundaries",
    () => {
      deepEqual(m.use(1, t0 + 2000), {
        kind: "banned",
        used: 13,
        until: t0 + 122_000,
        retryAfterSec: 120,
      });
      deepEqual(m.use(1, t0 + 62_000).kind, "banned");
      deepEqual(m.use(1, t0 + 122_000), { kind: "ok", used: 1 });
    },
  );
});
