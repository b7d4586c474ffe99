/**
 * The chart library inlined into the report: uPlot's IIFE build and its stylesheet, read from
 * the npm package that the import map pins (resolved through `import.meta.resolve`, so the
 * files come from Deno's npm cache or a `node_modules` folder, never the network).
 *
 * @module
 */

/** Source text of the inlined chart library. */
export interface ChartAssets {
  /** uPlot's browser build (defines the global `uPlot`). */
  readonly js: string;
  /** uPlot's stylesheet. */
  readonly css: string;
  /** Package name and version, for the page footer. */
  readonly version: string;
}

/**
 * Reads uPlot's `dist/uPlot.iife.min.js` and `dist/uPlot.min.css` beside the module the
 * import map resolves `uplot` to.
 *
 * @param resolve the resolver (injected for tests) @default import.meta.resolve
 * @throws {Error} when the package files cannot be found
 */
export async function loadChartAssets(
  resolve: (specifier: string) => string = (s) => import.meta.resolve(s),
): Promise<ChartAssets> {
  const main = new URL(resolve("uplot"));
  if (main.protocol !== "file:") {
    throw new Error(
      `Cannot inline uPlot: it resolves to ${main.href}, not a local file (run deno install first)`,
    );
  }
  const dist = new URL(".", main);
  const [js, css, pkg] = await Promise.all([
    Deno.readTextFile(new URL("uPlot.iife.min.js", dist)),
    Deno.readTextFile(new URL("uPlot.min.css", dist)),
    Deno.readTextFile(new URL("../package.json", dist)).catch(() => "{}"),
  ]);
  const version = (JSON.parse(pkg) as { version?: string }).version ?? "?";
  return { js, css, version: `uPlot ${version}` };
}
