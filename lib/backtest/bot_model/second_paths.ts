/**
 * The per-second path source of the bot model: a symbol's records of the per-second
 * companion file (`lib/features/second_series.ts`) indexed by the table's bars, and the
 * exit walk over them — the exchange's trigger rules as the simulator applies them to the
 * bot's exit orders (`lib/sim/engine/matching.ts` `checkConditional`): the take-profit on
 * the last trade price (`CONTRACT_PRICE`), the stop-loss on the mark (`MARK_PRICE`), the
 * trailing stop on the last trade price (its extreme starts at the last price when it is
 * placed, activation when the extreme reaches the activation price, then it fires at
 * `extreme × (1 ∓ callback)`), each filling as a market order at the touch (a sell at the
 * bid, a buy at the ask) in effect when it triggers: a second's trades come before its
 * book row (the previous record's touch), its mark after it (its own touch).
 *
 * Within a second the trade prices are visited in order, then the mark. Whole bars where
 * nothing can trigger are passed in O(1) from per-bar extremes (a trailing stop's extreme
 * then moves to the bar's best price, which is exact: it can only have fired below
 * `best × factor`), so only bars near a level walk their seconds. Pure.
 *
 * @module
 */
import {
  F_ASK,
  F_ASK_QTY,
  F_BID,
  F_BID_QTY,
  F_LAST,
  F_MARK,
  F_P1,
  F_T,
  SECOND_STRIDE,
} from "../../features/second_series.ts";

const BAR_MS = 60_000;

/** One symbol's seconds, indexed by the table's bars. */
export class SecondPaths {
  /** The records ({@linkcode SECOND_STRIDE} values each). */
  readonly rec: Float64Array;
  /**
   * Bar `j`'s records are `[start[j], start[j + 1])`: those from the previous bar's end
   * (a gap's seconds go to the bar after it) to bar `j`'s end.
   */
  readonly start: Int32Array;
  /** Per bar: highest and lowest trade price (-Inf/+Inf without a trade). */
  readonly tradeHi: Float64Array;
  readonly tradeLo: Float64Array;
  /** Per bar: highest and lowest mark (-Inf/+Inf without one). */
  readonly markHi: Float64Array;
  readonly markLo: Float64Array;

  /**
   * @param rec the symbol's records
   * @param ts the table's bar open times
   */
  constructor(rec: Float64Array, ts: Float64Array) {
    const n = ts.length, count = rec.length / SECOND_STRIDE;
    this.rec = rec;
    this.start = new Int32Array(n + 1);
    this.tradeHi = new Float64Array(n).fill(-Infinity);
    this.tradeLo = new Float64Array(n).fill(Infinity);
    this.markHi = new Float64Array(n).fill(-Infinity);
    this.markLo = new Float64Array(n).fill(Infinity);
    let r = 0;
    for (let j = 0; j < n; j++) {
      this.start[j] = r;
      const end = ts[j]! + BAR_MS;
      let hi = -Infinity, lo = Infinity, mHi = -Infinity, mLo = Infinity;
      for (; r < count; r++) {
        const o = r * SECOND_STRIDE;
        if (rec[o + F_T]! >= end) break;
        for (let q = F_P1; q <= F_LAST; q++) {
          const p = rec[o + q]!;
          if (p > hi) hi = p;
          if (p < lo) lo = p;
        }
        const m = rec[o + F_MARK]!;
        if (m > mHi) mHi = m;
        if (m < mLo) mLo = m;
      }
      this.tradeHi[j] = hi;
      this.tradeLo[j] = lo;
      this.markHi[j] = mHi;
      this.markLo[j] = mLo;
    }
    this.start[n] = r;
  }

  /**
   * The mark of the last record of bar `j` or before whose second starts at or before
   * `t` (NaN = none).
   */
  markBefore(j: number, t: number): number {
    const rec = this.rec;
    for (let r = this.start[j + 1]! - 1; r >= 0; r--) {
      const o = r * SECOND_STRIDE;
      if (rec[o + F_T]! <= t) return rec[o + F_MARK]!;
    }
    return NaN;
  }

