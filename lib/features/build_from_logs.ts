/**
 * The feature builder over recorder logs: one streaming pass over `kline.csv`,
 * `bookTicker.csv` and `markPrice.csv` merged in `ts` order, bars assembled by
 * {@linkcode LogBarAssembler}, features computed by {@linkcode BarWindows}, one temporary
 * part per symbol, then the parts concatenated in symbol order.
 *
 * @module
 */
import { BarWindows } from "./bar_windows.ts";
import type { BuildOptions, BuildReport, NamedSource } from "./build_report.ts";
import { CsvSource } from "./csv_source.ts";
import {
  type BarQuote,
  emptyQuote,
  featureHeader,
  featureLine,
} from "./feature_table.ts";
import {
  BufferedWriter,
  type ByteSink,
  type ByteSource,
  copyAll,
  writeAll,
} from "./io.ts";
import { IssueLog } from "./issue_log.ts";
import { ohlcvProblem } from "./ohlcv_check.ts";
import {
  type BarSink,
  LogBarAssembler,
  ROW_AHEAD,
  ROW_LATE,
  type RowOutcome,
} from "./log_bar_assembler.ts";
import { RowReader } from "./row_reader.ts";
import { SecondSeriesWriter } from "./second_series.ts";
import { SymbolTable } from "./symbol_table.ts";

/** The three log files the features need. */
export interface LogSources {
  /** `kline.csv` */
  readonly kline: NamedSource;
  /** `bookTicker.csv` */
  readonly bookTicker: NamedSource;
  /** `markPrice.csv` */
  readonly markPrice: NamedSource;
}

/** Temporary per-symbol parts: written once, then read back once. */
export interface PartStore {
  /** Creates part `id` for writing. */
  create(id: number): ByteSink;
  /** Opens the finished part `id` for reading. */
  open(id: number): ByteSource;
}

/** Options of {@linkcode buildFeaturesFromLogs}. */
export interface LogBuildOptions extends BuildOptions {
  /** How late (in `ts`) a row may come before its bar is emitted; @default {10000} */
  readonly latenessMs?: number;
}

/** Where the per-second companion file goes (`second_series.ts`). */
export interface SecondOutput {
  /** The companion file (header first; not closed). */
  readonly out: ByteSink;
  /** Temporary per-symbol parts of it. */
  readonly parts: PartStore;
  /** The table's file name, recorded in the header. */
  readonly tableName: string;
}

function nonNegativeTs(v: Float64Array): string | null {
  return v[0]! >= 0 ? null : `field ts "${v[0]}" is negative`;
}

/**
 * Builds the feature table from recorder logs.
 *
 * @param sources the three log files
 * @param out where the table goes (header first; not closed)
 * @param parts temporary storage for per-symbol parts
 * @param options windows, limits and progress
 * @param seconds where the per-second companion file goes (none when absent)
 * @returns counts and the first bad rows
 * @throws {FeatureInputError} on a missing column, or a malformed row with `strict`
 */
export function buildFeaturesFromLogs(
  sources: LogSources,
  out: ByteSink,
  parts: PartStore,
  options: LogBuildOptions,
  seconds?: SecondOutput,
): BuildReport {
  const issues = new IssueLog(options.strict ?? false);
  const symbols = new SymbolTable();
  const kline = new RowReader(
    new CsvSource(sources.kline.name, sources.kline.source),
    {
      numbers: ["ts", "open_time", "open", "high", "low", "close", "volume"],
      symbol: "symbol",
      check: (v) =>
        nonNegativeTs(v) ??
          ohlcvProblem(v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!),
    },
    issues,
    symbols,
  );
  const book = new RowReader(
    new CsvSource(sources.bookTicker.name, sources.bookTicker.source),
    {
      numbers: [
        "ts",
        "bid_price",
        "ask_price",
        "event_time",
        "bid_qty",
        "ask_qty",
      ],
      optional: ["bid_qty", "ask_qty"],
      symbol: "symbol",
      check: nonNegativeTs,
    },
    issues,
    symbols,
  );
  const mark = new RowReader(
    new CsvSource(sources.markPrice.name, sources.markPrice.source),
    {
      numbers: ["ts", "mark_price", "funding_rate", "event_time"],
      optional: ["funding_rate"],
      symbol: "symbol",
      check: nonNegativeTs,
    },
    issues,
    symbols,
  );
  const volWindows = options.volWindows ?? options.windows;
  const sw = seconds === undefined
    ? undefined
    : new SecondSeriesWriter(seconds.parts, options.latenessMs ?? 10_000);
  const writer = new PartWriter(
    parts,
    symbols,
    options.windows,
    volWindows,
    sw,
  );
  const assembler = new LogBarAssembler(writer, options);
  const readers = [kline, book, mark];
  const every = options.progressEvery ?? 1 << 20;
  let nextProgress = every;
  let count = 0;
  for (const r of readers) r.next();
  for (;;) {
    let best: RowReader | undefined;
    let bestTs = Infinity;
    for (const r of readers) {
      if (!r.done && r.values[0]! < bestTs) {
        best = r;
        bestTs = r.values[0]!;
      }
    }
    if (best === undefined) break;
    const v = best.values;
    let outcome: RowOutcome;
    if (best === kline) {
      outcome = assembler.kline(
        v[0]!,
        best.symbol,
        v[1]!,
        v[2]!,
        v[3]!,
        v[4]!,
        v[5]!,
        v[6]!,
      );
      if (outcome === 0) {
        sw?.kline(v[0]!, best.symbol, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!);
      }
    } else if (best === book) {
      outcome = assembler.book(v[0]!, best.symbol, v[1]!, v[2]!, v[3]!);
      sw?.book(v[0]!, best.symbol, v[1]!, v[2]!, v[4]!, v[5]!);
    } else {
      outcome = assembler.mark(v[0]!, best.symbol, v[1]!, v[2]!, v[3]!);
      sw?.mark(v[0]!, best.symbol, v[1]!);
    }
    if (outcome !== 0) report(best, outcome, issues, symbols);
    best.next();
    if (++count >= nextProgress) {
      nextProgress += every;
      options.onProgress?.(rowsOf(readers));
    }
  }
  assembler.finish();
  const written = writer.finish(out);
  if (sw !== undefined && seconds !== undefined) {
    sw.finish(
      seconds.out,
      written.map((name) => symbols.names.indexOf(name)),
      symbols.names,
      seconds.tableName,
    );
  }
  return {
    rowsRead: rowsOf(readers),
    bytesRead: readers.reduce((s, r) => s + r.csv.bytesRead, 0),
    bars: writer.bars,
    barRows: kline.csv.rows,
    symbols: written,
    malformed: issues.malformed,
    late: issues.late,
    malformedExamples: issues.malformedExamples,
    lateExamples: issues.lateExamples,
  };
}

