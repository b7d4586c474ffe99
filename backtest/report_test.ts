import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../lib/cli/mod.ts";
import { writeFixtureOutputs } from "../lib/report/_fixture.ts";
import { main } from "./report.ts";

Deno.test("report main() writes the report and prints its path", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "report-main-" });
  try {
    await writeFixtureOutputs(dir, { bars: 300, top: 1 });
    await t.step("--in DIR writes DIR/report.html", async () => {
      const lines: string[] = [];
      assert.equal(
        await main(["--in", dir], () => undefined, (l) => lines.push(l)),
        0,
      );
      const path = join(dir, "report.html");
      assert.ok((await Deno.stat(path)).size > 50_000);
      assert.equal(lines.length, 1);
      assert.ok(lines[0]!.startsWith(`report: ${path} (`));
    });
    await t.step("--out and --table_rows are honoured", async () => {
      const out = join(dir, "x.html");
      await main(
        ["--in", dir, "--out", out, "--table_rows", "7"],
        () => undefined,
        () => {},
      );
      const html = await Deno.readTextFile(out);
      const data = JSON.parse(
        html.match(/id="report-data">(.*?)<\/script>/s)![1]!,
      );
      assert.equal(data.views[0].rows.length, 7);
    });
    await t.step("a missing directory is a usage error (exit 2)", async () => {
      await assert.rejects(
        () => main(["--in", join(dir, "nope")], () => {}),
        (e: unknown) => e instanceof UsageError && e.exitCode === 2,
      );
    });
    await t.step("a bad flag is a usage error", async () => {
      await assert.rejects(
        () => main(["--in", dir, "--table_rows", "0"], () => {}),
        UsageError,
      );
    });
    await t.step("--help prints the flags", async () => {
      const lines: string[] = [];
      assert.equal(
        await main(["--help"], () => undefined, (l) => lines.push(l)),
        0,
      );
      assert.match(lines.join("\n"), /--table_rows/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
