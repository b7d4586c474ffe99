/**
 * One symbol's market as the bot model sees it: the decision-time touch (bid/ask) of each
 * bar, the mark/price basis for stop-losses on the mark, and the entry sizes and exit
 * levels of `lib/order` (the live bot's own pure functions: `entryPrice`,
 * `entryQuantity`, `exitLevels`, `trailingParams`), computed once per (bar, side) and
 * shared by every config. Pure apart from lazily filled caches.
 *
 * Touch per bar, at the bar's close (the bot's decision time):
 * - tables with book columns: `ask = mark * (1 + open_loss_long_bps / 1e4)` and `bid =
 *   mark * (1 - open_loss_short_bps / 1e4)`, snapped to the nearest tick (the feature
 *   builder derived those columns from the recorded book, whose prices are on the tick);
 * - OHLCV-only tables (no book column anywhere): `close * (1 ± spread_bps / 2 / 1e4)`
 *   with the required `spreadBps`; the mark is the table's mark or else the close, and
 *   the spread and opening-loss columns the decision reads are filled from this quote
 *   with `lib/features`' `quoteFeatures`, so the blockers see what the bot would.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import { quoteFeatures } from "../../features/formulas.ts";
import {
  entryPrice,
  entryQuantity,
  exitLevels,
  type OrderFilters,
  OrderSizeError,
  trailingParams,
} from "../../order/filters.ts";
import type { SymbolFeatures } from "../feature_table.ts";

/** Thrown for a table the bot model cannot use as given (exit code 2 at the edge). */
export class BotInputError extends Error {
  /** @param message the one line shown to the user */
  constructor(message: string) {
    super(message);
    this.name = "BotInputError";
  }
}

/** Whether the table has book columns (any finite spread). */
export function hasBook(f: SymbolFeatures): boolean {
  for (let i = 0; i < f.bars; i++) if (f.spread[i] === f.spread[i]) return true;
  return false;
}

/** A prepared symbol for {@linkcode simulateBot}. */
export class BotMarket {
  /** The features the decision reads (with synthetic quote columns for OHLCV tables). */
  readonly features: SymbolFeatures;
  /** The symbol's exchange filters. */
  readonly filters: OrderFilters;
  /** Best bid at each bar's close (NaN = none). */
  readonly bid: Float64Array;
  /** Best ask at each bar's close (NaN = none). */
  readonly ask: Float64Array;
  /** Mark / close of each bar (1 when the mark is unknown): the SL's mark path factor. */
  readonly basis: Float64Array;
  /** Where the touch came from. */
  readonly quoteSource: "book" | "spread_bps";
  #entry = new Map<number, Float64Array>();
  #levels = new Map<string, Float64Array>();
  #trail = new Map<string, Float64Array>();
  #fill: Float64Array;

  /**
   * @param f the symbol's feature columns
   * @param filters its exchange filters
   * @param spreadBps the quoted spread for OHLCV-only tables
   * @throws {BotInputError} for an OHLCV-only table without `spreadBps`, or `spreadBps`
   * with a table that has a book
   */
  constructor(f: SymbolFeatures, filters: OrderFilters, spreadBps?: number) {
    const n = f.bars;
    this.filters = filters;
    this.bid = new Float64Array(n);
    this.ask = new Float64Array(n);
    this.basis = new Float64Array(n);
    this.#fill = new Float64Array(2 * n).fill(NaN);
    const tick = Number(filters.tickSize);
    const dp = filters.tickSize.decimalPlaces();
    // nearest tick, as a clean double (100.1, not 100.10000000000001)
    const snap = (x: number) =>
      tick > 0 ? Number((Math.round(x / tick) * tick).toFixed(dp)) : x;
    for (let i = 0; i < n; i++) {
      const m = f.mark[i]!, c = f.close[i]!;
      this.basis[i] = m > 0 && m < Infinity ? m / c : 1;
    }
    if (hasBook(f)) {
      if (spreadBps !== undefined) {
        throw new BotInputError(
          `Invalid --spread_bps: ${f.symbol} has book columns (spread_bps); --spread_bps is only for OHLCV-only tables`,
        );
      }
      this.quoteSource = "book";
      this.features = f;
      for (let i = 0; i < n; i++) {
        const m = f.mark[i]!;
        this.ask[i] = snap(m * (1 + f.openLossLong[i]! / 10_000));
        this.bid[i] = snap(m * (1 - f.openLossShort[i]! / 10_000));
      }
      return;
    }
    if (spreadBps === undefined) {
      throw new BotInputError(
        `Missing --spread_bps: ${f.symbol} has no book columns (an OHLCV-only table), so the entry touch needs a quoted spread`,
      );
    }
    if (!(spreadBps >= 0 && spreadBps < 10_000)) {
      throw new BotInputError(
        `Invalid --spread_bps ${spreadBps}: not in [0, 10000)`,
      );
    }
    this.quoteSource = "spread_bps";
    const spread = new Float64Array(n),
      olL = new Float64Array(n),
      olS = new Float64Array(n);
    const half = spreadBps / 2 / 10_000;
    for (let i = 0; i < n; i++) {
      const c = f.close[i]!;
      const b = c * (1 - half), a = c * (1 + half);
      const q = quoteFeatures(b, a, c * this.basis[i]!);
      this.bid[i] = b;
      this.ask[i] = a;
      spread[i] = q.spreadBps;
      olL[i] = q.openLossLongBps;
      olS[i] = q.openLossShortBps;
    }
    this.features = {
      ...f,
      spread,
      openLossLong: olL,
      openLossShort: olS,
    };
  }

