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
  StreamKind,
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
  /**
   * How long ago each stream of `symbol` last delivered, at local time `nowMs` (the market
   * caches' input ages). Without it every cached value is written on every snapshot.
   */
  ages?(
    symbol: string,
    nowMs: number,
  ): Readonly<Record<StreamKind, { readonly sinceReceiveMs: number }>>;
}

/** Options of {@linkcode LogRecorder.open}. */
export interface LogRecorderOptions {
  /** Delete existing log files first. @default {false} */
  deleteLogs?: boolean;
  /**
   * A stream silent for longer than this (local receive time) writes no row: during an
   * outage the frozen caches are not recorded as fresh data. The aggTrade_1s row (which
   * says "no trades" with trades=0) is omitted when every stream of the symbol is silent.
   * @default {5000}
   */
  staleAfterMs?: number;
}

/** Default of {@linkcode LogRecorderOptions.staleAfterMs}. */
export const STALE_AFTER_MS = 5000;

/** Rows written per log file. */
export type RowCounts = Record<LogKind, number>;

/** Writes snapshots to the five CSV logs of a directory. */
export class LogRecorder {
  readonly logDir: string;
  /** Rows not written because their stream was silent (see `staleAfterMs`). */
  staleRowsSkipped = 0;
  #writers: Record<LogKind, CsvLogWriter>;
  #staleAfterMs: number;

  private constructor(
    logDir: string,
    writers: Record<LogKind, CsvLogWriter>,
    staleAfterMs: number,
  ) {
    this.logDir = logDir;
    this.#writers = writers;
    this.#staleAfterMs = staleAfterMs;
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
    return new LogRecorder(
      logDir,
      writers as Record<LogKind, CsvLogWriter>,
      options.staleAfterMs ?? STALE_AFTER_MS,
    );
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
    const limit = this.#staleAfterMs;
    for (const symbol of symbols) {
      const s = source.latest(symbol);
      const ages = source.ages?.(symbol, ts);
      const fresh = (kind: StreamKind): boolean => {
        if (ages === undefined || ages[kind].sinceReceiveMs <= limit) {
          return true;
        }
        this.staleRowsSkipped++;
        return false;
      };
      if (s.kline && fresh("kline")) w.kline.append(klineLine(ts, s.kline));
      if (s.bookTicker && fresh("bookTicker")) {
        w.bookTicker.append(bookTickerLine(ts, s.bookTicker));
      }
      if (s.markPrice && fresh("markPrice")) {
        w.markPrice.append(markPriceLine(ts, s.markPrice));
      }
      const trades = source.takeAggTrades(symbol);
      const connected = ages === undefined ||
        Object.values(ages).some((a) => a.sinceReceiveMs <= limit);
      if (connected) w.aggTrade_1s.append(aggTradeLine(ts, symbol, trades));
      else this.staleRowsSkipped++;
      if (s.depth && fresh("depth")) w.depth5.append(depthLine(ts, s.depth));
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
  /**
   * Flush period in snapshots; also flushed when 1 MB is buffered. Every snapshot by
   * default: a kill -9 loses at most the second being written (five small writes a second).
   * @default {1}
   */
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
    flushEvery = 1,
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
