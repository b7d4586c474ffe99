/**
 * `deno task download` as a function: checks the request (dates, symbols against
 * `exchangeInfo`, the output directory and any existing files) before touching a file,
 * brings every series up to date within the weight budget, then scans the files and writes
 * `download.json` and the gap report. `verifyDirectory` is the `--verify` mode: the same
 * scan without any request.
 *
 * @module
 */
import { join } from "node:path";
import type { MarketRestClient } from "../exchange/market_rest_client.ts";
import type { Clock } from "../time/clock.ts";
import {
  downloadSeries,
  expectedRows,
  resumeTime,
  type SeriesJob,
} from "./download_series.ts";
import {
  BAR_MS,
  LAYOUTS,
  seriesFileName,
  type SeriesKind,
  SUMMARY_FILE,
} from "./layout.ts";
import { type RetryOptions, withRetries } from "./retry.ts";
import {
  inspectSeries,
  scanSeriesFile,
  SeriesFileError,
} from "./series_file.ts";
import type { SeriesScan } from "./series_scan.ts";
import {
  type DownloadSummary,
  fileProblems,
  type FileSummary,
  fileSummary,
  gapLines,
  mergeSummary,
  parseSummary,
} from "./summary.ts";

/** A mistake in the request or the output directory: one line, exit 2, nothing touched. */
export class DownloadInputError extends Error {
  /** @param message what is wrong, naming the flag, symbol or file */
  constructor(message: string) {
    super(message);
    this.name = "DownloadInputError";
  }
}

/** What to download. */
export interface DownloadRequest {
  readonly symbols: readonly string[];
  /** `[from, to)` epoch ms; `to` undefined = now (the exchange's time). */
  readonly from: number;
  readonly to: number | undefined;
  readonly outDir: string;
  readonly kinds: readonly SeriesKind[];
  /** Series fetched at the same time. @default {4} */
  readonly concurrency?: number;
}

/** The edges {@linkcode runDownload} uses. */
export interface DownloadPorts {
  /** The market client; its transport enforces the weight share. */
  readonly client: MarketRestClient;
  /** For back-off sleeps and ban ends. */
  readonly clock: Clock;
  /** Progress and report lines (stderr); undefined = quiet (the report still prints). */
  readonly progress?: (line: string) => void;
  /** The report lines (gaps, done). */
  readonly report: (line: string) => void;
  /** Monotonic ms for rates. @default {performance.now} */
  readonly elapsed?: () => number;
  /** Retry tuning (tests). */
  readonly retry?: Partial<RetryOptions>;
  readonly signal?: AbortSignal;
}

/** What a run did. */
export interface DownloadResult {
  readonly rows: number;
  readonly requests: number;
  readonly weight: number;
  /** Requests and weight per series, `SYMBOL kind` → counts. */
  readonly perSeries: ReadonlyMap<string, { requests: number; weight: number }>;
  readonly summary: DownloadSummary;
}

/**
 * Runs a download; see the module doc.
 *
 * @throws {DownloadInputError} before any file is touched, for a bad request or directory
 * @throws {DownloadStopped} when the exchange keeps failing or bans for long (files keep
 * what was fetched; a re-run resumes)
 */
