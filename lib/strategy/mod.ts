/**
 * The live strategy as pure code: per symbol, on each closed 1m bar, indicator 1
 * (momentum against Rogers–Satchell volatility), indicator 2 (volume regime) and the
 * spread, funding and opening-loss blockers, with every value and verdict returned for
 * the decision journal. The formulas are those of `lib/features`.
 *
 * @example
 * ```ts
 * import { checkStrategyParams, SignalWindows } from "./mod.ts";
 * const w = new SignalWindows(checkStrategyParams({ k: 2, n: 2, t: 30, v: 30, maxSpreadBps: 5, maxFundingBps: 10 }));
 * w.seedFromHistory([]);
 * w.evaluate({ bid: 99.99, ask: 100.01, mark: 100, fundingRate: 0 }).side; // "none"
 * ```
 *
 * @module
 */
export { checkStrategyParams, type StrategyParams } from "./params.ts";
export {
  evaluateSignal,
  type NoneReason,
  type SignalDecision,
  type SignalInput,
  type SignalSide,
} from "./evaluate_signal.ts";
export {
  type Bar,
  klineBar,
  type Quote,
  SignalWindows,
} from "./signal_windows.ts";
