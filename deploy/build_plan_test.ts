import { deepEqual, equal, match, ok } from "node:assert/strict";
import {
  bundleArgs,
  compileArgs,
  DEFAULT_HOSTS,
  DEFAULT_PATHS,
  ENTRY_POINTS,
  explainCompileFailure,
  exportsMain,
  permissionFlags,
  versionLine,
  wrapperSource,
} from "./build_plan.ts";
import { POOL_WORKER_MODULES } from "../lib/backtest/grid_runner.ts";

function entry(name: string) {
  const e = ENTRY_POINTS.find((x) => x.name === name);
  if (e === undefined) throw new Error(name);
  return e;
}

Deno.test("permissionFlags() scopes each binary to its hosts, paths and variables", async (t) => {
  await t.step(
    "aster-live: exchange hosts, notify sockets, install dirs, unstable-net",
    () => {
      deepEqual(
        permissionFlags(entry("aster-live"), DEFAULT_PATHS, DEFAULT_HOSTS),
        [
          "--allow-net=fapi.asterdex.com,fstream.asterdex.com,127.0.0.1:9464,127.0.0.1:9465,unix:/run/systemd/notify,unix:/run/aster/notify.sock",
          "--allow-read=/etc/aster,/run/credentials/aster.service,/var/log/aster,/var/lib/aster,/run/aster/notify.sock",
          "--allow-write=/var/log/aster,/var/lib/aster,/run/aster/notify.sock,/run/systemd/notify",
          "--allow-sys=uid",
          "--allow-env=ASTER_*,ORDER_API_KEY,ORDER_SECRET_KEY,NO_COLOR,NOTIFY_SOCKET,WATCHDOG_USEC,WATCHDOG_PID,RUNTIME_DIRECTORY,STATE_DIRECTORY,LOGS_DIRECTORY,INVOCATION_ID",
          "--unstable-net",
        ],
      );
    },
  );
  await t.step(
    "aster-doctor writes only the log dir, reads the state dir; nothing is unscoped",
    () => {
      const flags = permissionFlags(entry("aster-doctor"), DEFAULT_PATHS, [
        "h",
      ]);
      ok(flags.includes("--allow-write=/var/log/aster"));
      const read = flags.find((f) => f.startsWith("--allow-read="));
      ok(read?.split("=")[1]?.split(",").includes("/var/lib/aster"), read);
      ok(flags.every((f) => f.includes("=")), flags.join(" "));
      ok(!flags.some((f) => f.startsWith("--allow-run")));
    },
  );
  await t.step(
    "aster-status reaches only the loopback metrics ports and writes nothing",
    () => {
      deepEqual(
        permissionFlags(entry("aster-status"), DEFAULT_PATHS, DEFAULT_HOSTS),
        [
          "--allow-net=127.0.0.1:9464,127.0.0.1:9465",
          "--allow-read=/etc/aster,/var/log/aster,/var/lib/aster",
          "--allow-env=ASTER_*,ORDER_API_KEY,ORDER_SECRET_KEY,NO_COLOR",
        ],
      );
    },
  );
  await t.step("offline tools get no network", () => {
    const flags = permissionFlags(
      entry("aster-backtest"),
      DEFAULT_PATHS,
      DEFAULT_HOSTS,
    );
    ok(!flags.some((f) => f.startsWith("--allow-net")));
  });
});

Deno.test("wrapperSource() embeds the build info and calls main", async (t) => {
  const info = {
    name: "aster-doctor",
    version: "v1.2.3",
    commit: "abc",
    builtAt: "2026-01-01T00:00:00Z",
    target: "x86_64-unknown-linux-gnu",
  };
  const src = wrapperSource(entry("aster-doctor"), info, "file:///repo/");
  await t.step("imports the entry by absolute URL", () => {
    match(src, /import \{ main \} from "file:\/\/\/repo\/live\/doctor\.ts";/);
    match(
      src,
      /runMain\(\(\) =>\s+entry\(Deno\.args, \(name\) =>/,
    );
  });
  await t.step("prints the version line", () => {
    equal(
      versionLine(info),
      "aster-doctor v1.2.3 (commit abc, built 2026-01-01T00:00:00Z, x86_64-unknown-linux-gnu)",
    );
    ok(src.includes(JSON.stringify(versionLine(info) + "\n")));
  });
  await t.step("exportsMain() tells entries that can be wrapped", () => {
    equal(exportsMain("export async function main(args: string[]) {}"), true);
    equal(exportsMain("async function main() {}"), false);
  });
});

Deno.test("compileArgs() and bundleArgs() build the command lines", async (t) => {
  await t.step("compile: target, output, permissions, includes, config", () => {
    deepEqual(
      compileArgs({
        wrapper: "w.ts",
        output: "out/x",
        target: "aarch64-unknown-linux-gnu",
        permissions: ["--allow-net=h"],
        include: ["/r/lib/backtest/worker.ts"],
        config: "/r/deno.json",
      }),
      [
        "compile",
        "--frozen",
        "--config",
        "/r/deno.json",
        "--no-prompt",
        "--exclude-unused-npm",
        "--target",
        "aarch64-unknown-linux-gnu",
        "--output",
        "out/x",
        "--allow-net=h",
        "--include",
        "/r/lib/backtest/worker.ts",
        "w.ts",
      ],
    );
  });
  await t.step("bundle: platform deno", () => {
    deepEqual(bundleArgs("w.ts", "o.js", "/r/deno.json"), [
      "bundle",
      "--frozen",
      "--config",
      "/r/deno.json",
      "--platform",
      "deno",
      "--output",
      "o.js",
      "w.ts",
    ]);
  });
});

Deno.test("explainCompileFailure() recognises an unreachable runtime download", async (t) => {
  // Captured from `deno compile --target aarch64-unknown-linux-gnu` on a machine without
  // internet access (Deno 2.9.6).
  const offline = [
    "Download https://dl.deno.land/release/v2.9.6/denort-aarch64-unknown-linux-gnu.zip",
    "error: Writing deno compile executable to temporary file '/tmp/ct/bin.tmp-a60f'",
    "Caused by:",
    "    0: Setting up base binary.",
    "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-aarch64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known",
  ].join("\n");
  await t.step("explains the download failure", () => {
    match(
      explainCompileFailure(offline, "aarch64-unknown-linux-gnu") ?? "",
      /Cannot compile: deno compile needs the Deno runtime for aarch64-unknown-linux-gnu/,
    );
  });
  await t.step("other failures are left alone", () => {
    equal(
      explainCompileFailure("TS2307 [ERROR]: Import not found", "x"),
      undefined,
    );
  });
});

Deno.test("aster-backtest includes every engine's pool worker, aster-merge the bot's (a --walk_forward merge)", async () => {
  const root = new URL("../", import.meta.url).pathname;
  const rel = (u: URL) => u.pathname.slice(root.length);
  deepEqual(
    [...(entry("aster-backtest").include ?? [])].sort(),
    Object.values(POOL_WORKER_MODULES).map(rel).sort(),
  );
  deepEqual(entry("aster-merge").include, [rel(POOL_WORKER_MODULES.bot)]);
  for (const u of Object.values(POOL_WORKER_MODULES)) {
    ok((await Deno.stat(u)).isFile, u.pathname);
  }
});
