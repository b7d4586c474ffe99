import { equal, rejects, throws } from "node:assert/strict";
import { followClock, sleepReal, virtualClock } from "./clock.ts";

Deno.test("virtualClock() jumps forward on sleep", async () => {
  const c = virtualClock(1000);
  await c.sleep(500);
  equal(c.now(), 1500);
  c.set(10);
  equal(c.now(), 10);
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await rejects(c.sleep(1, ac.signal), /stop/);
});

Deno.test("followClock() reads the source and scales real waits", async () => {
  let t = 5;
  const c = followClock({ now: () => t }, 1000);
  equal(c.now(), 5);
  t = 7;
  equal(c.now(), 7);
  const start = performance.now();
  await c.sleep(1000); // 1 real ms
  equal(performance.now() - start < 500, true);
  throws(() => followClock({ now: () => 0 }, 0), RangeError);
});

Deno.test("sleepReal() rejects when aborted and leaves no timer", async () => {
  const ac = new AbortController();
  const p = sleepReal(10_000, ac.signal);
  ac.abort(new Error("bye"));
  await rejects(p, /bye/);
});
