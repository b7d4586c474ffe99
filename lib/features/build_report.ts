/**
 * The options and the summary shared by the log and OHLCV feature builders.
 *
 * @module
 */
import type { ByteSource } from "./io.ts";

/** A named input file. */
export interface NamedSource {
  /** The name used in messages (usually the path). */
  readonly name: string;
  /** The bytes. */
  readonly source: ByteSource;
}

/** Options shared by the builders. */
export interface BuildOptions {
  /** The `rs_vol_<T>m_bps` windows. */
  readonly windows: readonly number[];
  /** The `avg_vol_<V>m` windows; @default {windows} */
  readonly volWindows?: readonly number[];
  /** A book/mark value older than this at the bar's end is not used; @default {60000} */
  readonly maxStalenessMs?: number;
  /** Make the first malformed row fatal; @default {false} */
  readonly strict?: boolean;
  /** Called every `progressEvery` input rows with the rows read so far. */
  readonly onProgress?: (rowsRead: number) => void;
  /** @default {1048576} */
  readonly progressEvery?: number;
}

/** What a build did. */
export interface BuildReport {
  /** Input data rows read (all files, malformed ones included). */
  readonly rowsRead: number;
  /** Input bytes read. */
  readonly bytesRead: number;
  /** Output rows (bars). */
  readonly bars: number;
  /** Data rows of the bar file (`kline.csv` or the OHLCV file), bad ones included. */
  readonly barRows: number;
  /** The symbols written, in output order. */
  readonly symbols: readonly string[];
  /** Malformed rows skipped. */
  readonly malformed: number;
  /** Rows that arrived after their bar was emitted. */
  readonly late: number;
  /** The first malformed rows as `file:line: reason`. */
  readonly malformedExamples: readonly string[];
  /** The first late rows as `file:line: reason`. */
  readonly lateExamples: readonly string[];
}
