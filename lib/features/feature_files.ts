/**
 * The file edge of the feature builder: opens the recorder logs (or an OHLCV file with
 * optional funding and mark files), streams them through the pure builder, and writes the
 * feature table atomically (`<out>.partial`, renamed at the end; per-symbol parts in a
 * temporary directory beside it, removed afterwards). From logs it also writes the
 * per-second companion file `<out>.1s` (`second_series.ts`) the same way, renamed just
 * before the table; an OHLCV build removes a stale `<out>.1s` (it would not match).
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import type { BuildReport, NamedSource } from "./build_report.ts";
import {
  buildFeaturesFromLogs,
  type LogBuildOptions,
  type PartStore,
} from "./build_from_logs.ts";
import { buildFeaturesFromOhlcv } from "./build_from_ohlcv.ts";
import { FeatureInputError } from "./csv_source.ts";
import { secondFileOf } from "./second_series.ts";

/** One symbol's OHLCV file with its optional funding and mark files. */
export interface OhlcvInput {
  readonly ohlcv: string;
  readonly symbol: string;
  readonly funding?: string | undefined;
  readonly mark?: string | undefined;
}

/**
 * The inputs of {@linkcode buildFeatureFile}: a log directory, an OHLCV file, or several
 * (one per symbol, written one after the other under one header).
 */
export type FeatureInputs =
  | { readonly logDir: string }
  | OhlcvInput
  | { readonly ohlcvSet: readonly OhlcvInput[] };

/**
 * Builds the feature table `outCsv` from `inputs` (`latenessMs` applies to logs only).
 *
 * @throws {FeatureInputError} for a missing file or column, or a malformed row when strict
 */
export async function buildFeatureFile(
  inputs: FeatureInputs,
  outCsv: string,
  options: LogBuildOptions & {
    /**
     * Judges the finished build before the table replaces `outCsv`: throwing leaves
     * `outCsv` untouched (e.g. too many bad rows, no bar at all).
     */
    readonly accept?: (report: BuildReport) => void;
  },
): Promise<BuildReport> {
  const opened: NamedSource[] = [];
  const outDir = dirname(outCsv);
  const tmpOut = `${outCsv}.partial`;
  const secondsOut = secondFileOf(outCsv);
  const tmpSeconds = `${secondsOut}.partial`;
  let tmpDir: string | undefined;
  let out: Deno.FsFile | undefined;
  let seconds: Deno.FsFile | undefined;
  try {
    let report: BuildReport;
    if ("ohlcv" in inputs || "ohlcvSet" in inputs) {
      const set = "ohlcvSet" in inputs ? inputs.ohlcvSet : [inputs];
      const sources = set.map((input) => ({
        symbol: input.symbol,
        ohlcv: openInput(input.ohlcv, opened),
        funding: input.funding === undefined
          ? undefined
          : openInput(input.funding, opened),
        mark: input.mark === undefined
          ? undefined
          : openInput(input.mark, opened),
      }));
      await Deno.mkdir(outDir, { recursive: true });
      out = Deno.openSync(tmpOut, {
        write: true,
        create: true,
        truncate: true,
      });
      const reports = sources.map(({ symbol, ohlcv, funding, mark }, i) =>
        buildFeaturesFromOhlcv(
          { ohlcv, ...(funding ? { funding } : {}), ...(mark ? { mark } : {}) },
          out!,
          { ...options, symbol, header: i === 0 },
        )
      );
      report = mergeReports(reports);
    } else {
      const [kline, bookTicker, markPrice] = [
        "kline.csv",
        "bookTicker.csv",
        "markPrice.csv",
      ]
        .map((f) => openInput(join(inputs.logDir, f), opened));
      await Deno.mkdir(outDir, { recursive: true });
      tmpDir = await Deno.makeTempDir({ dir: outDir, prefix: ".features-" });
      const dir = tmpDir;
      const parts: PartStore = {
        create: (id) =>
          Deno.openSync(join(dir, `${id}.csv`), {
            write: true,
            create: true,
            truncate: true,
          }),
        open: (id) => Deno.openSync(join(dir, `${id}.csv`), { read: true }),
      };
      const secondParts: PartStore = {
        create: (id) =>
          Deno.openSync(join(dir, `${id}.1s`), {
            write: true,
            create: true,
            truncate: true,
          }),
        open: (id) => Deno.openSync(join(dir, `${id}.1s`), { read: true }),
      };
      out = Deno.openSync(tmpOut, {
        write: true,
        create: true,
        truncate: true,
      });
      seconds = Deno.openSync(tmpSeconds, {
        write: true,
        create: true,
        truncate: true,
      });
      report = buildFeaturesFromLogs(
        { kline: kline!, bookTicker: bookTicker!, markPrice: markPrice! },
        out,
        parts,
        options,
        { out: seconds, parts: secondParts, tableName: basename(outCsv) },
      );
      seconds.close();
      seconds = undefined;
    }
    out.close();
    out = undefined;
    options.accept?.(report);
    if ("logDir" in inputs) await Deno.rename(tmpSeconds, secondsOut);
    else await Deno.remove(secondsOut).catch(() => {});
    await Deno.rename(tmpOut, outCsv);
    return report;
  } finally {
    for (const input of opened) input.source.close();
    out?.close();
    seconds?.close();
    await Deno.remove(tmpOut).catch(() => {});
    await Deno.remove(tmpSeconds).catch(() => {});
    if (tmpDir !== undefined) {
      await Deno.remove(tmpDir, { recursive: true }).catch(() => {});
    }
  }
}

/** The reports of builds written one after the other, as one. */
function mergeReports(reports: readonly BuildReport[]): BuildReport {
  const sum = (f: (r: BuildReport) => number) =>
    reports.reduce((s, r) => s + f(r), 0);
  return {
    rowsRead: sum((r) => r.rowsRead),
    bytesRead: sum((r) => r.bytesRead),
    bars: sum((r) => r.bars),
    barRows: sum((r) => r.barRows),
    symbols: reports.flatMap((r) => r.symbols),
    malformed: sum((r) => r.malformed),
    late: sum((r) => r.late),
    malformedExamples: reports.flatMap((r) => r.malformedExamples).slice(0, 10),
    lateExamples: reports.flatMap((r) => r.lateExamples).slice(0, 10),
  };
}

function openInput(path: string, opened: NamedSource[]): NamedSource {
  try {
    const input = { name: path, source: Deno.openSync(path, { read: true }) };
    opened.push(input);
    return input;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new FeatureInputError(`Cannot open ${path}: file not found`);
    }
    throw error;
  }
}