export async function runDownload(
  req: DownloadRequest,
  ports: DownloadPorts,
): Promise<DownloadResult> {
  checkOutDir(req.outDir, false);
  const previous = readSummary(req.outDir);
  const retry: RetryOptions = {
    clock: ports.clock,
    ...(ports.signal ? { signal: ports.signal } : {}),
    ...(ports.progress
      ? {
        onWait: (reason: string, ms: number) =>
          ports.progress!(
            `wait: ${(ms / 1000).toFixed(1)} s after ${reason}`,
          ),
      }
      : {}),
    ...ports.retry,
  };
  const client = ports.client;
  const info = await withRetries(
    "exchangeInfo",
    () => client.exchangeInfo(),
    retry,
  );
  const listed = new Map(info.symbols.map((s) => [s.symbol, s]));
  for (const symbol of req.symbols) {
    if (!listed.has(symbol)) {
      throw new DownloadInputError(
        `Unknown symbol ${symbol}: not in the exchangeInfo of ${client.transport.baseUrl}`,
      );
    }
  }
  const now = await withRetries("time", () => client.serverTime(), retry);
  const lastClosed = Math.floor(now / BAR_MS) * BAR_MS;
  const to = Math.floor(Math.min(req.to ?? lastClosed, lastClosed) / BAR_MS) *
    BAR_MS;
  if (req.from >= to) {
    throw new DownloadInputError(
      `Nothing to download: --from ${iso(req.from)} is not before --to ${
        iso(to)
      }${req.to === undefined || req.to > lastClosed ? " (now)" : ""}`,
    );
  }
  // Every existing file is checked before any is opened for writing.
  const jobs: SeriesJob[] = [];
  for (const symbol of req.symbols) {
    const onboard = listed.get(symbol)!.onboardDate;
    const from = Math.max(
      req.from,
      onboard === undefined ? -Infinity : Math.floor(onboard / BAR_MS) * BAR_MS,
    );
    for (const kind of req.kinds) {
      const file = seriesFileName(symbol, kind);
      const path = join(req.outDir, file);
      const known = previous.find((f) => f.file === file);
      if (known && (known.symbol !== symbol || known.kind !== kind)) {
        throw new DownloadInputError(
          `Cannot append to ${path}: download.json lists it as ${known.symbol} ${known.kind}`,
        );
      }
      let state;
      try {
        state = inspectSeries(path, LAYOUTS[kind].header);
      } catch (error) {
        if (error instanceof SeriesFileError) {
          throw new DownloadInputError(error.message);
        }
        throw error;
      }
      if (state.exists && !known && !Number.isNaN(state.last)) {
        throw new DownloadInputError(
          `Cannot append to ${path}: not listed in ${
            join(req.outDir, SUMMARY_FILE)
          } (not written by download; move it away)`,
        );
      }
      jobs.push({ symbol, kind, path, from, to, state });
      if (state.exists && state.first > from + (LAYOUTS[kind].stepMs || 1)) {
        ports.progress?.(
          `note: ${path} starts at ${
            iso(state.first)
          }; earlier rows are not added to an append-only file (move it away to fetch them)`,
        );
      }
    }
    if (from >= to) {
      ports.progress?.(
        `note: ${symbol} is listed from ${
          iso(onboard!)
        }, after --to: nothing to fetch`,
      );
    }
  }
  checkOutDir(req.outDir, true);
  // List the files before the first byte goes into one, so a run killed at any point
  // leaves only files the next run recognises as its own.
  const planned = jobs
    .filter((j) =>
      !previous.some((f) => f.file === seriesFileName(j.symbol, j.kind))
    )
    .map((j) =>
      fileSummary(
        seriesFileName(j.symbol, j.kind),
        j.symbol,
        j.kind,
        EMPTY_SCAN,
      )
    );
  if (planned.length > 0) {
    writeIfChanged(
      join(req.outDir, SUMMARY_FILE),
      JSON.stringify(mergeSummary(previous, planned), null, 2) + "\n",
    );
  }

  const elapsed = ports.elapsed ?? (() => performance.now());
  const perSeries = new Map<string, { requests: number; weight: number }>();
  let rows = 0, requests = 0, weight = 0;
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const start = resumeTime(job);
      const total = expectedRows(job.kind, start, job.to);
      const name = `${job.symbol} ${job.kind}`;
      const t0 = elapsed();
      let done = 0;
      let lastPrint = t0;
      const r = await downloadSeries(client, job, retry, (n) => {
        done += n;
        const t = elapsed();
        if (ports.progress && t - lastPrint >= 1000) {
          lastPrint = t;
          ports.progress(progressLine(name, done, total, t - t0));
        }
      });
      rows += r.rows;
      requests += r.requests;
      weight += r.weight;
      perSeries.set(name, { requests: r.requests, weight: r.weight });
      if (ports.progress && total > 0) {
        ports.progress(progressLine(name, done, done, elapsed() - t0, true));
      }
    }
  };
  const workers = Math.max(1, Math.min(req.concurrency ?? 4, jobs.length));
  await Promise.all(Array.from({ length: workers }, worker));

  const scanned = jobs
    .filter((j) => exists(j.path))
    .map((j) =>
      fileSummary(
        seriesFileName(j.symbol, j.kind),
        j.symbol,
        j.kind,
        scanSeriesFile(j.path, LAYOUTS[j.kind].header, LAYOUTS[j.kind].stepMs),
      )
    );
  const summary = mergeSummary(previous, scanned);
  writeIfChanged(
    join(req.outDir, SUMMARY_FILE),
    JSON.stringify(summary, null, 2) + "\n",
  );
  const gaps = gapLines(scanned);
  for (const line of gaps) ports.report(`gaps: ${line}`);
  ports.report(
    `done: ${rows} rows in ${requests} requests (weight ${weight}) -> ${req.outDir}`,
  );
  return { rows, requests, weight, perSeries, summary };
}

const EMPTY_SCAN: SeriesScan = {
  headerOk: true,
  rows: 0,
  first: NaN,
  last: NaN,
  gaps: [],
  gapCount: 0,
  missingBars: 0,
  duplicates: 0,
  outOfOrder: 0,
  malformed: 0,
  firstProblemLine: 0,
  partialTailBytes: 0,
};

/** What `--verify` found. */
export interface VerifyResult {
  readonly files: readonly FileSummary[];
  /** Files with duplicates, disorder, malformed lines or a partial tail. */
  readonly bad: number;
}

