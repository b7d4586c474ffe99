import {
  deepEqual,
  equal,
  match,
  ok,
  rejects,
  throws,
} from "node:assert/strict";
import {
  clearKillSwitchFile,
  decodeSafetyState,
  describeKillSwitch,
  encodeSafetyState,
  readStateFile,
  StateFile,
  StateFileError,
  writeFileAtomic,
} from "./state_file.ts";

const T0 = 1_795_000_000_000;
const STATE = {
  killSwitch: {
    trippedAtMs: T0,
    untilMs: null,
    reason: "margin",
    safetyMultiple: 1.1,
  },
  cooldowns: { BTCUSDT: T0 + 60_000 },
};

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "state_file_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("decodeSafetyState() reads what encodeSafetyState() writes and refuses the rest", async (t) => {
  await t.step("a round trip keeps every value", () => {
    const text = encodeSafetyState(STATE, T0 + 5);
    match(text, /"savedAt": "2026-/);
    deepEqual(decodeSafetyState(text, "f"), STATE);
    const paused = {
      killSwitch: { ...STATE.killSwitch, untilMs: T0 + 9 },
      cooldowns: {},
    };
    deepEqual(decodeSafetyState(encodeSafetyState(paused, T0), "f"), paused);
    const naked = {
      ...paused,
      unprotected: { BTCUSDT: T0 - 3_000 },
      setupFailed: ["ETHUSDT"],
    };
    deepEqual(decodeSafetyState(encodeSafetyState(naked, T0), "f"), naked);
  });
  const cases: [string, string, RegExp][] = [
    ["empty file", "", /not JSON/],
    ["truncated", encodeSafetyState(STATE, T0).slice(0, 40), /not JSON/],
    ["an array", "[]", /not a JSON object/],
    [
      "another version",
      '{"version":2,"killSwitch":null,"cooldowns":{}}',
      /version 2/,
    ],
    ["no version", '{"killSwitch":null,"cooldowns":{}}', /version undefined/],
    [
      "an unprotected symbol without a time",
      '{"version":1,"killSwitch":null,"cooldowns":{},"unprotected":{"BTCUSDT":"x"}}',
      /unprotected.BTCUSDT is not a time/,
    ],
    [
      "kill switch of a wrong type",
      '{"version":1,"killSwitch":1,"cooldowns":{}}',
      /killSwitch is not/,
    ],
    [
      "a bad trip time",
      '{"version":1,"killSwitch":{"trippedAtMs":"x","untilMs":null,"reason":"m"},"cooldowns":{}}',
      /trippedAtMs/,
    ],
    [
      "a missing pause end",
      '{"version":1,"killSwitch":{"trippedAtMs":1,"reason":"m"},"cooldowns":{}}',
      /untilMs/,
    ],
    ["no cooldowns", '{"version":1,"killSwitch":null}', /cooldowns is not/],
    [
      "a bad cooldown",
      '{"version":1,"killSwitch":null,"cooldowns":{"BTCUSDT":-5}}',
      /cooldowns.BTCUSDT/,
    ],
    [
      "a bad symbol",
      '{"version":1,"killSwitch":null,"cooldowns":{"btc usdt":5}}',
      /bad symbol/,
    ],
  ];
  for (const [name, text, re] of cases) {
    await t.step(`${name} is a StateFileError naming the file`, () => {
      throws(() => decodeSafetyState(text, "/x/state.json"), (e: unknown) => {
        ok(e instanceof StateFileError);
        match(e.message, /^Cannot use state file \/x\/state\.json: /);
        match(e.message, re);
        return true;
      });
    });
  }
});

