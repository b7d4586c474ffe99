/**
 * `deno task bench:backtest`: the grid backtest end to end (read the feature table, signals,
 * simulation, metrics, ranking, outputs) on synthetic 1m bars with dense signals, and the
 * peak RSS of a 1M-bar run.
 *
 * Flags: `--bars 100000` (speed run), `--big_bars 1000000` (RSS run; 0 = skip),
 * `--workers N` (default: all cores), `--model bot` (the bot model instead, with a
 * per-second-paths case of `--seconds_bars 20000` bars;
 * `bot_backtest_bench.ts`), `--grid dense`: instead, the reference grid of issue 16
 * (1,000 configs, 100 signal sets, ~7,000 trades on the densest config) run as the user runs
 * it, `deno task backtest` in a fresh process, timed end to end from the CSV, best of `--runs`.
 *
 * @module
 */
import { parseFlags, runMain } from "../lib/cli/mod.ts";
import {
  buildSignals,
  expandGrid,
  type GridSpec,
  runBacktest,
  signalGroups,
  signalKeyOf,
  syntheticCsvLines,
} from "../lib/backtest/mod.ts";
import { writeLines } from "../lib/backtest/outputs.ts";
import { botBench, botSecondsBench } from "./bot_backtest_bench.ts";

const GRID: GridSpec = {
  k: [1, 2, 3, 4],
  n: [1, 2, 3],
  T: [10, 30, 60],
  V: [10, 30, 60],
  "max_spread_bps": [5],
  "max_funding_bps": [10],
  "sl_stop": [0.003, 0.006, 0.012],
  "tp_stop": [0.004, 0.008, 0.016],
  "sl_trail": [0, 1],
  fees: [0.0005],
  slippage: [0.0001],
  "init_cash": [100],
};

/** The reference dense grid: 5 k x 5 n x 2 T x 2 V = 100 signal sets, 2 SL x 5 TP each. */
const DENSE_FLAGS = [
  "--k",
  "1,1.5,2,2.5,3",
  "--n",
  "1,1.25,1.5,2,2.5",
  "--T",
  "10,60",
  "--V",
  "10,30",
  "--sl_stop",
  "0.003,0.006",
  "--tp_stop",
  "0.004,0.006,0.008,0.012,0.016",
  "--sl_trail",
  "false",
  "--fees",
  "0.0005",
  "--slippage",
  "0.0002",
  "--blockers",
  "off",
];

