import { deepEqual, equal, throws } from "node:assert/strict";
import { isSteppedClock, ManualClock, ScaledClock } from "./clock.ts";

Deno.test("ManualClock moves only when told and notifies listeners synchronously", async (t) => {
  await t.step("advance and set notify in order", () => {
    const clock = new ManualClock(1000);
    const seen: number[] = [];
    const off = clock.onMove((now) => seen.push(now));
    clock.advance(500);
    clock.set(2000);
    off();
    clock.advance(1);
    deepEqual(seen, [1500, 2000]);
    equal(clock.now(), 2001);
    equal(isSteppedClock(clock), true);
  });
  await t.step("rejects going back or bad amounts", () => {
    const clock = new ManualClock(1000);
    throws(() => clock.set(999), RangeError);
    throws(() => clock.advance(-1), RangeError);
    throws(() => clock.advance(NaN), RangeError);
    throws(() => new ManualClock(NaN), RangeError);
  });
});

Deno.test("ScaledClock scales real time by its speed", async (t) => {
  await t.step("60x speed", () => {
    let real = 100;
    const clock = new ScaledClock(1_000_000, {
      speed: 60,
      realNow: () => real,
    });
    equal(clock.now(), 1_000_000);
    real += 1000;
    equal(clock.now(), 1_060_000);
    equal(isSteppedClock(clock), false);
  });
  await t.step("rejects a non-positive speed", () => {
    throws(() => new ScaledClock(0, { speed: 0 }), RangeError);
  });
});
