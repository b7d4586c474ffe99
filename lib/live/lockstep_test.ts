import { equal, ok, rejects } from "node:assert/strict";
import { ManualClock } from "../sim/clock.ts";
import type { SymbolMarket } from "../sim/mod.ts";
import { SteppedBotClock } from "../time/stepped_clock.ts";
import {
  DecisionBarrier,
  driveLockstep,
  lockstepStart,
  replayDeciders,
} from "./lockstep.ts";

Deno.test("SteppedBotClock sleeps on the stepped time only", async () => {
  const manual = new ManualClock(1_000);
  const clock = new SteppedBotClock(manual);
  const woke: number[] = [];
  const a = clock.sleep(500).then(() => woke.push(clock.now()));
  const b = clock.sleep(2_000).then(() => woke.push(clock.now()));
  await new Promise((r) => setTimeout(r, 20)); // real time alone wakes nothing
  equal(woke.length, 0);
  manual.advance(499);
  await Promise.resolve();
  equal(woke.length, 0);
  manual.advance(1);
  await a;
  manual.set(5_000);
  await b;
  equal(woke.join(","), "1500,5000");
  const abort = new AbortController();
  const c = clock.sleep(10, abort.signal);
  abort.abort(new Error("stop"));
  await rejects(c, /stop/);
});

Deno.test("lockstepStart() and driveLockstep()", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lockstep_test_" });
  try {
    const file = `${dir}/BTCUSDT.csv`;
    await Deno.writeTextFile(
      file,
      "open_time,open,high,low,close,volume\n600000,1,1,1,1,1\n",
    );
    equal(
      await lockstepStart({ kind: "ohlcv", files: { BTCUSDT: file } }, 10),
      1_200_000,
    );
    equal(await lockstepStart({ kind: "synthetic" }, 10, 90_500), 60_000);
    await rejects(
      lockstepStart({ kind: "logs", logDir: dir }, 10),
      /no log files/,
    );
    await Deno.writeTextFile(
      `${dir}/kline.csv`,
      "ts,symbol,open_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume\n" +
        "1260500,BTCUSDT,1200000,1,1,1,1,1,1,1,1\n",
    );
    // the log replay's own start: the first row's minute plus the history
    equal(await lockstepStart({ kind: "logs", logDir: dir }, 10), 1_860_000);
    const manual = new ManualClock(0);
    let steps = 0;
    await driveLockstep(
      manual,
      { stepMs: 1_000, settleMs: 0 },
      () => true,
      () => ++steps > 5,
    );
    equal(manual.now(), 5_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DecisionBarrier holds a bar-closing step until every symbol decided and the entries settled", async () => {
  const barrier = new DecisionBarrier(2, 2_000);
  const events: string[] = [];
  barrier.settle = async () => {
    await new Promise((r) => setTimeout(r, 10));
    events.push("settled");
  };
  await barrier.idle(61_000); // not a bar close: no wait
  equal(events.length, 0);
  const held = barrier.idle(120_000).then(() => events.push("released"));
  barrier.decided(60_000);
  await new Promise((r) => setTimeout(r, 20));
  equal(events.join(","), ""); // one symbol of two
  barrier.decided(60_000);
  await held;
  equal(events.join(","), "settled,released");
  // the cap: a bar nobody decides on is released after capMs of real time
  const quick = new DecisionBarrier(1, 30);
  const t0 = performance.now();
  await quick.idle(180_000);
  equal(performance.now() - t0 >= 25, true);
});

Deno.test("DecisionBarrier waits only for the symbols whose replay served the bar", async () => {
  // a log replay's recorder gap: ETHUSDT has no bar at 60_000, so no decision on it comes
  const served = new Map([["BTCUSDT", true], ["ETHUSDT", false]]);
  const market = {
    symbol: (s: string) =>
      ({ barServed: (bar: number) => bar === 60_000 ? served.get(s) : true }) as
        | SymbolMarket
        | undefined,
  };
  const barrier = new DecisionBarrier(
    2,
    5_000,
    replayDeciders(market, ["BTCUSDT", "ETHUSDT"]),
  );
  barrier.decided(60_000);
  const t0 = performance.now();
  await barrier.idle(120_000);
  ok(performance.now() - t0 < 1_000, "released without waiting for ETHUSDT");
  // a served bar still waits for both
  const held = barrier.idle(180_000);
  let released = false;
  held.then(() => (released = true));
  barrier.decided(120_000);
  await new Promise((r) => setTimeout(r, 20));
  equal(released, false);
  barrier.decided(120_000);
  await held;
});

Deno.test("DecisionBarrier holds every step while the bot's market stream reconnects", async () => {
  const barrier = new DecisionBarrier(1, 2_000);
  let down = true;
  barrier.reconnecting = () => down;
  let released = false;
  const held = barrier.idle(61_000).then(() => (released = true));
  await new Promise((r) => setTimeout(r, 30));
  equal(released, false, "a step (not a bar close) waits for the stream");
  down = false;
  await held;
  equal(released, true);
  await barrier.idle(62_000); // connected: no wait
});