const enc = new TextEncoder();
function print(text: string): void {
  const bytes = enc.encode(`${text}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** Samples the process RSS (main thread and workers) every 20 ms and keeps the peak. */
class PeakRss {
  #peak = 0;
  #timer: ReturnType<typeof setInterval>;
  constructor() {
    this.#timer = setInterval(() => this.sample(), 20);
  }
  sample(): number {
    this.#peak = Math.max(this.#peak, Deno.memoryUsage().rss);
    return this.#peak;
  }
  reset(): void {
    this.#peak = 0;
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

async function runOnce(dir: string, bars: number, workers: number) {
  const features = `${dir}/features_${bars}.csv`;
  const t0 = performance.now();
  await writeLines(features, syntheticCsvLines({ bars, symbols: ["SYNUSDT"] }));
  const genS = (performance.now() - t0) / 1000;
  const summary = await runBacktest({
    features,
    out: `${dir}/out_${bars}`,
    grid: GRID,
    workers,
    top: 5,
    onStatus: () => {},
  });
  await Deno.remove(features);
  return { genS, summary };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args, {
    bars: {
      type: "number",
      default: 100_000,
      integer: true,
      min: 100,
      help: "bars of the speed run",
    },
    "big_bars": {
      type: "number",
      default: 1_000_000,
      integer: true,
      min: 0,
      help: "bars of the RSS run (0 = skip)",
    },
    workers: {
      type: "number",
      default: navigator.hardwareConcurrency,
      integer: true,
      min: 0,
      help: "worker threads",
    },
    "seconds_bars": {
      type: "number",
      default: 20_000,
      integer: true,
      min: 0,
      help:
        "with --model bot: bars of the per-second-paths case (60 seconds each; 0 = skip)",
    },
    model: {
      type: "string",
      default: "vbt",
      choices: ["vbt", "bot"],
      help: "engine: vbt (vectorbt-exact) or bot (the bot model)",
    },
    grid: {
      type: "string",
      default: "default",
      choices: ["default", "dense"],
      help:
        "default: the in-process speed and RSS runs; dense: the reference grid end to end",
    },
    runs: {
      type: "number",
      default: 3,
      integer: true,
      min: 1,
      help: "with --grid dense: runs (the best is reported)",
    },
  });
  if (flags.grid === "dense") {
    return await denseRun(flags.bars, flags.workers, flags.runs);
  }
  const dir = await Deno.makeTempDir({ prefix: "backtest_bench_" });
  if (flags.model === "bot") {
    try {
      for (const line of await botBench(dir, flags.bars, flags.workers)) {
        print(line);
      }
      if (flags.seconds_bars > 0) {
        for (
          const line of await botSecondsBench(
            dir,
            flags.seconds_bars,
            flags.workers,
          )
        ) {
          print(line);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    return 0;
  }
  const rss = new PeakRss();
  try {
    const configs = expandGrid(GRID);
    print(
      `grid: ${configs.count} configs (k 1..4, n 1..3, T,V in {10,30,60}, 3 SL, 3 TP, trail on/off), workers ${flags.workers}`,
    );
    const { genS, summary } = await runOnce(dir, flags.bars, flags.workers);
    const s = summary.seconds;
    const bc = summary.result.barConfigs;
    // Signal density: entry signals per config (one signal set per group of configs).
    const f = summary.table.symbols[0]!;
    let signals = 0;
    for (const group of signalGroups(configs)) {
      const sig = buildSignals(f, signalKeyOf(configs, group[0]!));
      let count = 0;
      for (let i = 0; i < sig.length; i++) if (sig[i] !== 0) count++;
      signals += count * group.length;
    }
    print(
      `speed run: ${flags.bars} bars x ${configs.count} configs = ${
        bc.toExponential(3)
      } bar-configs, ${
        (signals / configs.count).toFixed(0)
      } entry signals per config`,
    );
    print(
      `  end to end ${s.total.toFixed(2)} s: read table ${
        s.read.toFixed(2)
      } s, signals+simulation+metrics ${
        s.simulate.toFixed(2)
      } s, rank+outputs ${s.write.toFixed(2)} s (synthetic CSV written in ${
        genS.toFixed(2)
      } s before, not counted)`,
    );
    print(
      `  ${(bc / s.total / 1e6).toFixed(1)} M bar-configs/s end to end; ${
        (bc / s.simulate / 1e6).toFixed(1)
      } M/s signals+simulation+metrics alone`,
    );
    print(`  peak RSS ${mb(rss.sample())}`);
    if (flags.big_bars > 0) {
      rss.reset();
      const big = await runOnce(dir, flags.big_bars, flags.workers);
      const b = big.summary.seconds;
      const bbc = big.summary.result.barConfigs;
      print(
        `RSS run: ${flags.big_bars} bars x ${configs.count} configs = ${
          bbc.toExponential(3)
        } bar-configs, end to end ${b.total.toFixed(2)} s (read ${
          b.read.toFixed(2)
        } s, simulate ${b.simulate.toFixed(2)} s, outputs ${
          b.write.toFixed(2)
        } s), ${(bbc / b.total / 1e6).toFixed(1)} M bar-configs/s`,
      );
      print(
        `  peak RSS ${
          mb(rss.sample())
        } (whole process, workers included; sampled every 20 ms)`,
      );
    }
  } finally {
    rss.stop();
    await Deno.remove(dir, { recursive: true });
  }
  return 0;
}

/**
 * The reference grid as a user runs it: `deno task backtest` in a fresh process (start-up,
 * read, signals, simulation, metrics, ranking, outputs), timed from spawn to exit.
 */
async function denseRun(
  bars: number,
  workers: number,
  runs: number,
): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "backtest_dense_" });
  try {
    const features = `${dir}/features.csv`;
    await writeLines(
      features,
      syntheticCsvLines({ bars, symbols: ["SYNUSDT"] }),
    );
    const script = new URL("../backtest/backtest.ts", import.meta.url);
    print(
      `dense grid: ${bars} bars x 1000 configs (k 1..3 by 0.5, n 1..2.5, T 10,60, V 10,30, sl 0.003,0.006, tp 0.004..0.016, no trailing, fees 0.0005, slippage 0.0002, blockers off), workers ${workers}`,
    );
    let best: { wall: number; manifest: Record<string, unknown> } | undefined;
    for (let r = 0; r < runs; r++) {
      const out = `${dir}/out${r}`;
      const t0 = performance.now();
      const child = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--frozen",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          script.pathname,
          "--features",
          features,
          "--out",
          out,
          "--workers",
          String(workers),
          "--quiet",
          ...DENSE_FLAGS,
        ],
        stdout: "null",
        stderr: "inherit",
      }).output();
      const wall = (performance.now() - t0) / 1000;
      if (!child.success) {
        throw new Error(`backtest failed with exit code ${child.code}`);
      }
      const manifest = JSON.parse(
        await Deno.readTextFile(`${out}/manifest.json`),
      ) as Record<string, unknown>;
      const sec = manifest["runtime_s"] as Record<string, number>;
      const bc = manifest["bar_configs"] as number;
      print(
        `  run ${r + 1}: end to end ${wall.toFixed(2)} s (in process ${
          sec.total!.toFixed(2)
        } s: read ${sec.read!.toFixed(2)} s, signals+simulation+metrics ${
          sec.simulate!.toFixed(2)
        } s = ${
          (bc / sec.simulate! / 1e6).toFixed(1)
        } M bar-configs/s, rank+outputs ${
          ((sec.rank ?? 0) + (sec.walkForward ?? 0) + sec.write!).toFixed(2)
        } s)`,
      );
      if (best === undefined || wall < best.wall) best = { wall, manifest };
    }
    const sec = best!.manifest["runtime_s"] as Record<string, number>;
    const bc = best!.manifest["bar_configs"] as number;
    print(
      `  best of ${runs}: ${best!.wall.toFixed(2)} s end to end, ${
        (bc / best!.wall / 1e6).toFixed(1)
      } M bar-configs/s; simulation ${
        (bc / sec.simulate! / 1e6).toFixed(1)
      } M bar-configs/s`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return 0;
}

if (import.meta.main) await runMain(main);
