/**
 * A fast streaming CSV line splitter over a {@linkcode ByteSource}: simple CSV (no quotes),
 * `\n` or `\r\n` line ends, a header line. Fields are byte ranges into the current chunk,
 * so no string or object is built per row.
 *
 * @module
 */
import type { ByteSource } from "./io.ts";
import { latin1, parseDecimal } from "./parse_decimal.ts";

/** Bad input the caller should report to the user (missing column, malformed row with `strict`). */
export class FeatureInputError extends Error {
  /** @param message what is wrong, naming the file, line and field */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FeatureInputError";
  }
}

const MAX_FIELDS = 256;

/** A CSV file read line by line; the current line's fields are byte ranges in `bytes`. */
export class CsvSource {
  /** The file name used in messages. */
  readonly name: string;
  /** The header's column names (empty for an empty file). */
  readonly columns: readonly string[];
  /** The current chunk; fields index into it. */
  bytes: Uint8Array;
  /** Start offsets of the current line's fields. */
  readonly starts: Int32Array = new Int32Array(MAX_FIELDS);
  /** End offsets (exclusive) of the current line's fields. */
  readonly ends: Int32Array = new Int32Array(MAX_FIELDS);
  /** How many fields the current line has. */
  fieldCount = 0;
  /** Whether the current line holds a double quote (unsupported). */
  quoted = false;
  /** The 1-based line number of the current line. */
  line = 0;
  /** Data lines read so far (blank lines excluded). */
  rows = 0;
  /** Bytes consumed so far. */
  bytesRead = 0;
  #source: ByteSource;
  #len = 0;
  #pos = 0;
  #eof = false;

  /**
   * Reads the header line.
   *
   * @param name the file name for messages
   * @param source the bytes
   * @param bufferSize the read chunk size; @default {1048576}
   */
  constructor(name: string, source: ByteSource, bufferSize = 1 << 20) {
    this.name = name;
    this.#source = source;
    this.bytes = new Uint8Array(bufferSize);
    if (!this.#nextRawLine()) {
      this.columns = [];
      return;
    }
    if (this.quoted) {
      throw new FeatureInputError(
        `Cannot read ${name}: quoted fields are not supported (line 1)`,
      );
    }
    const cols: string[] = [];
    for (let i = 0; i < this.fieldCount; i++) {
      cols.push(latin1(this.bytes, this.starts[i]!, this.ends[i]!).trim());
    }
    if (cols[0]?.charCodeAt(0) === 0xef) cols[0] = cols[0].slice(3); // UTF-8 BOM
    this.columns = cols;
  }

  /**
   * The index of a required column.
   *
   * @throws {FeatureInputError} naming the file and the column when it is missing
   */
  column(name: string): number {
    const i = this.columns.indexOf(name);
    if (i < 0) {
      throw new FeatureInputError(
        this.columns.length === 0
          ? `Cannot read ${this.name}: no header line (missing column ${name})`
          : `Cannot read ${this.name}: missing column ${name}`,
      );
    }
    return i;
  }

  /** Advances to the next non-blank line; false at the end of the file. */
  next(): boolean {
    for (;;) {
      if (!this.#nextRawLine()) return false;
      if (this.fieldCount === 1 && this.starts[0] === this.ends[0]) continue;
      this.rows++;
      return true;
    }
  }

  /** Field `i` of the current line as a number (NaN when empty or not a number). */
  number(i: number): number {
    return parseDecimal(this.bytes, this.starts[i]!, this.ends[i]!);
  }

  /** Field `i` of the current line as text. */
  text(i: number): string {
    return latin1(this.bytes, this.starts[i]!, this.ends[i]!);
  }

  /** Whether field `i` of the current line is empty. */
  empty(i: number): boolean {
    return this.starts[i] === this.ends[i];
  }

  /** Whether the current line has exactly the header's field count and no quote. */
  wellFormed(): boolean {
    return !this.quoted && this.fieldCount === this.columns.length;
  }

  /** A short reason why the current line is not {@linkcode wellFormed}. */
  shapeProblem(): string {
    return this.quoted
      ? "quoted fields are not supported"
      : `${this.fieldCount} fields, expected ${this.columns.length}`;
  }

  #nextRawLine(): boolean {
    let b = this.bytes;
    let nl = -1;
    for (;;) {
      nl = this.#pos < this.#len ? b.indexOf(10, this.#pos) : -1;
      if (nl >= this.#len) nl = -1;
      if (nl >= 0 || this.#eof) break;
      this.#refill();
      b = this.bytes;
    }
    const start = this.#pos;
    if (nl < 0 && start >= this.#len) return false;
    let end = nl < 0 ? this.#len : nl;
    this.#pos = nl < 0 ? this.#len : nl + 1;
    this.bytesRead += this.#pos - start;
    if (end > start && b[end - 1] === 13) end--;
    this.line++;
    const starts = this.starts;
    const ends = this.ends;
    let n = 0;
    let from = start;
    let quoted = false;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c === 44) {
        if (n < MAX_FIELDS - 1) {
          starts[n] = from;
          ends[n] = i;
        }
        n++;
        from = i + 1;
      } else if (c === 34) {
        quoted = true;
      }
    }
    if (n < MAX_FIELDS) {
      starts[n] = from;
      ends[n] = end;
    }
    this.fieldCount = n + 1;
    this.quoted = quoted;
    return true;
  }

  #refill(): void {
    const rest = this.#len - this.#pos;
    if (this.#pos === 0 && rest === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    } else if (this.#pos > 0) {
      this.bytes.copyWithin(0, this.#pos, this.#len);
    }
    this.#len = rest;
    this.#pos = 0;
    while (this.#len < this.bytes.length) {
      const n = this.#source.readSync(this.bytes.subarray(this.#len));
      if (n === null) {
        this.#eof = true;
        return;
      }
      this.#len += n;
      if (n > 0) return;
    }
  }
}
