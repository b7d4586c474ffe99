/**
 * Builds the backtest feature table from recorder logs (or from a plain 1m OHLCV file).
 *
 * ```sh
 * deno task build-features --log_dir ./logs --out_csv ./backtest/backtest_inputs.csv --windows 10,30,60
 * deno task build-features --ohlcv BTC_1m.csv --symbols BTCUSDT --funding f.csv --mark m.csv --out_csv out.csv
 * deno task build-features --data_dir ./data --symbols BTCUSDT,ETHUSDT --out_csv out.csv
 * ```
 *
 * @module
 */
import {
  checkInputDir,
  checkInputFile,
  checkOutputFile,
  CONFIG_FLAG,
  formatHelp,
  parseCommandFlags,
  runMain,
  UsageError,
  writeStderr,
} from "../lib/cli/mod.ts";
import { join } from "node:path";
import { seriesFileName, type SeriesKind } from "../lib/download/layout.ts";
import {
  buildFeatureFile,
  type BuildReport,
  FeatureInputError,
  type OhlcvInput,
} from "../lib/features/mod.ts";

const FLAGS = {
  ...CONFIG_FLAG,
  log_dir: {
    type: "string",
    default: "./logs",
    help: "directory with kline.csv, bookTicker.csv, markPrice.csv",
  },
  out_csv: {
    type: "string",
    default: "./backtest/backtest_inputs.csv",
    help: "the feature table to write",
  },
  windows: {
    type: "numbers",
    default: "10,30,60",
    integer: true,
    min: 1,
    help: "rs_vol and avg_vol windows, in 1m bars",
  },
  max_staleness_ms: {
    type: "number",
    default: 60000,
    min: 0,
    help: "oldest book/mark row usable at a bar's end",
  },
  lateness_ms: {
    type: "number",
    default: 10000,
    min: 0,
    help: "how late (in ts) a log row may arrive before its bar is written",
  },
  ohlcv: {
    type: "string",
    help:
      "plain 1m OHLCV file (open_time,open,high,low,close,volume) instead of logs",
  },
  data_dir: {
    type: "string",
    help:
      "a deno task download directory: per --symbols its 1m klines, 1m mark klines and funding",
  },
  symbols: {
    type: "list",
    alias: "symbol",
    help: "with --data_dir: the symbols to build; with --ohlcv: its one symbol",
  },
  funding: {
    type: "string",
    help: "with --ohlcv: funding file (funding_time,funding_rate)",
  },
  mark: {
    type: "string",
    help: "with --ohlcv: mark-price klines (open_time,...,close)",
  },
  strict: {
    type: "boolean",
    default: false,
    help: "stop at the first malformed row",
  },
  max_bad_rows: {
    type: "string",
    default: "1%",
    help:
      "most bad bar rows (malformed, implausible OHLCV, out of order) before the build fails: a percentage of the rows (1%) or a count (50)",
  },
  quiet: { type: "boolean", default: false, help: "no progress on stderr" },
} as const;

const USAGE =
  "Usage: deno task build-features [--log_dir DIR | --ohlcv FILE --symbols S | --data_dir DIR --symbols A,B] [--out_csv FILE] [--windows 10,30,60]";

/**
 * The files of `deno task download` for `symbols` in `dir`: the 1m klines must exist; the
 * 1m mark klines and the funding are used when present (a note says when one is not).
 */
function dataDirInputs(
  dir: string,
  symbols: readonly string[] | undefined,
  ohlcv: string | undefined,
  quiet: boolean,
): OhlcvInput[] {
  if (ohlcv !== undefined) {
    throw new UsageError("Cannot use --ohlcv with --data_dir");
  }
  if (symbols === undefined) {
    throw new UsageError("Cannot use --data_dir without --symbols");
  }
  const present = (path: string) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  };
  return symbols.map((raw) => {
    const symbol = raw.toUpperCase();
    const path = (kind: SeriesKind) => join(dir, seriesFileName(symbol, kind));
    if (!present(path("klines"))) {
      throw new UsageError(
        `Cannot find ${
          path("klines")
        } (--data_dir ${dir}, --symbols ${symbol}): run deno task download first`,
      );
    }
    const optional = (kind: SeriesKind, column: string) => {
      if (present(path(kind))) return path(kind);
      if (!quiet) {
        writeStderr(`note: no ${path(kind)}: ${column} left empty\n`);
      }
      return undefined;
    };
    return {
      symbol,
      ohlcv: path("klines"),
      mark: optional("mark", "mark_price"),
      funding: optional("funding", "funding_bps"),
    };
  });
}

