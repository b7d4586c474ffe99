/**
 * The live signal of one symbol on one closed 1m bar, as a pure function: indicator 1
 * (momentum against Rogers–Satchell volatility), indicator 2 (volume regime) and the
 * three blockers. Every formula comes from `lib/features`, the same code the feature
 * builder (and hence the backtest) runs.
 *
 * @module
 */
import { fundingBps, quoteFeatures } from "../features/formulas.ts";
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
  const { retBps, rsVolBps, volume, avgVolume } = input;
  const q = quoteFeatures(input.bid, input.ask, input.mark);
  const sp = q.spreadBps, olL = q.openLossLongBps, olS = q.openLossShortBps;
  const fu = fundingBps(input.fundingRate);
  const code = signalCode(
    retBps,
    rsVolBps,
    volume,
    avgVolume,
    sp,
    fu,
    olL,
    olS,
    params,
  );
  const threshold = params.k * rsVolBps;
  const ready = !Number.isNaN(retBps) && !Number.isNaN(rsVolBps) &&
    !Number.isNaN(avgVolume);
  const momentum: -1 | 0 | 1 = retBps > threshold
    ? (retBps < -threshold ? 0 : 1)
    : retBps < -threshold
    ? -1
    : 0;
  const limit = openLossLimitBps(sp);
  return {
    side: code === SIGNAL_LONG
      ? "long"
      : code === SIGNAL_SHORT
      ? "short"
      : "none",
    reason: code === SIGNAL_LONG || code === SIGNAL_SHORT
      ? undefined
      : NONE_REASONS[code - NONE_BASE],
    ready,
    retBps,
    rsVolBps,
    volume,
    avgVolume,
    threshold,
    momentum,
    volumeOk: volume > params.n * avgVolume,
    spreadBps: sp,
    fundingBps: fu,
    openLossLongBps: olL,
    openLossShortBps: olS,
    openLossLimitBps: limit,
    spreadOk: sp <= params.maxSpreadBps,
    fundingOk: Math.abs(fu) <= params.maxFundingBps,
    openLossLongOk: olL <= limit,
    openLossShortOk: olS <= limit,
  };
}

/** {@linkcode signalCode} of a long entry. */
export const SIGNAL_LONG = 1;
/** {@linkcode signalCode} of a short entry. */
export const SIGNAL_SHORT = -1;
/** The first "none" code: `NONE_REASONS[code - NONE_BASE]` is its reason. */
export const NONE_BASE = 2;
/** The reasons of the "none" codes, in the order they are checked. */
export const NONE_REASONS: readonly NoneReason[] = [
  "warming_up",
  "no_momentum",
  "no_volume",
  "bad_quote",
  "spread",
  "funding",
  "open_loss",
];

/** The opening-loss limit of a spread: `min(10, max(5, 2 * spread_bps))`. */
export function openLossLimitBps(spreadBps: number): number {
  return Math.min(10, Math.max(5, 2 * spreadBps));
}

/**
 * THE decision rule of the strategy, over the derived values a closed bar and its quote
 * give (the feature table's columns): the live bot ({@linkcode evaluateSignal}) and both
 * backtest models (`lib/backtest/signals.ts`) call this and nothing else. Scalar
 * arguments and a number result, so the grid's per-bar loop stays allocation-free.
 *
 * Checked in order, the first failure is the reason: `warming_up` (ret, rs_vol or
 * avg_vol missing), `no_momentum` (`ret_bps > k*rs_vol` for long, `< -k*rs_vol` for short;
 * both or neither = none), `no_volume` (`volume > n*avg_volume`), `bad_quote` (spread or
 * an opening loss missing, or a negative spread: a crossed book), `spread` (`spread_bps
 * <= maxSpreadBps`), `funding` (`|funding_bps| <= maxFundingBps`), `open_loss` (the
 * side's opening loss `<= min(10, max(5, 2*spread_bps))`). Every comparison with NaN
 * fails.
 *
 * @returns {@linkcode SIGNAL_LONG}, {@linkcode SIGNAL_SHORT}, or a "none" code
 * (`NONE_BASE + index` into {@linkcode NONE_REASONS})
 */
export function signalCode(
  retBps: number,
  rsVolBps: number,
  volume: number,
  avgVolume: number,
  spreadBps: number,
  fundingBps: number,
  openLossLongBps: number,
  openLossShortBps: number,
  params: Pick<StrategyParams, "k" | "n" | "maxSpreadBps" | "maxFundingBps">,
): number {
  if (retBps !== retBps || rsVolBps !== rsVolBps || avgVolume !== avgVolume) {
    return NONE_BASE; // warming_up
  }
  const threshold = params.k * rsVolBps;
  const up = retBps > threshold, down = retBps < -threshold;
  if (up === down) return NONE_BASE + 1; // no_momentum
  if (!(volume > params.n * avgVolume)) return NONE_BASE + 2; // no_volume
  if (
    !(spreadBps >= 0) || openLossLongBps !== openLossLongBps ||
    openLossShortBps !== openLossShortBps
  ) return NONE_BASE + 3; // bad_quote
  if (!(spreadBps <= params.maxSpreadBps)) return NONE_BASE + 4; // spread
  const absF = fundingBps < 0 ? -fundingBps : fundingBps;
  if (!(absF <= params.maxFundingBps)) return NONE_BASE + 5; // funding
  const limit = Math.min(10, Math.max(5, 2 * spreadBps));
  if (!((up ? openLossLongBps : openLossShortBps) <= limit)) {
    return NONE_BASE + 6; // open_loss
  }
  return up ? SIGNAL_LONG : SIGNAL_SHORT;
}