  /**
   * The best bid, ask and their quantities at bar `j`'s end (the last record up to it;
   * NaN = none).
   */
  bookAt(j: number): [number, number, number, number] {
    const r = this.start[j + 1]! - 1;
    if (r < 0) return [NaN, NaN, NaN, NaN];
    const o = r * SECOND_STRIDE, rec = this.rec;
    return [
      rec[o + F_BID]!,
      rec[o + F_ASK]!,
      rec[o + F_BID_QTY]!,
      rec[
        o + F_ASK_QTY
      ]!,
    ];
  }
}

/** What {@linkcode walkSecondExits} writes into its `out` (indices). */
export const EXIT_BAR = 0, EXIT_Y = 1, EXIT_REASON = 2, EXIT_TIME = 3;

/**
 * Walks a position's exits from bar `from` on. Levels are signed (`s ×` price, so a
 * higher value is better for the position): `tpY` TP, `slY` SL (on the mark), `actY` the
 * trailing activation (Infinity = no trailing stop), `factor` the trailing stop's
 * `1 ∓ callback`, `peak0` the signed last price when the exits are placed.
 *
 * Writes into `out`: the exit bar, the signed fill price, the reason (0 tp, 1 sl, 2 trail,
 * 3 none: still open at the end, bar = -1) and the second of the exit (epoch ms).
 */
export function walkSecondExits(
  sp: SecondPaths,
  s: number,
  from: number,
  tpY: number,
  slY: number,
  actY: number,
  factor: number,
  peak0: number,
  out: Float64Array,
): void {
  const rec = sp.rec, start = sp.start;
  const tHi = sp.tradeHi, tLo = sp.tradeLo, mHi = sp.markHi, mLo = sp.markLo;
  const n = start.length - 1;
  const trail = actY < Infinity;
  // the simulator's float tolerance on the trailing trigger
  const fire = factor * (1 + s * 1e-12);
  let peak = peak0, active = trail && peak >= actY;
  for (let j = from; j < n; j++) {
    const hiY = s > 0 ? tHi[j]! : -tLo[j]!;
    const markLoY = s > 0 ? mLo[j]! : -mHi[j]!;
    if (hiY < tpY && markLoY > slY) {
      if (!trail) continue;
      const loY = s > 0 ? tLo[j]! : -tHi[j]!;
      const best = hiY > peak ? hiY : peak;
      if ((!active && best < actY) || loY > best * fire) {
        peak = best;
        if (best >= actY) active = true;
        continue;
      }
    }
    for (let r = start[j]!; r < start[j + 1]!; r++) {
      const o = r * SECOND_STRIDE;
      let reason = -1;
      for (let q = F_P1; q <= F_LAST; q++) {
        const p = rec[o + q]!;
        if (p !== p) continue;
        const y = s * p;
        if (y >= tpY) {
          reason = 0;
          break;
        }
        if (trail) {
          if (y > peak) {
            peak = y;
            if (peak >= actY) active = true;
          }
          if (active && y <= peak * fire) {
            reason = 2;
            break;
          }
        }
      }
      if (reason < 0 && s * rec[o + F_MARK]! <= slY) reason = 1;
      if (reason < 0) continue;
      // a trade-triggered exit meets the book before this record's rows
      const ob = reason !== 1 && r > 0 ? o - SECOND_STRIDE : o;
      const touch = s > 0 ? rec[ob + F_BID]! : rec[ob + F_ASK]!;
      out[EXIT_BAR] = j;
      const last = rec[o + F_LAST]!;
      // no book yet: the trade price, else the mark
      out[EXIT_Y] = s *
        (touch > 0 ? touch : last === last ? last : rec[o + F_MARK]!);
      out[EXIT_REASON] = reason;
      out[EXIT_TIME] = rec[o + F_T]!;
      return;
    }
  }
  out[EXIT_BAR] = -1;
  out[EXIT_Y] = NaN;
  out[EXIT_REASON] = 3;
  out[EXIT_TIME] = NaN;
}