/** Parses `args`, runs, prints; returns the exit code. */
export async function main(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<number> {
  const flags = await parseCommandFlags(FLAGS, args, env);
  if (flags.help) {
    Deno.stdout.writeSync(
      new TextEncoder().encode(formatHelp(USAGE, FLAGS) + "\n"),
    );
    return 0;
  }
  if (new Set(flags.windows).size !== flags.windows.length) {
    throw new UsageError(
      `Invalid --windows "${flags.windows.join(",")}": duplicate window`,
    );
  }
  const fromData = flags.data_dir === undefined
    ? undefined
    : dataDirInputs(flags.data_dir, flags.symbols, flags.ohlcv, flags.quiet);
  if (fromData !== undefined) {
    for (const name of ["funding", "mark"] as const) {
      if (flags[name] !== undefined) {
        throw new UsageError(`Cannot use --${name} with --data_dir`);
      }
    }
  } else if (flags.ohlcv === undefined) {
    for (const name of ["symbols", "funding", "mark"] as const) {
      if (flags[name] !== undefined) {
        throw new UsageError(
          `Cannot use --${name} without --ohlcv or --data_dir`,
        );
      }
    }
  } else if (flags.symbols === undefined) {
    throw new UsageError("Cannot use --ohlcv without --symbols");
  } else if (flags.symbols.length !== 1) {
    throw new UsageError(
      `Invalid --symbols "${
        flags.symbols.join(",")
      }": --ohlcv holds one symbol`,
    );
  }
  if (fromData !== undefined) {
    await checkInputDir("data_dir", flags.data_dir!);
  } else if (flags.ohlcv === undefined) {
    await checkInputDir("log_dir", flags.log_dir);
  } else {
    for (const name of ["ohlcv", "funding", "mark"] as const) {
      const path = flags[name];
      if (path !== undefined) await checkInputFile(name, path);
    }
  }
  await checkOutputFile("out_csv", flags.out_csv);
  const maxBad = parseMaxBadRows(flags.max_bad_rows);
  const barFile = fromData !== undefined
    ? fromData.map((d) => d.ohlcv).join(", ")
    : flags.ohlcv ?? `${flags.log_dir}/kline.csv`;
  const started = performance.now();
  const onProgress = flags.quiet ? undefined : (rows: number) => {
    const s = (performance.now() - started) / 1000;
    writeStderr(
      `progress: ${rows} rows read, ${Math.round(rows / s)} rows/s\n`,
    );
  };
  let report: BuildReport;
  let inputs;
  try {
    const options = {
      windows: flags.windows,
      maxStalenessMs: flags.max_staleness_ms,
      latenessMs: flags.lateness_ms,
      strict: flags.strict,
      ...(onProgress ? { onProgress } : {}),
      accept: (r: BuildReport) => {
        // bad bar rows are counted by the builders as malformed (see ohlcv_check.ts)
        const bad = r.malformed;
        const limit = maxBad.percent === undefined
          ? maxBad.count!
          : r.barRows * maxBad.percent / 100;
        const first = r.malformedExamples[0];
        if (r.bars === 0) {
          throw new UsageError(
            `No usable bar in ${barFile}: ${r.barRows} rows, ${bad} bad${
              first ? ` (first: ${first})` : ""
            }`,
          );
        }
        if (bad > limit) {
          throw new UsageError(
            `Too many bad rows: ${bad} of ${r.barRows} (${
              (bad / Math.max(1, r.barRows) * 100).toFixed(2)
            }%) > --max_bad_rows ${flags.max_bad_rows}; first: ${first}`,
          );
        }
      },
    };
    inputs = fromData !== undefined
      ? { ohlcvSet: fromData }
      : flags.ohlcv === undefined
      ? { logDir: flags.log_dir }
      : {
        ohlcv: flags.ohlcv,
        symbol: flags.symbols![0]!,
        funding: flags.funding,
        mark: flags.mark,
      };
    report = await buildFeatureFile(inputs, flags.out_csv, options);
  } catch (error) {
    if (error instanceof FeatureInputError) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  for (const line of report.malformedExamples) {
    writeStderr(`malformed: ${line}\n`);
  }
  if (report.malformed > report.malformedExamples.length) {
    writeStderr(`malformed: ... ${report.malformed} rows in all\n`);
  }
  for (const line of report.lateExamples) writeStderr(`late: ${line}\n`);
  if (report.late > report.lateExamples.length) {
    writeStderr(`late: ... ${report.late} rows in all\n`);
  }
  if (!flags.quiet) {
    writeStderr(
      `done: ${report.rowsRead} rows (${report.bytesRead} bytes) in ${
        seconds.toFixed(2)
      } s, ${
        Math.round(report.rowsRead / seconds)
      } rows/s; ${report.bars} bars, ${report.symbols.length} symbols, ${report.malformed} malformed, ${report.late} late -> ${flags.out_csv}${
        "logDir" in inputs ? ` (+ per-second ${flags.out_csv}.1s)` : ""
      }\n`,
    );
  }
  return 0;
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (name) => Deno.env.get(name)));
}

/** `--max_bad_rows`: `N%` of the bar rows, or a count `N`. */
function parseMaxBadRows(text: string): { percent?: number; count?: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (m === null) {
    throw new UsageError(
      `Invalid --max_bad_rows "${text}": expected a percentage (1%) or a count (50)`,
    );
  }
  const n = Number(m[1]);
  if (m[2] === "%") {
    if (n > 100) {
      throw new UsageError(
        `Invalid --max_bad_rows "${text}": at most 100%`,
      );
    }
    return { percent: n };
  }
  if (!Number.isInteger(n)) {
    throw new UsageError(
      `Invalid --max_bad_rows "${text}": a count is a whole number`,
    );
  }
  return { count: n };
}
