/**
 * The interactive HTML backtest report: load a grid backtest's outputs into a typed model,
 * build the embedded data (rankings, heatmaps, downsampled curves, trade markers) and render
 * one self-contained page with uPlot inlined.
 *
 * @module
 */
export {
  AGGREGATE,
  type ConfigCurves,
  EXIT_REASONS,
  type PriceSeries,
  type RankedTable,
  type ReportData,
  type ReportTrade,
  type RunSummary,
} from "./report_data.ts";
export {
  type EquityFile,
  loadBacktestOutputs,
  type LoadOptions,
  type RankedCsvOptions,
  readEquityCsv,
  readRankedCsv,
  readTradesCsv,
  ReportInputError,
  summaryFromManifest,
} from "./load_outputs.ts";
export {
  downsampleMinMax,
  drawdownCurve,
  type XYSeries,
} from "./downsample.ts";
export {
  buildHeatmaps,
  type HeatmapCells,
  type HeatmapOptions,
  PREFERRED_PAIRS,
} from "./heatmap.ts";
export {
  buildReportPayload,
  type CurvePayload,
  type HeatmapPayload,
  type LinePayload,
  lineTimes,
  type PayloadOptions,
  type ReportPayload,
  roundValue,
  type SummaryPayload,
  type TableRowPayload,
  type TradesPayload,
  type ViewPayload,
} from "./build_payload.ts";
export { type ChartAssets, loadChartAssets } from "./chart_assets.ts";
export {
  embedJson,
  escapeHtml,
  escapeScript,
  type PageAssets,
  renderReportHtml,
} from "./render_html.ts";
export {
  loadPageAssets,
  writeReport,
  type WriteReportOptions,
  type WrittenReport,
} from "./write_report.ts";
