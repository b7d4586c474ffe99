/**
 * The real-browser test: builds a report, opens it from a file:// URL in Debian's headless
 * Chromium (driven by playwright-core in a child process, see `_browser_check.ts`) and checks
 * that every chart rendered, nothing logged an error, and clicking a config shows its charts.
 *
 * Environment (optional):
 * - `REPORT_SCREENSHOT=docs/report.png` also writes the screenshot there (the README's image);
 * - `REPORT_BROWSER_IN=DIR` reports on a real backtest output directory instead of the fixture.
 *
 * The README's `docs/report.png` was made this way, from the real BTC/ETH 1m data:
 *
 * ```sh
 * R=../shared/data/real/binance_um
 * for s in BTC ETH; do deno task build-features --ohlcv $R/klines_1m/${s}USDT_1m_2025-05-25_2025-06-24.csv \
 *   --symbol ${s}USDT --funding $R/funding/${s}USDT_funding_*.csv --out_csv /tmp/demo/$s.csv --quiet; done
 * (cat /tmp/demo/BTC.csv; tail -n +2 /tmp/demo/ETH.csv) > /tmp/demo/backtest_inputs.csv
 * deno task backtest --features /tmp/demo/backtest_inputs.csv --out /tmp/demo/out --blockers off \
 *   --k 1,1.5,2,2.5,3,4 --n 1,1.5,2,3 --sl_stop none,0.005,0.01,0.02 --tp_stop none,0.01,0.02 \
 *   --fees 0.0004 --init_cash 1000 --top 3
 * REPORT_BROWSER_IN=/tmp/demo/out REPORT_SCREENSHOT=docs/report.png \
 *   deno test --frozen -A lib/report/report_browser_test.ts
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFixtureOutputs } from "./_fixture.ts";
import type { BrowserCheck } from "./_browser_check.ts";
import { writeReport } from "./write_report.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Adds the aggregate ranking's top `top` configs on every symbol to the fixture's outputs,
 * as the engine does (`files.top_all`; the fixture writes only each symbol's top): curve
 * files are copied from each symbol's best config (their contents do not matter here).
 */
async function addAggregateCurves(dir: string, top: number): Promise<void> {
  const path = join(dir, "manifest.json");
  const manifest = JSON.parse(await Deno.readTextFile(path));
  const ranked = (await Deno.readTextFile(join(dir, "ranked.csv"))).split("\n");
  const configs = ranked.filter((l) => l.startsWith("ALL,")).slice(0, top)
    .map((l) => Number(l.split(",")[2]));
  assert.equal(configs.length, top);
  const perSymbol = manifest.files.top as {
    symbol: string;
    "config_id": number;
    trades: string;
    equity: string;
  }[];
  const symbols = [...new Set(perSymbol.map((e) => e.symbol))];
  const entries = [];
  for (const [r, c] of configs.entries()) {
    for (const symbol of symbols) {
      let e = perSymbol.find((x) => x.symbol === symbol && x.config_id === c);
      if (e === undefined) {
        const from = perSymbol.find((x) => x.symbol === symbol)!;
        const stem = `top/${symbol}_config${c}`;
        e = {
          symbol,
          "config_id": c,
          trades: `${stem}_trades.csv`,
          equity: `${stem}_equity.csv`,
        };
        await Deno.copyFile(join(dir, from.trades), join(dir, e.trades));
        await Deno.copyFile(join(dir, from.equity), join(dir, e.equity));
      }
      entries.push({ ...e, scope: "ALL", rank: r + 1 });
    }
  }
  manifest.files["top_all"] = entries;
  await Deno.writeTextFile(path, JSON.stringify(manifest, null, 2));
}
const CHROMIUM = "/usr/bin/chromium";

