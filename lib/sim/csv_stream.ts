/**
 * A streaming CSV row reader with named columns and a look-ahead buffer (simple CSV: no
 * quoted fields, as the recorder and OHLCV files are written).
 *
 * @module
 */
import { LineReader } from "./line_reader.ts";

/** Reads rows of a headed CSV file, synchronously, one at a time. */
export class CsvStream {
  /** Column name → index. */
  readonly columns: ReadonlyMap<string, number>;
  /** The file path. */
  readonly path: string;
  #lines: LineReader;
  #ahead: string[][] = [];
  #head = 0;

  /**
   * @param path the file
   * @param required columns that must be present
   * @throws {SyntaxError} when a required column is missing
   */
  constructor(path: string, required: readonly string[]) {
    this.path = path;
    this.#lines = new LineReader(path);
    const header = this.#lines.next() ?? "";
    const cols = header.split(",").map((c) => c.trim());
    this.columns = new Map(cols.map((c, i) => [c, i]));
    const missing = required.filter((c) => !this.columns.has(c));
    if (missing.length > 0) {
      this.#lines.close();
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
    while (this.#ahead.length - this.#head <= i) {
      const line = this.#lines.next();
      if (line === undefined) return undefined;
      if (line.trim() === "") continue;
      if (this.#head > 1024) {
        this.#ahead = this.#ahead.slice(this.#head);
        this.#head = 0;
      }
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
    return this.#lines.lineNo;
  }

  /** Closes the file. */
  close(): void {
    this.#lines.close();
  }
}
