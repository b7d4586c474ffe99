/**
 * Time blocks of whole UTC days for CSCV: the span of the data (common to every symbol, so
 * symbols split at the same timestamps) is cut into S blocks of equal whole-day length; the
 * oldest days left over are dropped, as pypbo drops the oldest rows. Pure.
 *
 * @module
 */

/** One UTC day in milliseconds. */
export const DAY_MS = 86_400_000;

/** Blocks planned over a table's timestamps. */
export interface DayBlocks {
  /** Number of blocks S. */
  readonly count: number;
  /** Whole UTC days per block. */
  readonly daysPerBlock: number;
  /** UTC days spanned by the data. */
  readonly days: number;
  /** Start of block 0, epoch ms (a UTC midnight). */
  readonly startMs: number;
  /** Per symbol, `blockOf[i]` = block of bar i (-1 for a dropped bar). */
  readonly blockOf: Int16Array[];
}

/** The largest even S (at most 16) that whole UTC days support, or 0 below 4 days. */
export function autoBlocks(days: number): number {
  const s = Math.min(16, days - (days % 2));
  return s >= 4 ? s : 0;
}

/** Number of UTC days touched by the timestamps (0 when there are none). */
export function spannedDays(ts: readonly Float64Array[]): number {
  let lo = Infinity, hi = -Infinity;
  for (const t of ts) {
    if (t.length === 0) continue;
    lo = Math.min(lo, t[0]!);
    hi = Math.max(hi, t[t.length - 1]!);
  }
  if (!(lo <= hi)) return 0;
  return Math.floor(hi / DAY_MS) - Math.floor(lo / DAY_MS) + 1;
}

/**
 * Plans S blocks of whole UTC days over the timestamps (ascending, epoch ms, per symbol).
 *
 * @throws RangeError when S is odd, below 4, or more than the days the data spans
 */
export function planDayBlocks(
  ts: readonly Float64Array[],
  s: number,
): DayBlocks {
  if (!Number.isInteger(s) || s < 4 || s % 2 !== 0) {
    throw new RangeError(
      `Cannot compute PBO: S must be an even number >= 4, got ${s}`,
    );
  }
  const days = spannedDays(ts);
  if (s > days) {
    throw new RangeError(
      `Cannot compute PBO with S=${s}: the data spans ${days} UTC day(s), and blocks are whole days (use S <= ${days})`,
    );
  }
  let lo = Infinity;
  for (const t of ts) if (t.length > 0) lo = Math.min(lo, t[0]!);
  const firstDay = Math.floor(lo / DAY_MS);
  const per = Math.floor(days / s);
  const startDay = firstDay + (days - per * s);
  const blockOf = ts.map((t) => {
    const out = new Int16Array(t.length);
    for (let i = 0; i < t.length; i++) {
      const d = Math.floor(t[i]! / DAY_MS) - startDay;
      out[i] = d < 0 ? -1 : Math.min(s - 1, Math.floor(d / per));
    }
    return out;
  });
  return {
    count: s,
    daysPerBlock: per,
    days,
    startMs: startDay * DAY_MS,
    blockOf,
  };
}
