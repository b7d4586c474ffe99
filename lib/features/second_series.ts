/**
 * The per-second companion file of a feature table built from recorder logs
 * (`<table>.1s`): per symbol and per second, the trade prices the simulator's log replay
 * prints in that second, the mark price and the best bid/ask — what the bot's exits (TP
 * and trailing on the last trade price, SL on the mark) and entries (the touch) need.
 *
 * Layout (one file, written once, atomically, by `deno task build-features --log_dir`):
 * - a header line: JSON `{"format":"aster-1s","version":1,"table":NAME,"fields":[...],
 *   "record_bytes":80,"byte_order":"little-endian","symbols":[{"symbol","first_bar",
 *   "last_bar","bars","seconds","offset"}]}`, padded with spaces so that the line with its
 *   `\n` is a multiple of 8 bytes; `first_bar`/`last_bar` (open times, epoch ms) and `bars`
 *   are the table's, so a file that does not belong to its table is detected;
 * - then per symbol, in the header's order, `seconds` records of 10 little-endian float64:
 *   {@linkcode SECOND_FIELDS} = `t` (the second's start, epoch ms, increasing), `p1 p2 p3`
 *   (earlier trade prices of the second in time order, NaN when fewer), `last` (the
 *   second's last trade price, NaN = no trade), `mark`, `bid`, `ask`, `bid_qty`, `ask_qty` (the latest
 *   values at the second's end, carried forward; NaN before the first row). `offset` is the byte
 *   offset of the symbol's first record from the start of the records.
 *
 * Trade prices follow the replay (`lib/sim/log_source.ts`): each kline snapshot moves the
 * bar from the previous snapshot to its own values through the new extremes (the one
 * farther from the close first) to the close; a new bar starts at its open. The replay
 * prints a snapshot's trades before the book and mark rows of the same `ts` (the recorder
 * writes one `ts` per snapshot), so a second's trades meet the previous record's book and
 * its mark meets its own. A snapshot recorded after its bar's end gets a record of its own
 * at the bar's last millisecond (`t` = open time + 59999, the replay's time of its
 * trades). Seconds with no row are absent. The writer holds a few seconds (the lateness) per symbol, so memory is bounded.
 * Pure: bytes in, bytes out through {@linkcode ByteSink}s.
 *
 * @module
 */
import { type ByteSink, copyAll, writeAll } from "./io.ts";
import { MINUTE_MS } from "./formulas.ts";
import { snapshotPath } from "./intrabar_path.ts";
import type { PartStore } from "./build_from_logs.ts";

/** The record fields, in order. */
export const SECOND_FIELDS = [
  "t",
  "p1",
  "p2",
  "p3",
  "last",
  "mark",
  "bid",
  "ask",
  "bid_qty",
  "ask_qty",
] as const;
/** Float64 values per record. */
export const SECOND_STRIDE = 10;
/** The `format` value of the header. */
export const SECOND_FORMAT = "aster-1s";
/** The header's `version`. */
export const SECOND_VERSION = 2;

/** Field offsets within a record. */
export const F_T = 0, F_P1 = 1, F_LAST = 4, F_MARK = 5, F_BID = 6, F_ASK = 7;
/** Offsets of the quantities at the best bid and ask. */
export const F_BID_QTY = 8, F_ASK_QTY = 9;

/** The path of the per-second companion file of feature table `table`. */
export function secondFileOf(table: string): string {
  return `${table}.1s`;
}

/** One symbol's entry in the header. */
export interface SecondSymbolHeader {
  readonly symbol: string;
  /** The table's first bar open time, epoch ms. */
  readonly "first_bar": number;
  /** The table's last bar open time, epoch ms. */
  readonly "last_bar": number;
  /** The table's bar count. */
  readonly bars: number;
  /** Records. */
  readonly seconds: number;
  /** Byte offset of the first record within the records. */
  readonly offset: number;
}

/** The parsed header. */
export interface SecondHeader {
  readonly format: string;
  readonly version: number;
  readonly table: string;
  readonly fields: readonly string[];
  readonly "record_bytes": number;
  readonly "byte_order": string;
  readonly symbols: readonly SecondSymbolHeader[];
}

