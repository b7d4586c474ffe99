/**
 * Security (issue 18, item 5): `deno compile` runs with `--exclude-unused-npm`, so each
 * binary embeds only the npm packages its module graph reaches; none reaches a dev-only
 * package (ccxt, playwright-core and their ws/undici).
 */
import { deepEqual, ok } from "node:assert/strict";
import { compileArgs, ENTRY_POINTS } from "./build_plan.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** Packages used by tests and the report's browser check only. */
const DEV_ONLY = ["ccxt", "playwright-core", "ws", "undici"];

/** The npm packages (name@version) reachable from `sources`, per `deno info --json`. */
async function reachableNpm(sources: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const source of sources) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--frozen", source],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    ok(out.success, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: { kind?: string; npmPackage?: string; specifier: string }[];
    };
    for (const m of info.modules) {
      if (m.npmPackage) found.add(m.npmPackage);
    }
  }
  return [...found].sort();
}

Deno.test("security: each binary embeds only the npm packages it reaches", async (t) => {
  await t.step("deno compile gets --exclude-unused-npm", () => {
    const args = compileArgs({
      wrapper: "w.ts",
      output: "o",
      target: "x86_64-unknown-linux-gnu",
      permissions: [],
      include: [],
      config: "deno.json",
    });
    ok(args.includes("--exclude-unused-npm"), args.join(" "));
  });
  for (const entry of ENTRY_POINTS) {
    await t.step(entry.name, async () => {
      const npm = await reachableNpm([entry.source, ...(entry.include ?? [])]);
      deepEqual(
        npm.filter((p) => DEV_ONLY.some((d) => p.startsWith(`${d}@`))),
        [],
        npm.join(", "),
      );
    });
  }
});
