import { equal, rejects, throws } from "node:assert/strict";
import { type TimerApi, TimeSync } from "./time_sync.ts";

/** Timers that fire only when the test says so. */
class FakeTimers implements TimerApi {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 1;
  setTimeout(callback: () => void, ms: number): number {
    const handle = this.#next++;
    this.pending.set(handle, { callback, ms });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const { callback } of due) callback();
  }
}

/** A local clock and a server whose clock runs `offset` ms ahead; each leg takes `leg` ms. */
function fakeVenue(offset: number, legs: number[] = [10]) {
  const state = { local: 1_000_000, offset, calls: 0, fail: false };
  const serverTime = (): Promise<number> => {
    const leg = legs[state.calls % legs.length]!;
    state.calls++;
    state.local += leg;
    const server = state.local + state.offset;
    state.local += leg;
    return state.fail
      ? Promise.reject(new Error("connection reset"))
      : Promise.resolve(server);
  };
  return { state, serverTime, clock: () => state.local };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

Deno.test("TimeSync.start() measures the offset at the round trip's midpoint", async (t) => {
  await t.step("server ahead by 500 ms", async () => {
    const venue = fakeVenue(500);
    const timers = new FakeTimers();
    using sync = new TimeSync({ ...venue, timers, samples: 1 });
    equal(
      sync.now(),
      venue.state.local,
      "offset 0 before the first measurement",
    );
    const sample = await sync.start();
    equal(sample.offsetMs, 500);
    equal(sample.rttMs, 20);
    equal(sync.offsetMs, 500);
    equal(sync.now(), venue.state.local + 500);
  });
  await t.step("server behind by 1234.5 ms", async () => {
    const venue = fakeVenue(-1234.5);
    using sync = new TimeSync({
      ...venue,
      timers: new FakeTimers(),
      samples: 1,
    });
    await sync.start();
    equal(sync.offsetMs, -1234.5);
  });
  await t.step("the sample with the shortest round trip wins", async () => {
    // Slow legs see an asymmetric path: the server answers late in the round trip.
    const state = { local: 0, calls: 0 };
    const legs = [[40, 5], [2, 2], [30, 1]] as const;
    const serverTime = (): Promise<number> => {
      const [out, back] = legs[state.calls++ % legs.length]!;
      state.local += out;
      const server = state.local + 700;
      state.local += back;
      return Promise.resolve(server);
    };
    using sync = new TimeSync({
      serverTime,
      clock: () => state.local,
      timers: new FakeTimers(),
      samples: 3,
    });
    const sample = await sync.start();
    equal(state.calls, 3);
    equal(sample.rttMs, 4);
    equal(sample.offsetMs, 700);
  });
});

Deno.test("TimeSync refreshes periodically through the injected timer", async (t) => {
  await t.step(
    "a timer fires, the offset follows the server, the next refresh is scheduled",
    async () => {
      const venue = fakeVenue(100);
      const timers = new FakeTimers();
      const sync = new TimeSync({
        ...venue,
        timers,
        samples: 1,
        refreshMs: 60_000,
      });
      await sync.start();
      equal(timers.pending.size, 1);
      equal([...timers.pending.values()][0]!.ms, 60_000);
      venue.state.offset = 250;
      timers.fireAll();
      await flush();
      equal(sync.offsetMs, 250);
      equal(timers.pending.size, 1);
      sync.stop();
      equal(timers.pending.size, 0);
    },
  );
  await t.step(
    "a failed refresh keeps the offset and tries again later",
    async () => {
      const venue = fakeVenue(100);
      const timers = new FakeTimers();
      using sync = new TimeSync({ ...venue, timers, samples: 2 });
      await sync.start();
      venue.state.fail = true;
      venue.state.offset = 999;
      timers.fireAll();
      await flush();
      equal(sync.offsetMs, 100);
      equal(timers.pending.size, 1);
      venue.state.fail = false;
      timers.fireAll();
      await flush();
      equal(sync.offsetMs, 999);
    },
  );
  await t.step("a forced resync restarts the refresh interval", async () => {
    const venue = fakeVenue(0);
    const timers = new FakeTimers();
    using sync = new TimeSync({ ...venue, timers, samples: 1 });
    await sync.start();
    const [first] = timers.pending.keys();
    await sync.resync();
    equal(timers.pending.size, 1);
    equal(timers.pending.has(first!), false);
  });
});

Deno.test("TimeSync.resync() forces a measurement after -1021", async (t) => {
  await t.step("concurrent calls share one measurement", async () => {
    const venue = fakeVenue(10);
    using sync = new TimeSync({
      ...venue,
      timers: new FakeTimers(),
      samples: 2,
      maxJumpMs: 5000,
    });
    await sync.start();
    venue.state.calls = 0;
    venue.state.offset = -3000;
    const [a, b, c] = await Promise.all([
      sync.resync(),
      sync.resync(),
      sync.resync(),
    ]);
    equal(venue.state.calls, 2);
    equal(a, b);
    equal(b, c);
    equal(sync.offsetMs, -3000);
  });
  await t.step("one failed sample out of several is tolerated", async () => {
    let calls = 0;
    const serverTime = (): Promise<number> =>
      ++calls === 1
        ? Promise.reject(new Error("timeout"))
        : Promise.resolve(5000);
    using sync = new TimeSync({
      serverTime,
      clock: () => 4000,
      timers: new FakeTimers(),
      samples: 2,
    });
    await sync.start();
    equal(sync.offsetMs, 1000);
  });
  await t.step(
    "a start where every sample fails rejects with the cause and schedules nothing",
    async () => {
      const timers = new FakeTimers();
      const serverTime = (): Promise<number> =>
        Promise.reject(new Error("connection refused"));
      using sync = new TimeSync({ serverTime, timers, samples: 2 });
      await rejects(sync.start(), (error: Error) => {
        equal(
          error.message.startsWith("Cannot measure server time offset"),
          true,
        );
        equal((error.cause as Error).message, "connection refused");
        return true;
      });
      equal(timers.pending.size, 0);
    },
  );
  await t.step("a nonsensical server time is not used", async () => {
    using sync = new TimeSync({
      serverTime: () => Promise.resolve(Number.NaN),
      timers: new FakeTimers(),
      samples: 1,
    });
    await rejects(sync.resync(), /every request failed/);
    equal(sync.offsetMs, 0);
  });
  await t.step(
    "a stopped TimeSync aborts its request and refuses to resync",
    async () => {
      let seen: AbortSignal | undefined;
      const sync = new TimeSync({
        serverTime: (signal) => {
          seen = signal;
          return new Promise((_, reject) =>
            signal.addEventListener("abort", () => reject(signal.reason))
          );
        },
        timers: new FakeTimers(),
      });
      const pending = sync.resync();
      sync.stop();
      await rejects(pending, { name: "AbortError" });
      equal(seen?.aborted, true);
      await rejects(sync.resync(), /stopped/);
    },
  );
});

Deno.test("TimeSync() validates its options", () => {
  const serverTime = (): Promise<number> => Promise.resolve(1);
  throws(() => new TimeSync({ serverTime, refreshMs: 0 }), RangeError);
  throws(() => new TimeSync({ serverTime, samples: 0 }), RangeError);
  throws(() => new TimeSync({ serverTime, samples: 1.5 }), RangeError);
});

Deno.test("TimeSync follows a local clock step beyond maxOffsetMs once it is confirmed", async () => {
  const venue = fakeVenue(100);
  using sync = new TimeSync({ ...venue, timers: new FakeTimers(), samples: 1 });
  await sync.start();
  const local = () => sync.now() - sync.offsetMs;
  // within maxOffsetMs the nonce bound is the local clock
  equal(sync.steppedLocalNow(), local());
  // the local clock steps 60 s back while running (e.g. a VM resume)
  venue.state.offset = 60_100;
  await rejects(sync.resync(), /exceeds 5000 ms .* until another measurement/);
  equal(Math.round(sync.offsetMs), 100);
  // one measurement alone does not move the nonce bound
  equal(sync.steppedLocalNow(), local());
  await sync.resync();
  equal(Math.round(sync.offsetMs), 60_100);
  // confirmed: the bound follows the step (server time), so V3 nonces can be issued
  equal(Math.round(sync.steppedLocalNow() - local()), 60_100);
  // the clock fixed again: back within maxOffsetMs, the bound is the local clock
  venue.state.offset = 100;
  await rejects(sync.resync(), /moved .* at once/);
  await sync.resync();
  equal(sync.steppedLocalNow(), local());
  // at the first measurement, the same offset is refused (fix the clock before trading)
  using fresh = new TimeSync({
    ...fakeVenue(60_100),
    timers: new FakeTimers(),
    samples: 1,
  });
  await rejects(fresh.start(), /exceeds 5000 ms \(fix the local clock/);
});
