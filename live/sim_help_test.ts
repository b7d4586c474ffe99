/**
 * `deno task sim --help` lists every money-path fault of `--faults` with its one-line
 * description (run as the task runs it).
 *
 * @module
 */
import { equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { MONEY_FAULT_HELP, MONEY_FAULTS } from "../lib/sim/mod.ts";

Deno.test("deno task sim --help lists every fault name with its description", async () => {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const task: string = JSON.parse(
    await Deno.readTextFile(`${root}deno.json`),
  ).tasks.sim;
  const args = task.split(/\s+/).slice(1).map((w) =>
    w.endsWith(".ts") ? `${root}${w}` : w
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args, "--help"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const lines = new TextDecoder().decode(out.stdout).split("\n");
  for (const f of MONEY_FAULTS) {
    const line = lines.find((l) => l.trim().startsWith(`${f} `));
    ok(line, `no line for ${f}`);
    ok(line.trim().endsWith(MONEY_FAULT_HELP[f]), line);
  }
});