/** A parsed companion file: the header and each symbol's records. */
export interface SecondSeries {
  readonly header: SecondHeader;
  /** Records by symbol, {@linkcode SECOND_STRIDE} values each. */
  readonly records: ReadonlyMap<string, Float64Array>;
}

/** Thrown for a companion file that cannot be read or does not match its table. */
export class SecondSeriesError extends Error {
  /** @param message the one line shown to the user */
  constructor(message: string) {
    super(message);
    this.name = "SecondSeriesError";
  }
}

const RECORDS_PER_WRITE = 4096;

/** Per-symbol state of the writer. */
class SymbolSeconds {
  // the snapshot the replay last moved the bar to
  openTime = -Infinity;
  high = NaN;
  low = NaN;
  close = NaN;
  volume = 0;
  // the carried quotes (rows arrive in ts order)
  mark = NaN;
  bid = NaN;
  ask = NaN;
  bidQty = NaN;
  askQty = NaN;
  /** The key of the last record written. */
  flushed = -Infinity;
  readonly tag: Float64Array;
  readonly rec: Float64Array;
  readonly out: ByteSink;
  readonly buf = new Float64Array(RECORDS_PER_WRITE * SECOND_STRIDE);
  used = 0;
  seconds = 0;
  dropped = 0;
  firstBar = NaN;
  lastBar = NaN;
  bars = 0;

  constructor(ring: number, out: ByteSink) {
    this.tag = new Float64Array(ring).fill(-Infinity);
    this.rec = new Float64Array(ring * SECOND_STRIDE);
    this.out = out;
  }
}

/**
 * Streams log rows (in `ts` order, as the feature builder merges them) into per-symbol
 * parts of the companion file; {@linkcode SecondSeriesWriter.finish} writes the file.
 */
export class SecondSeriesWriter {
  #parts: PartStore;
  #ring: number;
  #holdS: number;
  #symbols: (SymbolSeconds | undefined)[] = [];
  #watermark = -Infinity;
  #path: number[] = [];

  /**
   * @param parts temporary per-symbol parts (ids as the symbol ids)
   * @param latenessMs how late a kline snapshot may be recorded after its bar's end
   */
  constructor(parts: PartStore, latenessMs: number) {
    this.#parts = parts;
    this.#holdS = Math.ceil(latenessMs / 1000) + 2;
    this.#ring = 2 * (this.#holdS + 8);
  }

  /** Records dropped because they came later than the writer holds seconds. */
  get dropped(): number {
    return this.#symbols.reduce((s, x) => s + (x?.dropped ?? 0), 0);
  }

  /** A kline snapshot the feature builder used. */
  kline(
    ts: number,
    symbol: number,
    openTime: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): void {
    const st = this.#state(symbol);
    this.#see(ts);
    if (!(close > 0) || !(openTime >= st.openTime)) return;
    const newBar = openTime > st.openTime;
    // the replay's path from the last snapshot to this one (the function it prints by)
    const path = this.#path;
    const traded = volume > (newBar ? 0 : st.volume);
    snapshotPath(
      newBar,
      open,
      high,
      low,
      close,
      st.high,
      st.low,
      st.close,
      traded,
      path,
    );
    if (path.length === 0) return;
    st.openTime = openTime;
    st.volume = volume;
    st.high = high;
    st.low = low;
    st.close = close;
    // a snapshot recorded after its bar's end: its trades end at the bar's last ms, after
    // the book of the bar's last second (a record of its own at that ms)
    const barEnd = openTime + MINUTE_MS - 1;
    const k = ts > barEnd
      ? this.#slot(st, 2 * Math.floor(barEnd / 1000) + 1, barEnd)
      : this.#slot(st, 2 * Math.floor(Math.max(ts, openTime) / 1000));
    if (k < 0) return;
    addTrades(st.rec, k * SECOND_STRIDE, path);
  }

  /** A bookTicker row (quantities NaN when the log has none). */
  book(
    ts: number,
    symbol: number,
    bid: number,
    ask: number,
    bidQty = NaN,
    askQty = NaN,
  ): void {
    const st = this.#state(symbol);
    this.#see(ts);
    if (!(bid > 0 && ask > 0)) return;
    st.bid = bid;
    st.ask = ask;
    st.bidQty = bidQty;
    st.askQty = askQty;
    const k = this.#slot(st, 2 * Math.floor(ts / 1000));
    if (k < 0) return;
    const o = k * SECOND_STRIDE;
    st.rec[o + F_BID] = bid;
    st.rec[o + F_ASK] = ask;
    st.rec[o + F_BID_QTY] = bidQty;
    st.rec[o + F_ASK_QTY] = askQty;
  }