  /**
   * The entry fill price (the IOC limit at the touch, rounded as the bot rounds) of bar
   * `i`, side `s` (+1 long, -1 short); NaN without a quote.
   */
  fillPrice(i: number, s: number): number {
    const k = 2 * i + (s > 0 ? 0 : 1);
    let p = this.#fill[k]!;
    if (p !== p) {
      const b = this.bid[i]!, a = this.ask[i]!;
      p = b > 0 && a >= b
        ? Number(entryPrice(this.filters, s > 0 ? "long" : "short", b, a))
        : -1;
      this.#fill[k] = p;
    }
    return p > 0 ? p : NaN;
  }

  /**
   * The entry quantity of bar `i`, side `s` for a target notional, as `lib/order` sizes
   * it; NaN when the bot would refuse the order (no quote, above maxQty).
   */
  quantity(i: number, s: number, notional: number): number {
    let cache = this.#entry.get(notional);
    if (cache === undefined) {
      cache = new Float64Array(2 * this.bid.length).fill(NaN);
      this.#entry.set(notional, cache);
    }
    const k = 2 * i + (s > 0 ? 0 : 1);
    let q = cache[k]!;
    if (q !== q) {
      const p = this.fillPrice(i, s);
      q = -1;
      if (p === p) {
        try {
          q = Number(entryQuantity(this.filters, notional, new Decimal(p)));
        } catch (error) {
          if (!(error instanceof OrderSizeError)) throw error;
        }
      }
      cache[k] = q;
    }
    return q > 0 ? q : NaN;
  }

  /**
   * The TP and SL trigger prices armed after an entry at bar `i`, side `s`: `lib/order`'s
   * `exitLevels` from the fill price. Written into `out[0]` (TP) and `out[1]` (SL).
   */
  levels(
    i: number,
    s: number,
    tpBps: number,
    slBps: number,
    out: Float64Array,
  ): void {
    const key = `${tpBps},${slBps}`;
    let cache = this.#levels.get(key);
    if (cache === undefined) {
      cache = new Float64Array(4 * this.bid.length).fill(NaN);
      this.#levels.set(key, cache);
    }
    const k = 4 * i + (s > 0 ? 0 : 2);
    if (cache[k] !== cache[k]) {
      const l = exitLevels(
        this.filters,
        s > 0 ? "long" : "short",
        new Decimal(this.fillPrice(i, s)),
        tpBps,
        slBps,
      );
      cache[k] = Number(l.takeProfit);
      cache[k + 1] = Number(l.stopLoss);
    }
    out[0] = cache[k]!;
    out[1] = cache[k + 1]!;
  }

  /**
   * The trailing stop's activation price and callback fraction after an entry at bar
   * `i`, side `s` (`lib/order`'s `trailingParams`), into `out[2]` and `out[3]`.
   */
  trailing(
    i: number,
    s: number,
    activationBps: number,
    callbackPct: number,
    out: Float64Array,
  ): void {
    const key = `${activationBps},${callbackPct}`;
    let cache = this.#trail.get(key);
    if (cache === undefined) {
      cache = new Float64Array(4 * this.bid.length).fill(NaN);
      this.#trail.set(key, cache);
    }
    const k = 4 * i + (s > 0 ? 0 : 2);
    if (cache[k] !== cache[k]) {
      const t = trailingParams(
        this.filters,
        s > 0 ? "long" : "short",
        new Decimal(this.fillPrice(i, s)),
        activationBps,
        callbackPct,
      );
      cache[k] = Number(t.activationPrice);
      cache[k + 1] = Number(t.callbackRate) / 100;
    }
    out[2] = cache[k]!;
    out[3] = cache[k + 1]!;
  }
}
