/**
 * A recording session: starts the market feed (symbols checked, REST seed + streams), opens
 * the log directory, snapshots its caches into the CSV logs once a second, and on the end time or
 * an abort flushes every row and closes everything.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { MarketFeed } from "../market/market_feed.ts";
import type { Clock } from "../time/clock.ts";
import { LogRecorder, type RowCounts, runRecorder } from "./log_recorder.ts";

const log = getLogger(["aster", "recorder"]);

/** Options of {@linkcode recordMarket}. */
export interface RecordMarketOptions {
  /** The feed to record (not started yet; this function starts and closes it). */
  feed: MarketFeed;
  /** Directory of the five CSV logs. */
  logDir: string;
  /** Delete existing logs first. @default {false} */
  deleteLogs?: boolean;
  /**
   * A stream silent this long (clock ms) writes no rows (see
   * `LogRecorderOptions.staleAfterMs`); scale it by the speed of a sped-up clock.
   * @default {5000}
   */
  staleAfterMs?: number;
  /** The local clock the snapshots are timed and stamped with. */
  clock: Clock;
  /** How long to record, in clock ms; 0 = until `signal` aborts. @default {0} */
  durationMs?: number;
  /** Ends the recording (SIGINT/SIGTERM); every snapshot taken is still written. */
  signal?: AbortSignal;
  /** Called after each snapshot. */
  onSnapshot?: (ts: number) => void;
  /** Called once the feed has started, with the recorder (monitoring). */
  onStart?: (recorder: LogRecorder) => void;
}

/** What a recording session wrote. */
export interface RecordSummary {
  readonly rows: RowCounts;
  /** First and last snapshot times (epoch ms); NaN when no snapshot was taken. */
  readonly firstTs: number;
  readonly lastTs: number;
  readonly snapshots: number;
}

/**
 * Records until the duration ends or `signal` aborts, then flushes and closes.
 *
 * @throws {LogFileError} once the feed started, when the logs cannot be written (check the
 *   directory before calling to fail before connecting)
 * @throws {UnknownSymbolError} when the exchange does not list a symbol
 */
export async function recordMarket(
  options: RecordMarketOptions,
): Promise<RecordSummary> {
  const { feed, clock, durationMs = 0, signal } = options;
  let recorder: LogRecorder | undefined;
  let firstTs = NaN;
  let lastTs = NaN;
  let snapshots = 0;
  try {
    // The feed first: an unknown symbol or an unreachable exchange leaves no log file
    // created (nor deleted by --delete_logs) behind.
    await feed.start();
    recorder = await LogRecorder.open(options.logDir, {
      deleteLogs: options.deleteLogs ?? false,
      ...(options.staleAfterMs !== undefined
        ? { staleAfterMs: options.staleAfterMs }
        : {}),
    });
    options.onStart?.(recorder);
    log.info("Recording {symbols} into {dir}", {
      symbols: feed.symbols.join(","),
      dir: options.logDir,
    });
    const until = durationMs > 0 ? clock.now() + durationMs : Infinity;
    await runRecorder(recorder, feed.caches, feed.symbols, clock, {
      until,
      ...(signal ? { signal } : {}),
      onSnapshot: (ts) => {
        if (snapshots++ === 0) firstTs = ts;
        lastTs = ts;
        options.onSnapshot?.(ts);
      },
    });
  } finally {
    await feed.close();
    await recorder?.close();
  }
  return { rows: recorder.rowCounts(), firstTs, lastTs, snapshots };
}
