import { deepEqual, equal, match, rejects } from "node:assert/strict";
import type { SafetyState } from "../order/safety_state.ts";
import { StateFileError } from "../live/state_file.ts";
import { checkStateFile, readStateOrNull } from "./check_state_file.ts";

const NOW = Date.UTC(2026, 0, 5, 12);
const PATH = "/var/lib/aster/bot_state.json";

function reading(state: SafetyState | null) {
  return () => Promise.resolve(state);
}

Deno.test("checkStateFile() tells what the bot will do with its state file", async (t) => {
  await t.step("missing: pass, a fresh start", async () => {
    const rows = await checkStateFile(PATH, reading(null), NOW);
    deepEqual(rows.map((r) => [r.check, r.status]), [["state file", "pass"]]);
    match(rows[0]!.detail, /fresh start/);
  });
  await t.step(
    "a position the bot saw without its stop-loss: fail",
    async () => {
      const rows = await checkStateFile(
        PATH,
        reading({
          killSwitch: null,
          cooldowns: {},
          unprotected: { BTCUSDT: NOW - 5_000 },
          setupFailed: ["ETHUSDT"],
        }),
        NOW,
      );
      deepEqual(rows.map((r) => [r.check, r.status]), [
        ["state file", "pass"],
        ["stop-loss", "fail"],
        ["leverage/margin setup", "fail"],
      ]);
      match(rows[2]!.detail, /ETHUSDT and blocks their entries/);
      match(
        rows[1]!.detail,
        /BTCUSDT without a stop-loss on the exchange since/,
      );
    },
  );
  await t.step("corrupt: fail with the reader's message", async () => {
    const rows = await checkStateFile(
      PATH,
      () =>
        Promise.reject(new StateFileError(`Cannot use state file ${PATH}: x`)),
      NOW,
    );
    equal(rows.length, 1);
    equal(rows[0]!.status, "fail");
    match(rows[0]!.detail, /Cannot use state file .*refuses to start/);
  });
  await t.step(
    "kill switch until cleared: fail naming the command",
    async () => {
      const rows = await checkStateFile(
        PATH,
        reading({
          killSwitch: {
            trippedAtMs: NOW - 60_000,
            untilMs: null,
            reason: "margin",
          },
          cooldowns: {},
        }),
        NOW,
      );
      equal(rows[0]!.status, "fail");
      match(rows[0]!.detail, /until an operator clears it/);
      match(
        rows[0]!.detail,
        /deno task live --clear_kill_switch --state_file \/var\/lib\/aster/,
      );
    },
  );
  await t.step("a kill-switch pause that ended: pass", async () => {
    const rows = await checkStateFile(
      PATH,
      reading({
        killSwitch: {
          trippedAtMs: NOW - 60_000,
          untilMs: NOW - 1,
          reason: "margin",
        },
        cooldowns: {},
      }),
      NOW,
    );
    equal(rows[0]!.status, "pass");
    match(rows[0]!.detail, /pause already ended/);
  });
  await t.step(
    "running cooldowns: a pass row listing them; ended ones are left out",
    async () => {
      const rows = await checkStateFile(
        PATH,
        reading({
          killSwitch: null,
          cooldowns: {
            ETHUSDT: NOW + 30_000,
            BTCUSDT: NOW + 60_000,
            XRPUSDT: NOW - 1,
          },
        }),
        NOW,
      );
      deepEqual(rows.map((r) => [r.check, r.status]), [
        ["state file", "pass"],
        ["cooldowns", "pass"],
      ]);
      equal(
        rows[1]!.detail,
        "BTCUSDT until 2026-01-05T12:01:00.000Z, ETHUSDT until 2026-01-05T12:00:30.000Z",
      );
    },
  );
});

Deno.test("readStateOrNull() tells a missing file from a corrupt one", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("missing = null", async () => {
      equal(await readStateOrNull(`${dir}/none.json`), null);
    });
    await t.step("corrupt = StateFileError", async () => {
      await Deno.writeTextFile(`${dir}/bad.json`, "{not json");
      await rejects(readStateOrNull(`${dir}/bad.json`), StateFileError);
    });
    await t.step("valid = the state", async () => {
      await Deno.writeTextFile(
        `${dir}/ok.json`,
        '{"version":1,"killSwitch":null,"cooldowns":{"BTCUSDT":5}}',
      );
      deepEqual(await readStateOrNull(`${dir}/ok.json`), {
        killSwitch: null,
        cooldowns: { BTCUSDT: 5 },
      });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
