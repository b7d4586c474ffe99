import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { expandGrid } from "./grid.ts";
import { assignShards, parseShard, shardTasks } from "./shard.ts";
import { planTasks, TASK_CHUNK } from "./task.ts";

const GRID = expandGrid({
  k: [1, 2, 3],
  n: [1, 2],
  T: [10, 30],
  V: [10],
  "max_spread_bps": [5],
  "max_funding_bps": [10],
  "sl_stop": [NaN, 0.01],
  "tp_stop": [0.01, 0.02, 0.03],
  "sl_trail": [0, 1],
  fees: [0.0005],
  slippage: [0],
  "init_cash": [100],
});

Deno.test("parseShard() takes i/n with 0 <= i < n", () => {
  deepEqual(parseShard("0/1"), { index: 0, count: 1 });
  deepEqual(parseShard("3/4"), { index: 3, count: 4 });
  for (const bad of ["3/2", "2/2", "0/0", "1.5/2", "a/b", "1", "-1/2", ""]) {
    throws(() => parseShard(bad), SyntaxError, bad);
  }
});

Deno.test("assignShards(): every task once, contiguous, balanced by bar-configs", () => {
  // Symbols of very different lengths: balance must follow bar-configs, not config counts.
  const bars = [100_000, 10_000, 1_000];
  const plan = planTasks(GRID, bars.length, TASK_CHUNK);
  const weight = (k: number) =>
    plan[k]!.configs.length * bars[plan[k]!.symbol]!;
  const total = plan.reduce((a, _, k) => a + weight(k), 0);
  const maxTask = Math.max(...plan.map((_, k) => weight(k)));
  for (const n of [1, 2, 3, 7, 16]) {
    const of = assignShards(plan, bars, n);
    const load = new Array<number>(n).fill(0);
    for (let k = 0; k < plan.length; k++) {
      ok(of[k]! >= 0 && of[k]! < n);
      if (k > 0) ok(of[k]! >= of[k - 1]!, "contiguous, in plan order");
      load[of[k]!] = load[of[k]!]! + weight(k);
    }
    for (const l of load) {
      ok(Math.abs(l - total / n) <= maxTask, `n=${n}: load ${l} of ${total}`);
    }
    deepEqual(assignShards(plan, bars, n), of, "deterministic");
    // The shards' tasks together are the plan, each task once.
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      for (const t of shardTasks(GRID, bars, { index: i, count: n })) {
        for (const c of t.configs) {
          const key = `${t.symbol}/${c}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }
    }
    equal(seen.size, GRID.count * bars.length);
    ok([...seen.values()].every((v) => v === 1));
  }
});
