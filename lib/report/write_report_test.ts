import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFixtureOutputs } from "./_fixture.ts";
import { ReportInputError } from "./load_outputs.ts";
import { writeReport } from "./write_report.ts";

Deno.test("writeReport() writes report.html into the output directory", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "report-write-" });
  try {
    await writeFixtureOutputs(dir, { bars: 400, top: 2 });
    await t.step("by default beside the outputs", async () => {
      const w = await writeReport(dir);
      assert.equal(w.path, join(dir, "report.html"));
      assert.equal(w.curves, 4);
      assert.equal((await Deno.stat(w.path)).size, w.bytes);
      const names = [...Deno.readDirSync(dir)].map((e) => e.name);
      assert.ok(!names.some((n) => n.endsWith(".partial")));
    });
    await t.step("to --out with fewer curves", async () => {
      const out = join(dir, "r.html");
      const w = await writeReport(dir, { out, top: 1 });
      assert.equal(w.path, out);
      assert.equal(w.curves, 2);
      const html = await Deno.readTextFile(out);
      assert.match(html, /^<!doctype html>/);
    });
    await t.step("missing outputs are a ReportInputError", async () => {
      await assert.rejects(
        () => writeReport(join(dir, "missing")),
        ReportInputError,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
