/**
 * Downloads one series (a symbol and a kind) over `[from, to)` into its file, continuing
 * after the file's last row: kline kinds in pages of up to 1,500 bars (one request per
 * 1,500-minute window, the last one sized to what is left, so its weight is the smallest
 * the protocol allows), funding in pages of 1,000 rates. Each page is appended as whole
 * lines as soon as it arrives, so an interrupted run loses at most the page in flight.
 *
 * @module
 */
import {
  klinesWeight,
  type MarketRestClient,
} from "../exchange/market_rest_client.ts";
import { BAR_MS, LAYOUTS, type SeriesKind } from "./layout.ts";
import { fundingLines, klineLines } from "./page_lines.ts";
import { klineLinesFast, type PageBytes } from "./page_scan.ts";
import { parseBody } from "../exchange/rest_transport.ts";
import { type RetryOptions, withRetries } from "./retry.ts";
import { SeriesAppender, type SeriesState } from "./series_file.ts";

/** One series to bring up to date. */
export interface SeriesJob {
  readonly symbol: string;
  readonly kind: SeriesKind;
  /** The file. */
  readonly path: string;
  /** The wanted range `[from, to)` (epoch ms; `from` already at or after the listing). */
  readonly from: number;
  readonly to: number;
  /** The file as found before the run. */
  readonly state: SeriesState;
}

/** What one series download did. */
export interface SeriesResult {
  /** Rows appended. */
  rows: number;
  /** Requests sent (retries included) and their weight. */
  requests: number;
  weight: number;
}

function isPageBytes(x: unknown): x is PageBytes {
  return typeof x === "object" && x !== null &&
    (x as { bytes?: unknown }).bytes instanceof Uint8Array;
}

/** Where the next row of `job` starts: after the file's last row, else at `from`. */
export function resumeTime(job: SeriesJob): number {
  const step = LAYOUTS[job.kind].stepMs;
  if (Number.isNaN(job.state.last)) {
    return step > 0 ? Math.ceil(job.from / step) * step : job.from;
  }
  return job.state.last + (step > 0 ? step : 1);
}

/** The rows a series will have to fetch from `start` (for progress and ETA). */
export function expectedRows(
  kind: SeriesKind,
  start: number,
  to: number,
): number {
  if (to <= start) return 0;
  return kind === "funding"
    ? Math.ceil((to - start) / (8 * 3_600_000))
    : Math.ceil((to - start) / BAR_MS);
}

/**
 * Fetches what `job` lacks and appends it to its file (created with its header when new).
 * Nothing is opened when there is nothing to fetch.
 *
 * @param onRows told of the rows appended after each page
 */
export async function downloadSeries(
  client: MarketRestClient,
  job: SeriesJob,
  retry: RetryOptions,
  onRows: (rows: number) => void,
): Promise<SeriesResult> {
  const result: SeriesResult = { rows: 0, requests: 0, weight: 0 };
  const layout = LAYOUTS[job.kind];
  let cursor = resumeTime(job);
  if (cursor >= job.to) return result;
  const out = new SeriesAppender(job.path, layout.header, job.state);
  try {
    const what = (t: number) =>
      `${job.symbol} ${job.kind} from ${new Date(t).toISOString()}`;
    const opts = retry.signal ? { signal: retry.signal } : {};
    if (layout.series !== undefined) {
      const series = layout.series;
      while (cursor < job.to) {
        const end = Math.min(job.to, cursor + layout.pageLimit * BAR_MS);
        const limit = (end - cursor) / BAR_MS;
        const start = cursor;
        const kind = job.kind as Exclude<SeriesKind, "funding">;
        // The page's text goes through the fast scanner; a page it leaves alone is parsed
        // as before (a non-JSON body is an ExchangeError inside the retries, as it was).
        const got = await withRetries(what(start), async () => {
          result.requests++;
          result.weight += klinesWeight(limit);
          const text = await client.klinePageText(series, job.symbol, {
            ...opts,
            startTime: start,
            endTime: end - 1,
            limit,
          });
          return klineLinesFast(kind, text, start - 1, end) ??
            parseBody(text, 200, `GET /fapi/v1/${series}`);
        }, retry);
        let rows: number;
        if (isPageBytes(got)) {
          out.appendBytes(got.bytes);
          rows = got.rows;
        } else {
          const page = klineLines(kind, got, start - 1, end);
          out.append(page.text);
          rows = page.rows;
        }
        result.rows += rows;
        if (rows > 0) onRows(rows);
        cursor = end;
      }
    } else {
      while (cursor < job.to) {
        const start = cursor;
        const raw = await withRetries(what(start), () => {
          result.requests++;
          result.weight += 1;
          return client.fundingRate(job.symbol, {
            ...opts,
            startTime: start,
            endTime: job.to - 1,
            limit: layout.pageLimit,
          });
        }, retry);
        const page = fundingLines(raw, start - 1, job.to);
        out.append(page.text);
        result.rows += page.rows;
        if (page.rows > 0) onRows(page.rows);
        if (raw.length < layout.pageLimit || page.rows === 0) break;
        cursor = page.lastTime + 1;
      }
    }
  } finally {
    out.close();
  }
  return result;
}
