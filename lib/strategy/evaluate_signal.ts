/**
 * The live signal of one symbol on one closed 1m bar, as a pure function: indicator 1
 * (momentum against Rogers–Satchell volatility), indicator 2 (volume regime) and the
 * three blockers. Every formula comes from `lib/features`, the same code the feature
 * builder (and hence the backtest) runs.
 *
 * @module
 */
import {
  fundingBps,
  openLossLongBps,
  openLossShortBps,
  spreadBps,
} from "../features/formulas.ts";
import type { StrategyParams } from "./params.ts";

/** The numbers one evaluation reads (NaN = missing). */
export interface SignalInput {
  /** The bar's `ret_bps` (NaN without the previous minute's bar). */
  readonly retBps: number;
  /** `rs_vol_bps(T)` of the T bars before this one (NaN until the window is full). */
  readonly rsVolBps: number;
  /** This bar's volume. */
  readonly volume: number;
  /** `avg_volume(V)` of the V bars before this one (NaN until the window is full). */
  readonly avgVolume: number;
  /** Best bid. */
  readonly bid: number;
  /** Best ask. */
  readonly ask: number;
  /** Mark price. */
  readonly mark: number;
  /** Funding rate as a fraction per interval (e.g. 0.0001). */
  readonly fundingRate: number;
}

/** The decision of one evaluation. */
export type SignalSide = "long" | "short" | "none";

/** Why a decision is `none` (the first reason found), or `undefined` for a signal. */
export type NoneReason =
  | "warming_up"
  | "no_momentum"
  | "no_volume"
  | "spread"
  | "funding"
  | "open_loss"
  | "bad_quote";

/** A decision with every indicator value and blocker verdict, for the journal. */
export interface SignalDecision {
  /** long, short or none. */
  readonly side: SignalSide;
  /** Why `none`; undefined for long/short. */
  readonly reason: NoneReason | undefined;
  /** Both windows full and `ret_bps` defined. */
  readonly ready: boolean;
  /** Inputs, copied. */
  readonly retBps: number;
  readonly rsVolBps: number;
  readonly volume: number;
  readonly avgVolume: number;
  /** `k * rs_vol_bps(T)`. */
  readonly threshold: number;
  /** Indicator 1: +1 long, -1 short, 0 none. */
  readonly momentum: -1 | 0 | 1;
  /** Indicator 2: `volume > n * avg_volume(V)`. */
  readonly volumeOk: boolean;
  /** `(ask - bid) / mid * 1e4`. */
  readonly spreadBps: number;
  /** Funding rate in bp. */
  readonly fundingBps: number;
  /** `(ask - mark) / mark * 1e4`. */
  readonly openLossLongBps: number;
  /** `(mark - bid) / mark * 1e4`. */
  readonly openLossShortBps: number;
  /** `min(10, max(5, 2 * spread_bps))`. */
  readonly openLossLimitBps: number;
  /** Blocker verdicts (true = passes). */
  readonly spreadOk: boolean;
  readonly fundingOk: boolean;
  readonly openLossLongOk: boolean;
  readonly openLossShortOk: boolean;
}

/**
 * Evaluates the signal on one closed bar. Any comparison with NaN fails, so a missing
 * input never yields a signal (as in the backtest's `buildSignals`).
 *
 * Long: `ret_bps > k * rs_vol_bps(T)`; short: `ret_bps < -k * rs_vol_bps(T)`; both also
 * need `volume > n * avg_volume(V)` and the blockers: `spread_bps <= maxSpreadBps`,
 * `|funding_bps| <= maxFundingBps` and the side's opening loss `<= min(10, max(5, 2 *
 * spread_bps))`.
 *
 * @example
 * ```ts
 * import { evaluateSignal } from "./evaluate_signal.ts";
 * const d = evaluateSignal(
 *   { retBps: 30, rsVolBps: 10, volume: 300, avgVolume: 100, bid: 99.99, ask: 100.01, mark: 100, fundingRate: 0.0001 },
 *   { k: 2, n: 2, t: 30, v: 30, maxSpreadBps: 5, maxFundingBps: 10 },
 * );
 * d.side; // "long"
 * ```
 */
export function evaluateSignal(
  input: SignalInput,
  params: StrategyParams,
): SignalDecision {
  const { retBps, rsVolBps, volume, avgVolume, bid, ask, mark } = input;
  const threshold = params.k * rsVolBps;
  const ready = !Number.isNaN(retBps) && !Number.isNaN(rsVolBps) &&
    !Number.isNaN(avgVolume);
  const momentum: -1 | 0 | 1 = retBps > threshold
    ? (retBps < -threshold ? 0 : 1)
    : retBps < -threshold
    ? -1
    : 0;
  const volumeOk = volume > params.n * avgVolume;
  const quoteOk = bid > 0 && ask >= bid && mark > 0;
  const sp = quoteOk ? spreadBps(bid, ask) : NaN;
  const fu = fundingBps(input.fundingRate);
  const olL = quoteOk ? openLossLongBps(ask, mark) : NaN;
  const olS = quoteOk ? openLossShortBps(bid, mark) : NaN;
  const limit = Math.min(10, Math.max(5, 2 * sp));
  const spreadOk = sp <= params.maxSpreadBps;
  const fundingOk = Math.abs(fu) <= params.maxFundingBps;
  const openLossLongOk = olL <= limit;
  const openLossShortOk = olS <= limit;
  let reason: NoneReason | undefined;
  if (!ready) reason = "warming_up";
  else if (momentum === 0) reason = "no_momentum";
  else if (!volumeOk) reason = "no_volume";
  else if (!quoteOk) reason = "bad_quote";
  else if (!spreadOk) reason = "spread";
  else if (!fundingOk) reason = "funding";
  else if (!(momentum === 1 ? openLossLongOk : openLossShortOk)) {
    reason = "open_loss";
  }
  return {
    side: reason !== undefined ? "none" : momentum === 1 ? "long" : "short",
    reason,
    ready,
    retBps,
    rsVolBps,
    volume,
    avgVolume,
    threshold,
    momentum,
    volumeOk,
    spreadBps: sp,
    fundingBps: fu,
    openLossLongBps: olL,
    openLossShortBps: olS,
    openLossLimitBps: limit,
    spreadOk,
    fundingOk,
    openLossLongOk,
    openLossShortOk,
  };
}
