/**
 * Honest ranking: the deflated Sharpe ratio and friends for every ranked config, the flags
 * that say a Sharpe means little, and PBO by CSCV over the eligible configs — all from the
 * grid run's metric rows, return moments and per-block statistics (no re-simulation), so it
 * works for any engine that fills a `GridResult`. Pure.
 *
 * @module
 */
import {
  type BlockColumns,
  cscv,
  type CscvMetric,
  type CscvResult,
  type CscvSelect,
  deflatedHurdle,
  minTrackRecord,
  N_MOMENTS,
  noiseBestSharpe,
  nullSharpeStd,
  psr,
} from "../research/mod.ts";
import type { GridResult } from "./grid_runner.ts";
import { type MetricLayout, VBT_LAYOUT } from "./metrics.ts";
import { ANN_FACTOR } from "./simulate.ts";
import { jsonNumber } from "./outputs.ts";

/** Bars in one day of 1m data: a Sharpe from fewer bars is flagged `short_sample`. */
export const DAY_BARS = 1440;
/** PBO is refused below this many eligible configs (the logits are too coarse). */
export const MIN_PBO_CONFIGS = 10;

const SQRT_ANN = Math.sqrt(ANN_FACTOR);

/** Flags of a config whose Sharpe means little. */
export type RankFlag = "few_trades" | "short_sample" | "non_finite_sharpe";

/** The DSR hurdle of one ranking and every config's PSR, DSR, MinTRL and flags. */
export interface Deflation {
  /** Eligible configs: finite Sharpe and at least `minTrades` trades. */
  readonly eligible: Int32Array;
  /** `--prior_trials`. */
  readonly priorTrials: number;
  /** N = eligible + prior trials. */
  readonly trials: number;
  /** Sample variance (ddof 1) of the eligible per-bar Sharpes. */
  readonly variance: number;
  /** Per-bar hurdle SR0 = sqrt(V) E[max_N]. */
  readonly hurdle: number;
  /** Bars of the ranking (the longest return series among its configs). */
  readonly bars: number;
  /** Expected best annualised Sharpe of N null configs over `bars` bars. */
  readonly noiseBest: number;
  /** Annualised standard deviation of one null config's Sharpe over `bars` bars. */
  readonly noiseStd: number;
  /** Per config: PSR against 0 (NaN without return moments). */
  readonly psr: Float64Array;
  /** Per config: PSR against the hurdle SR0. */
  readonly dsr: Float64Array;
  /** Per config: bars of track record needed for PSR(SR0) >= 0.95 (NaN when SR <= SR0). */
  readonly minTrl: Float64Array;
  /** Per config: number of finite returns T. */
  readonly t: Float64Array;
  /** Per config: its flags ("" none; several joined by ";"). */
  readonly flags: readonly string[];
}

/** Options of {@linkcode deflateRanking}. */
export interface DeflateOptions {
  /** Minimum trades of an eligible config. */
  readonly minTrades: number;
  /** Grids already run on the same data. @default 0 */
  readonly priorTrials?: number;
  /** Where the rows keep the Sharpe and the trade count. @default VBT_LAYOUT */
  readonly layout?: MetricLayout;
}

/**
 * Computes the hurdle of one ranking and every config's statistics.
 *
 * @param rows the ranking's metric rows (`configs * layout.stride`)
 * @param moments per config `[t, skew, kurt]` (`configs * N_MOMENTS`), or undefined for the
 *   aggregate ranking, whose mean-of-symbols Sharpe has no single return series (PSR/DSR NaN)
 * @param t per config number of returns, used when `moments` is undefined (flags, bars)
 */
