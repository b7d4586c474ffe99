import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { writeLines } from "../outputs.ts";
import { syntheticCsvLines, syntheticTable } from "../synthetic_table.ts";
import { GridPool, taskPicker } from "../grid_runner.ts";
import type { BotGridSpec } from "./bot_grid.ts";
import { expandBotGrid } from "./bot_grid.ts";
import { type BotBacktestOptions, runBotBacktest } from "./run_bot.ts";
import { planBotTasks, runBotGrid, simulateBotGrid } from "./bot_grid_run.ts";
import { marketBuilder } from "./bot_rules.ts";
import { DEFAULT_ENTRY_LIMITS } from "../../order/entry_guard.ts";
import { parseWalkForward } from "../../research/mod.ts";
import { writeSyntheticSeconds } from "../../../bench/bot_backtest_bench.ts";

// synthetic BTCUSDT is near 30,000 and ETHUSDT's filters take the same 500 USDT
const GRID: Partial<BotGridSpec> = {
  k: [1, 2, 3],
  n: [1, 2],
  T: [10, 30],
  V: [10],
  "max_spread_bps": [50],
  "tp_bps": [20, 40, 80],
  "sl_bps": [25, 50],
  "trail_activation_bps": [0, 20],
  "order_notional": [500],
};
const COSTS = {
  takerFeeBps: 3.5,
  exitSlippageBps: 1,
  intrabar: "stop_first",
} as const;

/** Every file under `dir` (relative paths, sorted) with its text. */
async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (sub: string) => {
    for await (const e of Deno.readDir(join(dir, sub))) {
      const rel = sub === "" ? e.name : `${sub}/${e.name}`;
      if (e.isDirectory) await walk(rel);
      else out.set(rel, await Deno.readTextFile(join(dir, rel)));
    }
  };
  await walk("");
  return new Map([...out].sort(([a], [b]) => a < b ? -1 : 1));
}

/** The outputs of runs with each worker count: byte-identical (the manifest but timings). */
async function sameForAnyWorkers(
  dir: string,
  options: Omit<BotBacktestOptions, "out" | "workers">,
  counts: readonly number[],
  expectFiles: readonly string[],
): Promise<void> {
  let reference: Map<string, string> | undefined;
  for (const workers of counts) {
    const out = join(dir, `w${workers}`);
    await runBotBacktest({ ...options, out, workers });
    const got = await files(out);
    for (const name of expectFiles) {
      ok(got.has(name), `workers ${workers}: no ${name}`);
    }
    const manifest = JSON.parse(got.get("manifest.json")!);
    delete manifest.runtime_s;
    delete manifest.bar_configs_per_s;
    got.set("manifest.json", JSON.stringify(manifest));
    if (reference === undefined) {
      reference = got;
      continue;
    }
    deepEqual([...got.keys()], [...reference.keys()], `workers ${workers}`);
    for (const [name, text] of reference) {
      ok(
        got.get(name) === text,
        `workers ${workers}: ${name} differs from the one-thread run`,
      );
    }
  }
}

