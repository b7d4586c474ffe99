import assert from "node:assert/strict";
import { amountOf, type Rig, startRig, waitFor } from "./_test_rig.ts";
import { clearKillSwitchFile, readStateFile } from "./state_file.ts";

function count(rig: Rig, action: string, from = 0): number {
  return rig.records.slice(from).filter((r) => r.action === action).length;
}

async function withStateDir(
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "live_state_" });
  try {
    await fn(`${dir}/state/bot_state.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("LiveSession keeps the kill switch across restarts until the operator clears it", async (t) => {
  await withStateDir(async (stateFile) => {
    const rig = await startRig({
      speed: 120,
      config: { stateFile, killThreshold: 1e9, cooldownMs: 0 },
    });
    try {
      await t.step("trip: the state file holds the kill switch", async () => {
        await waitFor(
          () => count(rig, "kill_switch_triggered") >= 1,
          "the kill switch",
          15_000,
        );
        await waitFor(
          () => amountOf(rig) === 0 && rig.openOrders().length === 0,
          "flat",
        );
        await rig.session.stop();
        const state = await readStateFile(stateFile);
        assert.equal(state.killSwitch?.reason, "margin");
        assert.equal(state.killSwitch?.untilMs, null);
      });
      await t.step(
        "a new session with a healthy margin stays blocked",
        async () => {
          const from = rig.records.length;
          const bars = rig.decisions.length;
          await rig.restart({ killThreshold: 1.2 });
          assert.equal(count(rig, "kill_switch_restored", from), 1);
          await waitFor(
            () =>
              rig.decisions.slice(bars).filter((d) =>
                d.decision.side !== "none"
              )
                .length >= 3,
            "three signals",
          );
          const after = rig.decisions.slice(bars).filter((d) =>
            d.decision.side !== "none"
          );
          assert.ok(
            after.every((d) =>
              d.action === "blocked" && d.detail === "kill_switch_persisted"
            ),
            JSON.stringify(after.map((d) => [d.action, d.detail])),
          );
          assert.equal(count(rig, "entry_placed", from), 0);
          assert.equal(count(rig, "kill_switch_triggered", from), 0);
          assert.equal(amountOf(rig), 0);
          await rig.session.stop();
        },
      );
      await t.step(
        "--clear_kill_switch, then a new session trades",
        async () => {
          const cleared = await clearKillSwitchFile(stateFile, Date.now());
          assert.equal(cleared?.reason, "margin");
          const from = rig.records.length;
          await rig.restart({ killThreshold: 1.2 });
          assert.equal(count(rig, "kill_switch_restored", from), 0);
          await waitFor(
            () => count(rig, "entry_placed", from) >= 1,
            "an entry",
            15_000,
          );
        },
      );
    } finally {
      await rig.close();
    }
  });
});

Deno.test("LiveSession honours a cooldown across a restart", async () => {
  await withStateDir(async (stateFile) => {
    const cooldownMs = 240_000;
    const rig = await startRig({
      speed: 120,
      config: { stateFile, tpBps: 4, slBps: 4, cooldownMs },
    });
    try {
      await waitFor(
        () => count(rig, "position_closed") >= 1,
        "an exit",
        20_000,
      );
      await rig.session.stop();
      const closed = rig.records.find((r) => r.action === "position_closed")!;
      const until = (await readStateFile(stateFile)).cooldowns["BTCUSDT"]!;
      assert.equal(until, closed.data?.["cooldownUntil"]);
      assert.ok(Math.abs(until - closed.timeMs - cooldownMs) < 1_000);
      const from = rig.records.length;
      const bars = rig.decisions.length;
      await rig.restart();
      assert.equal(count(rig, "cooldown_restored", from), 1);
      await waitFor(
        () => count(rig, "entry_placed", from) >= 1,
        "the entry after the cooldown",
        20_000,
      );
      const entry = rig.records.slice(from).find((r) =>
        r.action === "entry_placed"
      )!;
      assert.ok(entry.timeMs >= until, `${entry.timeMs - until} ms early`);
      assert.ok(
        rig.decisions.slice(bars).some((d) =>
          d.action === "blocked" && d.detail === "cooldown_persisted"
        ),
      );
    } finally {
      await rig.close();
    }
  });
});
