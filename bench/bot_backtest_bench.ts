/**
 * `deno task bench:backtest --model bot`: the bot model end to end (read the table,
 * prepare the market, signals, simulation, ranking, outputs) on the same synthetic 1m
 * bars as the vectorbt-model benchmark, over a grid of the same shape in the bot's
 * parameters. Prints wall-clock figures and, because a shared machine can starve the
 * process, the figures per second of this process's CPU time too. A second case runs the
 * grid with per-second paths (a `.1s` companion file of 60 seconds per bar).
 *
 * @module
 */
import process from "node:process";
import { writeLines } from "../lib/backtest/outputs.ts";
import {
  syntheticCsvLines,
  syntheticTable,
} from "../lib/backtest/synthetic_table.ts";
import type { SymbolFeatures } from "../lib/backtest/feature_table.ts";
import type { PartStore } from "../lib/features/build_from_logs.ts";
import {
  secondFileOf,
  SecondSeriesWriter,
} from "../lib/features/second_series.ts";
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

/**
 * Runs the bot-model benchmark on `bars` bars with `workers` pool workers (0: the calling
 * thread); returns the printed lines.
 */
export async function botBench(
  dir: string,
  bars: number,
  workers: number,
): Promise<string[]> {
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
    workers,
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
    } bar-configs (${workerText(workers)}), ${
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

function workerText(workers: number): string {
  return workers === 0
    ? "one thread"
    : `${workers} worker${workers === 1 ? "" : "s"}`;
}

function cpuSeconds(u: { user: number; system: number }): number {
  return (u.user + u.system) / 1e6;
}

/**
 * Writes the per-second companion file of a synthetic table through the feature
 * builder's own writer: per bar and symbol 60 kline snapshots walking open → first extreme
 * → second extreme → close (random seconds, rounded to the 0.1 tick), a book one tick
 * around each price and the mark at the price. The symbols' seconds are interleaved in
 * time, as the recorder logs them. Also used by tests (any worker count, shards).
 */
export function writeSyntheticSeconds(
  dir: string,
  features: string,
  symbols: readonly SymbolFeatures[],
): void {
  const part = (id: number) => `${dir}/seconds_part_${id}`;
  const parts: PartStore = {
    create: (id) =>
      Deno.openSync(part(id), { write: true, create: true, truncate: true }),
    open: (id) => Deno.openSync(part(id), { read: true }),
  };
  const w = new SecondSeriesWriter(parts, 10_000);
  let seed = 12345;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const walks = symbols.map(() => ({
    anchorsT: [0, 0, 0, 59],
    anchorsP: [0, 0, 0, 0],
    hi: 0,
    lo: 0,
    seg: 0,
  }));
  const bars = Math.max(...symbols.map((f) => f.bars));
  for (let i = 0; i < bars; i++) {
    for (let s = 0; s < symbols.length; s++) {
      const f = symbols[s]!, k = walks[s]!;
      if (i >= f.bars) continue;
      const o = f.open[i]!, h = f.high[i]!, l = f.low[i]!;
      const a = 1 + Math.floor(rnd() * 57),
        b = a + 1 + Math.floor(rnd() * (58 - a));
      const highFirst = rnd() < 0.5;
      k.anchorsT[1] = a;
      k.anchorsT[2] = b;
      k.anchorsP[0] = o;
      k.anchorsP[1] = highFirst ? h : l;
      k.anchorsP[2] = highFirst ? l : h;
      k.anchorsP[3] = f.close[i]!;
      k.hi = o;
      k.lo = o;
      k.seg = 0;
      w.bar(s, f.ts[i]!);
    }
    for (let sec = 0; sec < 60; sec++) {
      for (let s = 0; s < symbols.length; s++) {
        const f = symbols[s]!, k = walks[s]!;
        if (i >= f.bars) continue;
        const t0 = f.ts[i]!, o = f.open[i]!, h = f.high[i]!, l = f.low[i]!;
        const { anchorsT, anchorsP } = k;
        while (k.seg < 2 && sec > anchorsT[k.seg + 1]!) k.seg++;
        const x0 = anchorsT[k.seg]!, x1 = anchorsT[k.seg + 1]!;
        const p0 = anchorsP[k.seg]!, p1 = anchorsP[k.seg + 1]!;
        const p = Math.min(
          h,
          Math.max(
            l,
            Math.round((p0 + (p1 - p0) * (sec - x0) / (x1 - x0)) * 10) / 10,
          ),
        );
        k.hi = Math.max(k.hi, p);
        k.lo = Math.min(k.lo, p);
        const ts = t0 + sec * 1000 + 100;
        w.kline(ts, s, t0, o, k.hi, k.lo, p, sec + 1);
        w.book(ts, s, p - 0.1, p + 0.1);
        w.mark(ts, s, p);
      }
    }
  }
  const out = Deno.openSync(secondFileOf(features), {
    write: true,
    create: true,
    truncate: true,
  });
  const ids = symbols.map((_, s) => s);
  try {
    w.finish(out, ids, symbols.map((f) => f.symbol), features);
  } finally {
    out.close();
    for (const id of ids) Deno.removeSync(part(id));
  }
}

/**
 * The per-second-paths case: the same grid on `bars` synthetic bars with a companion file
 * of 60 seconds per bar (exits walked on the seconds), on `workers` pool workers; returns
 * the printed lines.
 */
export async function botSecondsBench(
  dir: string,
  bars: number,
  workers: number,
): Promise<string[]> {
  const features = `${dir}/bot_seconds_${bars}.csv`;
  await writeLines(features, syntheticCsvLines({ bars, symbols: ["BTCUSDT"] }));
  const table = syntheticTable({ bars, symbols: ["BTCUSDT"] });
  writeSyntheticSeconds(dir, features, table.symbols);
  const fileMb = Deno.statSync(secondFileOf(features)).size / 2 ** 20;
  const cpu0 = process.cpuUsage();
  const rss0 = Deno.memoryUsage().rss;
  let simCpu = 0;
  const summary = await runBotBacktest({
    features,
    out: `${dir}/bot_seconds_out_${bars}`,
    grid: BOT_BENCH_GRID,
    costs: { takerFeeBps: 3.5, exitSlippageBps: 1, intrabar: "stop_first" },
    top: 5,
    workers,
    onStatus: () => {
      simCpu = cpuSeconds(process.cpuUsage(cpu0));
    },
  });
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  const rss = Deno.memoryUsage().rss;
  await Deno.remove(features);
  await Deno.remove(secondFileOf(features));
  const bc = summary.barConfigs;
  const rows = summary.scopes[0]!.rows;
  let trades = 0;
  for (let c = 0; c < summary.configs.count; c++) {
    trades += rows[c * N_BOT_METRICS + BOT_METRICS.indexOf("n_trades")]!;
  }
  const simWall = summary.seconds.simulate;
  return [
    `bot model, per-second paths: ${bars} bars (${bars * 60} seconds, ${
      fileMb.toFixed(0)
    } MiB .1s file) x ${summary.configs.count} configs = ${
      bc.toExponential(3)
    } bar-configs (${workerText(workers)}), ${
      (trades / summary.configs.count).toFixed(0)
    } trades per config`,
    `  simulation ${simWall.toFixed(2)} s wall: ${
      (bc / simWall / 1e6).toFixed(1)
    } M bar-configs/s; CPU ${
      (cpu - simCpu).toFixed(2)
    } s after the table was read: ${
      (bc / (cpu - simCpu) / 1e6).toFixed(1)
    } M bar-configs per CPU-second; RSS ${(rss / 2 ** 20).toFixed(0)} MiB (${
      ((rss - rss0) / 2 ** 20).toFixed(0)
    } MiB more than before the run)`,
  ];
}
