/**
 * The feature builder over a plain 1m OHLCV file of one symbol
 * (`open_time,open,high,low,close,volume`), with optional funding
 * (`funding_time,funding_rate`) and mark-price klines (`open_time,...,close`). Book-based
 * columns are empty. One streaming pass; the output is in file order.
 *
 * @module
 */
import { BarWindows } from "./bar_windows.ts";
import type { BuildOptions, BuildReport, NamedSource } from "./build_report.ts";
import { CsvSource, FeatureInputError } from "./csv_source.ts";
import { emptyQuote, featureHeader, featureLine } from "./feature_table.ts";
import { MINUTE_MS } from "./formulas.ts";
import { BufferedWriter, type ByteSink } from "./io.ts";
import { IssueLog } from "./issue_log.ts";
import { ohlcvProblem } from "./ohlcv_check.ts";
import { RowReader } from "./row_reader.ts";

/** The inputs of {@linkcode buildFeaturesFromOhlcv}. */
export interface OhlcvSources {
  /** 1m bars: `open_time,open,high,low,close,volume`, sorted by `open_time`. */
  readonly ohlcv: NamedSource;
  /** Funding events: `funding_time,funding_rate`; a rate applies from its time on. */
  readonly funding?: NamedSource;
  /** Mark-price klines of any fixed interval: `open_time,...,close`. */
  readonly mark?: NamedSource;
}

/** Options of {@linkcode buildFeaturesFromOhlcv}. */
export interface OhlcvBuildOptions extends BuildOptions {
  /** The symbol written in every row. */
  readonly symbol: string;
  /** Write the header line first (false: append to a table already started). @default {true} */
  readonly header?: boolean;
}

/** A time-sorted side input read one row ahead (funding events or mark klines). */
class AsOfCursor {
  readonly reader: RowReader;
  headTime = NaN;
  headValue = NaN;
  has = false;
  #issues: IssueLog;

  constructor(reader: RowReader, issues: IssueLog) {
    this.reader = reader;
    this.#issues = issues;
    if (reader.next()) {
      this.headTime = reader.values[0]!;
      this.headValue = reader.values[1]!;
      this.has = true;
      reader.next();
    }
  }

  /** The row after the head, if any (valid right after construction). */
  peekTime(): number {
    return this.reader.done ? NaN : this.reader.values[0]!;
  }

  pull(): void {
    const r = this.reader;
    while (!r.done) {
      const t = r.values[0]!;
      const v = r.values[1]!;
      const line = r.csv.line;
      r.next();
      if (t <= this.headTime) {
        this.#issues.lateRow(
          r.csv.name,
          line,
          `time ${t} is not after ${this.headTime}`,
        );
        continue;
      }
      this.headTime = t;
      this.headValue = v;
      return;
    }
    this.has = false;
  }
}

/**
 * Builds the feature table of one symbol from a 1m OHLCV file.
 *
 * Funding: the rate of the last event with `funding_time` before the bar's end.
 * Mark: the close of the last mark kline that closed by the bar's end
 * (`open_time + interval <= end`, the interval taken from the file's first two rows; with
 * 1m mark klines that is the mark close of the bar itself),
 * empty when it closed more than `max(maxStalenessMs, interval)` before the bar's end.
 *
 * @param sources the OHLCV file and the optional funding and mark files
 * @param out where the table goes (header first; not closed)
 * @param options symbol, windows and limits
 * @throws {FeatureInputError} on a missing column, or a malformed row with `strict`
 */
export function buildFeaturesFromOhlcv(
  sources: OhlcvSources,
  out: ByteSink,
  options: OhlcvBuildOptions,
): BuildReport {
  const issues = new IssueLog(options.strict ?? false);
  const bars = new RowReader(
    new CsvSource(sources.ohlcv.name, sources.ohlcv.source),
    {
      numbers: ["open_time", "open", "high", "low", "close", "volume"],
      check: (v) => ohlcvProblem(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!),
    },
    issues,
  );
  const funding = sources.funding === undefined ? undefined : new AsOfCursor(
    new RowReader(
      new CsvSource(sources.funding.name, sources.funding.source),
      { numbers: ["funding_time", "funding_rate"] },
      issues,
    ),
    issues,
  );
  const mark = sources.mark === undefined ? undefined : new AsOfCursor(
    new RowReader(
      new CsvSource(sources.mark.name, sources.mark.source),
      { numbers: ["open_time", "close"] },
      issues,
    ),
    issues,
  );
  let markStep = NaN;
  if (mark?.has) {
    markStep = mark.peekTime() - mark.headTime;
    if (!(markStep > 0)) {
      throw new FeatureInputError(
        `Cannot read ${
          sources.mark!.name
        }: needs two rows with increasing open_time to know its interval`,
      );
    }
  }
  const markLimit = Math.max(options.maxStalenessMs ?? 60_000, markStep);
  const volWindows = options.volWindows ?? options.windows;
  const writer = new BufferedWriter(out);
  if (options.header !== false) {
    writer.write(featureHeader(options.windows, volWindows));
  }
  const w = new BarWindows(options.windows, volWindows);
  const q = emptyQuote();
  let rate = NaN;
  let markClose = NaN;
  let markCloseTime = -Infinity;
  let count = 0;

  const emit = (): void => {
    const end = q.openTime + MINUTE_MS;
    if (funding) {
      while (funding.has && funding.headTime < end) {
        rate = funding.headValue;
        funding.pull();
      }
    }
    if (mark) {
      while (mark.has && mark.headTime + markStep <= end) {
        markClose = mark.headValue;
        markCloseTime = mark.headTime + markStep;
        mark.pull();
      }
    }
    q.fundingRate = rate;
    q.mark = end - markCloseTime <= markLimit ? markClose : NaN;
    w.push(q.openTime, q.open, q.high, q.low, q.close, q.volume);
    writer.write(featureLine(options.symbol, q, w));
    count++;
  };

  const every = options.progressEvery ?? 1 << 20;
  let pending = false;
  while (bars.next()) {
    const v = bars.values;
    const t = v[0]!;
    if (pending && t < q.openTime) {
      // the file must be ascending: a row out of order is a bad row
      issues.malformedRow(
        bars.csv.name,
        bars.csv.line,
        `open_time ${t} is before ${q.openTime} (rows must be ascending)`,
      );
      continue;
    }
    if (pending && t > q.openTime) emit();
    pending = true;
    q.openTime = t;
    q.open = v[1]!;
    q.high = v[2]!;
    q.low = v[3]!;
    q.close = v[4]!;
    q.volume = v[5]!;
    if (bars.csv.rows % every === 0) options.onProgress?.(bars.csv.rows);
  }
  if (pending) emit();
  writer.flush();
  const readers = [bars, funding?.reader, mark?.reader].filter((r) =>
    r !== undefined
  );
  return {
    rowsRead: readers.reduce((s, r) => s + r.csv.rows, 0),
    bytesRead: readers.reduce((s, r) => s + r.csv.bytesRead, 0),
    bars: count,
    barRows: bars.csv.rows,
    symbols: count > 0 ? [options.symbol] : [],
    malformed: issues.malformed,
    late: issues.late,
    malformedExamples: issues.malformedExamples,
    lateExamples: issues.lateExamples,
  };
}
