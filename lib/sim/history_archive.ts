/**
 * The synthetic source's deep history: deterministic 1m trade, mark and index bars and 8 h
 * funding rates of one symbol from its listing time up to the start of the live market
 * (the "seam"), computed on demand one UTC day at a time. Nothing is stored beyond the
 * daily anchors and a few cached days, so months of history cost no memory.
 *
 * The price path: a mean-reverting log random walk of daily anchors from the listing day,
 * and inside each day a Brownian bridge between its two anchors (the day holding the seam
 * bridges to the live market's first open, so history and live bars join without a jump).
 * The same seed, symbol and listing time give the same bars on every machine; a bar does
 * not depend on the seam unless it lies in the seam's day.
 *
 * @module
 */
import type { BarValues } from "./bar_ring.ts";
import { hashString, Rng } from "./random.ts";
import type { SymbolSpec } from "./symbols.ts";
import { FUNDING_INTERVAL_MS as FUNDING_MS } from "../features/funding_rule.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Log-price standard deviation per minute (about 8 bp). */
const SIGMA = 0.0008;
/** Fields per minute in a cached day. */
const F = 17;
const O = 0, H = 1, L = 2, C = 3, V = 4, Q = 5, N = 6, TV = 7, TQ = 8;
const MO = 9, IO = 13;

/** Which price a history bar is of. */
export type HistoryKind = "trade" | "mark" | "index";

/** Options of {@linkcode SyntheticArchive}. */
export interface ArchiveOptions {
  /** The listing time (epoch ms, floored to the minute): no bar before it. */
  readonly listedAt: number;
  /** The first minute of the live market: the archive ends before it. */
  readonly seam: number;
  /** The live market's first open, where the seam's day ends. */
  readonly seamPrice: number;
  /** The market seed. */
  readonly seed: number;
  /** Maintenance windows `[from, to)` (epoch ms) without any bar. */
  readonly gaps?: readonly (readonly [number, number])[];
}

/** Deterministic 1m bars and funding of one symbol before the live market; see the module doc. */
export class SyntheticArchive {
  /** The listing time, on a minute boundary. */
  readonly listedAt: number;
  /** The first minute not in the archive. */
  readonly seam: number;
  #spec: SymbolSpec;
  #seed: number;
  #seamPrice: number;
  #gaps: readonly (readonly [number, number])[];
  #firstDay: number;
  #anchors: Float64Array;
  #cache = new Map<number, Float64Array>();

