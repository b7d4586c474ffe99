/**
 * `deno task bench:research`: what honest ranking costs. (1) CSCV alone: PBO over S = 16
 * blocks (12,870 splits) of N configs' per-block statistics; (2) the grid end to end on
 * synthetic 1m bars with `--pbo off` and with `--pbo 16` (per-block statistics gathered
 * during the run, then CSCV), the difference being what PBO adds; (3) optionally a
 * walk-forward against the grid time of its in-sample bars.
 *
 * Flags: `--bars 100000`, `--configs 9720` (the grid below, cut to size), `--workers N`,
 * `--cscv_only` (skip the grid runs), `--walk_forward is=30d,oos=7d` (default: skip),
 * `--model bot` (the bot model's grid of the same shape, on `--workers` too, instead).
 *
 * @module
 */
import { parseFlags, runMain } from "../lib/cli/mod.ts";
import {
  type GridSpec,
  runBacktest,
  syntheticCsvLines,
} from "../lib/backtest/mod.ts";
import { writeLines } from "../lib/backtest/outputs.ts";
import { cscv, parseWalkForward } from "../lib/research/mod.ts";
import { runBotBacktest } from "../lib/backtest/bot_model/run_bot.ts";
import type { BotGridSpec } from "../lib/backtest/bot_model/bot_grid.ts";

/** The signal and blocker axes both models' grids share. */
const SIGNAL_AXES = {
  k: [1, 2, 3, 4, 5],
  n: [1, 2, 3],
  T: [10, 30, 60],
  V: [10, 30, 60],
  "max_spread_bps": [5],
  "max_funding_bps": [10],
};

/** The bot model's grid of the same shape (stops in bp; 500 USDT fits synthetic BTC). */
const BOT_GRID: BotGridSpec = {
  ...SIGNAL_AXES,
  "tp_bps": [20, 40, 60, 80, 120, 160],
  "sl_bps": [20, 30, 40, 60, 80, 120],
  "trail_activation_bps": [0, 20],
  "trail_callback_pct": [0.5],
  cooldown: [60],
  "order_notional": [500],
};

const GRID: GridSpec = {
  ...SIGNAL_AXES,
  "sl_stop": [0.002, 0.003, 0.004, 0.006, 0.008, 0.012],
  "tp_stop": [0.002, 0.004, 0.006, 0.008, 0.012, 0.016],
  "sl_trail": [0, 1],
  fees: [0.0005],
  slippage: [0.0001],
  "init_cash": [100],
};

