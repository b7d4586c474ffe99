/**
 * Sharpe-ratio statistics for honest ranking (Bailey & López de Prado): the probabilistic
 * Sharpe ratio (PSR), the expected maximum Sharpe of N null trials, the deflated Sharpe ratio
 * (DSR) and the minimum track record length (MinTRL). Pure functions on the **per-period**
 * (non-annualised) scale: the engine's annualised `sharpe` divided by `sqrt(525600)`.
 * Formulas and test vectors: `shared/research-validation.md` §1, §4, §6.
 *
 * @module
 */
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";

/** Euler–Mascheroni constant. */
export const EULER_GAMMA = 0.5772156649015329;

/** Standard normal CDF `Phi(z)`. */
export function phi(z: number): number {
  return normalCdf(z, 0, 1);
}

/** Standard normal quantile `Z^-1(p)`. */
export function phiInv(p: number): number {
  return normalQuantile(p, 0, 1);
}

/**
 * The PSR variance term `1 - g3*SR + (g4 - 1)/4 * SR^2` (Pearson kurtosis `g4`, normal = 3).
 * Non-negative whenever `g3`, `g4` are biased moment estimators (`g4 >= g3^2 + 1`).
 */
export function sharpeVarianceTerm(
  sr: number,
  skew: number,
  kurt: number,
): number {
  return 1 - skew * sr + (kurt - 1) / 4 * sr * sr;
}

/**
 * Probabilistic Sharpe ratio: `Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - g3 SR + (g4-1)/4 SR^2))`.
 * NaN when an input is not finite, `T < 2`, or the variance term is not positive.
 *
 * @param sr observed per-period Sharpe
 * @param benchmark per-period benchmark `SR*`
 * @param t number of returns
 * @param skew sample skewness (biased)
 * @param kurt Pearson (non-excess) kurtosis (biased)
 */
export function psr(
  sr: number,
  benchmark: number,
  t: number,
  skew: number,
  kurt: number,
): number {
  const z = psrZ(sr, benchmark, t, skew, kurt);
  return z === z ? phi(z) : NaN;
}

/** The z statistic inside {@linkcode psr} (NaN where PSR is undefined). */
export function psrZ(
  sr: number,
  benchmark: number,
  t: number,
  skew: number,
  kurt: number,
): number {
  if (
    !Number.isFinite(sr) || !Number.isFinite(benchmark) ||
    !Number.isFinite(skew) || !Number.isFinite(kurt) || !(t >= 2)
  ) return NaN;
  const v = sharpeVarianceTerm(sr, skew, kurt);
  if (!(v > 0)) return NaN;
  return (sr - benchmark) * Math.sqrt(t - 1) / Math.sqrt(v);
}

/**
 * Expected maximum of N independent standard normal trials (the paper's approximation):
 * `(1 - gamma) Z^-1(1 - 1/N) + gamma Z^-1(1 - 1/(N e))`, with `Z^-1(1 - p)` computed as
 * `-Z^-1(p)`. 0 for N <= 1 (one trial is not a search).
 */
export function expectedMaxZ(n: number): number {
  if (!(n > 1)) return 0;
  return -(1 - EULER_GAMMA) * phiInv(1 / n) -
    EULER_GAMMA * phiInv(1 / (n * Math.E));
}

/**
 * The DSR hurdle `SR0 = sqrt(V) * E[max_N]`: the per-period Sharpe the best of N null trials
 * with cross-sectional Sharpe variance V reaches by luck. 0 for N <= 1; NaN for a bad V.
 */
export function deflatedHurdle(n: number, variance: number): number {
  if (!(n > 1)) return 0;
  if (!(variance >= 0)) return NaN;
  return Math.sqrt(variance) * expectedMaxZ(n);
}

/**
 * Deflated Sharpe ratio: `PSR(SR0)` with `SR0` from {@linkcode deflatedHurdle}.
 *
 * @param sr per-period Sharpe of the config
 * @param t number of its returns
 * @param skew its skewness (biased)
 * @param kurt its Pearson kurtosis (biased)
 * @param n number of trials
 * @param variance sample variance (ddof 1) of the trials' per-period Sharpes
 */
export function dsr(
  sr: number,
  t: number,
  skew: number,
  kurt: number,
  n: number,
  variance: number,
): number {
  return psr(sr, deflatedHurdle(n, variance), t, skew, kurt);
}

/**
 * Minimum track record length: returns needed for `PSR(SR*) >= 1 - alpha`:
 * `1 + (1 - g3 SR + (g4-1)/4 SR^2) (Z^-1(1 - alpha) / (SR - SR*))^2`. NaN when `SR <= SR*`.
 */
export function minTrackRecord(
  sr: number,
  benchmark: number,
  skew: number,
  kurt: number,
  alpha = 0.05,
): number {
  if (!(sr > benchmark)) return NaN;
  const z = -phiInv(alpha) / (sr - benchmark);
  return 1 + sharpeVarianceTerm(sr, skew, kurt) * z * z;
}

/**
 * Annualised standard deviation of a per-bar Sharpe under the null over `t` returns:
 * `sqrt(periodsPerYear / (t - 1))` (3.49 for 30 days of 1m bars).
 */
export function nullSharpeStd(t: number, periodsPerYear: number): number {
  return t >= 2 ? Math.sqrt(periodsPerYear / (t - 1)) : NaN;
}

/**
 * What noise alone gives: the expected best annualised Sharpe of `n` independent null configs
 * over `t` returns, `E[max_n] * sqrt(periodsPerYear / (t - 1))`.
 */
export function noiseBestSharpe(
  n: number,
  t: number,
  periodsPerYear: number,
): number {
  return expectedMaxZ(n) * nullSharpeStd(t, periodsPerYear);
}
