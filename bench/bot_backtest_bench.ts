/**
 * `deno task bench:backtest --model bot`: the bot model end to end (read the table,
 * prepare the market, signals, simulation, ranking, outputs) on the same synthetic 1m
 * bars as the vectorbt-model benchmark, over a grid of the same shape in the bot's
 * parameters. Prints wall-clock figures and, because a shared machine can starve the
 * process, the figures per second of this process's CPU time too.
 *
 * @module
 */
import process from "node:process";
import { writeLines } from "../lib/backtest/outputs.ts";
import { syntheticCsvLines } from "../lib/backtest/synthetic_table.ts";
import type { BotGridSpec } from "../lib/backtest/bot_model/bot_grid.ts";
import { runBotBacktest } from "../lib/backtest/bot_model/run_bot.ts";
import {
  BOT_METRICS,
  N_BOT_METRICS,
} from "../lib/backtest/bot_model/simulate_bot.ts";

/**
 * k 1..4, n 1..3, T,V in {10,30,60}, 3 TP, 3 SL, trailing off/on: 1,944 configs; 500 USDT
 * per entry (the synthetic BTCUSDT is near 30,000, so the 0.001 step stays within the
 * entry guard's 10 % upsize).
 */
export const BOT_BENCH_GRID: BotGridSpec = {
  k: [1, 2, 3, 4],
  n: [1, 2, 3],
  T: [10, 30, 60],
  V: [10, 30, 60],
  "max_spread_bps": [5],
  "max_funding_bps": [10],
  "tp_bps": [20, 40, 80],
  "sl_bps": [15, 30, 60],
  "trail_activation_bps": [0, 20],
  "trail_callback_pct": [0.5],
  cooldown: [60],
  "order_notional": [500],
};

/** Runs the bot-model benchmark on `bars` bars; returns the printed lines. */
export async function botBench(dir: string, bars: number): Promise<string[]> {
  const features = `${dir}/bot_features_${bars}.csv`;
  await writeLines(features, syntheticCsvLines({ bars, symbols: ["BTCUSDT"] }));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let simCpu = 0;
  const summary = await runBotBacktest({
    features,
    out: `${dir}/bot_out_${bars}`,
    grid: BOT_BENCH_GRID,
    costs: { takerFeeBps: 3.5, exitSlippageBps: 1, intrabar: "stop_first" },
    top: 5,
    onStatus: () => {
      simCpu = cpuSeconds(process.cpuUsage(cpu0));
    },
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  await Deno.remove(features);
  const bc = summary.barConfigs;
  const rows = summary.scopes[0]!.rows;
  let trades = 0, refused = 0;
  for (let c = 0; c < summary.configs.count; c++) {
    trades += rows[c * N_BOT_METRICS + BOT_METRICS.indexOf("n_trades")]!;
    refused += rows[c * N_BOT_METRICS + BOT_METRICS.indexOf("n_refused")]!;
  }
  const simWall = summary.seconds.simulate;
  return [
    `bot model: ${bars} bars x ${summary.configs.count} configs = ${
      bc.toExponential(3)
    } bar-configs (one thread), ${
      (trades / summary.configs.count).toFixed(0)
    } trades and ${
      (refused / summary.configs.count).toFixed(0)
    } refused entries per config`,
    `  simulation ${simWall.toFixed(2)} s wall: ${
      (bc / simWall / 1e6).toFixed(1)
    } M bar-configs/s; end to end ${wall.toFixed(2)} s wall: ${
      (bc / wall / 1e6).toFixed(1)
    } M/s`,
    `  CPU time of this process ${cpu.toFixed(2)} s (${
      (cpu - simCpu).toFixed(2)
    } s after the table was read): ${
      (bc / (cpu - simCpu) / 1e6).toFixed(1)
    } M bar-configs per CPU-second (what an unshared core gives)`,
  ];
}

function cpuSeconds(u: { user: number; system: number }): number {
  return (u.user + u.system) / 1e6;
}
