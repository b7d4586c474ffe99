/**
 * The decision journal: one CSV row per evaluation with the inputs (values and ages), the
 * signal, each blocker's verdict and the action taken. Append-only whole lines through
 * the recorder's {@linkcode CsvLogWriter}, so a restart continues the same file.
 *
 * @module
 */
import { CsvLogWriter } from "../recorder/csv_log_writer.ts";
import type { SignalDecision } from "../strategy/mod.ts";

/** The journal's columns, in order. */
export const JOURNAL_COLUMNS = [
  "time",
  "symbol",
  "bar_open_time",
  "bar_source",
  "gap_bars",
  "close",
  "ret_bps",
  "rs_vol_bps",
  "threshold_bps",
  "volume",
  "avg_volume",
  "bid",
  "ask",
  "mark",
  "funding_rate",
  "bar_age_ms",
  "book_age_ms",
  "mark_age_ms",
  "momentum",
  "volume_ok",
  "spread_bps",
  "spread_ok",
  "funding_bps",
  "funding_ok",
  "open_loss_long_bps",
  "open_loss_long_ok",
  "open_loss_short_bps",
  "open_loss_short_ok",
  "fresh_ok",
  "signal",
  "reason",
  "action",
  "detail",
] as const;

/** One evaluation. */
export interface JournalRow {
  /** Bot clock, epoch ms. */
  readonly timeMs: number;
  readonly symbol: string;
  readonly barOpenTime: number;
  readonly barSource: "stream" | "rest";
  readonly gapBars: number;
  /** The bar's close (exact string). */
  readonly close: string;
  readonly bid: string;
  readonly ask: string;
  readonly mark: string;
  readonly fundingRate: string;
  readonly barAgeMs: number;
  readonly bookAgeMs: number;
  readonly markAgeMs: number;
  /** The strategy's decision. */
  readonly decision: SignalDecision;
  /** Stale inputs (empty = fresh). */
  readonly stale: readonly string[];
  /** What the bot did: `none`, `entry_placed`, `blocked`, `would_enter`, … */
  readonly action: string;
  /** Why (a skip reason, an error, the order's status). */
  readonly detail: string;
}

/** The CSV line of a row (with the trailing newline). */
export function journalLine(r: JournalRow): string {
  const d = r.decision;
  const cells = [
    r.timeMs,
    r.symbol,
    r.barOpenTime,
    r.barSource,
    r.gapBars,
    r.close,
    num(d.retBps),
    num(d.rsVolBps),
    num(d.threshold),
    num(d.volume),
    num(d.avgVolume),
    r.bid,
    r.ask,
    r.mark,
    r.fundingRate,
    age(r.barAgeMs),
    age(r.bookAgeMs),
    age(r.markAgeMs),
    d.momentum,
    d.volumeOk,
    num(d.spreadBps),
    d.spreadOk,
    num(d.fundingBps),
    d.fundingOk,
    num(d.openLossLongBps),
    d.openLossLongOk,
    num(d.openLossShortBps),
    d.openLossShortOk,
    r.stale.length === 0,
    d.side,
    r.stale.length > 0 ? `stale:${r.stale.join("+")}` : d.reason ?? "",
    textCell(r.action),
    textCell(r.detail),
  ];
  return cells.map((c) => csvCell(String(c))).join(",") + "\n";
}

/** The journal file. */
export class DecisionJournal {
  /** The file path. */
  readonly path: string;
  #writer: CsvLogWriter;

  private constructor(writer: CsvLogWriter) {
    this.#writer = writer;
    this.path = writer.path;
  }

  /**
   * Opens (or creates, or continues) the journal at `path`.
   *
   * @throws {LogFileError} when it cannot be opened or has another header
   */
  static async open(path: string): Promise<DecisionJournal> {
    const { writer } = await CsvLogWriter.open(
      path,
      JOURNAL_COLUMNS.join(",") + "\n",
    );
    return new DecisionJournal(writer);
  }

  /** Rows appended since opening. */
  get rows(): number {
    return this.#writer.rows;
  }

  /** Buffers one row. */
  append(row: JournalRow): void {
    this.#writer.append(journalLine(row));
  }

  /** Writes the buffered rows. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Flushes and closes. */
  close(): Promise<void> {
    return this.#writer.close();
  }
}

function num(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1e4) / 1e4) : "";
}

function age(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x)) : "";
}

/**
 * A free-text cell (the action and its detail, which can quote the venue's messages)
 * neutralised for spreadsheets: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'`, so it is never evaluated as a formula.
 */
export function textCell(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
