/**
 * Exchange pages → CSV lines of the download formats ({@linkcode LAYOUTS}), checking every
 * row on the way: the values are written exactly as the exchange sent them, so a field is
 * accepted only when it is a plain number (no separator, quote, space or newline that would
 * break the CSV). Pure; one string per page, no per-row objects kept.
 *
 * @module
 */
import type { SeriesKind } from "./layout.ts";

/** A page turned into lines. */
export interface PageLines {
  /** The lines, each ending in `\n` ("" when none). */
  text: string;
  /** The number of lines. */
  rows: number;
  /** The time of the last line (NaN when none). */
  lastTime: number;
}

/** A malformed row in an exchange page. */
export class PageFormatError extends Error {
  /** @param message what is wrong, naming the row and field */
  constructor(message: string) {
    super(message);
    this.name = "PageFormatError";
  }
}

/**
 * True when `s` is a plain decimal string (`-?digits[.digits]`, at most 40 characters):
 * safe to copy into a CSV field as it is.
 */
export function isNumberText(s: unknown): s is string {
  if (typeof s !== "string") return false;
  const n = s.length;
  if (n === 0 || n > 40) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  let dot = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (c === 46 && dot < 0 && i > start) {
      dot = i;
      continue;
    }
    return false;
  }
  return n > start && dot !== n - 1;
}

function fail(kind: string, i: number, what: string, v: unknown): never {
  throw new PageFormatError(
    `Cannot read ${kind} row ${i}: ${what} ${JSON.stringify(v)?.slice(0, 40)}`,
  );
}

/**
 * The lines of a kline page (`klines`, `mark` or `index`) with `after < open_time < before`,
 * in order; rows must ascend by `open_time` on the minute grid.
 *
 * @param raw the parsed JSON body
 * @throws {PageFormatError} naming the row and field of the first malformed row
 */
export function klineLines(
  kind: Exclude<SeriesKind, "funding">,
  raw: unknown,
  after: number,
  before: number,
): PageLines {
  if (!Array.isArray(raw)) fail(kind, -1, "page is not an array:", raw);
  let text = "";
  let rows = 0;
  let last = after;
  const full = kind === "klines";
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    if (!Array.isArray(r) || r.length < 11) {
      fail(kind, i, "not a kline row:", r);
    }
    const t = r[0];
    if (typeof t !== "number" || !Number.isInteger(t) || t % 60_000 !== 0) {
      fail(kind, i, "open_time", t);
    }
    if (t <= last) {
      if (t <= after) continue;
      fail(kind, i, "open_time not after the previous row:", t);
    }
    if (t >= before) break;
    for (let j = 1; j <= 4; j++) {
      if (!isNumberText(r[j])) fail(kind, i, `field ${j}`, r[j]);
    }
    if (full) {
      for (const j of [5, 7, 9, 10]) {
        if (!isNumberText(r[j])) fail(kind, i, `field ${j}`, r[j]);
      }
      if (!Number.isInteger(r[8]) || r[8] < 0) fail(kind, i, "trades", r[8]);
      text += `${t},${r[1]},${r[2]},${r[3]},${r[4]},${r[5]},${r[7]},${r[8]},${
        r[9]
      },${r[10]}\n`;
    } else {
      text += `${t},${r[1]},${r[2]},${r[3]},${r[4]}\n`;
    }
    last = t;
    rows++;
  }
  return { text, rows, lastTime: rows > 0 ? last : NaN };
}

/**
 * The lines of a `fundingRate` page with `after < fundingTime < before`, in order.
 *
 * @throws {PageFormatError} naming the row and field of the first malformed row
 */
export function fundingLines(
  raw: unknown,
  after: number,
  before: number,
): PageLines {
  if (!Array.isArray(raw)) fail("funding", -1, "page is not an array:", raw);
  let text = "";
  let rows = 0;
  let last = after;
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i] as { fundingTime?: unknown; fundingRate?: unknown };
    if (typeof r !== "object" || r === null) fail("funding", i, "row", r);
    const t = r.fundingTime;
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0) {
      fail("funding", i, "fundingTime", t);
    }
    if (t <= last) {
      if (t <= after) continue;
      fail("funding", i, "fundingTime not after the previous row:", t);
    }
    if (t >= before) break;
    if (!isNumberText(r.fundingRate)) {
      fail("funding", i, "fundingRate", r.fundingRate);
    }
    text += `${t},${r.fundingRate}\n`;
    last = t;
    rows++;
  }
  return { text, rows, lastTime: rows > 0 ? last : NaN };
}
