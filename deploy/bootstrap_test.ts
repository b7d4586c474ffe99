import { deepEqual, equal, match, ok } from "node:assert/strict";
import {
  FAKE_UID,
  isRoot,
  makeScratch,
  modeOf,
  runScript,
  skipNote,
  snapshot,
} from "./_doubles.ts";

const SCRIPT = new URL("./bootstrap.sh", import.meta.url).pathname;

Deno.test("bootstrap.sh sets up a scratch root and is idempotent", async (t) => {
  if (!(await isRoot())) {
    // chown to the service user's uid needs root; CI runners usually are not.
    skipNote("bootstrap.sh test: needs root for chown (uid != 0)");
    return;
  }
  const s = await makeScratch();
  try {
    const first = await runScript(SCRIPT, s.env());
    equal(first.code, 0, first.err + first.out);
    const calls = await s.takeLog();
    await t.step(
      "creates the system user and enables time sync and the unit",
      () => {
        ok(
          calls.some((c) => /^useradd --system .* aster$/.test(c)),
          calls.join("\n"),
        );
        ok(calls.includes("timedatectl set-ntp true"));
        ok(calls.includes("systemctl daemon-reload"));
        ok(calls.includes("systemctl enable aster.service"));
      },
    );
    await t.step(
      "directories and files with their owners and modes",
      async () => {
        const u = `${FAKE_UID}:${FAKE_UID}`;
        equal(await modeOf(`${s.root}/opt/aster/bin`), "755 0:0");
        equal(await modeOf(`${s.root}/etc/aster`), `750 0:${FAKE_UID}`);
        equal(await modeOf(`${s.root}/var/log/aster`), `750 ${u}`);
        equal(await modeOf(`${s.root}/var/lib/aster`), `700 ${u}`);
        equal(
          await modeOf(`${s.root}/etc/aster/aster.env`),
          `640 0:${FAKE_UID}`,
        );
        equal(
          await modeOf(`${s.root}/opt/aster/bin/fetch_secrets.sh`),
          "755 0:0",
        );
        equal(
          await modeOf(`${s.root}/etc/systemd/system/aster.service`),
          "644 0:0",
        );
        equal(
          await Deno.readTextFile(`${s.root}/etc/systemd/system/aster.service`),
          await Deno.readTextFile(new URL("./aster.service", import.meta.url)),
        );
        equal(
          await Deno.readTextFile(
            `${s.root}/etc/systemd/system/aster-secrets.service`,
          ),
          await Deno.readTextFile(
            new URL("./aster-secrets.service", import.meta.url),
          ),
        );
        const rotate = await Deno.readTextFile(
          `${s.root}/etc/logrotate.d/aster`,
        );
        match(rotate, /\/var\/log\/aster\/\*\.csv/);
        match(rotate, /nocreate/);
        ok(!rotate.includes("copytruncate"));
      },
    );
    await t.step("a second run changes nothing", async () => {
      const before = await snapshot(s.root);
      const second = await runScript(SCRIPT, s.env());
      equal(second.code, 0, second.err);
      match(second.out, /nothing to change/);
      deepEqual(await snapshot(s.root), before);
      const again = await s.takeLog();
      ok(
        !again.some((c) =>
          /^(useradd|timedatectl set-ntp|systemctl (enable|daemon-reload))/
            .test(c)
        ),
        again.join("\n"),
      );
    });
    await t.step(
      "keeps the operator's env file and repairs a loosened mode",
      async () => {
        const env = `${s.root}/etc/aster/aster.env`;
        await Deno.writeTextFile(env, "ASTER_SYMBOLS=ETHUSDT\n");
        await Deno.chmod(`${s.root}/var/lib/aster`, 0o755);
        const third = await runScript(SCRIPT, s.env());
        equal(third.code, 0, third.err);
        equal(await Deno.readTextFile(env), "ASTER_SYMBOLS=ETHUSDT\n");
        equal(
          await modeOf(`${s.root}/var/lib/aster`),
          `700 ${FAKE_UID}:${FAKE_UID}`,
        );
      },
    );
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});
