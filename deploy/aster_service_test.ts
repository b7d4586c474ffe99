import { equal, match, ok } from "node:assert/strict";

const UNIT = new URL("./aster.service", import.meta.url);
const SECRETS_UNIT = new URL("./aster-secrets.service", import.meta.url);
const MAX_EXPOSURE = 2.0;

async function analyze(
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const result = await new Deno.Command("systemd-analyze", {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" },
  }).output();
  const d = new TextDecoder();
  return {
    code: result.code,
    out: d.decode(result.stdout),
    err: d.decode(result.stderr),
  };
}

Deno.test("aster.service passes systemd-analyze verify and security", async (t) => {
  const text = await Deno.readTextFile(UNIT);
  await t.step(
    "declares notify, watchdog, restart limits and the preflight",
    () => {
      for (
        const line of [
          "Type=notify",
          "NotifyAccess=main",
          "Restart=on-failure",
          "ExecStartPre=/opt/aster/bin/aster-doctor",
          "ProtectSystem=strict",
          "CapabilityBoundingSet=",
          "User=aster",
          // credentials from the root staging unit, never a root ExecStartPre in ours
          "Requires=aster-secrets.service",
          "LoadCredential=aster:/run/aster-secrets",
          "PrivateMounts=yes",
          "LimitCORE=0",
          "SocketBindDeny=any",
          "IPAddressDeny=link-local",
        ]
      ) ok(text.split("\n").includes(line), `missing ${line}`);
      ok(
        !/^ExecStart(Pre)?=\+/m.test(text),
        "a command runs as root in aster.service",
      );
      ok(!/^ReadWritePaths=.*\/run\/aster/m.test(text));
      match(text, /^WatchdogSec=\d+$/m);
      match(text, /^StartLimitIntervalSec=\d+$/m);
      match(text, /^StartLimitBurst=\d+$/m);
    },
  );
  await t.step(
    "verify: no warnings (binaries stubbed in a scratch dir)",
    async () => {
      // verify also checks that every Exec path is executable: point them at stubs.
      const dir = await Deno.makeTempDir({ prefix: "aster_unit" });
      try {
        await Deno.mkdir(`${dir}/bin`);
        for (const name of ["fetch_secrets.sh", "aster-doctor", "aster-live"]) {
          await Deno.writeTextFile(`${dir}/bin/${name}`, "#!/bin/sh\n", {
            mode: 0o755,
          });
        }
        await Deno.writeTextFile(
          `${dir}/aster.service`,
          text.replaceAll("/opt/aster/bin/", `${dir}/bin/`),
        );
        await Deno.writeTextFile(
          `${dir}/aster-secrets.service`,
          (await Deno.readTextFile(SECRETS_UNIT)).replaceAll(
            "/opt/aster/bin/",
            `${dir}/bin/`,
          ),
        );
        const r = await analyze([
          "verify",
          `${dir}/aster.service`,
          `${dir}/aster-secrets.service`,
        ]);
        equal(r.code, 0, r.err);
        const lines = r.err.split("\n").filter((l) =>
          l.includes("aster.service") || l.includes("aster-secrets.service")
        );
        equal(lines.join("\n"), "");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
  await t.step(
    `security --offline=yes: exposure <= ${MAX_EXPOSURE}`,
    async () => {
      const r = await analyze(["security", "--offline=yes", UNIT.pathname]);
      const m = /Overall exposure level for aster\.service: (\d+(?:\.\d+)?)/
        .exec(
          r.out,
        );
      ok(m, `no exposure line in:\n${r.out}\n${r.err}`);
      const score = Number(m[1]);
      ok(score <= MAX_EXPOSURE, `exposure ${score} > ${MAX_EXPOSURE}`);
    },
  );
});