  /** A markPrice row. */
  mark(ts: number, symbol: number, mark: number): void {
    const st = this.#state(symbol);
    this.#see(ts);
    if (!(mark > 0)) return;
    st.mark = mark;
    const k = this.#slot(st, 2 * Math.floor(ts / 1000));
    if (k < 0) return;
    st.rec[k * SECOND_STRIDE + F_MARK] = mark;
  }

  /** A bar of the table (ties the file to it: first/last bar, count). */
  bar(symbol: number, openTime: number): void {
    const st = this.#state(symbol);
    if (st.bars === 0) st.firstBar = openTime;
    st.lastBar = openTime;
    st.bars++;
  }

  /**
   * Flushes every symbol and writes the file: the header, then the parts of `order`
   * (symbol ids, the table's order) with their `names`.
   *
   * @param tableName the table's file name (recorded in the header)
   */
  finish(
    out: ByteSink,
    order: readonly number[],
    names: readonly string[],
    tableName: string,
  ): void {
    const entries: SecondSymbolHeader[] = [];
    let offset = 0;
    for (const id of order) {
      const st = this.#symbols[id];
      if (st !== undefined) {
        this.#flush(st, Infinity);
        writeRecords(st);
        st.out.close();
      }
      const seconds = st?.seconds ?? 0;
      entries.push({
        symbol: names[id]!,
        "first_bar": st?.firstBar ?? NaN,
        "last_bar": st?.lastBar ?? NaN,
        bars: st?.bars ?? 0,
        seconds,
        offset,
      });
      offset += seconds * SECOND_STRIDE * 8;
    }
    const header: SecondHeader = {
      format: SECOND_FORMAT,
      version: SECOND_VERSION,
      table: tableName,
      fields: SECOND_FIELDS,
      "record_bytes": SECOND_STRIDE * 8,
      "byte_order": "little-endian",
      symbols: entries,
    };
    let line = JSON.stringify(header);
    line += " ".repeat((8 - ((line.length + 1) % 8)) % 8) + "\n";
    writeAll(out, new TextEncoder().encode(line));
    const buffer = new Uint8Array(1 << 20);
    for (const id of order) {
      if (this.#symbols[id] === undefined) continue;
      const part = this.#parts.open(id);
      try {
        copyAll(part, out, buffer);
      } finally {
        part.close();
      }
    }
  }

  #state(symbol: number): SymbolSeconds {
    let st = this.#symbols[symbol];
    if (st === undefined) {
      st = new SymbolSeconds(this.#ring, this.#parts.create(symbol));
      this.#symbols[symbol] = st;
    }
    return st;
  }

  /** Advances the watermark; seconds older than the hold are written. */
  #see(ts: number): void {
    if (!(ts > this.#watermark)) return;
    const before = Math.floor(this.#watermark / 1000);
    this.#watermark = ts;
    const now = Math.floor(ts / 1000);
    if (now === before) return;
    const target = 2 * (now - this.#holdS);
    for (const st of this.#symbols) {
      if (st !== undefined) this.#flush(st, target);
    }
  }

  /**
   * The ring slot of record `key` (created with the carried quotes); -1 when too late.
   * Keys order the records: `2 × second` for a second's rows (`t` = the second's start),
   * `2 × second + 1` for a late snapshot's trades at the bar's last ms `t`.
   */
  #slot(st: SymbolSeconds, key: number, t = (key / 2) * 1000): number {
    if (key <= st.flushed) {
      st.dropped++;
      return -1;
    }
    const r = this.#ring;
    const k = key % r;
    if (st.tag[k] === key) return k;
    if (st.tag[k]! > -Infinity) this.#flush(st, key - r); // the slot's older record
    // the quotes as of `key`: the latest held record before it, else the carry
    let from = -1, fromKey = -Infinity;
    for (let j = 0; j < r; j++) {
      const s = st.tag[j]!;
      if (s < key && s > fromKey) {
        fromKey = s;
        from = j;
      }
    }
    const o = k * SECOND_STRIDE;
    const rec = st.rec;
    rec[o + F_T] = t;
    rec[o + 1] =
      rec[o + 2] =
      rec[o + 3] =
      rec[o + F_LAST] =
        NaN;
    if (from >= 0) {
      const p = from * SECOND_STRIDE;
      rec[o + F_MARK] = rec[p + F_MARK]!;
      rec[o + F_BID] = rec[p + F_BID]!;
      rec[o + F_ASK] = rec[p + F_ASK]!;
      rec[o + F_BID_QTY] = rec[p + F_BID_QTY]!;
      rec[o + F_ASK_QTY] = rec[p + F_ASK_QTY]!;
    } else {
      rec[o + F_MARK] = st.mark;
      rec[o + F_BID] = st.bid;
      rec[o + F_ASK] = st.ask;
      rec[o + F_BID_QTY] = st.bidQty;
      rec[o + F_ASK_QTY] = st.askQty;
    }
    st.tag[k] = key;
    return k;
  }

  /** Writes the held records up to key `target` in order. */
  #flush(st: SymbolSeconds, target: number): void {
    for (;;) {
      let k = -1, best = Infinity;
      for (let j = 0; j < this.#ring; j++) {
        const s = st.tag[j]!;
        if (s > -Infinity && s <= target && s < best) {
          best = s;
          k = j;
        }
      }
      if (k < 0) return;
      const o = k * SECOND_STRIDE;
      st.buf.set(
        st.rec.subarray(o, o + SECOND_STRIDE),
        st.used * SECOND_STRIDE,
      );
      st.used++;
      st.seconds++;
      st.flushed = best;
      st.tag[k] = -Infinity;
      if (st.used === RECORDS_PER_WRITE) writeRecords(st);
    }
  }
}

function writeRecords(st: SymbolSeconds): void {
  if (st.used === 0) return;
  const bytes = new Uint8Array(
    st.buf.buffer,
    0,
    st.used * SECOND_STRIDE * 8,
  );
  writeAll(st.out, littleEndian(bytes));
  st.used = 0;
}

const LITTLE = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The bytes as little-endian float64s (a copy swapped on a big-endian machine). */
function littleEndian(bytes: Uint8Array): Uint8Array {
  if (LITTLE) return bytes;
  const out = bytes.slice();
  for (let i = 0; i < out.length; i += 8) out.subarray(i, i + 8).reverse();
  return out;
}

/**
 * Appends the trade prices `path` to the record at `o`: `p1 p2 p3 last` keep the last
 * four points in time order; when a second gets more, its earlier points are reduced to
 * its extremes in the order they were visited (what the exits can see).
 */
function addTrades(
  rec: Float64Array,
  o: number,
  path: readonly number[],
): void {
  const pts: number[] = [];
  for (let j = 1; j <= 4; j++) {
    const v = rec[o + j]!;
    if (v === v) pts.push(v);
  }
  for (const v of path) pts.push(v);
  let keep = pts;
  if (pts.length > 4) {
    const last = pts[pts.length - 1]!;
    let hi = 0, lo = 0;
    for (let j = 1; j < pts.length - 1; j++) {
      if (pts[j]! > pts[hi]!) hi = j;
      if (pts[j]! < pts[lo]!) lo = j;
    }
    keep = hi === lo
      ? [pts[hi]!, last]
      : hi < lo
      ? [pts[hi]!, pts[lo]!, last]
      : [pts[lo]!, pts[hi]!, last];
  }
  for (let j = 1; j <= 4; j++) {
    const idx = keep.length - 5 + j;
    rec[o + j] = idx >= 0 ? keep[idx]! : NaN;
  }
}

/** A companion file's header and where its records start. */
export interface SecondLayout {
  /** The header. */
  readonly header: SecondHeader;
  /** Byte offset of the first record (the header line's length, a multiple of 8). */
  readonly start: number;
}

/**
 * Parses the header line of a companion file from its first bytes and checks the record
 * layout it announces against the file's size (so each symbol's records can be read alone,
 * at `start + offset`).
 *
 * @param head the file's first bytes
 * @param size the file's size in bytes
 * @param name the file name for messages
 * @returns the layout, or undefined when `head` ends before the header line does
 * @throws {SecondSeriesError} for a file that is not a readable companion file
 */
export function parseSecondHeader(
  head: Uint8Array,
  size: number,
  name: string,
): SecondLayout | undefined {
  const nl = head.indexOf(10);
  const bad = (why: string) =>
    new SecondSeriesError(
      `Invalid per-second file ${name}: ${why}`,
    );
  if (nl < 0 && head.length < size) return undefined;
  if (nl < 0 || (nl + 1) % 8 !== 0) throw bad("no header line");
  let header: SecondHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(head.subarray(0, nl)));
  } catch {
    throw bad("the header is not JSON");
  }
  if (header.format !== SECOND_FORMAT || header.version !== SECOND_VERSION) {
    throw bad(
      `format ${header.format} version ${header.version}, expected ${SECOND_FORMAT} ${SECOND_VERSION}`,
    );
  }
  if (
    header.record_bytes !== SECOND_STRIDE * 8 ||
    header.byte_order !== "little-endian" ||
    !Array.isArray(header.symbols) ||
    JSON.stringify(header.fields) !== JSON.stringify(SECOND_FIELDS)
  ) throw bad("unexpected record layout");
  const start = nl + 1;
  const body = size - start;
  let total = 0;
  for (const s of header.symbols) {
    if (
      !(Number.isInteger(s.seconds) && s.seconds >= 0 && s.offset === total)
    ) throw bad(`bad record counts for ${s.symbol}`);
    total += s.seconds * SECOND_STRIDE * 8;
    if (total > body) throw bad(`truncated (records of ${s.symbol} missing)`);
  }
  if (total !== body) throw bad(`${body - total} bytes after the records`);
  return { header, start };
}

