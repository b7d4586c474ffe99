/**
 * A streaming check of one downloaded series: row count, first and last time, gaps in a
 * 1m series, duplicates, rows out of order, malformed lines and a partial last line.
 * Pure: bytes in, a {@linkcode SeriesScan} out, memory bounded by the gaps it lists.
 *
 * @module
 */

/** Bars missing between two rows: `[from, to)` with `bars` = (to - from) / step. */
export interface Gap {
  readonly from: number;
  readonly to: number;
  readonly bars: number;
}

/** What {@linkcode SeriesScanner.finish} reports. */
export interface SeriesScan {
  /** Whether the first line is the expected header. */
  readonly headerOk: boolean;
  /** Data lines read (well-formed ones). */
  readonly rows: number;
  /** The first and last row time (NaN when no rows). */
  readonly first: number;
  readonly last: number;
  /** Gaps (1m series only), the first `maxGaps` of them. */
  readonly gaps: readonly Gap[];
  /** All gaps, counted. */
  readonly gapCount: number;
  /** Bars missing in all. */
  readonly missingBars: number;
  /** Rows with the same time as the row before. */
  readonly duplicates: number;
  /** Rows with a time before the row before. */
  readonly outOfOrder: number;
  /** Lines whose first field is not a time (or off the minute grid). */
  readonly malformed: number;
  /** The 1-based line number of the first problem (duplicate, order, malformed), or 0. */
  readonly firstProblemLine: number;
  /** Bytes after the last newline (a line cut by a crash). */
  readonly partialTailBytes: number;
}

/** Scans a series file chunk by chunk; see the module doc. */
export class SeriesScanner {
  #header: Uint8Array;
  #step: number;
  #maxGaps: number;
  #line = 0;
  #inHeader = true;
  #headerPos = 0;
  #headerOk = true;
  #value = 0;
  #digits = 0;
  #inFirst = true;
  #badLine = false;
  #lineBytes = 0;
  #rows = 0;
  #first = NaN;
  #last = NaN;
  #gaps: Gap[] = [];
  #gapCount = 0;
  #missing = 0;
  #dups = 0;
  #order = 0;
  #malformed = 0;
  #firstProblem = 0;

  /**
   * @param header the expected header line (without newline)
   * @param stepMs the row spacing of a 1m series, or 0 (funding: no gap check)
   * @param maxGaps how many gaps to list
   */
  constructor(header: string, stepMs: number, maxGaps = 1000) {
    this.#header = new TextEncoder().encode(header);
    this.#step = stepMs;
    this.#maxGaps = maxGaps;
  }

  /** Feeds the next bytes of the file. */
  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (this.#inHeader && i < n) {
      const c = chunk[i++]!;
      if (c === 10) {
        if (this.#headerPos !== this.#header.length) this.#headerOk = false;
        this.#inHeader = false;
        this.#line = 1;
        this.#resetLine();
      } else {
        if (this.#header[this.#headerPos] !== c) this.#headerOk = false;
        this.#headerPos++;
        this.#lineBytes++;
      }
    }
    while (i < n) {
      // Parse the first field up to its comma (in locals: the hot loop), then jump to
      // the line's end natively.
      if (this.#inFirst) {
        let value = this.#value, digits = this.#digits, bytes = this.#lineBytes;
        let inFirst = true, bad = false, ended = false;
        while (i < n) {
          const c = chunk[i++]!;
          bytes++;
          if (c === 10) {
            ended = true;
            break;
          }
          if (c === 44) {
            inFirst = false;
            break;
          } else if (c >= 48 && c <= 57 && digits < 16) {
            value = value * 10 + (c - 48);
            digits++;
          } else {
            bad = true;
            inFirst = false;
            break;
          }
        }
        this.#value = value;
        this.#digits = digits;
        this.#lineBytes = bytes;
        if (bad) this.#badLine = true;
        this.#inFirst = inFirst;
        if (ended) {
          this.#endLine();
          continue;
        }
      }
      if (this.#inFirst || i >= n) continue;
      const nl = chunk.indexOf(10, i);
      if (nl < 0) {
        this.#lineBytes += n - i;
        i = n;
      } else {
        this.#lineBytes += nl + 1 - i;
        i = nl + 1;
        this.#endLine();
      }
    }
  }

  /** The result; a line without its newline counts as a partial tail, not a row. */
  finish(): SeriesScan {
    return {
      headerOk: this.#headerOk && !(this.#inHeader && this.#lineBytes > 0),
      rows: this.#rows,
      first: this.#first,
      last: this.#last,
      gaps: this.#gaps,
      gapCount: this.#gapCount,
      missingBars: this.#missing,
      duplicates: this.#dups,
      outOfOrder: this.#order,
      malformed: this.#malformed,
      firstProblemLine: this.#firstProblem,
      partialTailBytes: this.#lineBytes,
    };
  }

  #resetLine(): void {
    this.#value = 0;
    this.#digits = 0;
    this.#inFirst = true;
    this.#badLine = false;
    this.#lineBytes = 0;
  }

  #problem(): void {
    if (this.#firstProblem === 0) this.#firstProblem = this.#line + 1;
  }

  #endLine(): void {
    const t = this.#value;
    const step = this.#step;
    if (
      this.#badLine || this.#digits === 0 || this.#inFirst ||
      (step > 0 && t % step !== 0)
    ) {
      this.#malformed++;
      this.#problem();
    } else if (this.#rows === 0) {
      this.#first = this.#last = t;
      this.#rows = 1;
    } else if (t === this.#last) {
      this.#dups++;
      this.#problem();
    } else if (t < this.#last) {
      this.#order++;
      this.#problem();
    } else {
      if (step > 0 && t - this.#last > step) {
        const gap = {
          from: this.#last + step,
          to: t,
          bars: (t - this.#last) / step - 1,
        };
        this.#gapCount++;
        this.#missing += gap.bars;
        if (this.#gaps.length < this.#maxGaps) this.#gaps.push(gap);
      }
      this.#last = t;
      this.#rows++;
    }
    this.#line++;
    this.#resetLine();
  }
}

/** `2025-03-04 02:00–02:41` (same day) or `2025-03-04 23:50–2025-03-05 00:10`, UTC. */
export function formatSpan(from: number, to: number): string {
  const a = new Date(from).toISOString(), b = new Date(to).toISOString();
  const day = (s: string) => s.slice(0, 10);
  const hm = (s: string) => s.slice(11, 16);
  return day(a) === day(b)
    ? `${day(a)} ${hm(a)}–${hm(b)}`
    : `${day(a)} ${hm(a)}–${day(b)} ${hm(b)}`;
}
