/**
 * The market-data recorder: the CSV log schema, the append-only log writer and the
 * snapshot loop.
 *
 * @module
 */
export * from "./schema.ts";
export { CsvLogWriter, LogFileError } from "./csv_log_writer.ts";
export {
  LogRecorder,
  type LogRecorderOptions,
  type RowCounts,
  runRecorder,
  type RunRecorderOptions,
  type SnapshotSource,
  type SymbolSnapshot,
} from "./log_recorder.ts";
export {
  recordMarket,
  type RecordMarketOptions,
  type RecordSummary,
} from "./record_market.ts";
