import { deepEqual, equal } from "node:assert/strict";
import { aggregateMetrics, rankConfigs } from "./rank.ts";
import { M, N_METRICS } from "./metrics.ts";

function rows(list: { sharpe: number; trades: number; ret?: number }[]) {
  const out = new Float64Array(list.length * N_METRICS);
  list.forEach((r, c) => {
    out[c * N_METRICS + M.sharpe] = r.sharpe;
    out[c * N_METRICS + M.nTrades] = r.trades;
    out[c * N_METRICS + M.totalReturn] = r.ret ?? 0;
  });
  return out;
}

Deno.test("rankConfigs() sorts best first and filters by trades", async (t) => {
  const table = rows([
    { sharpe: 1, trades: 5, ret: 0.3 },
    { sharpe: NaN, trades: 5 },
    { sharpe: Infinity, trades: 0 },
    { sharpe: 2, trades: 5, ret: -0.1 },
    { sharpe: 1, trades: 1, ret: 0.2 },
  ]);
  await t.step("by sharpe, NaN last, ties by config index", () => {
    deepEqual(Array.from(rankConfigs(table)), [3, 0, 4, 1]);
  });
  await t.step("min_trades and another metric", () => {
    deepEqual(
      Array.from(rankConfigs(table, { minTrades: 2, rankBy: "total_return" })),
      [0, 1, 3],
    );
    deepEqual(Array.from(rankConfigs(table, { minTrades: 0 })), [
      2,
      3,
      0,
      4,
      1,
    ]);
  });
});

Deno.test("aggregateMetrics() averages metrics and sums counts", () => {
  const a = rows([{ sharpe: 1, trades: 2, ret: 0.1 }]);
  const b = rows([{ sharpe: 3, trades: 5, ret: 0.3 }]);
  const metrics = new Float64Array(2 * N_METRICS);
  metrics.set(a, 0);
  metrics.set(b, N_METRICS);
  const agg = aggregateMetrics({
    symbols: 2,
    configs: 1,
    metrics,
    barConfigs: 0,
  });
  equal(agg[M.sharpe], 2);
  equal(agg[M.totalReturn], 0.2);
  equal(agg[M.nTrades], 7);
});

Deno.test("aggregateMetrics() leaves out non-finite values of a symbol", () => {
  const a = rows([{ sharpe: Infinity, trades: 0, ret: 0 }]);
  const b = rows([{ sharpe: 3, trades: 5, ret: 0.3 }]);
  const c = rows([{ sharpe: NaN, trades: 0, ret: 0 }]);
  const metrics = new Float64Array(3 * N_METRICS);
  metrics.set(a, 0);
  metrics.set(b, N_METRICS);
  metrics.set(c, 2 * N_METRICS);
  const agg = aggregateMetrics({
    symbols: 3,
    configs: 1,
    metrics,
    barConfigs: 0,
  });
  equal(agg[M.sharpe], 3);
  equal(agg[M.totalReturn], (0 + 0.3 + 0) / 3);
  equal(agg[M.nTrades], 5);
  const none = aggregateMetrics({
    symbols: 1,
    configs: 1,
    metrics: rows([{ sharpe: Infinity, trades: 0, ret: 0 }]),
    barConfigs: 0,
  });
  equal(Number.isNaN(none[M.sharpe]), true);
});
