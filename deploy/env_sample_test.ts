import { equal, ok } from "node:assert/strict";
import type { FlagSpec } from "../lib/cli/mod.ts";
import { parseLayeredFlags, TRADE_FLAGS } from "../lib/live/live_flags.ts";
import { DOCTOR_FLAGS } from "../live/doctor.ts";

const TEXT = await Deno.readTextFile(new URL("./env.sample", import.meta.url));
const LINE_RE = /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/;

function assignments(): { commented: boolean; name: string; value: string }[] {
  const out = [];
  for (const line of TEXT.split("\n")) {
    const m = LINE_RE.exec(line);
    if (m) out.push({ commented: m[1] === "#", name: m[2]!, value: m[3]! });
  }
  return out;
}

Deno.test("env.sample documents every runtime parameter", async (t) => {
  const lines = assignments();
  await t.step(
    "each bot and doctor flag appears once, with its default when commented",
    () => {
      const flags = { ...DOCTOR_FLAGS, ...TRADE_FLAGS };
      for (const [flag, spec] of Object.entries(flags)) {
        // operator actions: command line only
        if (flag === "clear_kill_switch" || flag === "init_state_file") {
          continue;
        }
        const name = `ASTER_${flag.toUpperCase()}`;
        const found = lines.filter((l) => l.name === name);
        equal(found.length, 1, `${name}: ${found.length} lines`);
        const line = found[0]!;
        const def = (spec as FlagSpec).default;
        if (line.commented) {
          equal(line.value, def === undefined ? "" : String(def), name);
        }
      }
    },
  );
  await t.step("each documented line has a comment above it", () => {
    const all = TEXT.split("\n");
    for (let i = 0; i < all.length; i++) {
      if (LINE_RE.test(all[i]!)) {
        ok(
          i > 0 && all[i - 1]!.startsWith("#"),
          `line ${i + 1} lacks a description`,
        );
      }
    }
  });
  await t.step("the uncommented values parse as flags", async () => {
    const env = new Map(
      lines.filter((l) => !l.commented).map((l) => [l.name, l.value]),
    );
    const flags = await parseLayeredFlags(DOCTOR_FLAGS, {
      argv: [],
      env: (name) => env.get(name),
      readTextFile: () => Promise.reject(new Error("no config file")),
    });
    equal(flags.log_dir, "/var/log/aster");
    equal(flags.enable_trading, false);
  });
  await t.step(
    "the state file is in the unit's StateDirectory; the clear is not settable",
    async () => {
      const env = new Map(
        lines.filter((l) => !l.commented).map((l) => [l.name, l.value]),
      );
      const flags = await parseLayeredFlags(TRADE_FLAGS, {
        argv: [],
        env: (name) => env.get(name),
        readTextFile: () => Promise.reject(new Error("no config file")),
      });
      ok(flags.state_file.startsWith("/var/lib/aster/"), flags.state_file);
      const unit = await Deno.readTextFile(
        new URL("./aster.service", import.meta.url),
      );
      ok(/^StateDirectory=aster$/m.test(unit));
      ok(/^ReadWritePaths=.*\/var\/lib\/aster/m.test(unit));
      equal(lines.some((l) => l.name === "ASTER_CLEAR_KILL_SWITCH"), false);
    },
  );
  await t.step(
    "the credential files are the unit's systemd credentials",
    () => {
      for (const l of lines) {
        if (
          /^(ORDER_API_KEY|ORDER_SECRET_KEY|ASTER_AGENT_KEY_FILE)$/.test(l.name)
        ) {
          ok(
            l.value.startsWith("/run/credentials/aster.service/aster_"),
            l.name,
          );
        }
      }
    },
  );
});