/**
 * A symbol's records from their file bytes (swapped in place on a big-endian machine, so
 * the view shares `raw`'s memory, a SharedArrayBuffer's too).
 */
export function secondRecords(raw: Uint8Array): Float64Array {
  if (!LITTLE) {
    for (let i = 0; i < raw.length; i += 8) raw.subarray(i, i + 8).reverse();
  }
  return new Float64Array(raw.buffer, raw.byteOffset, raw.length / 8);
}

/**
 * Parses a companion file.
 *
 * @param name the file name for messages
 * @throws {SecondSeriesError} for a file that is not a readable companion file
 */
export function parseSecondSeries(
  bytes: Uint8Array,
  name: string,
): SecondSeries {
  const { header, start } = parseSecondHeader(bytes, bytes.length, name)!;
  const records = new Map<string, Float64Array>();
  for (const s of header.symbols) {
    const len = s.seconds * SECOND_STRIDE * 8;
    records.set(
      s.symbol,
      secondRecords(bytes.slice(start + s.offset, start + s.offset + len)),
    );
  }
  return { header, records };
}

/** What the companion file is checked against: a table symbol's bars. */
export interface TableSymbolBars {
  readonly symbol: string;
  readonly bars: number;
  readonly ts: Float64Array;
}

/**
 * Checks that the companion file belongs to the table: every table symbol is in it with
 * the same first bar, last bar and bar count.
 *
 * @param name the file name for the message
 * @param tableName the table's name for the message
 * @throws {SecondSeriesError} naming the first mismatch
 */
export function checkSecondSeries(
  series: Pick<SecondSeries, "header">,
  symbols: readonly TableSymbolBars[],
  name: string,
  tableName: string,
): void {
  for (const f of symbols) {
    const h = series.header.symbols.find((s) => s.symbol === f.symbol);
    const iso = (t: number) =>
      Number.isFinite(t) ? new Date(t).toISOString() : String(t);
    if (h === undefined) {
      throw new SecondSeriesError(
        `Invalid per-second file ${name}: no ${f.symbol} in it (does not match ${tableName}; rebuild both with deno task build-features)`,
      );
    }
    const first = f.ts[0]!, last = f.ts[f.bars - 1]!;
    if (h.bars !== f.bars || h.first_bar !== first || h.last_bar !== last) {
      throw new SecondSeriesError(
        `Invalid per-second file ${name}: ${f.symbol} ${h.bars} bars ${
          iso(h.first_bar)
        }..${iso(h.last_bar)} there, ${f.bars} bars ${iso(first)}..${
          iso(last)
        } in ${tableName} (does not match; rebuild both with deno task build-features)`,
      );
    }
  }
}