const enc = new TextEncoder();
function print(text: string): void {
  const bytes = enc.encode(`${text}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

const SPECS = {
  bars: {
    type: "number",
    default: 100_000,
    min: 2000,
    integer: true,
    help: "synthetic 1m bars",
  },
  configs: {
    type: "number",
    default: 9720,
    min: 10,
    integer: true,
    help: "configs (the grid cut to size)",
  },
  workers: {
    type: "number",
    default: navigator.hardwareConcurrency,
    min: 0,
    integer: true,
    help: "worker threads",
  },
  "cscv_only": {
    type: "boolean",
    default: false,
    help: "only time CSCV on random block statistics",
  },
  "walk_forward": {
    type: "string",
    help: "also time a walk-forward, e.g. is=30d,oos=7d",
  },
  model: {
    type: "string",
    default: "vbt",
    choices: ["vbt", "bot"],
    help: "engine of the grid runs: vbt or bot (one thread)",
  },
} as const;

async function main(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, SPECS);
  // (1) CSCV alone on random block statistics.
  const s = 16, n = flags.configs;
  let seed = 12345;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const cols = {
    blocks: s,
    configs: n,
    n: new Float64Array(s * n).fill(6000),
    mean: Float64Array.from({ length: s * n }, () => (rand() - 0.5) * 1e-5),
    m2: Float64Array.from({ length: s * n }, () => 6000 * 1e-6 * (1 + rand())),
  };
  let t0 = performance.now();
  const r = cscv(cols);
  const cscvS = (performance.now() - t0) / 1000;
  print(
    `CSCV: S=${s} (${r.splits} splits) x ${n} configs: ${
      cscvS.toFixed(2)
    } s (PBO of noise ${r.pbo.toFixed(3)})`,
  );
  if (flags.cscv_only) return 0;

  // (2) The grid with and without PBO.
  const dir = await Deno.makeTempDir({ prefix: "research_bench_" });
  try {
    const features = `${dir}/features.csv`;
    await writeLines(
      features,
      syntheticCsvLines({
        bars: flags.bars,
        symbols: [flags.model === "bot" ? "BTCUSDT" : "BENCH"],
      }),
    );
    if (flags.model === "bot") {
      await botRuns(
        features,
        dir,
        flags.configs,
        flags.bars,
        flags.walk_forward,
        flags.workers,
      );
      return 0;
    }
    // Cut the grid to about --configs configs by trimming the stop lists.
    const grid = { ...GRID };
    let size = 1;
    for (const v of Object.values(grid)) size *= v.length;
    while (size > flags.configs && grid.tp_stop.length > 1) {
      size = size / grid.tp_stop.length * (grid.tp_stop.length - 1);
      grid.tp_stop = grid.tp_stop.slice(0, -1);
    }
    const run = async (pbo: number | "off", wf?: string) => {
      t0 = performance.now();
      const sum = await runBacktest({
        features,
        out: `${dir}/out_${pbo}`,
        grid,
        blockers: false,
        workers: flags.workers,
        top: 0,
        pbo,
        ...(wf !== undefined ? { walkForward: parseWalkForward(wf) } : {}),
        onStatus: () => {},
      });
      return { total: (performance.now() - t0) / 1000, sum };
    };
    const off = await run("off");
    const on = await run(16);
    const configs = off.sum.configs.count;
    print(
      `grid ${configs} configs x ${flags.bars} bars, ${flags.workers} workers: --pbo off ${
        off.total.toFixed(2)
      } s (simulate ${off.sum.seconds.simulate.toFixed(2)} s), --pbo 16 ${
        on.total.toFixed(2)
      } s (simulate ${on.sum.seconds.simulate.toFixed(2)} s, rank+PBO ${
        on.sum.seconds.rank.toFixed(2)
      } s): PBO adds ${(on.total - off.total).toFixed(2)} s`,
    );
    if (flags.walk_forward !== undefined) {
      const wf = await run("off", flags.walk_forward);
      const rows = wf.sum.walkForward![0]!.rows;
      const isBars = rows.reduce((a, x) => a + x.isBars, 0);
      const perBar = off.sum.seconds.simulate / flags.bars;
      print(
        `walk-forward ${flags.walk_forward}: ${rows.length} windows, ${isBars} IS bars: ${
          wf.sum.seconds.walkForward.toFixed(2)
        } s vs ${
          (perBar * isBars).toFixed(2)
        } s for a grid over that many bars (${
          ((wf.sum.seconds.walkForward / (perBar * isBars) - 1) * 100).toFixed(
            0,
          )
        } % more)`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return 0;
}

/** (2) and (3) for the bot model: the grid with and without PBO, the walk-forward. */
async function botRuns(
  features: string,
  dir: string,
  maxConfigs: number,
  bars: number,
  walkForward: string | undefined,
  workers: number,
): Promise<void> {
  const grid = { ...BOT_GRID };
  let size = 1;
  for (const v of Object.values(grid)) size *= v.length;
  while (size > maxConfigs && grid.tp_bps.length > 1) {
    size = size / grid.tp_bps.length * (grid.tp_bps.length - 1);
    grid.tp_bps = grid.tp_bps.slice(0, -1);
  }
  const run = async (pbo: number | "off", wf?: string) => {
    const t0 = performance.now();
    const sum = await runBotBacktest({
      features,
      out: `${dir}/bot_${pbo}`,
      grid,
      costs: { takerFeeBps: 3.5, exitSlippageBps: 1, intrabar: "stop_first" },
      top: 0,
      pbo,
      workers,
      ...(wf !== undefined ? { walkForward: parseWalkForward(wf) } : {}),
    });
    return { total: (performance.now() - t0) / 1000, sum };
  };
  const off = await run("off");
  const on = await run(16);
  print(
    `bot grid ${off.sum.configs.count} configs x ${bars} bars, ${
      workers === 0 ? "one thread" : `${workers} workers`
    }: --pbo off ${off.total.toFixed(2)} s (simulate ${
      off.sum.seconds.simulate.toFixed(2)
    } s), --pbo 16 ${on.total.toFixed(2)} s (simulate ${
      on.sum.seconds.simulate.toFixed(2)
    } s, rank+PBO ${on.sum.seconds.rank.toFixed(2)} s): PBO adds ${
      (on.total - off.total).toFixed(2)
    } s`,
  );
  if (walkForward !== undefined) {
    const wf = await run("off", walkForward);
    const rows = wf.sum.walkForward![0]!.rows;
    const isBars = rows.reduce((a, x) => a + x.isBars, 0);
    const perBar = off.sum.seconds.simulate / bars;
    print(
      `bot walk-forward ${walkForward}: ${rows.length} windows, ${isBars} IS bars: ${
        wf.sum.seconds.walkForward.toFixed(2)
      } s vs ${
        (perBar * isBars).toFixed(2)
      } s for a grid over that many bars (${
        ((wf.sum.seconds.walkForward / (perBar * isBars) - 1) * 100).toFixed(0)
      } % more)`,
    );
  }
}

if (import.meta.main) await runMain(() => main(Deno.args));