/**
 * Scans the series files of `symbols` (all series files when empty) in `dir` for
 * continuity, duplicates and ordering, without any request.
 *
 * @throws {DownloadInputError} when `dir` is not a directory or holds no series file
 */
export function verifyDirectory(
  dir: string,
  symbols: readonly string[],
  report: (line: string) => void,
): VerifyResult {
  checkOutDir(dir, false, true);
  const re = /^([A-Z0-9]+)_(klines_1m|mark_1m|index_1m|funding)\.csv$/;
  const found: { file: string; symbol: string; kind: SeriesKind }[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const m = re.exec(e.name);
    if (!m || !e.isFile) continue;
    if (symbols.length > 0 && !symbols.includes(m[1]!)) continue;
    found.push({
      file: e.name,
      symbol: m[1]!,
      kind: m[2]!.replace("_1m", "") as SeriesKind,
    });
  }
  if (found.length === 0) {
    throw new DownloadInputError(
      `Cannot verify ${dir}: no series files${
        symbols.length ? ` of ${symbols.join(",")}` : ""
      }`,
    );
  }
  found.sort((a, b) => a.file < b.file ? -1 : 1);
  const files: FileSummary[] = [];
  let bad = 0;
  for (const f of found) {
    const layout = LAYOUTS[f.kind];
    const path = join(dir, f.file);
    const scan = scanSeriesFile(path, layout.header, layout.stepMs);
    const s = fileSummary(f.file, f.symbol, f.kind, scan);
    files.push(s);
    const problems = fileProblems(s);
    if (!scan.headerOk) problems.unshift(`header is not "${layout.header}"`);
    if (problems.length > 0) {
      bad++;
      report(
        `bad: ${path}: ${problems.join(", ")}${
          scan.firstProblemLine
            ? ` (first at line ${scan.firstProblemLine})`
            : ""
        }`,
      );
    } else {
      report(
        `ok: ${path}: ${s.rows} rows${
          s.first ? `, ${s.first} .. ${s.last}` : ""
        }, ${s.gapCount} gaps (${s.missingBars} bars)`,
      );
    }
  }
  for (const line of gapLines(files)) report(`gaps: ${line}`);
  return { files, bad };
}

/** One progress line: bars done, rate and ETA. */
export function progressLine(
  name: string,
  done: number,
  total: number,
  ms: number,
  finished = false,
): string {
  const rate = ms > 0 ? done / (ms / 1000) : 0;
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 100;
  if (finished) {
    return `done: ${name} ${done} rows in ${(ms / 1000).toFixed(1)} s (${
      Math.round(rate)
    } rows/s)`;
  }
  const eta = rate > 0 ? Math.max(0, (total - done) / rate) : NaN;
  return `progress: ${name} ${done}/${total} rows (${pct.toFixed(1)}%), ${
    Math.round(rate)
  } rows/s, ETA ${formatDuration(eta)}`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, "0")}:${
    String(s % 60).padStart(2, "0")
  }`;
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(":00.000Z", "Z");
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks `dir`: not a file; with `create`, makes it and proves it writable (a probe file
 * written and removed); with `mustExist`, it must be there.
 */
function checkOutDir(dir: string, create: boolean, mustExist = false): void {
  let info: Deno.FileInfo | undefined;
  try {
    info = Deno.statSync(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new DownloadInputError(
        `Invalid --out_dir ${dir}: ${(error as Error).message}`,
      );
    }
    if (mustExist) {
      throw new DownloadInputError(`Cannot verify ${dir}: no such directory`);
    }
  }
  if (info && !info.isDirectory) {
    throw new DownloadInputError(`Invalid --out_dir ${dir}: not a directory`);
  }
  if (!create) return;
  const probe = join(dir, `.download-probe-${Deno.pid}`);
  try {
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeTextFileSync(probe, "");
    Deno.removeSync(probe);
  } catch (error) {
    throw new DownloadInputError(
      `Invalid --out_dir ${dir}: not writable (${(error as Error).message})`,
    );
  }
}

function readSummary(dir: string): FileSummary[] {
  const path = join(dir, SUMMARY_FILE);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new DownloadInputError(
      `Cannot read ${path}: ${(error as Error).message}`,
    );
  }
  const parsed = parseSummary(text);
  if ("error" in parsed) {
    throw new DownloadInputError(
      `Cannot use ${path}: ${parsed.error} (another tool's file? move it away)`,
    );
  }
  return parsed.files;
}

/** Writes `text` atomically (temp file + rename), only when it differs. */
function writeIfChanged(path: string, text: string): void {
  try {
    if (Deno.readTextFileSync(path) === text) return;
  } catch { /* new */ }
  const tmp = `${path}.partial`;
  Deno.writeTextFileSync(tmp, text);
  const f = Deno.openSync(tmp, { read: true, write: true });
  try {
    f.syncSync();
  } finally {
    f.close();
  }
  Deno.renameSync(tmp, path);
}
