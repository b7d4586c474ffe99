import assert from "node:assert/strict";
import { buildHeatmaps } from "./heatmap.ts";
import type { RankedTable } from "./report_data.ts";

/** k × n × sl grid; metric = k * 10 + n (+ 100 when sl is on). */
function table(skip: (k: number, n: number, sl: number) => boolean) {
  const params: number[] = [], metrics: number[] = [], config: number[] = [];
  let id = 0;
  for (const k of [1, 2, 3]) {
    for (const n of [5, 10]) {
      for (const sl of [NaN, 0.01]) {
        id++;
        if (skip(k, n, sl)) continue;
        params.push(k, n, sl, 7);
        metrics.push(k * 10 + n + (sl === sl ? 100 : 0), -k);
        config.push(id);
      }
    }
  }
  const rows = config.length;
  const t: RankedTable = {
    rows,
    paramNames: ["k", "n", "sl_stop", "fees"],
    metricNames: ["sharpe", "max_drawdown"],
    symbolNames: ["X"],
    scopeRows: [rows],
    symbol: new Int32Array(rows),
    config: Int32Array.from(config),
    rank: Int32Array.from({ length: rows }, (_, i) => i + 1),
    params: Float64Array.from(params),
    metrics: Float64Array.from(metrics),
  };
  return t;
}

Deno.test("buildHeatmaps() holds other parameters at the best config", async (t) => {
  const tab = table((k, n, sl) => k === 3 && n === 10 && sl !== sl);
  const all = Int32Array.from({ length: tab.rows }, (_, i) => i);
  const best = [...tab.config].indexOf(4); // k=1, n=10, sl=0.01
  const maps = buildHeatmaps(tab, all, best, {
    metrics: ["sharpe", "max_drawdown", "unknown"],
  });
  await t.step("only varying parameters pair up, preferred pair first", () => {
    assert.deepEqual(maps.map((m) => `${m.x}x${m.y}`), [
      "kxn",
      "kxsl_stop",
      "nxsl_stop",
    ]);
  });
  await t.step("k × n cells come from rows with sl = 0.01", () => {
    const m = maps[0]!;
    assert.deepEqual(m.xs, [1, 2, 3]);
    assert.deepEqual(m.ys, [5, 10]);
    assert.deepEqual(m.values.sharpe, [115, 125, 135, 120, 130, 140]);
    assert.deepEqual(m.values.max_drawdown, [-1, -2, -3, -1, -2, -3]);
    assert.equal(m.values.unknown, undefined);
    assert.equal(m.bestX, 0);
    assert.equal(m.bestY, 1);
  });
  await t.step("NaN (off) sorts first; a missing config is null", () => {
    const m = maps[1]!; // k × sl_stop at n = 10
    assert.ok(Number.isNaN(m.ys[0]));
    assert.equal(m.ys[1], 0.01);
    assert.deepEqual(m.values.sharpe, [20, 30, null, 120, 130, 140]);
  });
  await t.step("maxPairs limits the pairs", () => {
    assert.equal(buildHeatmaps(tab, all, best, { maxPairs: 1 }).length, 1);
  });
  await t.step("rows of other symbols are not used", () => {
    const some = Int32Array.from([best]);
    const maps1 = buildHeatmaps(tab, some, best);
    assert.equal(maps1.length, 0);
  });
});
