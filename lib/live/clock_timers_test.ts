import { deepEqual, ok } from "node:assert/strict";
import { followClock } from "../time/clock.ts";
import { clockTimers } from "./clock_timers.ts";

Deno.test("clockTimers() waits ms / speed real ms when the clock follows at a speed", async (t) => {
  const timers = clockTimers(followClock({ now: () => 0 }, 100_000));
  await t.step("a 30-min timer fires after 18 real ms", async () => {
    const start = performance.now();
    await new Promise<void>((resolve) => timers.setTimeout(resolve, 1_800_000));
    const real = performance.now() - start;
    ok(real >= 15 && real < 1000, `${real} ms`);
  });
  await t.step("a cleared timer never fires", async () => {
    const fired: string[] = [];
    const h = timers.setTimeout(() => fired.push("cleared"), 200_000);
    timers.setTimeout(() => fired.push("kept"), 400_000);
    timers.clearTimeout(h);
    timers.clearTimeout(undefined);
    await new Promise((r) => setTimeout(r, 80));
    deepEqual(fired, ["kept"]);
  });
});
