/**
 * The feature formulas and the feature builder: pure functions over numbers and typed
 * arrays (`formulas.ts`, `series.ts`), the bar-by-bar form for the live strategy
 * (`BarWindows`), and the streaming builders over recorder logs and OHLCV files, which
 * read and write through injected byte ports (no `Deno` API here).
 *
 * @example The live strategy's view of one bar
 * ```ts
 * import { BarWindows, spreadBps } from "./mod.ts";
 * const w = new BarWindows([10, 30, 60]);
 * w.push(1_700_000_040_000, 100, 101, 99.5, 100.4, 12.5);
 * w.rsVar; // this bar's Rogers–Satchell variance
 * spreadBps(100.3, 100.4); // about 9.97 bp
 * ```
 *
 * @module
 */
export {
  BPS,
  fundingBps,
  MINUTE_MS,
  openLossLongBps,
  openLossShortBps,
  type QuoteFeatures,
  quoteFeatures,
  retBps,
  rsVar,
  rsVolBps,
  spreadBps,
} from "./formulas.ts";
export {
  avgVolSeries,
  consecutiveRuns,
  retBpsSeries,
  rsVarSeries,
  rsVolSeries,
  trailingSumSeries,
} from "./series.ts";
export { BarWindows } from "./bar_windows.ts";
export {
  type BarQuote,
  BASE_COLUMNS,
  emptyQuote,
  featureColumns,
  featureHeader,
  featureLine,
  formatFloat,
} from "./feature_table.ts";
export {
  BufferedWriter,
  type ByteSink,
  type ByteSource,
  copyAll,
  type MemorySink,
  memorySink,
  memorySource,
  writeAll,
} from "./io.ts";
export { CsvSource, FeatureInputError } from "./csv_source.ts";
export { parseDecimal } from "./parse_decimal.ts";
export {
  type AssemblerOptions,
  type BarSink,
  LogBarAssembler,
  ROW_AHEAD,
  ROW_LATE,
  ROW_USED,
  type RowOutcome,
} from "./log_bar_assembler.ts";
export type { BuildOptions, BuildReport, NamedSource } from "./build_report.ts";
export {
  buildFeaturesFromLogs,
  type LogBuildOptions,
  type LogSources,
  type PartStore,
} from "./build_from_logs.ts";
export {
  buildFeaturesFromOhlcv,
  type OhlcvBuildOptions,
  type OhlcvSources,
} from "./build_from_ohlcv.ts";
export {
  buildFeatureFile,
  type FeatureInputs,
  type OhlcvInput,
} from "./feature_files.ts";
