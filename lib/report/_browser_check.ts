/**
 * Opens a report in headless Chromium (Debian's `/usr/bin/chromium`, driven by playwright-core)
 * and reports what rendered, as JSON on stdout. Run as its own process by the browser test:
 * playwright-core reads the home directory and /proc at import time, which needs `--allow-all`
 * (more than the test task grants).
 *
 * ```sh
 * deno run --frozen -A lib/report/_browser_check.ts REPORT.html SCREENSHOT.png [EXTRA.png]
 * ```
 *
 * @module
 */
import { chromium, type Page } from "playwright-core";
import { pathToFileURL } from "node:url";

/** Rendering of the charts in one view of the page. */
export interface ViewCheck {
  /** The view (symbol or "ALL"). */
  readonly view: string;
  /** Config whose charts are shown. */
  readonly config: string | null;
  /** uPlot charts on screen. */
  readonly charts: number;
  /** Heatmap canvases on screen. */
  readonly heatmaps: number;
  /** Canvases with no drawn pixel. */
  readonly blank: readonly string[];
  /** Rows in the ranking table. */
  readonly rows: number;
}

/** The browser check's result. */
export interface BrowserCheck {
  /** Console errors and uncaught page errors. */
  readonly errors: readonly string[];
  /** One entry per view tab. */
  readonly views: readonly ViewCheck[];
  /** The row clicked in the first view, and what the chart area showed after. */
  readonly click: {
    readonly config: string;
    readonly shownConfigs: readonly string[];
    readonly charts: number;
    readonly blank: readonly string[];
  };
  /** Sort by a header click: the table's first column values before and after. */
  readonly sort: { readonly before: string; readonly after: string };
  /** x ranges (epoch s) of the shown charts before and after a drag-zoom on the equity chart. */
  readonly zoom: {
    readonly before: readonly (readonly [number, number])[];
    readonly after: readonly (readonly [number, number])[];
  };
  /** Milliseconds: page start to first render done, and a row click to its charts drawn. */
  readonly timings: { readonly readyMs: number; readonly clickMs: number };
  /**
   * The first view's symbol selector (the "All symbols" view, first config): its buttons'
   * symbols ("*" = all stacked) and, after clicking each, the symbols of the chart groups shown.
   */
  readonly symbols: {
    readonly config: string | null;
    readonly buttons: readonly string[];
    readonly shown: readonly {
      readonly symbol: string;
      readonly groups: readonly string[];
      readonly charts: number;
      readonly blank: readonly string[];
    }[];
  };
  /** Screenshot files written. */
  readonly screenshots: readonly string[];
}

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The few DOM types the in-page checks use (this file is type-checked without the DOM lib). */
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: "2d"): {
    getImageData(
      x: number,
      y: number,
      w: number,
      h: number,
    ): { readonly data: Uint8ClampedArray };
  } | null;
  closest(selector: string): { readonly className: string } | null;
}
interface PageDocument {
  querySelectorAll(selector: "canvas"): Iterable<PageCanvas>;
  querySelectorAll(selector: string): { readonly length: number };
  querySelector(
    selector: string,
  ): { getAttribute(name: string): string | null } | null;
}

function inspect(page: Page): Promise<Omit<ViewCheck, "view">> {
  return page.evaluate(() => {
    const document = (globalThis as unknown as { document: PageDocument })
      .document;
    const blank: string[] = [];
    const canvases = [...document.querySelectorAll("canvas")];
    canvases.forEach((c, i) => {
      const ctx = c.getContext("2d");
      if (!ctx || c.width === 0 || c.height === 0) {
        blank.push(`canvas ${i} (empty size)`);
        return;
      }
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let drawn = 0;
      for (let p = 0; p < d.length; p += 4) {
        const white = d[p]! > 250 && d[p + 1]! > 250 && d[p + 2]! > 250;
        if (d[p + 3]! > 0 && !white) drawn++;
      }
      if (drawn < 50) {
        blank.push(
          `canvas ${i} in ${
            c.closest("[class]")?.className ?? "?"
          } (${drawn} pixels)`,
        );
      }
    });
    return {
      config: document.querySelector("#charts .chartgroup")?.getAttribute(
        "data-config",
      ) ?? null,
      charts: document.querySelectorAll("#charts .uplot").length,
      heatmaps: document.querySelectorAll("#heatmaps canvas").length,
      blank,
      rows: document.querySelectorAll("#ranked tbody tr").length,
    };
  });
}

