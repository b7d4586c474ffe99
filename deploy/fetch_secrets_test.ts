import { deepEqual, equal, match, ok } from "node:assert/strict";
import {
  isRoot,
  makeScratch,
  modeOf,
  runScript,
  skipNote,
  snapshot,
} from "./_doubles.ts";

const SCRIPT = new URL("./fetch_secrets.sh", import.meta.url).pathname;
const AGENT_KEY = "0x" + "ab".repeat(32);

Deno.test("fetch_secrets.sh writes root-only 0400 files into the staging directory", async (t) => {
  if (!(await isRoot())) {
    skipNote("fetch_secrets.sh test: needs root for chown (uid != 0)");
    return;
  }
  const s = await makeScratch();
  await Deno.writeTextFile(`${s.dir}/state/user`, "");
  await Deno.writeTextFile(`${s.secrets}/aster-agent-key`, AGENT_KEY);
  await Deno.writeTextFile(`${s.secrets}/k1`, "a".repeat(64));
  await Deno.writeTextFile(`${s.secrets}/s1`, "b".repeat(64));
  // The scratch root is on disk, not tmpfs: the tmpfs check is waived for the test.
  const base = { ASTER_GCP_PROJECT: "proj", ASTER_SECRETS_ALLOW_DISK: "1" };
  // aster-secrets.service's root-owned RuntimeDirectory; systemd hands the files to the
  // bot with LoadCredential=, so they stay root's (the bot's user never owns the path)
  const dir = `${s.root}/run/aster-secrets`;
  const owner = "0:0";
  try {
    await t.step(
      "v3: the agent key, mode 0400, in a 0700 directory",
      async () => {
        const r = await runScript(SCRIPT, s.env(base));
        equal(r.code, 0, r.err);
        equal(await Deno.readTextFile(`${dir}/agent_key`), AGENT_KEY);
        equal(await modeOf(`${dir}/agent_key`), `400 ${owner}`);
        equal(await modeOf(dir), `700 ${owner}`);
        const calls = await s.takeLog();
        ok(
          calls.some((c) =>
            c ===
              "gcloud secrets versions access latest --secret=aster-agent-key --project=proj --quiet"
          ),
          calls.join("\n"),
        );
      },
    );
    await t.step("a second run changes nothing", async () => {
      const before = await snapshot(s.root);
      const r = await runScript(SCRIPT, s.env(base));
      equal(r.code, 0, r.err);
      match(r.out, /up to date/);
      deepEqual(await snapshot(s.root), before);
    });
    await t.step(
      "rotation: a new secret version replaces the file",
      async () => {
        const rotated = "0x" + "cd".repeat(32);
        await Deno.writeTextFile(`${s.secrets}/aster-agent-key`, rotated);
        const r = await runScript(SCRIPT, s.env(base));
        equal(r.code, 0, r.err);
        equal(await Deno.readTextFile(`${dir}/agent_key`), rotated);
        equal(await modeOf(`${dir}/agent_key`), `400 ${owner}`);
      },
    );
    await t.step("v1: key and secret under custom names", async () => {
      const r = await runScript(
        SCRIPT,
        s.env({
          ...base,
          ASTER_SECRET_SCHEME: "v1",
          ASTER_SECRET_API_KEY: "k1",
          ASTER_SECRET_API_SECRET: "s1",
        }),
      );
      equal(r.code, 0, r.err);
      equal(await Deno.readTextFile(`${dir}/api_key`), "a".repeat(64));
      equal(await modeOf(`${dir}/api_secret`), `400 ${owner}`);
    });
    await t.step(
      "refuses a world-readable directory and writes nothing",
      async () => {
        const open = `${s.root}/open`;
        await Deno.mkdir(open, { mode: 0o755 });
        await Deno.chmod(open, 0o755);
        const r = await runScript(
          SCRIPT,
          s.env({ ...base, ASTER_SECRETS_DIR: "/open" }),
        );
        equal(r.code, 1);
        match(r.err, /world-readable/);
        deepEqual([...Deno.readDirSync(open)], []);
      },
    );
    await t.step(
      "refuses a symlinked directory and writes nothing",
      async () => {
        const target = `${s.root}/elsewhere`;
        await Deno.mkdir(target, { mode: 0o700 });
        await Deno.symlink(target, `${s.root}/link`);
        const r = await runScript(
          SCRIPT,
          s.env({ ...base, ASTER_SECRETS_DIR: "/link" }),
        );
        equal(r.code, 1);
        match(r.err, /symbolic link/);
        deepEqual([...Deno.readDirSync(target)], []);
      },
    );
    await t.step("refuses a directory on disk unless waived", async () => {
      const r = await runScript(SCRIPT, s.env({ ASTER_GCP_PROJECT: "proj" }));
      equal(r.code, 1);
      match(r.err, /not a tmpfs/);
    });
    await t.step(
      "a missing secret fails clearly and leaves no temp file",
      async () => {
        const r = await runScript(
          SCRIPT,
          s.env({ ...base, ASTER_SECRET_AGENT_KEY: "nope" }),
        );
        equal(r.code, 1);
        match(r.err, /cannot read secret "nope"/);
        deepEqual(
          [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
          ["agent_key", "api_key", "api_secret"],
        );
      },
    );
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});
