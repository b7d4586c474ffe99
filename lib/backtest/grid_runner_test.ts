import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { expandGrid, type GridSpec, N_PARAMS } from "./grid.ts";
import { GridPool, runGrid, writeTopOnPool } from "./grid_runner.ts";
import { type TopJob, writeTopFiles } from "./top_files.ts";
import { signalKeyOf, simParamsOf } from "./grid.ts";
import { M, N_METRICS } from "./metrics.ts";
import { syntheticTable } from "./synthetic_table.ts";

const SPEC: GridSpec = {
  k: [1, 2],
  n: [1, 2],
  T: [10, 30],
  V: [10, 30],
  "max_spread_bps": [3],
  "max_funding_bps": [2],
  "sl_stop": [NaN, 0.005],
  "tp_stop": [0.01],
  "sl_trail": [0, 1],
  fees: [0.0005],
  slippage: [0, 0.0002],
  "init_cash": [100],
};

/** Bit-identical comparison (NaN-safe, unlike deepEqual on Float64Array). */
function sameBits(a: Float64Array, b: Float64Array): void {
  deepEqual(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  );
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

Deno.test("runGrid() gives the same results whatever the workers and order", async (t) => {
  const table = syntheticTable({ bars: 4000, symbols: ["AAA", "BBB"] });
  const configs = expandGrid(SPEC);
  const inline = await runGrid(table, configs, { workers: 0 });

  await t.step("results are plausible (trades happen, rows are filled)", () => {
    equal(inline.metrics.length, 2 * configs.count * N_METRICS);
    equal(inline.barConfigs, 2 * 4000 * configs.count);
    let trades = 0;
    for (let c = 0; c < 2 * configs.count; c++) {
      trades += inline.metrics[c * N_METRICS + M.nTrades]!;
    }
    ok(trades > configs.count * 2 * 5, `only ${trades} trades`);
  });

  await t.step("1 worker and 2 workers equal the calling thread", async () => {
    const one = await runGrid(table, configs, { workers: 1, chunk: 3 });
    const two = await runGrid(table, configs, { workers: 2, chunk: 5 });
    sameBits(one.metrics, inline.metrics);
    sameBits(two.metrics, inline.metrics);
    sameBits(one.moments, inline.moments);
    sameBits(two.moments, inline.moments);
  });

  await t.step(
    "per-block statistics are the same for any worker count",
    async () => {
      const blockOf = table.symbols.map((f) =>
        Int16Array.from(
          { length: f.bars },
          (_, i) => i < 400 ? -1 : (i - 400) % 4,
        )
      );
      const blocks = { count: 4, blockOf };
      const a = await runGrid(table, configs, { workers: 0, blocks });
      const b = await runGrid(table, configs, { workers: 2, chunk: 5, blocks });
      sameBits(a.metrics, inline.metrics);
      equal(a.blocks, 4);
      equal(a.blockStats.length, 2 * configs.count * 4 * 3);
      sameBits(b.blockStats, a.blockStats);
      // Block counts add up to the bars in blocks; T counts every finite return.
      let n = 0;
      for (let b2 = 0; b2 < 4; b2++) {
        n += a.blockStats[b2 * 3]!;
      }
      equal(n, 3600);
      equal(a.moments[0], 4000);
    },
  );

  await t.step(
    "a pool started beforehand serves several runs and stays up",
    async () => {
      using pool = new GridPool(2);
      equal(pool.size, 2);
      const blockOf = table.symbols.map((f) =>
        Int16Array.from({ length: f.bars }, (_, i) => i % 3)
      );
      const blocks = { count: 3, blockOf };
      const a = await runGrid(table, configs, { pool, chunk: 3 });
      const b = await runGrid(table, configs, { pool, workers: 1, blocks });
      const small = syntheticTable({ bars: 1500, seed: 3 });
      const c = await runGrid(small, configs, { pool, chunk: 7 });
      sameBits(a.metrics, inline.metrics);
      sameBits(a.moments, inline.moments);
      sameBits(b.metrics, inline.metrics);
      sameBits(
        b.blockStats,
        (await runGrid(table, configs, { workers: 0, blocks })).blockStats,
      );
      sameBits(
        c.metrics,
        (await runGrid(small, configs, { workers: 0 })).metrics,
      );
      equal(pool.size, 2);
      pool.terminate();
      equal(pool.size, 0);
    },
  );

  await t.step(
    "top files written on the pool equal the calling thread's; a failure rejects after the rest",
    async () => {
      const dir = await Deno.makeTempDir();
      try {
        const job = (s: number, c: number, sub: string): TopJob => ({
          symbol: s,
          key: signalKeyOf(configs, c),
          params: simParamsOf(configs, c),
          trades: `${dir}/${sub}/${s}_${c}_trades.csv`,
          equity: `${dir}/${sub}/${s}_${c}_equity.csv`,
        });
        const picks = [[0, 1], [1, 5], [0, 9], [1, 12], [0, 14]] as const;
        await Deno.mkdir(`${dir}/a`);
        await Deno.mkdir(`${dir}/b`);
        for (const [s, c] of picks) {
          await writeTopFiles(table.symbols, true, job(s, c, "a"));
        }
        using pool = new GridPool(2);
        await writeTopOnPool(
          pool,
          table.symbols,
          true,
          picks.map(([s, c]) => job(s, c, "b")),
        );
        for (const [s, c] of picks) {
          for (const kind of ["trades", "equity"]) {
            const name = `${s}_${c}_${kind}.csv`;
            const a = await Deno.readTextFile(`${dir}/a/${name}`);
            equal(await Deno.readTextFile(`${dir}/b/${name}`), a);
            ok(a.split("\n").length > 2);
          }
        }
        await rejects(
          writeTopOnPool(pool, table.symbols, true, [
            job(0, 1, "c"),
            job(1, 2, "b"),
          ]),
          /No such file|not found/i,
        );
        // It settled only after the other job had written its files whole.
        await writeTopFiles(table.symbols, true, job(1, 2, "a"));
        equal(
          await Deno.readTextFile(`${dir}/b/1_2_equity.csv`),
          await Deno.readTextFile(`${dir}/a/1_2_equity.csv`),
        );
        // The pool still runs grids afterwards.
        sameBits(
          (await runGrid(table, configs, { pool })).metrics,
          inline.metrics,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );

  await t.step("a shuffled grid expands to the same configs", async () => {
    const spec = Object.fromEntries(
      Object.entries(SPEC).map(([k, v], i) => [k, shuffled(v, i + 3)]),
    ) as unknown as GridSpec;
    const again = expandGrid(spec);
    sameBits(again.values, configs.values);
    const two = await runGrid(table, again, { workers: 2 });
    sameBits(two.metrics, inline.metrics);
  });

  await t.step(
    "configs in a shuffled order keep their own results",
    async () => {
      const perm = shuffled(
        Array.from({ length: configs.count }, (_, i) => i),
        42,
      );
      const values = new Float64Array(configs.values.length);
      perm.forEach((src, dst) =>
        values.set(
          configs.values.subarray(src * N_PARAMS, (src + 1) * N_PARAMS),
          dst * N_PARAMS,
        )
      );
      const res = await runGrid(table, { count: configs.count, values }, {
        workers: 2,
        chunk: 4,
      });
      for (let s = 0; s < 2; s++) {
        perm.forEach((src, dst) => {
          const a = (s * configs.count + dst) * N_METRICS;
          const b = (s * configs.count + src) * N_METRICS;
          sameBits(
            res.metrics.subarray(a, a + N_METRICS),
            inline.metrics.subarray(b, b + N_METRICS),
          );
        });
      }
    },
  );
});
