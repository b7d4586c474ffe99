/**
 * The incremental (bar by bar) form of the rolling features, for the live strategy and the
 * streaming feature builder. It yields exactly the numbers of the batch functions in
 * `series.ts`: each window is summed left to right over the bars before the current one.
 *
 * @module
 */
import { MINUTE_MS, retBps, rsVar, rsVolBps } from "./formulas.ts";

/**
 * Rolling per-symbol state fed one closed 1m bar at a time. A bar that is not exactly one
 * minute after the previous one (a gap) restarts every window.
 *
 * @example Feed bars, read the features of the last one
 * ```ts
 * import { BarWindows } from "./bar_windows.ts";
 * const w = new BarWindows([2], [2]);
 * w.push(0, 100, 101, 99, 100.5, 10);
 * w.push(60_000, 100.5, 102, 100, 101, 12);
 * w.push(120_000, 101, 101.5, 100.2, 100.8, 8);
 * w.rsVolBps[0]; // from the two bars before the third
 * w.avgVol[0]; // (10 + 12) / 2 = 11
 * ```
 */
export class BarWindows {
  /** The Rogers–Satchell windows T, in bars. */
  readonly rsWindows: readonly number[];
  /** The volume windows V, in bars. */
  readonly volWindows: readonly number[];
  /** The last bar's `ret_bps` (NaN without the previous minute's bar). */
  retBps = NaN;
  /** The last bar's own Rogers–Satchell variance. */
  rsVar = NaN;
  /** The last bar's `rs_vol_<T>m_bps`, one per entry of {@linkcode rsWindows}. */
  readonly rsVolBps: Float64Array;
  /** The last bar's `avg_vol_<V>m`, one per entry of {@linkcode volWindows}. */
  readonly avgVol: Float64Array;
  #cap: number;
  #rs: Float64Array;
  #vol: Float64Array;
  #prevClose = NaN;
  #lastOpenTime = NaN;
  #count = 0;
  #run = 0;

  /**
   * @param rsWindows the `rs_vol` windows (positive integers)
   * @param volWindows the `avg_vol` windows (positive integers); @default {rsWindows}
   */
  constructor(
    rsWindows: readonly number[],
    volWindows: readonly number[] = rsWindows,
  ) {
    for (const w of [...rsWindows, ...volWindows]) {
      if (!Number.isInteger(w) || w < 1) {
        throw new RangeError(
          `Cannot create BarWindows: window ${w} is not a positive integer`,
        );
      }
    }
    this.rsWindows = [...rsWindows];
    this.volWindows = [...volWindows];
    this.rsVolBps = new Float64Array(rsWindows.length).fill(NaN);
    this.avgVol = new Float64Array(volWindows.length).fill(NaN);
    this.#cap = Math.max(1, ...rsWindows, ...volWindows);
    this.#rs = new Float64Array(this.#cap);
    this.#vol = new Float64Array(this.#cap);
  }

  /** The open time of the last bar pushed (NaN before the first). */
  get lastOpenTime(): number {
    return this.#lastOpenTime;
  }

  /**
   * Adds the next closed bar and updates every feature of it.
   *
   * @param openTime the bar's open time in epoch ms, after the previous bar's
   * @throws {RangeError} when `openTime` is not after the previous bar's
   */
  push(
    openTime: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): void {
    if (!(openTime > this.#lastOpenTime) && this.#count > 0) {
      throw new RangeError(
        `Cannot push bar: open_time ${openTime} is not after ${this.#lastOpenTime}`,
      );
    }
    const run = openTime - this.#lastOpenTime === MINUTE_MS ? this.#run + 1 : 1;
    const before = run - 1; // consecutive bars right before this one
    this.retBps = before >= 1 ? retBps(this.#prevClose, close) : NaN;
    const cap = this.#cap;
    const n = this.#count;
    const rs = this.#rs;
    for (let j = 0; j < this.rsWindows.length; j++) {
      const t = this.rsWindows[j]!;
      if (before < t) {
        this.rsVolBps[j] = NaN;
        continue;
      }
      let sum = 0;
      for (let k = t; k >= 1; k--) sum += rs[(n - k) % cap]!;
      this.rsVolBps[j] = rsVolBps(sum, t);
    }
    const vol = this.#vol;
    for (let j = 0; j < this.volWindows.length; j++) {
      const v = this.volWindows[j]!;
      if (before < v) {
        this.avgVol[j] = NaN;
        continue;
      }
      let sum = 0;
      for (let k = v; k >= 1; k--) sum += vol[(n - k) % cap]!;
      this.avgVol[j] = sum / v;
    }
    this.rsVar = rsVar(open, high, low, close);
    rs[n % cap] = this.rsVar;
    vol[n % cap] = volume;
    this.#prevClose = close;
    this.#lastOpenTime = openTime;
    this.#run = run;
    this.#count = n + 1;
  }
}
