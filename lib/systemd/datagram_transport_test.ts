import { deepEqual, equal } from "node:assert/strict";

Deno.test("openDatagramTransport() delivers sd_notify datagrams to NOTIFY_SOCKET", async (t) => {
  // Deno.listenDatagram (unix) needs --unstable-net, which the shared test task lacks:
  // the real-socket round trip runs in a child process that has it.
  // Permissions are the exact ones the compiled aster-live gets: the two socket paths.
  const script = new URL("./_notify_roundtrip.ts", import.meta.url);
  const dir = await Deno.makeTempDir({ prefix: "sdnotify_test" });
  const runtimeDir = `${dir}/run`;
  await Deno.mkdir(runtimeDir);
  // A stale socket from a crashed run must not block the bind.
  await Deno.writeTextFile(`${runtimeDir}/notify.sock`, "");
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--unstable-net",
      `--allow-net=unix:${dir}/notify.sock,unix:${runtimeDir}/notify.sock`,
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      script.pathname,
      dir,
      runtimeDir,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  const stderr = new TextDecoder().decode(out.stderr);
  equal(out.code, 0, stderr);
  const result = JSON.parse(new TextDecoder().decode(out.stdout));
  await t.step(
    "READY, then WATCHDOG only on healthy ticks, then STOPPING",
    () => {
      deepEqual(result.received, [
        "READY=1\nSTATUS=seeded",
        "WATCHDOG=1",
        "WATCHDOG=1",
        "WATCHDOG=1",
        "WATCHDOG=1",
        "WATCHDOG=1",
        "STATUS=draining",
        "STOPPING=1",
      ]);
      equal(result.skipped, 2);
      equal(result.intervalMs, 30);
    },
  );
  await t.step("sent from a bound unix path (systemd sees our pid)", () => {
    equal(result.senderIsUnixPath, true);
  });
});
