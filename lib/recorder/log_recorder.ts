/**
 * Snapshots the market caches of every symbol into the five CSV logs of `schema.ts`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type {
  BookTickerEvent,
  DepthEvent,
  KlineEvent,
  MarkPriceEvent,
} from "../exchange/events.ts";
import type { Clock } from "../time/clock.ts";
import { CsvLogWriter, LogFileError } from "./csv_log_writer.ts";
import {
  aggTradeLine,
  type AggTradeSecond,
  bookTickerLine,
  depthLine,
  headerLine,
  klineLine,
  LOG_KINDS,
  logFileName,
  type LogKind,
  markPriceLine,
} from "./schema.ts";

const log = getLogger(["aster", "recorder"]);

/** The latest market values of one symbol; a field is absent until first received. */
export interface SymbolSnapshot {
  readonly kline?: KlineEvent | undefined;
  readonly bookTicker?: BookTickerEvent | undefined;
  readonly markPrice?: MarkPriceEvent | undefined;
  readonly depth?: DepthEvent | undefined;
}

/** Where the recorder reads the market from (the market caches, or a fake in tests). */
export interface SnapshotSource {
  /** The latest values of `symbol`. */
  latest(symbol: string): SymbolSnapshot;
  /** The aggregate trades of `symbol` received since the previous call. */
  takeAggTrades(symbol: string): AggTradeSecond;
}

/** Options of {@linkcode LogRecorder.open}. */
export interface LogRecorderOptions {
  /** Delete existing log files first. @default {false} */
  deleteLogs?: boolean;
}

/** Rows written per log file. */
export type RowCounts = Record<LogKind, number>;

/** Writes snapshots to the five CSV logs of a directory. */
export class LogRecorder {
  readonly logDir: string;
  #writers: Record<LogKind, CsvLogWriter>;

  private constructor(logDir: string, writers: Record<LogKind, CsvLogWriter>) {
    this.logDir = logDir;
    this.#writers = writers;
  }

  /**
   * Opens the logs in `logDir` (created if missing), appending to existing files.
   *
   * @throws {LogFileError} when the directory or a file cannot be written
   */
  static async open(
    logDir: string,
    options: LogRecorderOptions = {},
  ): Promise<LogRecorder> {
    try {
      await Deno.mkdir(logDir, { recursive: true });
    } catch (error) {
      throw new LogFileError(
        `Cannot create log directory ${logDir}: ${errorText(error)}`,
        {
          cause: error,
        },
      );
    }
    const writers: Partial<Record<LogKind, CsvLogWriter>> = {};
    try {
      for (const kind of LOG_KINDS) {
        const path = `${logDir}/${logFileName(kind)}`;
        if (options.deleteLogs) await Deno.remove(path).catch(ignoreNotFound);
        const { writer, repairedBytes } = await CsvLogWriter.open(
          path,
          headerLine(kind),
        );
        if (repairedBytes > 0) {
          log.warn("Cut a partial last line of {bytes} bytes from {path}", {
            path,
            bytes: repairedBytes,
          });
        }
        writers[kind] = writer;
      }
    } catch (error) {
      for (const w of Object.values(writers)) await w.close();
      throw error;
    }
    return new LogRecorder(logDir, writers as Record<LogKind, CsvLogWriter>);
  }

  /**
   * Appends one row per file for each symbol, as of local time `ts`. A value never
   * received yet (e.g. no book before the first update) produces no row for that file.
   */
  snapshot(
    ts: number,
    symbols: readonly string[],
    source: SnapshotSource,
  ): void {
    const w = this.#writers;
    for (const symbol of symbols) {
      const s = source.latest(symbol);
      if (s.kline) w.kline.append(klineLine(ts, s.kline));
      if (s.bookTicker) w.bookTicker.append(bookTickerLine(ts, s.bookTicker));
      if (s.markPrice) w.markPrice.append(markPriceLine(ts, s.markPrice));
      w.aggTrade_1s.append(
        aggTradeLine(ts, symbol, source.takeAggTrades(symbol)),
      );
      if (s.depth) w.depth5.append(depthLine(ts, s.depth));
    }
  }

  /** Rows appended per file since opening. */
  rowCounts(): RowCounts {
    const out = {} as RowCounts;
    for (const kind of LOG_KINDS) out[kind] = this.#writers[kind].rows;
    return out;
  }

  /** Rows lost to a failed write per file (see {@linkcode CsvLogWriter.droppedRows}). */
  droppedCounts(): RowCounts {
    const out = {} as RowCounts;
    for (const kind of LOG_KINDS) out[kind] = this.#writers[kind].droppedRows;
    return out;
  }

  /** Characters buffered and not yet written. */
  get bufferedBytes(): number {
    let n = 0;
    for (const kind of LOG_KINDS) n += this.#writers[kind].bufferedBytes;
    return n;
  }

  /** Writes every buffered row. */
  async flush(): Promise<void> {
    await Promise.all(LOG_KINDS.map((kind) => this.#writers[kind].flush()));
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    await Promise.all(LOG_KINDS.map((kind) => this.#writers[kind].close()));
  }
}

/** Options of {@linkcode runRecorder}. */
export interface RunRecorderOptions {
  /** Snapshot period in clock milliseconds. @default {1000} */
  intervalMs?: number;
  /** Flush period in snapshots; also flushed when 1 MB is buffered. @default {2} */
  flushEvery?: number;
  /** Stop when the clock reaches this time (epoch ms). @default {Infinity} */
  until?: number;
  /** Stops the loop; the recorder is flushed, not closed. */
  signal?: AbortSignal;
  /** Called after each snapshot (progress output). */
  onSnapshot?: (ts: number) => void;
}

/**
 * Snapshots `symbols` every `intervalMs` of `clock` time, on whole multiples of the
 * interval, until `until` or until `signal` aborts; then flushes.
 */
export async function runRecorder(
  recorder: LogRecorder,
  source: SnapshotSource,
  symbols: readonly string[],
  clock: Clock,
  options: RunRecorderOptions = {},
): Promise<void> {
  const {
    intervalMs = 1000,
    flushEvery = 2,
    until = Infinity,
    signal,
    onSnapshot,
  } = options;
  let count = 0;
  try {
    while (!signal?.aborted) {
      const now = clock.now();
      const next = (Math.floor(now / intervalMs) + 1) * intervalMs;
      if (next > until) break;
      try {
        // A timer may wake up a little early on the clock's scale: wait out the rest.
        for (let t = now; t < next; t = clock.now()) {
          await clock.sleep(next - t, signal);
        }
      } catch (error) {
        if (signal?.aborted) break;
        throw error;
      }
      const ts = clock.now();
      recorder.snapshot(ts, symbols, source);
      onSnapshot?.(ts);
      if (++count % flushEvery === 0 || recorder.bufferedBytes > 1 << 20) {
        await recorder.flush();
      }
    }
  } finally {
    await recorder.flush();
  }
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}

function errorText(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
