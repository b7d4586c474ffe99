/**
 * The file edge of the report: load a backtest output directory, build the page and write it
 * (to a temporary file first, then renamed, so a half-written report never appears).
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { dirname, join } from "node:path";
import { buildReportPayload, type PayloadOptions } from "./build_payload.ts";
import { loadChartAssets } from "./chart_assets.ts";
import { loadBacktestOutputs } from "./load_outputs.ts";
import { type PageAssets, renderReportHtml } from "./render_html.ts";

const log = getLogger(["aster", "report"]);

/** Options of {@linkcode writeReport}. */
export interface WriteReportOptions extends PayloadOptions {
  /** Output file. @default `<inDir>/report.html` */
  readonly out?: string;
  /** Most top configs per ranking (each symbol and the aggregate) whose curves are embedded. @default all the run wrote */
  readonly top?: number;
}

/** What {@linkcode writeReport} wrote. */
export interface WrittenReport {
  /** The report file. */
  readonly path: string;
  /** Its size in bytes. */
  readonly bytes: number;
  /** Configs with embedded curves. */
  readonly curves: number;
}

/** Reads the inlined page assets: uPlot and the page script. */
export async function loadPageAssets(): Promise<PageAssets> {
  const [chart, script] = await Promise.all([
    loadChartAssets(),
    Deno.readTextFile(new URL("./page_script.js", import.meta.url)),
  ]);
  return { ...chart, script };
}

/**
 * Builds `report.html` from a backtest output directory.
 *
 * @param inDir the backtest's `--out` directory
 * @param options output path and embedding limits
 * @throws {ReportInputError} when the outputs are missing or malformed
 */
export async function writeReport(
  inDir: string,
  options: WriteReportOptions = {},
): Promise<WrittenReport> {
  const out = options.out ?? join(inDir, "report.html");
  const data = await loadBacktestOutputs(inDir, {
    keepTop: options.tableRows ?? 100,
    ...(options.top !== undefined ? { top: options.top } : {}),
  });
  const payload = buildReportPayload(data, {
    generatedMs: Date.now(),
    ...options,
  });
  const html = renderReportHtml(payload, await loadPageAssets());
  const bytes = new TextEncoder().encode(html);
  // Written beside the target and renamed over it: a reader sees the old or the new
  // report, and a failure leaves no partial file behind.
  await Deno.mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.partial`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, out);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  log.info("Wrote {path} ({bytes} bytes, {curves} curves)", {
    path: out,
    bytes: bytes.length,
    curves: data.curves.length,
  });
  return { path: out, bytes: bytes.length, curves: data.curves.length };
}
