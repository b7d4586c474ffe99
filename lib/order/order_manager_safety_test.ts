import { deepEqual, equal, ok } from "node:assert/strict";
import { BAR, type Rig, rig, S, signal } from "./_test_helpers.ts";
import {
  emptySafetyState,
  type SafetyState,
  type SafetyStatePort,
} from "./safety_state.ts";

const T0 = 1_700_000_000_000;

/** A port keeping the saves in memory; `initial` is the last save (a restart reads it). */
function memoryPort(start: SafetyState = emptySafetyState()) {
  const saved: SafetyState[] = [];
  const port = {
    saved,
    fail: false,
    onSave: (_s: SafetyState) => {},
    get initial(): SafetyState {
      return saved.at(-1) ?? start;
    },
    save(s: SafetyState): Promise<void> {
      if (port.fail) return Promise.reject(new Error("disk full"));
      saved.push(s);
      port.onSave(s);
      return Promise.resolve();
    },
  };
  return port satisfies SafetyStatePort;
}

function limits(r: Rig): number {
  return r.fake.placed.filter((o) => o.type === "LIMIT").length;
}

Deno.test("OrderManager keeps a tripped kill switch across a restart until cleared", async (t) => {
  const port = memoryPort();
  const r = rig({ safety: port, killPauseMs: 0 });
  await signal(r, "long", BAR);
  await r.pump();
  equal(r.fake.positionAmount(S), "0.5");
  await t.step("the trip is saved before the position is closed", async () => {
    let placedAtSave = -1;
    port.onSave = () => {
      if (placedAtSave < 0) placedAtSave = r.fake.placed.length;
    };
    const before = r.fake.placed.length;
    r.fake.setAccount({ totalMarginBalance: "110", totalMaintMargin: "100" });
    await r.mgr.checkMargin();
    equal(placedAtSave, before, "saved before the market close");
    deepEqual(port.saved[0]!.killSwitch, {
      trippedAtMs: T0,
      untilMs: null,
      reason: "margin",
      safetyMultiple: 1.1,
    });
    equal(r.fake.positionAmount(S), "0");
    // the close started the cooldown, saved too
    deepEqual(port.initial.cooldowns, { [S]: T0 + 60_000 });
    ok(port.initial.killSwitch !== null);
  });
  await t.step("a second check with nothing new writes nothing", async () => {
    const n = port.saved.length;
    await r.mgr.checkMargin();
    equal(port.saved.length, n);
  });
  await t.step(
    "a restart restores it: entries blocked as persisted",
    async () => {
      r.fake.setAccount({ totalMarginBalance: "1000", totalMaintMargin: "0" });
      const at = r.records.length;
      r.restart();
      deepEqual(
        r.records.slice(at).map((x) => x.action),
        ["kill_switch_restored", "cooldown_restored"],
      );
      r.advance(120_000); // the cooldown is over; the kill switch is not
      await r.mgr.checkMargin();
      equal(r.mgr.blocked(S), "kill_switch_persisted");
      const recs = await signal(r, "long", BAR + 180_000);
      equal(recs[0]!.detail, "kill_switch_persisted");
      equal(limits(r), 1);
    },
  );
  await t.step("the operator clears it: saved, entries allowed", async () => {
    await r.mgr.clearKillSwitch();
    equal(port.initial.killSwitch, null);
    equal(r.mgr.blocked(S), undefined);
    await signal(r, "long", BAR + 240_000);
    equal(limits(r), 2);
  });
});

Deno.test("OrderManager keeps a restored cooldown and the kill pause's end", async (t) => {
  await t.step(
    "a cooldown from the state file blocks until its end",
    async () => {
      const port = memoryPort({
        killSwitch: null,
        cooldowns: { [S]: T0 + 30_000, ETHUSDT: T0 + 90_000, XRPUSDT: T0 - 1 },
      });
      const r = rig({ safety: port });
      equal(r.mgr.blocked(S), "cooldown_persisted");
      equal((await signal(r, "long", BAR))[0]!.detail, "cooldown_persisted");
      // another symbol's running cooldown is kept, an ended one dropped
      deepEqual(r.mgr.safetyState().cooldowns, {
        [S]: T0 + 30_000,
        ETHUSDT: T0 + 90_000,
      });
      r.advance(29_999);
      equal(r.mgr.blocked(S), "cooldown_persisted");
      r.advance(1);
      equal(r.mgr.blocked(S), undefined);
      await signal(r, "long", BAR + 60_000);
      equal(limits(r), 1);
    },
  );
  await t.step("a new cooldown after an exit is saved as its end", async () => {
    const port = memoryPort();
    const r = rig({ safety: port, cooldownMs: 45_000 });
    await signal(r, "long", BAR);
    await r.pump();
    r.advance(5_000);
    await r.mgr.closeAll();
    deepEqual(port.initial.cooldowns, { [S]: T0 + 50_000 });
    equal(r.mgr.blocked(S), "cooldown");
  });
  await t.step("--kill_pause: a restart keeps the same end", async () => {
    const port = memoryPort();
    const r = rig({ safety: port, killPauseMs: 5_000 });
    r.fake.setAccount({ totalMarginBalance: "1", totalMaintMargin: "1" });
    await r.mgr.checkMargin();
    equal(port.initial.killSwitch?.untilMs, T0 + 5_000);
    r.fake.setAccount({ totalMarginBalance: "1000", totalMaintMargin: "0" });
    r.advance(1_000);
    r.restart();
    equal(r.mgr.blocked(S), "kill_switch_persisted");
    r.advance(3_999);
    equal(r.mgr.blocked(S), "kill_switch_persisted");
    r.advance(1);
    equal(r.mgr.blocked(S), undefined);
    ok(r.records.some((x) => x.detail === "pause ended"));
    await Promise.resolve();
    equal(port.initial.killSwitch, null);
  });
  await t.step("an expired pause in the file is not restored", () => {
    const r = rig({
      safety: memoryPort({
        killSwitch: { trippedAtMs: T0 - 9, untilMs: T0, reason: "margin" },
        cooldowns: {},
      }),
    });
    equal(r.mgr.blocked(S), undefined);
    ok(!r.records.some((x) => x.action === "kill_switch_restored"));
  });
});

Deno.test("OrderManager records a failed save and still blocks in memory", async () => {
  const port = memoryPort();
  port.fail = true;
  const r = rig({ safety: port });
  r.fake.setAccount({ totalMarginBalance: "1", totalMaintMargin: "1" });
  const { records } = await r.mgr.checkMargin();
  ok(
    records.some((x) =>
      x.action === "error" &&
      /Cannot save the safety state: disk full/.test(x.detail)
    ),
  );
  equal(r.mgr.blocked(S), "kill_switch");
});
