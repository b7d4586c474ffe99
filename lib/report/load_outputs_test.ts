import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFixtureOutputs } from "./_fixture.ts";
import { loadBacktestOutputs, ReportInputError } from "./load_outputs.ts";
import { AGGREGATE } from "./report_data.ts";
import {
  runBacktest,
  syntheticCsvLines,
  writeLinesForTest,
} from "./_engine_test_helpers.ts";

Deno.test("loadBacktestOutputs() reads the engine's files into the model", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "report-load-" });
  try {
    const fx = await writeFixtureOutputs(dir, { bars: 500, top: 2 });
    const data = await loadBacktestOutputs(dir);
    await t.step("the summary comes from the manifest", () => {
      const s = data.summary;
      assert.deepEqual(s.symbols, ["BTCUSDT", "ETHUSDT"]);
      assert.deepEqual(s.bars, { BTCUSDT: 500, ETHUSDT: 500 });
      assert.equal(s.startMs, fx.top[0]!.ts[0]);
      assert.equal(s.endMs, fx.top[0]!.ts[499]);
      assert.equal(s.gridSize, fx.configs.length);
      assert.equal(s.rankBy, "sharpe");
      assert.equal(s.runtimeMs, 4000);
      assert.deepEqual(s.grid.k, fx.grid.k);
      assert.ok(Number.isNaN(s.grid.sl_stop![0]));
      assert.deepEqual(s.grid.sl_trail, [0, 1]);
      assert.equal(s.costs.fees, "0.0004");
      assert.equal(s.extra.blockers, "true");
    });
    await t.step("ranked.csv becomes a columnar table per scope", () => {
      const r = data.ranked;
      assert.deepEqual(r.symbolNames, ["BTCUSDT", "ETHUSDT", AGGREGATE]);
      assert.equal(r.paramNames.length, 12);
      assert.equal(r.metricNames.length, 18);
      const ranked = fx.configs.filter((_, i) => i % 29 !== 5).length;
      assert.equal(r.rows, 3 * ranked);
      const np = r.paramNames.length, nm = r.metricNames.length;
      const sh = r.metricNames.indexOf("sharpe");
      for (const row of [0, 17, ranked + 3]) {
        const c = r.config[row]!;
        const sym: string = r.symbolNames[r.symbol[row]!]!;
        assert.equal(r.metrics[row * nm + sh], fx.sharpe[sym]![c]);
        r.paramNames.forEach((p, i) => {
          assert.ok(Object.is(r.params[row * np + i], fx.configs[c]![p]));
        });
      }
      assert.equal(r.rank[0], 1);
      assert.equal(r.rank[ranked], 1);
      assert.ok(
        r.metrics.some((v) => v === Infinity),
        "inf profit factors are read as Infinity",
      );
    });
    await t.step("top curves and trades are read with times", () => {
      assert.equal(data.curves.length, 4);
      for (const [i, c] of data.curves.entries()) {
        const f = fx.top[i]!;
        assert.equal(c.config, f.config);
        assert.equal(c.symbol, f.symbol);
        assert.deepEqual(c.value, f.value);
        assert.deepEqual(c.ts, f.ts);
        assert.deepEqual(c.trades.map((x) => x.reason), f.reasons);
        assert.deepEqual(
          c.trades.map((x) => x.entryMs),
          f.entryIdx.map((e) => f.ts[e]),
        );
        assert.deepEqual(
          c.trades.map((x) => x.exitPrice),
          f.exitIdx.map((e) => f.close[e]),
        );
      }
      assert.deepEqual(data.prices.get("ETHUSDT")!.close, fx.top[2]!.close);
    });
    await t.step("top limits the curves per symbol", async () => {
      const one = await loadBacktestOutputs(dir, { top: 1 });
      assert.deepEqual(one.curves.map((c) => c.symbol), [
        "BTCUSDT",
        "ETHUSDT",
      ]);
    });
    await t.step("rows out of rank order are refused", async () => {
      const path = join(dir, "ranked.csv");
      const text = await Deno.readTextFile(path);
      const lines = text.split("\n");
      [lines[2], lines[3]] = [lines[3]!, lines[2]!];
      await Deno.writeTextFile(path, lines.join("\n"));
      await assert.rejects(
        () => loadBacktestOutputs(dir),
        (e: unknown) =>
          e instanceof ReportInputError && /rank order/.test(e.message),
      );
      await Deno.writeTextFile(path, text);
    });
    await t.step("a missing equity file is a ReportInputError", async () => {
      const eq = join(
        dir,
        "top",
        "ETHUSDT_rank2_config" + fx.top[3]!.config + "_equity.csv",
      );
      const saved = await Deno.readFile(eq);
      await Deno.remove(eq);
      await assert.rejects(
        () => loadBacktestOutputs(dir),
        (e: unknown) =>
          e instanceof ReportInputError && /_equity\.csv/.test(e.message),
      );
      await Deno.writeFile(eq, saved);
    });
    await t.step(
      "a malformed row is a ReportInputError naming the line",
      async () => {
        const path = join(dir, "ranked.csv");
        const text = await Deno.readTextFile(path);
        const lines = text.split("\n");
        lines[3] = lines[3]!.replace(/,[^,]*$/, ",abc");
        await Deno.writeTextFile(path, lines.join("\n"));
        await assert.rejects(
          () => loadBacktestOutputs(dir),
          (e: unknown) =>
            e instanceof ReportInputError && /line 4/.test(e.message) &&
            /abc/.test(e.message),
        );
      },
    );
    await t.step("a missing ranked.csv is a ReportInputError", async () => {
      await Deno.remove(join(dir, "ranked.csv"));
      await assert.rejects(
        () => loadBacktestOutputs(dir),
        (e: unknown) =>
          e instanceof ReportInputError && /ranked\.csv/.test(e.message),
      );
    });
    await t.step("a missing directory is a ReportInputError", async () => {
      await assert.rejects(
        () => loadBacktestOutputs(join(dir, "nope")),
        (e: unknown) =>
          e instanceof ReportInputError && /manifest\.json/.test(e.message),
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadBacktestOutputs() reads what the real engine writes, aggregate curves included", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-engine-" });
  try {
    const features = join(dir, "features.csv");
    await writeLinesForTest(
      features,
      syntheticCsvLines({ bars: 1500, symbols: ["AAAUSDT", "BBBUSDT"] }),
    );
    const out = join(dir, "out");
    const run = await runBacktest({
      features,
      out,
      grid: {
        k: [1, 2],
        n: [1, 2],
        T: [10, 30],
        V: [10],
        max_spread_bps: [5],
        max_funding_bps: [10],
        sl_stop: [NaN, 0.01],
        tp_stop: [NaN],
        sl_trail: [0],
        fees: [0.0004],
        slippage: [0],
        init_cash: [1000],
      },
      blockers: false,
      workers: 0,
      top: 2,
      onStatus: () => {},
    });
    const data = await loadBacktestOutputs(out);
    assert.deepEqual(data.summary.symbols, ["AAAUSDT", "BBBUSDT"]);
    assert.equal(data.summary.gridSize, run.configs.count);
    const ranked = run.scopes.reduce((a, s) => a + s.order.length, 0);
    assert.equal(data.ranked.rows, ranked);
    assert.equal(data.ranked.paramNames.length, 12);
    const all = run.scopes.find((s) => s.scope === AGGREGATE)!;
    const r0 = [...data.ranked.symbol].indexOf(
      data.ranked.symbolNames.indexOf(AGGREGATE),
    );
    assert.equal(data.ranked.config[r0], all.order[0]);
    const pairs = (curves: readonly { symbol: string; config: number }[]) =>
      curves.map((c) => `${c.symbol}/${c.config}`);
    const symbolTops = run.scopes.filter((s) => s.scope !== AGGREGATE)
      .flatMap((s) => [0, 1].map((r) => `${s.scope}/${s.order[r]}`));
    const allTops = [0, 1].flatMap((r) =>
      ["AAAUSDT", "BBBUSDT"].map((s) => `${s}/${all.order[r]}`)
    );
    assert.deepEqual(
      pairs(data.curves),
      [...new Set([...symbolTops, ...allTops])],
      "each symbol's top 2, then the aggregate top 2 on both symbols, once each",
    );
    assert.ok(
      allTops.some((p) => !symbolTops.includes(p)),
      "some aggregate curves come from top_all only",
    );
    const one = await loadBacktestOutputs(out, { top: 1 });
    assert.deepEqual(pairs(one.curves), [
      ...new Set([
        `AAAUSDT/${run.scopes[0]!.order[0]}`,
        `BBBUSDT/${run.scopes[1]!.order[0]}`,
        `AAAUSDT/${all.order[0]}`,
        `BBBUSDT/${all.order[0]}`,
      ]),
    ]);
    for (const c of data.curves) {
      const f = run.table.symbols.find((s) => s.symbol === c.symbol)!;
      assert.deepEqual(c.ts, f.ts);
      assert.equal(c.value.length, f.bars);
      assert.ok(c.trades.every((x) => x.entryMs >= f.ts[0]!));
    }
    assert.deepEqual(
      data.prices.get("AAAUSDT")!.close,
      run.table.symbols[0]!.close,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