/**
 * Runs the checks and writes screenshots.
 *
 * @param html the report file
 * @param screenshots PNG paths (full page, first view)
 * @param executablePath the browser @default "/usr/bin/chromium"
 */
export async function checkReportInBrowser(
  html: string,
  screenshots: readonly string[],
  executablePath = "/usr/bin/chromium",
): Promise<BrowserCheck> {
  const browser = await chromium.launch({ executablePath, args: ARGS });
  try {
    const page = await browser.newPage({
      viewport: { width: 1360, height: 900 },
    });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) {
        errors.push(`network request: ${r.url()}`);
      }
    });
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
    const tabs = await page.$$eval(
      "#tabs button",
      (bs) => bs.map((b) => b.getAttribute("data-view") ?? ""),
    );
    const views: ViewCheck[] = [];
    for (const view of tabs) {
      await page.click(`#tabs button[data-view="${view}"]`);
      views.push({ view, ...(await inspect(page)) });
    }
    // back to the first view; click a row with curves other than the selected one
    await page.click(`#tabs button[data-view="${tabs[0]}"]`);
    const row = await page.$("#ranked tbody tr.has-curves:not(.selected)") ??
      await page.$("#ranked tbody tr:not(.selected)");
    const target = (await row?.getAttribute("data-config")) ?? "";
    const hasCurves = await page.$(
      `#ranked tbody tr.has-curves[data-config="${target}"]`,
    ) !== null;
    const t0 = performance.now();
    await page.click(`#ranked tbody tr[data-config="${target}"]`);
    if (hasCurves) {
      await page.waitForSelector(
        `#charts .chartgroup[data-config="${target}"] .uplot`,
      );
    }
    const clickMs = performance.now() - t0;
    const readyMs = Number(
      await page.$eval("body", (b) => b.getAttribute("data-render-ms")),
    );
    const after = await inspect(page);
    const ranges = () =>
      page.evaluate(() =>
        (globalThis as unknown as {
          reportCharts: { scales: { x: { min: number; max: number } } }[];
        }).reportCharts.map((u) => [u.scales.x.min, u.scales.x.max] as const)
      );
    const zoomBefore = await ranges();
    const over = await page.$("#charts .chart.equity .u-over");
    await over?.scrollIntoViewIfNeeded();
    const box = await over?.boundingBox();
    if (box) {
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + box.width * 0.3, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
      await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
      await page.mouse.up();
    }
    const zoomAfter = await ranges();
    if (box) await page.mouse.dblclick(box.x + box.width / 2, box.y + 10);
    const shownConfigs = await page.$$eval(
      "#charts .chartgroup",
      (gs) => gs.map((g) => g.getAttribute("data-config") ?? ""),
    );
    const firstCol = () =>
      page.$eval(
        "#ranked tbody tr td:nth-child(2)",
        (td) => td.textContent ?? "",
      );
    const before = await firstCol();
    await page.click('#ranked th[data-col="config"]');
    const sorted = await firstCol();
    await page.click('#ranked th[data-col="rank"]');
    for (const path of screenshots) {
      await page.screenshot({ path, fullPage: true });
    }
    await page.click(`#tabs button[data-view="${tabs[1] ?? tabs[0]}"]`);
    await page.click(`#tabs button[data-view="${tabs[0]}"]`);
    const symbolConfig = (await inspect(page)).config;
    const buttons = await page.$$eval(
      "#chart-symbols button",
      (bs) => bs.map((b) => b.getAttribute("data-symbol") ?? ""),
    );
    const shown = [];
    for (const symbol of buttons) {
      await page.click(`#chart-symbols button[data-symbol="${symbol}"]`);
      const groups = await page.$$eval(
        "#charts .chartgroup",
        (gs) => gs.map((g) => g.getAttribute("data-symbol") ?? ""),
      );
      const { charts, blank } = await inspect(page);
      shown.push({ symbol, groups, charts, blank });
    }
    return {
      errors,
      views,
      click: {
        config: target,
        shownConfigs,
        charts: after.charts,
        blank: after.blank,
      },
      sort: { before, after: sorted },
      timings: { readyMs, clickMs },
      zoom: { before: zoomBefore, after: zoomAfter },
      symbols: { config: symbolConfig, buttons, shown },
      screenshots,
    };
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  const [html, ...shots] = Deno.args;
  if (html === undefined) {
    throw new TypeError(
      "Cannot check a report: usage: _browser_check.ts REPORT.html SHOT.png...",
    );
  }
  const result = await checkReportInBrowser(html, shots);
  await Deno.stdout.write(
    new TextEncoder().encode(JSON.stringify(result) + "\n"),
  );
}