Deno.test("bot model: 1 thread and any number of workers write byte-identical outputs (grid, PBO, walk-forward, top/)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bot-pool-" });
  try {
    const features = join(dir, "features.csv");
    // 6 days of 1m bars, two symbols: PBO with S=4, walk-forward, ALL ranking
    await writeLines(
      features,
      syntheticCsvLines({ bars: 6 * 1440, symbols: ["BTCUSDT", "ETHUSDT"] }),
    );
    await sameForAnyWorkers(
      dir,
      {
        features,
        grid: GRID,
        costs: COSTS,
        top: 3,
        pbo: 4,
        rankRule: "plateau",
        walkForward: parseWalkForward("is=2d,oos=1d"),
      },
      [0, 1, 2, 3],
      [
        "ranked.csv",
        "ranked.json",
        "pbo.json",
        "walk_forward.json",
        "walk_forward.csv",
        "walk_forward_equity.csv",
        "manifest.json",
      ],
    );
    const top = [...(await files(join(dir, "w2"))).keys()].filter((f) =>
      f.startsWith("top/")
    );
    ok(top.some((f) => f.endsWith("_trades.csv")));
    ok(top.some((f) => f.startsWith("top/ALL_") && f.endsWith("_live.json")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bot model with per-second paths (.1s): any number of workers writes byte-identical outputs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bot-pool-1s-" });
  try {
    const features = join(dir, "features.csv");
    const opts = { bars: 1440, symbols: ["BTCUSDT", "ETHUSDT"] };
    await writeLines(features, syntheticCsvLines(opts));
    writeSyntheticSeconds(dir, features, syntheticTable(opts).symbols);
    await sameForAnyWorkers(
      dir,
      {
        features,
        grid: GRID,
        costs: COSTS,
        top: 2,
        walkForward: parseWalkForward("is=8h,oos=4h"),
      },
      [0, 2, 3],
      ["ranked.csv", "ranked.json", "walk_forward.json", "manifest.json"],
    );
    const manifest = JSON.parse(
      await Deno.readTextFile(join(dir, "w2", "manifest.json")),
    );
    equal(manifest.costs.intrabar, "seconds");
    // exits on the seconds do differ from exits on the 1m bars (the file is really used)
    await runBotBacktest({
      features,
      out: join(dir, "bars"),
      grid: GRID,
      costs: COSTS,
      top: 2,
      seconds: false,
      workers: 2,
    });
    ok(
      await Deno.readTextFile(join(dir, "bars", "ranked.csv")) !==
        await Deno.readTextFile(join(dir, "w2", "ranked.csv")),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBotGrid() on a pool equals simulateBotGrid() on the calling thread, for a shard's tasks too; a pool stays up across grids", async () => {
  const table = syntheticTable({
    bars: 3 * 1440,
    symbols: ["BTCUSDT", "ETHUSDT"],
  });
  const configs = expandBotGrid({
    k: [1, 2],
    n: [1, 2],
    T: [10, 30],
    V: [10],
    "max_spread_bps": [50],
    "max_funding_bps": [10],
    "tp_bps": [20, 40],
    "sl_bps": [25],
    "trail_activation_bps": [0, 20],
    "trail_callback_pct": [0.5],
    cooldown: [60],
    "order_notional": [500],
  });
  const recipe = { limits: DEFAULT_ENTRY_LIMITS };
  const names = table.symbols.map((f) => f.symbol);
  const markets = () => table.symbols.map(marketBuilder(recipe, names));
  const blocks = {
    count: 3,
    blockOf: table.symbols.map((f) =>
      Int16Array.from({ length: f.bars }, (_, i) => Math.floor(i / 1440))
    ),
  };
  using pool = new GridPool(2, "bot");
  const input = { symbols: table.symbols, recipe };
  const one = simulateBotGrid(markets(), configs, COSTS, blocks);
  const many = await runBotGrid(input, configs, COSTS, { blocks, pool });
  deepEqual(many, one);
  ok(one.rows[0]!.some((x) => x !== 0));
  // a subset of the tasks (a shard): the same rows for them, the rest 0
  const tasks = planBotTasks(configs, 2).filter((_, i) => i % 3 === 1);
  const shardOne = simulateBotGrid(
    markets(),
    configs,
    COSTS,
    undefined,
    undefined,
    tasks,
  );
  const shardMany = await runBotGrid(input, configs, COSTS, { pool, tasks });
  deepEqual(shardMany, shardOne);
  ok(shardOne.barConfigs < one.barConfigs);
  // a pool of the vectorbt engine is refused
  using vbt = new GridPool(1);
  await rejects(
    () => runBotGrid(input, configs, COSTS, { pool: vbt }),
    /another engine/,
  );
});

Deno.test("taskPicker(): plan order; with an affinity each worker takes its own group's tasks first, then the first not sent, each task once", () => {
  const plan = [0, 0, 0, 1, 1, 2];
  const plain = taskPicker(plan);
  deepEqual([0, 1, 0, 1].map((w) => plain(w)), [0, 1, 2, 3]);
  const next = taskPicker(plan, (g) => g);
  // worker 0 owns group 0, worker 1 group 1; group 2 is taken from the front when one runs out
  const order = [0, 1, 1, 1, 0, 0].map((w) => next(w));
  deepEqual(order, [0, 3, 4, 1, 2, 5]);
  deepEqual([...order].sort(), [0, 1, 2, 3, 4, 5]);
  const three = taskPicker(plan, (g) => g);
  deepEqual([2, 1, 0, 2, 2].map((w) => three(w)), [5, 3, 0, 1, 2]);
});
