/**
 * Which recorded funding rate a settlement charges: one rule for the simulator's replays
 * (`lib/sim/funding_schedule.ts` for funding files, `lib/sim/log_source.ts` for recorded
 * logs) and the bot-model backtest (`lib/backtest/bot_model/bot_market.ts`).
 *
 * A funding series is one of two kinds:
 * - `settlements`: the exchange's settled rates (`funding_time,funding_rate` files, as
 *   `deno task download` writes them), each event stamped at its funding time or a few
 *   milliseconds after (`…08:00:00.003`);
 * - `predictions`: the exchange's running prediction of the next settlement's rate (the
 *   `markPrice` rows' `funding_rate` the recorder logs); the settlement charges the
 *   prediction in force at its time, and a row at or after it predicts the next one.
 *
 * The settlement at funding time `T` charges the series' last rate strictly before
 * {@linkcode settlementCutoff}`(T, kind)`: `T + 1 minute` for settlements, `T` for
 * predictions. A feature table's `funding_bps` is its series as of each bar's end, so the
 * rate a settlement charges is the one of the bar opening at `T` for settlements, of the
 * bar ending at `T` for predictions ({@linkcode settledFundingBar}).
 *
 * @module
 */

/** Funding settles every 8 hours (00:00, 08:00, 16:00 UTC). */
export const FUNDING_INTERVAL_MS = 8 * 3_600_000;

/** Where a funding series comes from (see the module doc). */
export type FundingSeriesKind = "settlements" | "predictions";

/** How late after its funding time a settlement file may stamp the event. */
export const SETTLEMENT_STAMP_MS = 60_000;

/** The settlement at `fundingTime` charges the series' last rate before this time. */
export function settlementCutoff(
  fundingTime: number,
  kind: FundingSeriesKind,
): number {
  return kind === "settlements"
    ? fundingTime + SETTLEMENT_STAMP_MS
    : fundingTime;
}

/**
 * The bar of a table (ascending bar open times `ts`, bars of `barMs`) whose funding as of
 * its end the settlement at `fundingTime` charges; -1 when the table has none:
 * - settlements: the first bar ending at or after the cutoff (`T + 1 minute`), i.e. the
 *   bar opening at `T`, or the first one after a gap there: its funding includes the
 *   event of `T` and no later one (the next is 8 hours on);
 * - predictions: the last bar ending at or before the cutoff (`T`), the last prediction
 *   before `T`.
 */
export function settledFundingBar(
  ts: Float64Array,
  fundingTime: number,
  kind: FundingSeriesKind,
  barMs = 60_000,
): number {
  const cut = settlementCutoff(fundingTime, kind) - barMs;
  if (kind === "settlements") {
    // the first i with ts[i] >= cut
    let lo = 0, hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < cut) lo = mid + 1;
      else hi = mid;
    }
    return lo < ts.length ? lo : -1;
  }
  // the last i with ts[i] <= cut
  let lo = 0, hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= cut) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The settlement whose rate an OHLCV replay with settlement files shows the bot deciding at
 * a bar's close `closeTime` (premiumIndex's `lastFundingRate`, the markPrice stream's `r`:
 * `lib/sim/ohlcv_source.ts`'s `fundingRate`, the rate of the replay's next funding time):
 * the first funding time at or after the close. The bot decides on the mark pushed before
 * the close (the simulator publishes the closed kline first), when the replay's next
 * funding time is still the one at the close.
 */
export function upcomingSettlement(
  closeTime: number,
  intervalMs = FUNDING_INTERVAL_MS,
): number {
  return Math.ceil(closeTime / intervalMs) * intervalMs;
}

/**
 * Per bar of a table built from settlement files (ascending bar open times `ts`, bars of
 * `barMs`), the bar whose funding as of its end is the rate the replay shows at that bar's
 * close: {@linkcode settledFundingBar} of its {@linkcode upcomingSettlement}; -1 when that
 * settlement is past the table.
 */
export function upcomingFundingBars(
  ts: Float64Array,
  barMs = 60_000,
): Int32Array {
  const out = new Int32Array(ts.length);
  let due = NaN, k = -1;
  for (let i = 0; i < ts.length; i++) {
    const next = upcomingSettlement(ts[i]! + barMs);
    if (next !== due) {
      due = next;
      k = settledFundingBar(ts, next, "settlements", barMs);
    }
    out[i] = k;
  }
  return out;
}