export function deflateRanking(
  rows: Float64Array,
  moments: Float64Array | undefined,
  t: Float64Array,
  options: DeflateOptions,
): Deflation {
  const { stride: w, sharpe: S, nTrades: NT } = options.layout ?? VBT_LAYOUT;
  const count = rows.length / w;
  const prior = options.priorTrials ?? 0;
  const eligible: number[] = [];
  let sum = 0, bars = 0;
  for (let c = 0; c < count; c++) {
    const sr = rows[c * w + S]!;
    if (t[c]! > bars) bars = t[c]!;
    if (Number.isFinite(sr) && rows[c * w + NT]! >= options.minTrades) {
      eligible.push(c);
      sum += sr / SQRT_ANN;
    }
  }
  const n = eligible.length;
  let variance = NaN;
  if (n >= 2) {
    const mean = sum / n;
    let ss = 0;
    for (const c of eligible) {
      const d = rows[c * w + S]! / SQRT_ANN - mean;
      ss += d * d;
    }
    variance = ss / (n - 1);
  } else if (n === 1) variance = 0;
  const trials = n + prior;
  const hurdle = deflatedHurdle(trials, variance);
  const psrOut = new Float64Array(count).fill(NaN);
  const dsrOut = new Float64Array(count).fill(NaN);
  const minTrl = new Float64Array(count).fill(NaN);
  const flags: string[] = [];
  for (let c = 0; c < count; c++) {
    const sharpe = rows[c * w + S]!;
    const f: RankFlag[] = [];
    if (rows[c * w + NT]! < options.minTrades) {
      f.push("few_trades");
    }
    if (t[c]! < DAY_BARS) f.push("short_sample");
    if (!Number.isFinite(sharpe)) f.push("non_finite_sharpe");
    flags.push(f.join(";"));
    if (moments === undefined) continue;
    const sr = sharpe / SQRT_ANN;
    const tc = moments[c * N_MOMENTS]!,
      skew = moments[c * N_MOMENTS + 1]!,
      kurt = moments[c * N_MOMENTS + 2]!;
    psrOut[c] = psr(sr, 0, tc, skew, kurt);
    dsrOut[c] = psr(sr, hurdle, tc, skew, kurt);
    if (Number.isFinite(hurdle) && Number.isFinite(skew)) {
      minTrl[c] = minTrackRecord(sr, hurdle, skew, kurt);
    }
  }
  return {
    eligible: Int32Array.from(eligible),
    priorTrials: prior,
    trials,
    variance,
    hurdle,
    bars,
    noiseBest: noiseBestSharpe(trials, bars, ANN_FACTOR),
    noiseStd: nullSharpeStd(bars, ANN_FACTOR),
    psr: psrOut,
    dsr: dsrOut,
    minTrl,
    t,
    flags,
  };
}

/**
 * What the honest ranking reads of a run besides its metric rows: per (symbol, config) the
 * return moments and the per-block `(n, mean, M2)`, laid out as in `GridResult` (both
 * models fill one).
 */
export type StatsSource = Pick<
  GridResult,
  "symbols" | "configs" | "moments" | "blocks" | "blockStats"
>;

/** Per config number of returns of symbol `s` (from the moments). */
export function returnCounts(result: StatsSource, s: number): Float64Array {
  const out = new Float64Array(result.configs);
  const base = s * result.configs;
  for (let c = 0; c < result.configs; c++) {
    out[c] = result.moments[(base + c) * N_MOMENTS]!;
  }
  return out;
}

/** Per config the fewest returns over the symbols (for the aggregate ranking's flags). */
export function minReturnCounts(result: StatsSource): Float64Array {
  const out = new Float64Array(result.configs).fill(Infinity);
  for (let s = 0; s < result.symbols; s++) {
    const t = returnCounts(result, s);
    for (let c = 0; c < result.configs; c++) {
      if (t[c]! < out[c]!) out[c] = t[c]!;
    }
  }
  return out;
}

/** The moments of symbol `s` (a view). */
export function symbolMoments(result: StatsSource, s: number): Float64Array {
  const size = result.configs * N_MOMENTS;
  return result.moments.subarray(s * size, (s + 1) * size);
}

/**
 * The CSCV input of symbol `s` restricted to `configs` (ascending config ids), transposed to
 * block-major columns.
 */
export function blockColumns(
  result: StatsSource,
  s: number,
  configs: Int32Array,
  scale?: (c: number) => number,
): BlockColumns {
  const nb = result.blocks, m = configs.length;
  const n = new Float64Array(nb * m),
    mean = new Float64Array(nb * m),
    m2 = new Float64Array(nb * m);
  for (let j = 0; j < m; j++) {
    const o = (s * result.configs + configs[j]!) * nb * 3;
    const f = scale?.(configs[j]!) ?? 1;
    for (let b = 0; b < nb; b++) {
      n[b * m + j] = result.blockStats[o + 3 * b]!;
      mean[b * m + j] = result.blockStats[o + 3 * b + 1]! * f;
      m2[b * m + j] = result.blockStats[o + 3 * b + 2]! * f * f;
    }
  }
  return { blocks: nb, configs: m, n, mean, m2 };
}

/**
 * How PBO scores a half: per-bar Sharpe (the default, and the only choice for a ranking
 * metric that per-block `(n, mean, M2)` cannot give), or the half's sum of returns times a
 * per-config factor (the bot model's `net_pnl`: returns on `order_notional` times the
 * notional are USDT, and they add up).
 */
export interface PboScore {
  /** The CSCV metric. */
  readonly metric: CscvMetric;
  /** With "sum": the factor of config c's returns. */
  readonly scale?: (c: number) => number;
  /** Shown annualised (Sharpe) or as it is. */
  readonly annualised: boolean;
  /** What `pbo.json` says about the metric. */
  readonly text: string;
}

/** The default {@linkcode PboScore}: per-bar Sharpe. */
export const SHARPE_SCORE: PboScore = {
  metric: "sharpe",
  annualised: true,
  text: "sharpe (per-bar, ddof 1; shown annualised)",
};