  /**
   * @param spec the symbol's rules (price decimals, typical price)
   * @param options listing time, seam, seed and gaps
   */
  constructor(spec: SymbolSpec, options: ArchiveOptions) {
    this.#spec = spec;
    this.#seed = options.seed;
    this.listedAt = Math.ceil(options.listedAt / MINUTE) * MINUTE;
    this.seam = Math.max(
      this.listedAt,
      Math.floor(options.seam / MINUTE) * MINUTE,
    );
    this.#seamPrice = options.seamPrice;
    this.#gaps = options.gaps ?? [];
    this.#firstDay = Math.floor(this.listedAt / DAY);
    const days = Math.floor(this.seam / DAY) - this.#firstDay + 2;
    this.#anchors = new Float64Array(Math.max(1, days));
    const rng = new Rng(this.#seed ^ hashString(spec.symbol), 0x5eed);
    const home = Math.log(spec.price);
    let x = home;
    for (let d = 0; d < this.#anchors.length; d++) {
      this.#anchors[d] = x;
      x += 0.05 * (home - x) + SIGMA * Math.sqrt(1440) * rng.normal();
    }
  }

  /** Whether a bar exists for minute `t` (listed, before the seam, not in a gap). */
  has(t: number): boolean {
    if (t < this.listedAt || t >= this.seam || t % MINUTE !== 0) return false;
    for (const [a, b] of this.#gaps) if (t >= a && t < b) return false;
    return true;
  }

  /**
   * Copies the `kind` bar of minute `t` into `out` (mark and index bars: no volume,
   * `trades` = 60 data points).
   *
   * @returns false when there is no bar (see {@linkcode has})
   */
  read(kind: HistoryKind, t: number, out: BarValues): boolean {
    if (!this.has(t)) return false;
    const day = Math.floor(t / DAY);
    const block = this.#day(day);
    const o = ((t - day * DAY) / MINUTE) * F;
    out.openTime = t;
    const base = kind === "trade" ? O : kind === "mark" ? MO : IO;
    out.open = block[o + base]!;
    out.high = block[o + base + 1]!;
    out.low = block[o + base + 2]!;
    out.close = block[o + base + 3]!;
    if (kind === "trade") {
      out.volume = block[o + V]!;
      out.quoteVolume = block[o + Q]!;
      out.trades = block[o + N]!;
      out.takerBuyVolume = block[o + TV]!;
      out.takerBuyQuote = block[o + TQ]!;
    } else {
      out.volume =
        out.quoteVolume =
        out.takerBuyVolume =
        out.takerBuyQuote =
          0;
      out.trades = 60;
    }
    return true;
  }

  /** The settled funding rate at `time` (an 8 h boundary in the archive), else undefined. */
  fundingRate(time: number): number | undefined {
    if (time % FUNDING_MS !== 0 || time < this.listedAt || time >= this.seam) {
      return undefined;
    }
    const h = hashString(`${this.#spec.symbol}:${time}:${this.#seed}`);
    return Math.round((0.0001 + ((h % 2001) - 1000) * 2e-7) * 1e8) / 1e8;
  }

  #day(day: number): Float64Array {
    let block = this.#cache.get(day);
    if (block) return block;
    let spare: Float64Array | undefined;
    if (this.#cache.size >= 16) {
      const oldest = this.#cache.keys().next().value!;
      spare = this.#cache.get(oldest);
      this.#cache.delete(oldest);
    }
    block = this.#generate(day, spare);
    this.#cache.set(day, block);
    return block;
  }

  /** The day's block, written into `into` (an evicted block) when given. */
  #generate(day: number, into?: Float64Array): Float64Array {
    const spec = this.#spec;
    const start = day * DAY;
    const end = Math.min(start + DAY, this.seam);
    const n = Math.max(1, (end - start) / MINUTE);
    const i0 = day - this.#firstDay;
    const a = this.#anchors[i0]!;
    const b = end === this.seam && end < start + DAY
      ? Math.log(this.#seamPrice)
      : this.#anchors[i0 + 1]!;
    const rng = new Rng(this.#seed ^ hashString(spec.symbol), day);
    const walk = new Float64Array(n + 1);
    for (let i = 1; i <= n; i++) walk[i] = walk[i - 1]! + SIGMA * rng.normal();
    const wn = walk[n]!;
    const tick = 10 ** -spec.priceDecimals;
    const step = 10 ** -spec.qtyDecimals;
    const round = (x: number, unit: number) => Math.round(x / unit) * unit;
    const baseQty = 1500 / spec.price;
    const out = into ?? new Float64Array((DAY / MINUTE) * F);
    // A recycled block keeps old values past `n` (the seam's day): zero them as new.
    if (into && n < DAY / MINUTE) out.fill(0, n * F);
    let prevClose = round(Math.exp(a), tick);
    for (let i = 0; i < n; i++) {
      const f = (i + 1) / n;
      const x = a + walk[i + 1]! - f * wn + f * (b - a);
      const open = prevClose;
      const close = round(Math.exp(x), tick);
      const wick = SIGMA * 0.5;
      const high = Math.max(
        open,
        close,
        round(
          Math.max(open, close) * Math.exp(wick * Math.abs(rng.normal())),
          tick,
        ),
      );
      const low = Math.min(
        open,
        close,
        round(
          Math.min(open, close) * Math.exp(-wick * Math.abs(rng.normal())),
          tick,
        ),
      );
      const burst = 1 + 400 * Math.abs(close / open - 1);
      const volume = Math.max(
        step,
        round(baseQty * 20 * burst * Math.exp(0.5 * rng.normal()), step),
      );
      const vwap = (open + high + low + close) / 4;
      const buy = round(volume * (0.35 + 0.3 * rng.next()), step);
      const premium = 0.0001 + 0.0002 * Math.sin((start + i * MINUTE) / 3.6e6);
      const o = i * F;
      out[o + O] = open;
      out[o + H] = high;
      out[o + L] = low;
      out[o + C] = close;
      out[o + V] = volume;
      out[o + Q] = volume * vwap;
      out[o + N] = Math.max(1, Math.round(volume / baseQty));
      out[o + TV] = buy;
      out[o + TQ] = buy * vwap;
      // mark = trade × (1 + premium), index = trade × (1 + premium / 4)
      const pm = premium, pi = premium / 4;
      out[o + MO] = open * (1 + pm);
      out[o + MO + 1] = high * (1 + pm);
      out[o + MO + 2] = low * (1 + pm);
      out[o + MO + 3] = close * (1 + pm);
      out[o + IO] = open * (1 + pi);
      out[o + IO + 1] = high * (1 + pi);
      out[o + IO + 2] = low * (1 + pi);
      out[o + IO + 3] = close * (1 + pi);
      prevClose = close;
    }
    return out;
  }
}
