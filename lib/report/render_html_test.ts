import assert from "node:assert/strict";
import { writeFixtureOutputs } from "./_fixture.ts";
import { buildReportPayload } from "./build_payload.ts";
import { loadChartAssets } from "./chart_assets.ts";
import { loadBacktestOutputs } from "./load_outputs.ts";
import {
  embedJson,
  escapeHtml,
  escapeScript,
  renderReportHtml,
} from "./render_html.ts";
import { loadPageAssets } from "./write_report.ts";

Deno.test("escapeHtml(), escapeScript() and embedJson() keep text inert", async (t) => {
  await t.step("HTML special characters become entities", () => {
    assert.equal(
      escapeHtml(`<a href="x">&'</a>`),
      "&#60;a href=&#34;x&#34;&#62;&#38;&#39;&#60;/a&#62;",
    );
  });
  await t.step("a script cannot be closed early", () => {
    assert.equal(
      escapeScript('x = "</script><!--"'),
      'x = "<\\/script><\\!--"',
    );
  });
  await t.step("embedded JSON has no < and parses back", () => {
    const value = { title: "</script><b>", n: [1, null] };
    const text = embedJson(value);
    assert.ok(!text.includes("<"));
    assert.deepEqual(JSON.parse(text), value);
  });
});

Deno.test("loadChartAssets() reads uPlot from the pinned npm package", async (t) => {
  await t.step("the browser build and stylesheet are found", async () => {
    const a = await loadChartAssets();
    assert.match(a.version, /^uPlot 1\.6\.\d+$/);
    assert.ok(a.js.length > 20_000);
    assert.match(a.js, /uPlot/);
    assert.match(a.css, /\.uplot/);
  });
  await t.step("a non-file resolution is refused", async () => {
    await assert.rejects(
      () => loadChartAssets(() => "https://example.invalid/uplot.js"),
      /Cannot inline uPlot/,
    );
  });
});

Deno.test("renderReportHtml() writes one self-contained page", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "report-html-" });
  try {
    await writeFixtureOutputs(dir, { bars: 300, top: 1 });
    const payload = buildReportPayload(await loadBacktestOutputs(dir), {
      title: "Grid <run>",
      generatedMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    const assets = await loadPageAssets();
    const html = renderReportHtml(payload, assets);
    await t.step("the data block parses back to the payload", () => {
      const m = html.match(
        /<script type="application\/json" id="report-data">(.*?)<\/script>/s,
      );
      assert.ok(m);
      assert.deepEqual(JSON.parse(m[1]!), JSON.parse(JSON.stringify(payload)));
    });
    await t.step("uPlot and the page script are inline", () => {
      assert.ok(html.includes(escapeScript(assets.js)));
      assert.ok(html.includes(escapeScript(assets.script)));
      assert.ok(html.includes(escapeScript(assets.css)));
    });
    await t.step("nothing is loaded from elsewhere", () => {
      assert.doesNotMatch(html, /<script[^>]+src=/i);
      assert.doesNotMatch(html, /<link[^>]+href=/i);
    });
    await t.step("the title is escaped and the build time shown", () => {
      assert.match(html, /<title>Grid &#60;run&#62;<\/title>/);
      assert.match(html, /2026-01-02 03:04:05 UTC/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
