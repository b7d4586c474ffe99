/**
 * A streaming CSV row reader with named columns and a look-ahead buffer (simple CSV: no
 * quoted fields, as the recorder and OHLCV files are written). Lines are split by the
 * feature builder's {@linkcode CsvSource}, read synchronously 64 KiB at a time, so the sim
 * clock can pull rows and a large file is never loaded whole.
 *
 * @module
 */
import { CsvSource } from "../features/csv_source.ts";

const CHUNK = 64 * 1024;
/** The most fields {@linkcode CsvSource} keeps per line. */
const MAX_FIELDS = 256;

/** Reads rows of a headed CSV file, synchronously, one at a time. */
export class CsvStream {
  /** Column name → index. */
  readonly columns: ReadonlyMap<string, number>;
  /** The file path. */
  readonly path: string;
  #file: Deno.FsFile | undefined;
  #csv: CsvSource;
  #decoder = new TextDecoder();
  #ahead: string[][] = [];
  #head = 0;

  /**
   * @param path the file (opened now; throws Deno.errors.NotFound when missing)
   * @param required columns that must be present
   * @throws {SyntaxError} when a required column is missing
   */
  constructor(path: string, required: readonly string[]) {
    this.path = path;
    const file = Deno.openSync(path, { read: true });
    this.#file = file;
    try {
      this.#csv = new CsvSource(path, file, CHUNK);
    } catch (error) {
      this.close();
      throw new SyntaxError(`Cannot read ${path}: ${String(error)}`, {
        cause: error,
      });
    }
    this.columns = new Map(this.#csv.columns.map((c, i) => [c, i]));
    const missing = required.filter((c) => !this.columns.has(c));
    if (missing.length > 0) {
      this.close();
      throw new SyntaxError(
        `Cannot read ${path}: missing columns ${missing.join(", ")}`,
      );
    }
  }

  /** The index of column `name` (it must be one of the required ones). */
  col(name: string): number {
    return this.columns.get(name)!;
  }

  /** The `i`-th row ahead (0 = next), reading as needed; undefined past the end. */
  peek(i = 0): string[] | undefined {
    const csv = this.#csv;
    while (this.#ahead.length - this.#head <= i) {
      if (this.#file === undefined || !csv.next()) return undefined;
      if (this.#head > 1024) {
        this.#ahead = this.#ahead.slice(this.#head);
        this.#head = 0;
      }
      if (csv.fieldCount > MAX_FIELDS) {
        throw new SyntaxError(
          `Cannot read ${this.path}:${csv.line}: more than ${MAX_FIELDS} fields`,
        );
      }
      const line = this.#decoder.decode(
        csv.bytes.subarray(csv.starts[0]!, csv.ends[csv.fieldCount - 1]!),
      );
      this.#ahead.push(line.split(","));
    }
    return this.#ahead[this.#head + i];
  }

  /** Takes the next row. */
  take(): string[] | undefined {
    const row = this.peek();
    if (row) this.#head++;
    return row;
  }

  /** The line number of the last line read (for messages). */
  get lineNo(): number {
    return this.#csv.line;
  }

  /** Closes the file (idempotent). */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}