/**
 * PBO of one ranking: CSCV over its eligible configs (config-id order, so ties go to the
 * lowest id) scored by `score` (default per-bar Sharpe), on the given symbols (several: the
 * mean of their Sharpes as the aggregate ranking, or the sum of their sums). `selectFor(ids)` gives the selection rule over
 * the eligible ids (default: the in-sample maximum).
 *
 * @throws RangeError without block statistics or below {@linkcode MIN_PBO_CONFIGS} configs
 */
export function pboOfRanking(
  result: StatsSource,
  symbols: readonly number[],
  eligible: Int32Array,
  selectFor?: (ids: Int32Array) => CscvSelect,
  score: PboScore = SHARPE_SCORE,
): CscvResult {
  if (result.blocks === 0) {
    throw new RangeError(
      "Cannot compute PBO: the run kept no block statistics",
    );
  }
  if (eligible.length < MIN_PBO_CONFIGS) {
    throw new RangeError(
      `Cannot compute PBO: ${eligible.length} eligible configs (finite Sharpe, enough trades); CSCV needs at least ${MIN_PBO_CONFIGS}`,
    );
  }
  const ids = Int32Array.from(eligible).sort();
  // CSCV averages the symbols' scores; a sum over several symbols is their mean times
  // their count.
  const k = symbols.length, f = score.scale;
  const cols = symbols.map((s) =>
    blockColumns(result, s, ids, f && ((c) => f(c) * k))
  );
  const r = cscv(cols, {
    metric: score.metric,
    ...(selectFor ? { select: selectFor(ids) } : {}),
  });
  // Report chosen configs by config id, not by position in the eligible list.
  const chosen = r.chosen.map((j) => j < 0 ? -1 : ids[j]!);
  return { ...r, chosen };
}

/**
 * PBO of every ranking scope of a run (a symbol, or "ALL": the mean over all symbols) over its
 * eligible configs. With `explicit` (the user gave S) a scope CSCV cannot serve is an error;
 * otherwise it is skipped and named in `skipped`.
 *
 * @param symbols the run's symbols, in the order of `source`
 * @param select the selection rule over the eligible ids (default: the in-sample maximum)
 * @throws RangeError (with `explicit`) for too few eligible configs or no block statistics
 */
export function pboPerScope(
  source: StatsSource,
  scopes: readonly { readonly scope: string; readonly deflation?: Deflation }[],
  symbols: readonly string[],
  select: ((ids: Int32Array) => CscvSelect) | undefined,
  explicit: boolean,
  score: PboScore = SHARPE_SCORE,
): { pbo: Map<string, CscvResult>; skipped?: string } {
  const pbo = new Map<string, CscvResult>();
  let skipped: string | undefined;
  for (const scope of scopes) {
    const syms = scope.scope === "ALL"
      ? symbols.map((_, i) => i)
      : [symbols.indexOf(scope.scope)];
    try {
      pbo.set(
        scope.scope,
        pboOfRanking(source, syms, scope.deflation!.eligible, select, score),
      );
    } catch (error) {
      if (!(error instanceof RangeError) || explicit) throw error;
      skipped = `${scope.scope}: ${error.message}`;
    }
  }
  return { pbo, ...(skipped !== undefined ? { skipped } : {}) };
}

/** The DSR hurdle of each ranking scope, as `ranked.json` and the manifest show it. */
export function deflationJson(
  scopes: readonly { readonly scope: string; readonly deflation?: Deflation }[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of scopes) {
    const d = s.deflation;
    if (d === undefined) continue;
    out[s.scope] = {
      trials: d.trials,
      eligible: d.eligible.length,
      "prior_trials": d.priorTrials,
      "sharpe_variance_per_bar": jsonNumber(d.variance),
      "hurdle_sharpe": jsonNumber(d.hurdle * Math.sqrt(ANN_FACTOR)),
      bars: d.bars,
      "noise_best_sharpe": jsonNumber(d.noiseBest),
      "noise_sharpe_std": jsonNumber(d.noiseStd),
    };
  }
  return out;
}

/**
 * The vectorbt model's PBO score for `--rank_by`: per-bar Sharpe always. The other ranking
 * metrics cannot be scored from per-block `(n, mean, M2)`: total_return, total_profit and
 * final_value compound (a half needs the product of `1 + r`, not the sum), max_drawdown is a
 * path statistic, and win_rate, profit_factor and avg_trade_return are per-trade; `pbo.json`
 * says so.
 */
export function vbtPboScore(rankBy: string): PboScore {
  return rankBy === "sharpe"
    ? { ...SHARPE_SCORE, text: `${SHARPE_SCORE.text}, the ranking metric` }
    : {
      ...SHARPE_SCORE,
      text:
        `${SHARPE_SCORE.text}; not --rank_by ${rankBy}: a half's compounded return, drawdown or per-trade statistic does not follow from per-block (n, mean, M2) statistics`,
    };
}