function rowsOf(readers: readonly RowReader[]): number {
  return readers.reduce((s, r) => s + r.csv.rows, 0);
}

function report(
  r: RowReader,
  outcome: RowOutcome,
  issues: IssueLog,
  symbols: SymbolTable,
): void {
  const sym = symbols.names[r.symbol];
  const ts = r.values[0];
  if (outcome === ROW_LATE) {
    issues.lateRow(
      r.csv.name,
      r.csv.line,
      `${sym} ts ${ts} is older than a bar already emitted`,
    );
  } else if (outcome === ROW_AHEAD) {
    issues.malformedRow(
      r.csv.name,
      r.csv.line,
      `${sym} open_time ${r.values[1]} is too far ahead of ts ${ts}`,
    );
  }
}

class PartWriter implements BarSink {
  bars = 0;
  #parts: PartStore;
  #symbols: SymbolTable;
  #windows: readonly number[];
  #volWindows: readonly number[];
  #state: ({ w: BarWindows; out: BufferedWriter } | undefined)[] = [];
  #q: BarQuote = emptyQuote();
  #seconds: SecondSeriesWriter | undefined;

  constructor(
    parts: PartStore,
    symbols: SymbolTable,
    windows: readonly number[],
    volWindows: readonly number[],
    seconds: SecondSeriesWriter | undefined,
  ) {
    this.#seconds = seconds;
    this.#parts = parts;
    this.#symbols = symbols;
    this.#windows = windows;
    this.#volWindows = volWindows;
  }

  bar(
    symbol: number,
    openTime: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    bid: number,
    ask: number,
    mark: number,
    fundingRate: number,
  ): void {
    let st = this.#state[symbol];
    if (st === undefined) {
      st = {
        w: new BarWindows(this.#windows, this.#volWindows),
        out: new BufferedWriter(this.#parts.create(symbol)),
      };
      this.#state[symbol] = st;
    }
    const q = this.#q;
    q.openTime = openTime;
    q.open = open;
    q.high = high;
    q.low = low;
    q.close = close;
    q.volume = volume;
    q.bid = bid;
    q.ask = ask;
    q.mark = mark;
    q.fundingRate = fundingRate;
    st.w.push(openTime, open, high, low, close, volume);
    st.out.write(featureLine(this.#symbols.names[symbol]!, q, st.w));
    this.#seconds?.bar(symbol, openTime);
    this.bars++;
  }

  /** Closes the parts and concatenates them, in symbol order, after the header. */
  finish(out: ByteSink): string[] {
    writeAll(
      out,
      new TextEncoder().encode(featureHeader(this.#windows, this.#volWindows)),
    );
    const ids: number[] = [];
    for (let id = 0; id < this.#state.length; id++) {
      const st = this.#state[id];
      if (st === undefined) continue;
      st.out.close();
      ids.push(id);
    }
    const names = this.#symbols.names;
    ids.sort((a, b) => (names[a]! < names[b]! ? -1 : 1));
    const buffer = new Uint8Array(1 << 20);
    for (const id of ids) {
      const part = this.#parts.open(id);
      try {
        copyAll(part, out, buffer);
      } finally {
        part.close();
      }
    }
    return ids.map((id) => names[id]!);
  }
}