Deno.test("readStateFile() and StateFile.open() treat missing, corrupt and unreadable files", async (t) => {
  await withDir(async (dir) => {
    await t.step("a missing file is a fresh state", async () => {
      deepEqual(await readStateFile(`${dir}/none.json`), {
        killSwitch: null,
        cooldowns: {},
      });
      const f = await StateFile.open(`${dir}/sub/new.json`);
      deepEqual(f.initial, { killSwitch: null, cooldowns: {} });
      // nothing written until a change; the directory was made and probed clean
      deepEqual([...Deno.readDirSync(`${dir}/sub`)], []);
    });
    await t.step("a corrupt file refuses the open", async () => {
      await Deno.writeTextFile(`${dir}/bad.json`, '{"version":1,');
      await rejects(StateFile.open(`${dir}/bad.json`), StateFileError);
    });
    await t.step(
      "an unreadable path (a directory) refuses the open",
      async () => {
        await Deno.mkdir(`${dir}/adir.json`);
        await rejects(StateFile.open(`${dir}/adir.json`), (e: unknown) => {
          ok(e instanceof StateFileError);
          match(e.message, /^Cannot read state file /);
          return true;
        });
      },
    );
  });
});

Deno.test("writeFileAtomic() replaces the file whole or not at all", async (t) => {
  await withDir(async (dir) => {
    const path = `${dir}/s/state.json`;
    await t.step(
      "creates the directory and the file, mode 0600, no temp left",
      async () => {
        await writeFileAtomic(path, "one\n");
        equal(await Deno.readTextFile(path), "one\n");
        if (Deno.build.os !== "windows") {
          equal((await Deno.stat(path)).mode! & 0o777, 0o600);
        }
        deepEqual([...Deno.readDirSync(`${dir}/s`)].map((e) => e.name), [
          "state.json",
        ]);
      },
    );
    await t.step("replaces the content", async () => {
      await writeFileAtomic(path, "two\n".repeat(1000));
      equal(await Deno.readTextFile(path), "two\n".repeat(1000));
    });
    await t.step(
      "a failed rename leaves the target and no temp file",
      async () => {
        const target = `${dir}/d`;
        await Deno.mkdir(`${target}/inside`, { recursive: true });
        await rejects(writeFileAtomic(target, "x"));
        ok((await Deno.stat(`${target}/inside`)).isDirectory);
        deepEqual(
          [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
          ["d", "s"],
        );
      },
    );
  });
});

Deno.test("StateFile.save() writes the last state of concurrent saves", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/state.json`;
    const f = await StateFile.open(path, { clock: () => T0 });
    const saves = [];
    for (let i = 1; i <= 20; i++) {
      saves.push(f.save({ killSwitch: null, cooldowns: { BTCUSDT: T0 + i } }));
    }
    await Promise.all(saves);
    deepEqual(await readStateFile(path), {
      killSwitch: null,
      cooldowns: { BTCUSDT: T0 + 20 },
    });
    const again = await StateFile.open(path);
    deepEqual(again.initial.cooldowns, { BTCUSDT: T0 + 20 });
  });
});

Deno.test("clearKillSwitchFile() clears the kill switch and keeps the cooldowns", async (t) => {
  await withDir(async (dir) => {
    const path = `${dir}/state.json`;
    await writeFileAtomic(path, encodeSafetyState(STATE, T0));
    await t.step("returns what it cleared", async () => {
      deepEqual(await clearKillSwitchFile(path, T0 + 1), STATE.killSwitch);
      deepEqual(await readStateFile(path), {
        killSwitch: null,
        cooldowns: STATE.cooldowns,
      });
    });
    await t.step("nothing set: null, file unchanged", async () => {
      const before = await Deno.readTextFile(path);
      equal(await clearKillSwitchFile(path, T0 + 2), null);
      equal(await Deno.readTextFile(path), before);
      equal(await clearKillSwitchFile(`${dir}/missing.json`, T0), null);
    });
    await t.step("a corrupt file is refused", async () => {
      await Deno.writeTextFile(path, "garbage");
      await rejects(clearKillSwitchFile(path, T0), StateFileError);
      equal(await Deno.readTextFile(path), "garbage");
    });
  });
  await t.step("describeKillSwitch() says until when", () => {
    match(
      describeKillSwitch(STATE.killSwitch, T0),
      /margin, safety multiple 1\.1.*until an operator clears it/,
    );
    match(
      describeKillSwitch({ ...STATE.killSwitch, untilMs: T0 + 1000 }, T0),
      /until 2026-.*T.*Z$/,
    );
  });
});
