import { equal, match, ok } from "node:assert/strict";
import { featureTableCsvLines, syntheticTable } from "../backtest/mod.ts";
import { runBotBacktest } from "../backtest/bot_model/run_bot.ts";
import { isBotRun, writeBotReport } from "./bot_report.ts";
import { parseWalkForward } from "../research/mod.ts";

Deno.test("writeBotReport() shows a bot-model run in USDT with its trades and parity", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bot_report_test_" });
  try {
    const features = `${dir}/f.csv`;
    await Deno.writeTextFile(
      features,
      [...featureTableCsvLines(
        syntheticTable({ bars: 2000, symbols: ["BTCUSDT"] }),
      )].join("\n") + "\n",
    );
    const out = `${dir}/out`;
    await runBotBacktest({
      features,
      out,
      grid: {
        k: [1],
        n: [1],
        T: [10],
        V: [10],
        "max_spread_bps": [50],
        "order_notional": [500],
      },
      costs: { takerFeeBps: 3.5, exitSlippageBps: 1, intrabar: "stop_first" },
      top: 1,
    });
    equal(await isBotRun(out), true);
    equal(await isBotRun(dir), false);
    await Deno.writeTextFile(
      `${out}/parity.json`,
      JSON.stringify({
        "entries_paper": 7,
        "entries_backtest": 7,
        "entries_matched": 7,
        divergences: [],
      }),
    );
    const w = await writeBotReport(out, { title: "T <1>" });
    const html = await Deno.readTextFile(w.path);
    match(html, /<title>T &lt;1&gt;<\/title>/);
    match(html, /Parity \(paper bot vs bot-model backtest\)/);
    match(html, /exit_reason/);
    match(html, /net -?\d+\.\d{4} USDT, fees \d+\.\d{4}, funding -?\d+\.\d{4}/);
    ok(!html.includes("<script"), "no script");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeBotReport() has an Out of sample section: DSR, PBO histogram and scatter, walk-forward", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bot_report_oos_" });
  try {
    const features = `${dir}/f.csv`;
    await Deno.writeTextFile(
      features,
      [...featureTableCsvLines(
        syntheticTable({ bars: 6 * 1440, symbols: ["BTCUSDT"] }),
      )].join("\n") + "\n",
    );
    const out = `${dir}/out`;
    await runBotBacktest({
      features,
      out,
      grid: {
        k: [1, 2, 3],
        n: [1, 2],
        T: [10, 30],
        V: [10],
        "max_spread_bps": [50],
        "tp_bps": [20, 40, 80],
        "order_notional": [500],
      },
      costs: { takerFeeBps: 3.5, exitSlippageBps: 1, intrabar: "stop_first" },
      top: 1,
      pbo: 4,
      walkForward: parseWalkForward("is=2d,oos=1d"),
    });
    const html = await Deno.readTextFile((await writeBotReport(out)).path);
    match(html, /<h2>Out of sample<\/h2>/);
    match(
      html,
      /<td>BTCUSDT<\/td><td>\d+<\/td><td>-?\d+\.\d\d<\/td><td>\d\.\d{4}<\/td><td>\d\.\d{4}<\/td>/,
    );
    match(html, /PBO \d\.\d{4} over 6 splits/);
    match(html, /aria-label="BTCUSDT PBO logit histogram"/);
    match(html, /aria-label="BTCUSDT IS vs OOS score"/);
    match(html, /stitched OOS Sharpe/);
    match(html, /full-sample winner \(in sample\)/);
    ok(!html.includes("<script"), "no script");
    ok(!html.includes("NaN"), "no NaN drawn");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
