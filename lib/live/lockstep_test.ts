import { equal, rejects } from "node:assert/strict";
import { ManualClock } from "../sim/clock.ts";
import { SteppedBotClock } from "../time/stepped_clock.ts";
import { driveLockstep, lockstepStart } from "./lockstep.ts";

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
      /not recorded logs/,
    );
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
