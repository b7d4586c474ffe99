/**
 * The signal parameters of the live strategy and their validation.
 *
 * @module
 */

/**
 * The bot's strategy parameters by their flag names (`deno task live --help`): signal,
 * blockers, exits, cooldown and notional. The bot-model grid's axes and, with `symbols`,
 * the keys a bot config file must carry (`top/*_live.json`).
 */
export const BOT_PARAM_NAMES = [
  "k",
  "n",
  "T",
  "V",
  "max_spread_bps",
  "max_funding_bps",
  "tp_bps",
  "sl_bps",
  "trail_activation_bps",
  "trail_callback_pct",
  "cooldown",
  "order_notional",
] as const;

/** The parameters of {@linkcode evaluateSignal} (names as in the backtest grid). */
export interface StrategyParams {
  /** Return threshold in units of `rs_vol_bps(T)`; `>= 0`. */
  readonly k: number;
  /** Volume threshold in units of `avg_volume(V)`; `>= 0`. */
  readonly n: number;
  /** Volatility window T in 1m bars (positive integer). */
  readonly t: number;
  /** Volume window V in 1m bars (positive integer). */
  readonly v: number;
  /** Blocker: `spread_bps <= maxSpreadBps`. */
  readonly maxSpreadBps: number;
  /** Blocker: `|funding_bps| <= maxFundingBps`. */
  readonly maxFundingBps: number;
}

/**
 * Checks every field of the strategy parameters and returns a frozen copy.
 *
 * @throws {RangeError} when a value is not finite, negative, or a window is not a
 * positive integer
 */
export function checkStrategyParams(p: StrategyParams): StrategyParams {
  for (const key of ["k", "n", "maxSpreadBps", "maxFundingBps"] as const) {
    const x = p[key];
    if (!Number.isFinite(x) || x < 0) {
      throw new RangeError(
        `Cannot use strategy parameter ${key}: ${x} is not a finite number >= 0`,
      );
    }
  }
  for (const key of ["t", "v"] as const) {
    const x = p[key];
    if (!Number.isInteger(x) || x < 1) {
      throw new RangeError(
        `Cannot use strategy parameter ${key}: ${x} is not a positive integer`,
      );
    }
  }
  return Object.freeze({
    k: p.k,
    n: p.n,
    t: p.t,
    v: p.v,
    maxSpreadBps: p.maxSpreadBps,
    maxFundingBps: p.maxFundingBps,
  });
}
