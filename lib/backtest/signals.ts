/**
 * Entry signals of one signal set (the original `build_signals`), from `lib/strategy`'s rule: a compact per-bar int8 array
 * shared by every config that differs only in stops or costs. Pure.
 *
 * @module
 */
import {
  SIGNAL_LONG,
  SIGNAL_SHORT,
  signalCode,
} from "../strategy/evaluate_signal.ts";
import type { SymbolFeatures } from "./feature_table.ts";

/** The parameters that determine a config's signals. */
export interface SignalKey {
  /** Return threshold in units of `rs_vol_<T>m_bps`. */
  readonly k: number;
  /** Volume threshold in units of `avg_vol_<V>m`. */
  readonly n: number;
  /** Volatility window (minutes). */
  readonly t: number;
  /** Volume window (minutes). */
  readonly v: number;
  /** Blocker: `spread_bps <= maxSpreadBps`. */
  readonly maxSpreadBps: number;
  /** Blocker: `|funding_bps| <= maxFundingBps`. */
  readonly maxFundingBps: number;
}

/**
 * Computes the signal array: 1 long entry, -1 short entry, 0 none. Each bar's decision is
 * `lib/strategy`'s {@linkcode signalCode}, the very rule the live bot runs, over the table's
 * columns (so a crossed book, a missing quote or a stale one, all written as empty or
 * negative spread fields, refuse as live does; a property test in `signals_test.ts` checks
 * it against `evaluateSignal` on random quotes).
 *
 * `blockers: false` (vectorbt model on OHLCV-only tables) passes neutral blocker inputs
 * (spread, funding and opening losses 0), so only the two indicators decide.
 *
 * @param f the symbol's features
 * @param key the signal parameters
 * @param options `blockers: false` skips the blockers; `out` reuses an array
 * @returns the signals
 */
export function buildSignals(
  f: SymbolFeatures,
  key: SignalKey,
  options: { blockers?: boolean; out?: Int8Array } = {},
): Int8Array {
  const n = f.bars;
  const out = options.out ?? new Int8Array(n);
  const rs = f.rsVol.get(key.t);
  const av = f.avgVol.get(key.v);
  if (rs === undefined || av === undefined) {
    throw new RangeError(
      `Cannot build signals: no rs_vol_${key.t}m_bps or avg_vol_${key.v}m column`,
    );
  }
  const ret = f.ret, vol = f.vol;
  if (options.blockers === false) {
    const neutral = { ...key, maxSpreadBps: 0, maxFundingBps: 0 };
    for (let i = 0; i < n; i++) {
      const c = signalCode(
        ret[i]!,
        rs[i]!,
        vol[i]!,
        av[i]!,
        0,
        0,
        0,
        0,
        neutral,
      );
      out[i] = c === SIGNAL_LONG ? 1 : c === SIGNAL_SHORT ? -1 : 0;
    }
    return out;
  }
  const spread = f.spread, funding = f.funding;
  const olL = f.openLossLong, olS = f.openLossShort;
  for (let i = 0; i < n; i++) {
    const c = signalCode(
      ret[i]!,
      rs[i]!,
      vol[i]!,
      av[i]!,
      spread[i]!,
      funding[i]!,
      olL[i]!,
      olS[i]!,
      key,
    );
    out[i] = c === SIGNAL_LONG ? 1 : c === SIGNAL_SHORT ? -1 : 0;
  }
  return out;
}
