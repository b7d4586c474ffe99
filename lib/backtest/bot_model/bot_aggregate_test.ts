import { equal } from "node:assert/strict";
import { aggregateBotMetrics } from "./bot_aggregate.ts";
import { BOT_METRICS, N_BOT_METRICS } from "./simulate_bot.ts";

const at = (name: string) => BOT_METRICS.indexOf(name as never);

Deno.test("aggregateBotMetrics() sums USDT and counts, averages ratios where finite", () => {
  const a = new Float64Array(2 * N_BOT_METRICS);
  const b = new Float64Array(2 * N_BOT_METRICS);
  a[at("net_pnl")] = 1.5;
  b[at("net_pnl")] = -0.5;
  a[at("n_trades")] = 3;
  b[at("n_trades")] = 4;
  a[at("win_rate")] = 0.5;
  b[at("win_rate")] = 0.25;
  a[at("sharpe")] = 2;
  b[at("sharpe")] = NaN; // no trades on b: left out of the mean
  // config 1: a ratio finite nowhere stays NaN
  a[N_BOT_METRICS + at("profit_factor")] = NaN;
  b[N_BOT_METRICS + at("profit_factor")] = Infinity;
  const all = aggregateBotMetrics([a, b], 2);
  equal(all[at("net_pnl")], 1);
  equal(all[at("n_trades")], 7);
  equal(all[at("win_rate")], 0.375);
  equal(all[at("sharpe")], 2);
  equal(Number.isNaN(all[N_BOT_METRICS + at("profit_factor")]), true);
  equal(all[N_BOT_METRICS + at("net_pnl")], 0);
});
