/**
 * Entry signals of one signal set (the original `build_signals`): a compact per-bar int8 array
 * shared by every config that differs only in stops or costs. Pure.
 *
 * @module
 */
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
 * Computes the signal array: 1 long entry, -1 short entry, 0 none (a bar with both is 0,
 * vectorbt's `upon_dir_conflict='ignore'`).
 *
 * Long: `ret_bps > k * rs_vol_T` and `vol1m > n * avg_vol_V` and the blockers pass; short:
 * `ret_bps < -k * rs_vol_T`, same volume rule and blockers. Blockers: `spread_bps <=
 * max_spread_bps`, `|funding_bps| <= max_funding_bps`, and the side's opening loss `<=
 * min(10, max(5, 2 * spread_bps))`. Any comparison with an empty (NaN) value is false.
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
  const k = key.k, nv = key.n;
  if (options.blockers === false) {
    for (let i = 0; i < n; i++) {
      const r = ret[i]!;
      const th = k * rs[i]!;
      const volOk = vol[i]! > nv * av[i]!;
      const long = volOk && r > th;
      const short = volOk && r < -th;
      out[i] = long === short ? 0 : long ? 1 : -1;
    }
    return out;
  }
  const spread = f.spread, funding = f.funding;
  const olL = f.openLossLong, olS = f.openLossShort;
  const maxS = key.maxSpreadBps, maxF = key.maxFundingBps;
  for (let i = 0; i < n; i++) {
    const r = ret[i]!;
    const th = k * rs[i]!;
    const sp = spread[i]!;
    const fu = funding[i]!;
    const common = vol[i]! > nv * av[i]! && sp <= maxS &&
      (fu < 0 ? -fu : fu) <= maxF;
    if (!common) {
      out[i] = 0;
      continue;
    }
    const lim = Math.min(10, Math.max(5, 2 * sp));
    const long = r > th && olL[i]! <= lim;
    const short = r < -th && olS[i]! <= lim;
    out[i] = long === short ? 0 : long ? 1 : -1;
  }
  return out;
}
