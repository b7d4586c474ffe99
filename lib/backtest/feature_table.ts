/**
 * A streaming parser of the feature table CSV (written by the feature builder) into one set of
 * Float64Arrays per symbol, NaN for empty fields. Pure: text chunks in, typed arrays out; the
 * file reading lives in `read_feature_table.ts`.
 *
 * Columns: `ts,symbol,open,high,low,close,vol1m,ret_bps,spread_bps,funding_bps,mark_price,
 * open_loss_long_bps,open_loss_short_bps,rs_var_1m,rs_vol_<T>m_bps...,avg_vol_<V>m...`,
 * sorted by symbol then ts.
 *
 * @module
 */

/** The feature columns of one symbol, one value per bar (NaN = empty). */
export interface SymbolFeatures {
  /** The symbol, e.g. "BTCUSDT". */
  readonly symbol: string;
  /** Number of bars. */
  readonly bars: number;
  /** Bar open time, epoch ms. */
  readonly ts: Float64Array;
  /** Open price. */
  readonly open: Float64Array;
  /** High price. */
  readonly high: Float64Array;
  /** Low price. */
  readonly low: Float64Array;
  /** Close price. */
  readonly close: Float64Array;
  /** Bar volume (`vol1m`). */
  readonly vol: Float64Array;
  /** `ret_bps`. */
  readonly ret: Float64Array;
  /** `spread_bps`. */
  readonly spread: Float64Array;
  /** `funding_bps`. */
  readonly funding: Float64Array;
  /** `open_loss_long_bps`. */
  readonly openLossLong: Float64Array;
  /** `open_loss_short_bps`. */
  readonly openLossShort: Float64Array;
  /** `mark_price` (all NaN when the table has no such column). */
  readonly mark: Float64Array;
  /** `rs_vol_<T>m_bps` by window T (minutes). */
  readonly rsVol: ReadonlyMap<number, Float64Array>;
  /** `avg_vol_<V>m` by window V (minutes). */
  readonly avgVol: ReadonlyMap<number, Float64Array>;
}

/** A parsed feature table. */
export interface FeatureTable {
  /** Symbols in file order. */
  readonly symbols: readonly SymbolFeatures[];
  /** The `rs_vol_<T>m_bps` windows present. */
  readonly rsWindows: readonly number[];
  /** The `avg_vol_<V>m` windows present. */
  readonly volWindows: readonly number[];
}

const FIXED = [
  "ts",
  "symbol",
  "open",
  "high",
  "low",
  "close",
  "vol1m",
  "ret_bps",
  "spread_bps",
  "funding_bps",
  "open_loss_long_bps",
  "open_loss_short_bps",
] as const;
const FIELD = {
  ts: 0,
  open: 1,
  high: 2,
  low: 3,
  close: 4,
  vol1m: 5,
  ret_bps: 6,
  spread_bps: 7,
  funding_bps: 8,
  open_loss_long_bps: 9,
  open_loss_short_bps: 10,
  // optional (older tables may lack it): NaN when absent
  mark_price: 11,
} as const;
const N_FIXED = 12;

/**
 * The table restricted to `symbols` (in table order).
 *
 * @throws {RangeError} naming the symbols the table does not have
 */
export function selectSymbols(
  table: FeatureTable,
  symbols: readonly string[],
): FeatureTable {
  const want = new Set(symbols);
  const have = table.symbols.map((s) => s.symbol);
  const missing = [...want].filter((s) => !have.includes(s));
  if (missing.length > 0) {
    throw new RangeError(
      `Cannot select symbols: ${missing.join(",")} not in the table (it has ${
        have.join(",")
      })`,
    );
  }
  return { ...table, symbols: table.symbols.filter((s) => want.has(s.symbol)) };
}

/** Options of {@linkcode FeatureTableParser}. */
export interface FeatureTableOptions {
  /** Allocate the final arrays in SharedArrayBuffers (for workers). @default false */
  readonly shared?: boolean;
  /** A name for error messages. @default "feature table" */
  readonly source?: string;
}

