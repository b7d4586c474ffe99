/**
 * Counting and sampling of bad rows (malformed, late) for the feature builder's report.
 *
 * @module
 */
import { FeatureInputError } from "./csv_source.ts";

/** Counts malformed and late rows and keeps the first few of each as `file:line: reason`. */
export class IssueLog {
  /** Rows skipped because a field was missing or not a number. */
  malformed = 0;
  /** Rows that arrived after their bar was emitted. */
  late = 0;
  /** The first malformed rows, as `file:line: reason`. */
  readonly malformedExamples: string[] = [];
  /** The first late rows, as `file:line: reason`. */
  readonly lateExamples: string[] = [];
  #strict: boolean;
  #max: number;

  /**
   * @param strict make the first malformed row fatal
   * @param maxExamples how many rows of each kind to keep; @default {5}
   */
  constructor(strict: boolean, maxExamples = 5) {
    this.#strict = strict;
    this.#max = maxExamples;
  }

  /**
   * Records a malformed row.
   *
   * @throws {FeatureInputError} in strict mode
   */
  malformedRow(file: string, line: number, reason: string): void {
    const text = `${file}:${line}: ${reason}`;
    if (this.#strict) {
      throw new FeatureInputError(`Cannot read ${text} (--strict)`);
    }
    this.malformed++;
    if (this.malformedExamples.length < this.#max) {
      this.malformedExamples.push(text);
    }
  }

  /** Records a row that came after its bar was emitted. */
  lateRow(file: string, line: number, reason: string): void {
    this.late++;
    if (this.lateExamples.length < this.#max) {
      this.lateExamples.push(`${file}:${line}: ${reason}`);
    }
  }
}
