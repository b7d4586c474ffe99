/**
 * The `ALL` ranking of a several-symbol bot-model run: each config's metrics over every
 * symbol, as if the bot traded all of them with one `order_notional` each. USDT amounts
 * and counts are summed (the PnL of the whole book); ratios (win rate, profit factor,
 * averages, sharpes, exposure, drawdown) are the mean over the symbols where they are
 * finite, as `--model vbt`'s `ALL` (`lib/backtest/rank.ts` `aggregateMetrics`), so a
 * symbol without trades cannot put a config on top. Pure.
 *
 * @module
 */
import {
  BOT_METRICS,
  type BotMetricName,
  N_BOT_METRICS,
} from "./simulate_bot.ts";

/** Metrics summed over symbols: USDT amounts and counts. */
export const SUMMED_BOT_METRICS: readonly BotMetricName[] = [
  "net_pnl",
  "gross_pnl",
  "fees",
  "funding",
  "n_trades",
  "n_exit_tp",
  "n_exit_sl",
  "n_exit_trail",
  "n_exit_end",
  "n_refused",
];

const SUMMED = new Uint8Array(N_BOT_METRICS);
for (const m of SUMMED_BOT_METRICS) SUMMED[BOT_METRICS.indexOf(m)] = 1;

/**
 * Aggregates per-symbol metric rows (`configs * N_BOT_METRICS` each) into the `ALL` rows
 * (see the module doc): a summed metric is NaN only when it is NaN on every symbol, a
 * mean one when it is finite nowhere.
 */
export function aggregateBotMetrics(
  rows: readonly Float64Array[],
  configs: number,
): Float64Array {
  const size = configs * N_BOT_METRICS;
  const out = new Float64Array(size);
  const finite = new Uint32Array(size);
  for (const r of rows) {
    if (r.length !== size) {
      throw new RangeError(
        `Cannot aggregate bot metrics: ${r.length} values for ${configs} configs`,
      );
    }
    for (let i = 0; i < size; i++) {
      const v = r[i]!;
      if (Number.isFinite(v)) {
        out[i] = out[i]! + v;
        finite[i] = finite[i]! + 1;
      }
    }
  }
  for (let i = 0; i < size; i++) {
    if (finite[i] === 0) out[i] = NaN;
    else if (SUMMED[i % N_BOT_METRICS] === 0) out[i] = out[i]! / finite[i]!;
  }
  return out;
}
