/**
 * The `download.json` summary and the gap report: per file its rows, first and last time,
 * gaps, duplicates and order problems, from a scan of the file itself (so it is true
 * whatever earlier runs did). Its content depends only on the files: the same data gives
 * the same bytes.
 *
 * @module
 */
import type { SeriesKind } from "./layout.ts";
import { formatSpan, type SeriesScan } from "./series_scan.ts";

/** One file's entry in `download.json`. */
export interface FileSummary {
  readonly file: string;
  readonly symbol: string;
  readonly kind: SeriesKind;
  readonly rows: number;
  /** ISO times of the first and last row (null when empty). */
  readonly first: string | null;
  readonly last: string | null;
  readonly gapCount: number;
  readonly missingBars: number;
  /** The first gaps, `[from, to)` as ISO times. */
  readonly gaps: readonly { from: string; to: string; bars: number }[];
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly malformed: number;
  readonly partialTailBytes: number;
}

/** The whole `download.json`. */
export interface DownloadSummary {
  readonly format: "aster-toolkit download summary 1";
  readonly files: readonly FileSummary[];
}

const iso = (t: number): string | null =>
  Number.isNaN(t) ? null : new Date(t).toISOString();

/** The summary entry of one scanned file. */
export function fileSummary(
  file: string,
  symbol: string,
  kind: SeriesKind,
  scan: SeriesScan,
): FileSummary {
  return {
    file,
    symbol,
    kind,
    rows: scan.rows,
    first: iso(scan.first),
    last: iso(scan.last),
    gapCount: scan.gapCount,
    missingBars: scan.missingBars,
    gaps: scan.gaps.map((g) => ({
      from: iso(g.from)!,
      to: iso(g.to)!,
      bars: g.bars,
    })),
    duplicates: scan.duplicates,
    outOfOrder: scan.outOfOrder,
    malformed: scan.malformed,
    partialTailBytes: scan.partialTailBytes,
  };
}

/** Merges `updates` into `previous` by file name, sorted by file name. */
export function mergeSummary(
  previous: readonly FileSummary[],
  updates: readonly FileSummary[],
): DownloadSummary {
  const byFile = new Map(previous.map((f) => [f.file, f]));
  for (const f of updates) byFile.set(f.file, f);
  return {
    format: "aster-toolkit download summary 1",
    files: [...byFile.values()].sort((a, b) => a.file < b.file ? -1 : 1),
  };
}

/**
 * Reads a `download.json` body.
 *
 * @returns the files, or a reason it is not a summary
 */
export function parseSummary(
  text: string,
): { files: FileSummary[] } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON (${(error as Error).message})` };
  }
  const o = raw as { format?: unknown; files?: unknown };
  if (
    typeof o !== "object" || o === null ||
    o.format !== "aster-toolkit download summary 1" || !Array.isArray(o.files)
  ) {
    return { error: "not a download summary" };
  }
  return { files: o.files as FileSummary[] };
}

/**
 * The gap lines of the report, e.g. `BTCUSDT 2025-03-04 02:00–02:41 (41 bars)` (the kind
 * is named for mark and index files), at most `max` (then a count of the rest).
 */
export function gapLines(files: readonly FileSummary[], max = 20): string[] {
  const out: string[] = [];
  let more = 0;
  for (const f of files) {
    const name = f.kind === "klines" ? f.symbol : `${f.symbol} ${f.kind}`;
    for (const g of f.gaps) {
      if (out.length >= max) {
        more++;
        continue;
      }
      out.push(
        `${name} ${
          formatSpan(Date.parse(g.from), Date.parse(g.to))
        } (${g.bars} bar${g.bars === 1 ? "" : "s"})`,
      );
    }
    more += f.gapCount - f.gaps.length;
  }
  if (more > 0) out.push(`… ${more} more (see download.json)`);
  return out;
}

/** The problems of a file that make it unfit (not gaps: those are facts). */
export function fileProblems(f: FileSummary): string[] {
  const out: string[] = [];
  if (f.duplicates > 0) out.push(`${f.duplicates} duplicate rows`);
  if (f.outOfOrder > 0) out.push(`${f.outOfOrder} rows out of order`);
  if (f.malformed > 0) out.push(`${f.malformed} malformed lines`);
  if (f.partialTailBytes > 0) {
    out.push(`a partial last line (${f.partialTailBytes} bytes)`);
  }
  return out;
}