class Column {
  data = new Float64Array(1024);
  push(n: number, x: number): void {
    if (n === this.data.length) {
      const next = new Float64Array(n * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[n] = x;
  }
}

/**
 * Incremental parser: feed text with {@linkcode FeatureTableParser.push}, then call
 * {@linkcode FeatureTableParser.finish}. Throws SyntaxError (bad header, row or number) or
 * RangeError (bad ordering or prices), naming the line.
 */
export class FeatureTableParser {
  #source: string;
  #shared: boolean;
  #rest = "";
  #line = 0;
  #header: string[] | undefined;
  /** header index -> parsed slot (-1 = skipped, -2 = symbol) */
  #slotOf: Int32Array = new Int32Array(0);
  #rsWindows: number[] = [];
  #volWindows: number[] = [];
  #cols: Column[] = [];
  #row: Float64Array = new Float64Array(0);
  #symbol: string | undefined;
  #n = 0;
  #lastTs = -Infinity;
  #done: SymbolFeatures[] = [];
  #seen = new Set<string>();

  /** @param options sharing and naming */
  constructor(options: FeatureTableOptions = {}) {
    this.#source = options.source ?? "feature table";
    this.#shared = options.shared ?? false;
  }

  /** Parses a chunk of text (any split, lines may span chunks). */
  push(text: string): void {
    let buf = this.#rest + text;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf("\n", start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && buf.charCodeAt(end - 1) === 13) end--;
      this.#onLine(buf, start, end);
      start = nl + 1;
    }
    this.#rest = buf.slice(start);
    buf = "";
  }

  /** Ends the input and returns the table. */
  finish(): FeatureTable {
    if (this.#rest.length > 0) {
      const r = this.#rest;
      this.#rest = "";
      this.#onLine(r, 0, r.endsWith("\r") ? r.length - 1 : r.length);
    }
    if (this.#header === undefined) {
      throw new SyntaxError(`Cannot read ${this.#source}: it is empty`);
    }
    this.#flush();
    if (this.#done.length === 0) {
      throw new SyntaxError(`Cannot read ${this.#source}: it has no rows`);
    }
    return {
      symbols: this.#done,
      rsWindows: this.#rsWindows,
      volWindows: this.#volWindows,
    };
  }

  #onLine(buf: string, start: number, end: number): void {
    this.#line++;
    if (end === start) return;
    if (this.#header === undefined) {
      this.#parseHeader(buf.slice(start, end));
      return;
    }
    const slotOf = this.#slotOf;
    const ncols = slotOf.length;
    const row = this.#row;
    row[FIELD.mark_price] = NaN; // the one optional column
    let pos = start;
    let symbol = "";
    for (let f = 0; f < ncols; f++) {
      let comma = buf.indexOf(",", pos);
      if (comma < 0 || comma > end) comma = end;
      if (f < ncols - 1 && comma === end) {
        throw new SyntaxError(
          `Cannot read ${this.#source}: line ${this.#line} has ${
            f + 1
          } fields, expected ${ncols}`,
        );
      }
      const slot = slotOf[f]!;
      if (slot === -2) {
        symbol = buf.slice(pos, comma);
      } else if (slot >= 0) {
        let x = NaN;
        if (comma > pos) {
          x = Number(buf.slice(pos, comma));
          if (x !== x) {
            throw new SyntaxError(
              `Cannot read ${this.#source}: line ${this.#line}, column ${
                this.#header[f]
              }: "${buf.slice(pos, comma)}" is not a number`,
            );
          }
        }
        row[slot] = x;
      }
      pos = comma + 1;
    }
    if (pos <= end) {
      throw new SyntaxError(
        `Cannot read ${this.#source}: line ${this.#line} has more than ${ncols} fields`,
      );
    }
    if (symbol !== this.#symbol) this.#startSymbol(symbol);
    const i = this.#n;
    const ts = row[FIELD.ts]!;
    const close = row[FIELD.close]!;
    if (!(ts > this.#lastTs)) {
      throw new RangeError(
        `Cannot read ${this.#source}: line ${this.#line}: ts ${ts} is not after ${this.#lastTs} (the table must be sorted by symbol then ts)`,
      );
    }
    if (!(close > 0) || close === Infinity) {
      throw new RangeError(
        `Cannot read ${this.#source}: line ${this.#line}: close must be a positive number`,
      );
    }
    const cols = this.#cols;
    for (let k = 0; k < row.length; k++) cols[k]!.push(i, row[k]!);
    this.#lastTs = ts;
    this.#n = i + 1;
  }

  #parseHeader(line: string): void {
    const names = line.split(",").map((s) => s.trim());
    const missing = FIXED.filter((c) => !names.includes(c));
    if (missing.length > 0) {
      throw new SyntaxError(
        `Cannot read ${this.#source}: missing column(s) ${
          missing.join(", ")
        } in the header`,
      );
    }
    const slotOf = new Int32Array(names.length).fill(-1);
    let next = N_FIXED;
    const seen = new Set<string>();
    for (let f = 0; f < names.length; f++) {
      const name = names[f]!;
      if (seen.has(name)) {
        throw new SyntaxError(
          `Cannot read ${this.#source}: duplicate column ${name}`,
        );
      }
      seen.add(name);
      if (name === "symbol") slotOf[f] = -2;
      else if (name in FIELD) slotOf[f] = FIELD[name as keyof typeof FIELD];
      else {
        const rs = /^rs_vol_(\d+)m_bps$/.exec(name);
        const av = /^avg_vol_(\d+)m$/.exec(name);
        if (rs) {
          this.#rsWindows.push(Number(rs[1]));
          slotOf[f] = next++;
        } else if (av) {
          this.#volWindows.push(Number(av[1]));
          slotOf[f] = next++;
        }
      }
    }
    if (this.#rsWindows.length === 0 || this.#volWindows.length === 0) {
      throw new SyntaxError(
        `Cannot read ${this.#source}: it needs at least one rs_vol_<T>m_bps and one avg_vol_<V>m column`,
      );
    }
    this.#header = names;
    this.#slotOf = slotOf;
    this.#cols = Array.from({ length: next }, () => new Column());
    this.#row = new Float64Array(next);
  }

  #startSymbol(symbol: string): void {
    if (symbol === "") {
      throw new SyntaxError(
        `Cannot read ${this.#source}: line ${this.#line} has an empty symbol`,
      );
    }
    if (this.#symbol !== undefined) {
      if (this.#n > 0) this.#flush();
      if (this.#seen.has(symbol)) {
        throw new RangeError(
          `Cannot read ${this.#source}: line ${this.#line}: symbol ${symbol} appears again (the table must be sorted by symbol then ts)`,
        );
      }
    }
    this.#seen.add(symbol);
    this.#symbol = symbol;
    this.#n = 0;
    this.#lastTs = -Infinity;
  }

  #flush(): void {
    const symbol = this.#symbol;
    const n = this.#n;
    if (symbol === undefined || n === 0) return;
    const take = (slot: number): Float64Array => {
      const src = this.#cols[slot]!.data;
      const out = this.#shared
        ? new Float64Array(new SharedArrayBuffer(n * 8))
        : new Float64Array(n);
      out.set(src.subarray(0, n));
      return out;
    };
    const rsVol = new Map<number, Float64Array>();
    const avgVol = new Map<number, Float64Array>();
    let slot = N_FIXED;
    for (const t of this.#rsWindows) rsVol.set(t, take(slot++));
    for (const v of this.#volWindows) avgVol.set(v, take(slot++));
    this.#done.push({
      symbol,
      bars: n,
      ts: take(FIELD.ts),
      open: take(FIELD.open),
      high: take(FIELD.high),
      low: take(FIELD.low),
      close: take(FIELD.close),
      vol: take(FIELD.vol1m),
      ret: take(FIELD.ret_bps),
      spread: take(FIELD.spread_bps),
      funding: take(FIELD.funding_bps),
      openLossLong: take(FIELD.open_loss_long_bps),
      openLossShort: take(FIELD.open_loss_short_bps),
      mark: take(FIELD.mark_price),
      rsVol,
      avgVol,
    });
    this.#cols = this.#cols.map(() => new Column());
    this.#n = 0;
  }
}

/** Parses a whole feature table held in a string (tests, small tables). */
export function parseFeatureTable(
  text: string,
  options: FeatureTableOptions = {},
): FeatureTable {
  const p = new FeatureTableParser(options);
  p.push(text);
  return p.finish();
}
