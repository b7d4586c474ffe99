import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  runBacktest,
  syntheticCsvLines,
  writeLinesForTest as writeLines,
} from "./_engine_test_helpers.ts";
import { parseWalkForward } from "../research/mod.ts";
import { buildReportPayload } from "./build_payload.ts";
import { loadBacktestOutputs } from "./load_outputs.ts";
import { renderReportHtml } from "./render_html.ts";
import { writeReport } from "./write_report.ts";
import { fileURLToPath } from "node:url";

Deno.test("the report's Out of sample data: DSR hurdles, PBO, walk-forward", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "report-oos-" });
  try {
    const features = join(dir, "features.csv");
    await writeLines(
      features,
      syntheticCsvLines({ bars: 6 * 1440, symbols: ["AAA"] }),
    );
    const out = join(dir, "out");
    const grid = {
      k: [1, 2, 3],
      n: [1, 2],
      T: [10, 30],
      V: [10],
      "max_spread_bps": [5],
      "max_funding_bps": [10],
      "sl_stop": [NaN, 0.005],
      "tp_stop": [0.01],
      "sl_trail": [0],
      fees: [0.0004],
      slippage: [0],
      "init_cash": [100],
    };
    await runBacktest({
      features,
      out,
      grid,
      blockers: false,
      workers: 0,
      top: 1,
      pbo: 4,
      walkForward: parseWalkForward("is=2d,oos=1d"),
      onStatus: () => {},
    });
    const data = await loadBacktestOutputs(out);
    const payload = buildReportPayload(data);

    await t.step("the payload carries the three parts", () => {
      const oos = payload.oos!;
      ok(oos !== null);
      const d = oos.deflation.AAA as Record<string, number>;
      equal(d.trials, d.eligible);
      const pbo = oos.pbo!.scopes as Record<string, Record<string, unknown>>;
      const aaa = pbo.AAA!;
      equal(aaa.splits, 6);
      const scatter = aaa.scatter as { is: unknown[]; oos: unknown[] };
      equal(scatter.is.length, 6);
      equal(scatter.oos.length, 6);
      ok(!("is_sharpe" in aaa));
      const wf = oos.walkForward!.symbols as Record<
        string,
        Record<string, unknown>
      >;
      const curve = wf.AAA!.stitchedCurve as { t: number[]; v: number[] };
      ok(curve.t.length > 0 && curve.t.length === curve.v.length);
      ok(wf.AAA!.inSampleCurve !== null, "the full-sample winner's curve");
      deepEqual(
        Object.keys(wf.AAA!.stitched as object).sort(),
        ["bars", "max_drawdown", "psr", "sharpe", "total_return", "trades"],
      );
    });

    await t.step(
      "the page has the section and the ranking's DSR column",
      () => {
        const html = renderReportHtml(payload, {
          css: "",
          js: "",
          version: "test",
          script: "",
        });
        ok(html.includes('id="oos"'));
        ok(payload.metricNames.includes("dsr"));
      },
    );

    await t.step(
      "the section renders in headless Chromium without errors",
      async () => {
        const written = await writeReport(out, {
          out: join(dir, "report.html"),
        });
        const res = await new Deno.Command(Deno.execPath(), {
          // playwright-core reads $HOME and /proc when imported: only --allow-all grants that
          args: [
            "run",
            "--frozen",
            "--allow-all",
            fileURLToPath(new URL("./_browser_check.ts", import.meta.url)),
            written.path,
            join(dir, "report.png"),
          ],
          cwd: fileURLToPath(new URL("../..", import.meta.url)),
          stdout: "piped",
          stderr: "piped",
        }).output();
        equal(res.code, 0, new TextDecoder().decode(res.stderr));
        const check = JSON.parse(new TextDecoder().decode(res.stdout)) as {
          errors: string[];
        };
        deepEqual(check.errors, []);
      },
    );

    await t.step("a run without them has no section data", async () => {
      const out2 = join(dir, "out2");
      await runBacktest({
        features,
        out: out2,
        grid: { ...grid, k: [1], n: [1] },
        blockers: false,
        workers: 0,
        top: 0,
        pbo: "off",
        onStatus: () => {},
      });
      const p = buildReportPayload(await loadBacktestOutputs(out2));
      equal(p.oos?.pbo ?? null, null);
      equal(p.oos?.walkForward ?? null, null);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
