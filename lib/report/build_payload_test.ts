import assert from "node:assert/strict";
import { writeFixtureOutputs } from "./_fixture.ts";
import { buildReportPayload, lineTimes, roundValue } from "./build_payload.ts";
import { drawdownCurve } from "./downsample.ts";
import { loadBacktestOutputs } from "./load_outputs.ts";
import { AGGREGATE } from "./report_data.ts";

Deno.test("buildReportPayload() embeds curves, markers and heatmap cells from the outputs", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "report-payload-" });
  try {
    const fx = await writeFixtureOutputs(dir, { bars: 3000, top: 2 });
    const data = await loadBacktestOutputs(dir);
    const p = buildReportPayload(data, {
      buckets: 200,
      tableRows: 25,
      generatedMs: 1,
    });
    await t.step("views: the aggregate first, then each symbol", () => {
      assert.deepEqual(p.views.map((v) => v.symbol), [
        AGGREGATE,
        "BTCUSDT",
        "ETHUSDT",
      ]);
      const ranked = fx.configs.filter((_, i) => i % 29 !== 5).length;
      for (const v of p.views) {
        assert.equal(v.rankedRows, ranked);
        assert.equal(v.rows.length, 25);
        assert.deepEqual(
          v.rows.map((r) => r.rank),
          Array.from({ length: 25 }, (_, i) => i + 1),
        );
      }
    });
    await t.step("table rows carry the config's parameters and metrics", () => {
      const v = p.views[1]!;
      const sh = p.metricNames.indexOf("sharpe");
      for (const row of v.rows) {
        assert.equal(
          row.metrics[sh],
          roundValue(fx.sharpe.BTCUSDT![row.config]!),
        );
        p.paramNames.forEach((name, i) => {
          const want = fx.configs[row.config]![name]!;
          assert.equal(row.params[i], Number.isNaN(want) ? null : want);
        });
      }
      const sorted = v.rows.map((r) => r.metrics[sh]!);
      assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
    });
    await t.step("curves are downsampled for display, extremes kept", () => {
      assert.equal(p.curves.length, 4);
      for (const [i, c] of p.curves.entries()) {
        const f = fx.top[i]!;
        assert.equal(c.config, f.config);
        const t = lineTimes(c.equity);
        assert.ok(t.length <= 402 && t.length > 100);
        assert.equal(t.length, c.equity.v.length);
        const all = new Set(Array.from(f.ts, (ms) => ms / 1000));
        assert.ok(t.every((s) => all.has(s)), "times decode to bar times");
        assert.equal(
          Math.max(...c.equity.v.map(Number)),
          roundValue(Math.max(...f.value)),
        );
        const dd = drawdownCurve(f.value);
        assert.equal(
          Math.min(...c.drawdown.v.map(Number)),
          roundValue(Math.min(...dd)),
        );
        assert.equal(t[0], f.ts[0]! / 1000);
        assert.equal(t.at(-1), f.ts.at(-1)! / 1000);
      }
    });
    await t.step(
      "markers: every trade with its entry, exit and exit reason",
      () => {
        for (const [i, c] of p.curves.entries()) {
          const f = fx.top[i]!;
          assert.deepEqual(c.trades.reason, f.reasons);
          assert.deepEqual(
            c.trades.entryT,
            f.entryIdx.map((e) => f.ts[e]! / 1000),
          );
          assert.deepEqual(
            c.trades.exitT,
            f.exitIdx.map((e) => f.ts[e]! / 1000),
          );
          assert.deepEqual(
            c.trades.exitP,
            f.exitIdx.map((e) => roundValue(f.close[e]!)),
          );
          assert.ok(c.trades.dir.every((d) => d === 1 || d === -1));
          assert.equal(c.tradesOmitted, 0);
        }
        const capped = buildReportPayload(data, { maxTrades: 5 });
        assert.equal(capped.curves[0]!.trades.reason.length, 5);
        assert.equal(
          capped.curves[0]!.tradesOmitted,
          fx.top[0]!.reasons.length - 5,
        );
      },
    );
    await t.step("prices: one downsampled close series per symbol", () => {
      assert.deepEqual(Object.keys(p.prices).sort(), ["BTCUSDT", "ETHUSDT"]);
      const btc = p.prices.BTCUSDT!;
      assert.equal(
        Math.max(...btc.v.map(Number)),
        roundValue(Math.max(...fx.top[0]!.close)),
      );
    });
    await t.step("heatmap cells hold the metric of the matching config", () => {
      const v = p.views[1]!; // BTCUSDT
      const best = fx.configs[v.rows[0]!.config]!;
      const kn = v.heatmaps.find((h) => h.x === "k" && h.y === "n")!;
      assert.deepEqual(kn.xs, fx.grid.k);
      const sl = v.heatmaps.find((h) => h.x === "sl_stop")!;
      assert.equal(sl.xs[0], null, "off stops are embedded as null");
      assert.deepEqual(kn.ys, fx.grid.n);
      assert.equal(kn.xs[kn.bestX], best.k);
      assert.equal(kn.ys[kn.bestY], best.n);
      const cells = kn.values.sharpe!;
      let checked = 0;
      kn.ys.forEach((n, yi) =>
        kn.xs.forEach((k, xi) => {
          const c = fx.configs.findIndex((x) =>
            Object.entries(best).every(([name, val]) =>
              name === "k"
                ? x.k === k
                : name === "n"
                ? x.n === n
                : Object.is(x[name], val)
            )
          );
          const want = c % 29 === 5 ? null : fx.sharpe.BTCUSDT![c]!;
          assert.equal(cells[yi * kn.xs.length + xi], want);
          checked++;
        })
      );
      assert.equal(checked, fx.grid.k!.length * fx.grid.n!.length);
      assert.equal(p.heatmapMetrics[0], "sharpe");
      assert.ok(p.heatmapMetrics.includes("total_return"));
    });
    await t.step(
      "loading only the rows a report needs gives the same payload",
      async () => {
        const lean = await loadBacktestOutputs(dir, { keepTop: 25 });
        assert.ok(lean.ranked.rows < data.ranked.rows / 3);
        assert.deepEqual(lean.ranked.scopeRows, data.ranked.scopeRows);
        const q = buildReportPayload(lean, {
          buckets: 200,
          tableRows: 25,
          generatedMs: 1,
        });
        assert.deepEqual(q, p);
      },
    );
    await t.step("the payload is plain JSON (no NaN or Infinity)", () => {
      const text = JSON.stringify(p);
      assert.deepEqual(JSON.parse(text), p);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildReportPayload() shows one view for a single-symbol run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-payload1-" });
  try {
    await writeFixtureOutputs(dir, { symbols: ["SOLUSDT"], bars: 300, top: 1 });
    const p = buildReportPayload(await loadBacktestOutputs(dir));
    assert.deepEqual(p.views.map((v) => v.symbol), ["SOLUSDT"]);
    assert.deepEqual(p.curves.map((c) => c.symbol), ["SOLUSDT"]);
    assert.equal(p.curves[0]!.config, p.views[0]!.rows[0]!.config);
    assert.ok(p.views[0]!.heatmaps.length > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("roundValue() keeps 7 significant digits and drops non-finite values", () => {
  assert.equal(roundValue(1234.56789), 1234.568);
  assert.equal(roundValue(0.000123456789), 0.0001234568);
  assert.equal(roundValue(0), 0);
  assert.equal(roundValue(NaN), null);
  assert.equal(roundValue(-Infinity), null);
});

Deno.test("buildReportPayload() keeps the run's From/To times and grid size exact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-times-" });
  try {
    await writeFixtureOutputs(dir, { bars: 50, top: 1 });
    const data = await loadBacktestOutputs(dir);
    // a real first bar (2025-05-25 10:33 UTC) that 7 significant digits moved by 3 minutes
    const startMs = 1_748_169_180_000, endMs = 1_750_761_060_000;
    const p = buildReportPayload({
      ...data,
      summary: { ...data.summary, startMs, endMs, gridSize: 1_234_567_891 },
    }, { generatedMs: 1 });
    assert.equal(p.summary.startMs, startMs);
    assert.equal(p.summary.endMs, endMs);
    assert.equal(p.summary.gridSize, 1_234_567_891);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
