/**
 * Renders the self-contained report page: the chart library, stylesheet, page script and data
 * all inline, so the file opens from disk with no network. Pure.
 *
 * @module
 */
import { PAGE_CSS } from "./_page_style.ts";
import type { ChartAssets } from "./chart_assets.ts";
import type { ReportPayload } from "./build_payload.ts";

/** Everything inlined into the page besides the data. */
export interface PageAssets extends ChartAssets {
  /** The page script (`page_script.js`). */
  readonly script: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Makes text safe inside a `<script>` element (no `</script` or `<!--`). */
export function escapeScript(text: string): string {
  return text.replace(/<(\/script|!--)/gi, "<\\$1");
}

/** JSON for a `<script type="application/json">` block: `<` is escaped as `\u003c`. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * Renders the report page.
 *
 * @param payload the embedded data
 * @param assets the chart library and page script
 * @returns the HTML document
 */
export function renderReportHtml(
  payload: ReportPayload,
  assets: PageAssets,
): string {
  const title = escapeHtml(payload.title);
  const generated = payload.generatedMs > 0
    ? new Date(payload.generatedMs).toISOString().slice(0, 19).replace(
      "T",
      " ",
    ) + " UTC"
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${escapeScript(assets.css)}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<header><h1>${title}</h1><span class="sub">${
    escapeHtml(payload.summary.symbols.join(", "))
  } · ${escapeHtml(generated)}</span></header>
<main>
<section class="card" id="summary"><h2>Run</h2></section>
<section class="card" id="oos" hidden><h2>Out of sample</h2>
<p class="note">Is the grid's winner more than luck? DSR deflates its Sharpe by the number of configs tried; PBO (CSCV) asks how often the in-sample best lands below the out-of-sample median; the walk-forward trades each window's choice on the data after it.</p>
<div id="oos-body"></div>
</section>
<section class="card"><h2>Ranking</h2>
<div class="tabs" id="tabs"></div>
<div class="tablewrap" id="table"></div>
<p class="note" id="table-note"></p>
</section>
<section class="card"><h2 id="charts-title">Charts</h2>
<div id="charts"></div>
</section>
<section class="card"><h2>Parameter heatmaps</h2>
<div class="controls"><label for="hm-metric">Metric</label><select id="hm-metric"></select></div>
<p class="note" id="hm-note"></p>
<div class="heatmaps" id="heatmaps"></div>
</section>
</main>
<div id="hm-tip"></div>
<footer>Self-contained report · charts by ${
    escapeHtml(assets.version)
  } · curves min/max downsampled for display</footer>
<script type="application/json" id="report-data">${embedJson(payload)}</script>
<script>${escapeScript(assets.js)}</script>
<script>${escapeScript(assets.script)}</script>
</body>
</html>
`;
}
