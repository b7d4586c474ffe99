/**
 * Typed rows from a {@linkcode CsvSource}: named numeric columns parsed into a reused
 * `Float64Array`, an optional interned symbol column, malformed rows skipped and recorded.
 *
 * @module
 */
import type { CsvSource } from "./csv_source.ts";
import type { IssueLog } from "./issue_log.ts";
import type { SymbolTable } from "./symbol_table.ts";

/** Which columns a {@linkcode RowReader} reads. */
export interface RowSpec {
  /** Numeric columns, in the order of `values`. */
  readonly numbers: readonly string[];
  /** Those of `numbers` that may be empty (read as NaN). */
  readonly optional?: readonly string[];
  /** The symbol column, interned into `symbol`. */
  readonly symbol?: string;
  /** An extra check on the parsed values; returns a reason to reject the row, or null. */
  readonly check?: (values: Float64Array) => string | null;
}

/** Reads rows of one CSV file into `values` (and `symbol`), skipping malformed rows. */
export class RowReader {
  /** The underlying file. */
  readonly csv: CsvSource;
  /** The current row's numbers, in the order of the spec's `numbers`. */
  readonly values: Float64Array;
  /** The current row's symbol id (-1 without a symbol column). */
  symbol = -1;
  /** Whether the file is exhausted. */
  done = false;
  #cols: Int32Array;
  #optional: Uint8Array;
  #names: readonly string[];
  #symbolCol: number;
  #symbols: SymbolTable | undefined;
  #issues: IssueLog;
  #check: ((values: Float64Array) => string | null) | undefined;

  /**
   * @param csv the file (its header is checked here)
   * @param spec the columns to read
   * @param issues where malformed rows are recorded
   * @param symbols the symbol table, required when the spec has a symbol column
   * @throws {FeatureInputError} when a column is missing
   */
  constructor(
    csv: CsvSource,
    spec: RowSpec,
    issues: IssueLog,
    symbols?: SymbolTable,
  ) {
    this.csv = csv;
    this.#names = spec.numbers;
    this.#cols = Int32Array.from(spec.numbers, (n) => csv.column(n));
    this.#optional = Uint8Array.from(
      spec.numbers,
      (n) => spec.optional?.includes(n) ? 1 : 0,
    );
    this.#symbolCol = spec.symbol === undefined ? -1 : csv.column(spec.symbol);
    this.#symbols = symbols;
    this.#issues = issues;
    this.#check = spec.check;
    this.values = new Float64Array(spec.numbers.length);
  }

  /** Advances to the next well-formed row; false (and `done`) at the end. */
  next(): boolean {
    const csv = this.csv;
    const cols = this.#cols;
    const values = this.values;
    next: while (csv.next()) {
      if (!csv.wellFormed()) {
        this.#issues.malformedRow(csv.name, csv.line, csv.shapeProblem());
        continue;
      }
      for (let j = 0; j < cols.length; j++) {
        const c = cols[j]!;
        const v = csv.number(c);
        if (!Number.isFinite(v) && !(this.#optional[j] && csv.empty(c))) {
          this.#issues.malformedRow(
            csv.name,
            csv.line,
            `field ${this.#names[j]} "${csv.text(c)}" is not a number`,
          );
          continue next;
        }
        values[j] = v;
      }
      if (this.#symbolCol >= 0) {
        const c = this.#symbolCol;
        if (csv.empty(c)) {
          this.#issues.malformedRow(csv.name, csv.line, "empty symbol");
          continue;
        }
        this.symbol = this.#symbols!.id(
          csv.bytes,
          csv.starts[c]!,
          csv.ends[c]!,
          this.symbol,
        );
      }
      if (this.#check !== undefined) {
        const reason = this.#check(values);
        if (reason !== null) {
          this.#issues.malformedRow(csv.name, csv.line, reason);
          continue;
        }
      }
      return true;
    }
    this.done = true;
    return false;
  }
}
