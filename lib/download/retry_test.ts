import { equal, ok, rejects } from "node:assert/strict";
import {
  BannedError,
  ExchangeError,
  NetworkError,
  TimeoutError,
} from "../exchange/errors.ts";
import { virtualClock } from "../time/clock.ts";
import { DownloadStopped, withRetries } from "./retry.ts";

function failing(errors: Error[]) {
  let calls = 0;
  return {
    fn: () => {
      const e = errors[calls++];
      return e ? Promise.reject(e) : Promise.resolve(calls);
    },
    get calls() {
      return calls;
    },
  };
}

Deno.test("withRetries retries 5xx, 429, timeouts and drops with jittered back-off", async () => {
  const clock = virtualClock(0);
  const waits: number[] = [];
  const f = failing([
    new ExchangeError("GET /x", { status: 503, code: -1001, msg: "busy" }),
    new TimeoutError("slow", 10),
    new NetworkError("reset"),
    new ExchangeError("GET /x", { status: 429, code: -1003, msg: "limit" }),
  ]);
  const got = await withRetries("x", f.fn, {
    clock,
    random: () => 0.5,
    baseMs: 100,
    onWait: (_r, ms) => waits.push(ms),
  });
  equal(got, 5);
  equal(waits.join(","), "100,200,400,800");
  equal(clock.now(), 1500);
});

Deno.test("withRetries waits out a short ban and stops at a long one", async () => {
  const clock = virtualClock(1000);
  const f = failing([new BannedError("banned", 61_000)]);
  equal(await withRetries("x", f.fn, { clock }), 2);
  ok(clock.now() >= 61_000);
  const g = failing([new BannedError("banned", clock.now() + 3_600_000)]);
  await rejects(
    withRetries("x", g.fn, { clock, maxBanWaitMs: 600_000 }),
    (e: unknown) =>
      e instanceof DownloadStopped && /banned \(418\) until/.test(e.message),
  );
});

Deno.test("withRetries gives up after maxAttempts and passes a 400 through", async () => {
  const clock = virtualClock(0);
  const boom = () =>
    new ExchangeError("GET /x", { status: 502, code: 0, msg: "x" });
  const f = failing([boom(), boom(), boom()]);
  await rejects(
    withRetries("x", f.fn, { clock, maxAttempts: 3, baseMs: 1 }),
    DownloadStopped,
  );
  equal(f.calls, 3);
  const bad = new ExchangeError("GET /x", {
    status: 400,
    code: -1121,
    msg: "Invalid symbol.",
  });
  const g = failing([bad]);
  await rejects(withRetries("x", g.fn, { clock }), (e: unknown) => e === bad);
});
