/**
 * Security (issue 18, item 3): the tasks that trade or touch the exchange (`live`,
 * `doctor`, `record` and their `:sim` twins) run with scoped permissions and
 * `--no-remote`. A probe run with each task's own flags must be refused everything a
 * compromised dependency would try.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { DEFAULT_HOSTS, METRICS_ADDRS } from "./build_plan.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const TASKS: Record<string, string> = JSON.parse(
  await Deno.readTextFile(`${ROOT}deno.json`),
).tasks;
const SCOPED = ["live", "doctor", "record"] as const;

/** The permission flags of a `deno run` task and its script. */
function runFlags(task: string): { flags: string[]; script: string } {
  const words = TASKS[task]!.split(" ");
  equal(words.slice(0, 2).join(" "), "deno run", task);
  const script = words.findIndex((w) => w.endsWith(".ts"));
  return { flags: words.slice(2, script), script: words[script]! };
}

Deno.test("security: the trading tasks have scoped permissions and --no-remote", async (t) => {
  for (const base of SCOPED) {
    for (const task of [base, `${base}:sim`]) {
      await t.step(task, () => {
        const { flags } = runFlags(task);
        ok(flags.includes("--no-remote"), `${task}: no --no-remote`);
        for (const f of flags) {
          ok(
            !/^--allow-(net|read|write|env|run|ffi|sys|all)$/.test(f) &&
              f !== "-A",
            `${task}: unscoped ${f}`,
          );
        }
        const net = flags.find((f) => f.startsWith("--allow-net="))!;
        deepEqual(
          net.slice("--allow-net=".length).split(","),
          task.endsWith(":sim")
            ? ["127.0.0.1"]
            : base === "doctor"
            ? [...DEFAULT_HOSTS]
            // the bot and the recorder also serve /metrics on loopback
            : [...DEFAULT_HOSTS, ...METRICS_ADDRS],
        );
        ok(
          !flags.some((f) => f.startsWith("--allow-run")),
          `${task} may run programs`,
        );
      });
    }
    await t.step(`${base}:sim differs from ${base} only in the host`, () => {
      const a = runFlags(base), b = runFlags(`${base}:sim`);
      equal(a.script, b.script);
      deepEqual(
        a.flags.filter((f) => !f.startsWith("--allow-net")),
        b.flags.filter((f) => !f.startsWith("--allow-net")),
      );
    });
  }
});

Deno.test("security: with a trading task's permissions a dependency can take nothing", async (t) => {
  const outside = await Deno.makeTempDir({ prefix: "task_perm" });
  const secret = `${outside}/id_ed25519`;
  await Deno.writeTextFile(secret, "PRIVATE KEY");
  try {
    for (const task of SCOPED) {
      await t.step(task, async () => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            ...runFlags(task).flags,
            "deploy/_permission_probe.ts",
            secret,
            outside,
          ],
          cwd: ROOT,
          env: {
            NO_COLOR: "1",
            HOME: "/home/someone",
            ASTER_SYMBOLS: "BTCUSDT",
          },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout);
        equal(out.code, 0, new TextDecoder().decode(out.stderr));
        const r = JSON.parse(text);
        match(r.read, /^NotCapable: Requires read access/);
        match(r.write, /^NotCapable: Requires write access/);
        match(r.env, /^NotCapable: Requires env access to "HOME"/);
        match(r.net, /^NotCapable: Requires net access to "example\.com:443"/);
        // Deno 2.9 would fetch esm.sh despite a scoped --allow-net: only --no-remote stops it
        match(r.import, /--no-remote is specified/);
        if (task !== "record") equal(r.ownEnv, "allowed");
      });
    }
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("security: a path outside the task's permissions is one clear line, exit 2", async () => {
  const outside = await Deno.makeTempDir({ prefix: "task_perm" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...runFlags("live:sim").flags,
        "live/trade.ts",
        "--rest_url",
        "http://127.0.0.1:9",
        "--ws_url",
        "ws://127.0.0.1:9",
        "--journal",
        `${outside}/decisions.csv`,
        // no metrics endpoint (its start line would be a second line)
        "--metrics_addr",
        "",
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    equal(out.code, 2, err);
    equal(err.split("\n").length, 1, err);
    match(
      err,
      /^error: Requires write access to "[^"]*task_perm[^"]*": outside this command.s permissions/,
    );
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});