Deno.test("report.html renders every chart in headless Chromium", async (t) => {
  const stat = await Deno.stat(CHROMIUM).catch(() => null);
  assert.ok(
    stat?.isFile,
    `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`,
  );
  const dir = await Deno.makeTempDir({ prefix: "report-browser-" });
  try {
    const input = Deno.env.get("REPORT_BROWSER_IN");
    let bars = 0;
    if (input === undefined) {
      // long series: 100k bars per curve, downsampled for display
      bars = 100_000;
      await writeFixtureOutputs(dir, { bars, top: 2 });
      await addAggregateCurves(dir, 2);
    }
    const written = await writeReport(input ?? dir, {
      out: join(dir, "report.html"),
    });
    const shot = join(dir, "report.png");
    const extra = Deno.env.get("REPORT_SCREENSHOT");
    const started = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      // playwright-core reads $HOME and /proc when imported: only --allow-all grants that
      args: [
        "run",
        "--frozen",
        "--allow-all",
        fileURLToPath(new URL("./_browser_check.ts", import.meta.url)),
        written.path,
        shot,
        ...(extra ? [extra] : []),
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `browser check failed:\n${stderr}`);
    const check = JSON.parse(
      new TextDecoder().decode(out.stdout),
    ) as BrowserCheck;
    const seconds = (performance.now() - started) / 1000;

    await t.step("no console error, page error or network request", () => {
      assert.deepEqual(check.errors, []);
    });
    await t.step("every view shows its table, charts and heatmaps", () => {
      assert.ok(check.views.length >= 1);
      if (input === undefined) {
        assert.deepEqual(check.views.map((v) => v.view), [
          "ALL",
          "BTCUSDT",
          "ETHUSDT",
        ]);
      }
      for (const v of check.views) {
        assert.ok(v.rows > 0, `${v.view}: empty table`);
        assert.ok(v.charts >= 2, `${v.view}: ${v.charts} charts`);
        assert.equal(v.charts % 3, 0, `${v.view}: price, equity, drawdown`);
        assert.ok(v.heatmaps >= 1, `${v.view}: no heatmap`);
        assert.deepEqual(v.blank, [], `${v.view}: blank canvases`);
      }
    });
    await t.step("clicking a config row shows that config's charts", () => {
      assert.notEqual(check.click.config, "");
      assert.deepEqual(check.click.shownConfigs, [check.click.config]);
      assert.equal(check.click.charts, 3);
      assert.deepEqual(check.click.blank, []);
    });
    await t.step(
      "a drag zooms every chart of the config to the same range",
      () => {
        const { before, after } = check.zoom;
        assert.equal(after.length, 3);
        const [min0, max0] = before[0]!;
        const [min1, max1] = after[0]!;
        assert.ok(min1 > min0 && max1 < max0, "the range narrowed");
        assert.ok(max1 - min1 < (max0 - min0) * 0.5);
        for (const r of after) assert.deepEqual(r, after[0]);
      },
    );
    await t.step(
      "the All symbols view shows an aggregate config's charts per symbol",
      () => {
        const { config, buttons, shown } = check.symbols;
        if (input !== undefined && buttons.length === 0) return;
        const symbols = input === undefined
          ? ["BTCUSDT", "ETHUSDT"]
          : buttons.filter((b) => b !== "*");
        assert.ok(config !== null && config !== "");
        assert.deepEqual(buttons, [...symbols, "*"]);
        for (const s of shown) {
          const want = s.symbol === "*" ? symbols : [s.symbol];
          assert.deepEqual(s.groups, want, `after clicking ${s.symbol}`);
          assert.equal(s.charts, 3 * want.length);
          assert.deepEqual(s.blank, []);
        }
      },
    );
    await t.step("clicking a header sorts the table", () => {
      assert.notEqual(check.sort.before, check.sort.after);
    });
    await t.step("a screenshot is saved", async () => {
      const png = await Deno.readFile(shot);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
      assert.ok(png.length > 50_000);
    });
    await t.step("a 100k-bar report stays small and quick to open", () => {
      if (bars > 0) {
        assert.ok(written.bytes < 4e6, `${written.bytes} bytes`);
      }
      assert.ok(seconds < 30, `${seconds.toFixed(1)} s in the browser`);
      const { readyMs, clickMs } = check.timings;
      assert.ok(readyMs > 0 && readyMs < 10_000, `first render ${readyMs} ms`);
      assert.ok(clickMs < 5_000, `row click to charts ${clickMs} ms`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
