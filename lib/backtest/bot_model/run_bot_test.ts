import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { writeLines } from "../outputs.ts";
import { syntheticCsvLines } from "../synthetic_table.ts";
import type { BotGridSpec } from "./bot_grid.ts";
import { type BotBacktestOptions, runBotBacktest } from "./run_bot.ts";
import { BOT_LAYOUT, BOT_METRICS, N_BOT_METRICS } from "./simulate_bot.ts";
import { parseWalkForward } from "../../research/mod.ts";
import { readFeatureTable } from "../read_feature_table.ts";
import { loadFilters } from "./run_bot.ts";
import { BotMarket } from "./bot_market.ts";
import type { SymbolFeatures } from "../feature_table.ts";
import { DEFAULT_ENTRY_LIMITS } from "../../order/entry_guard.ts";
import { sliceTable } from "../walk_forward.ts";
import { simulateBotGrid } from "./bot_grid_run.ts";
import { rankRows } from "../rank.ts";

// synthetic BTCUSDT is near 30,000: 500 USDT keeps the 0.001 step within the entry guard
const GRID: Partial<BotGridSpec> = {
  k: [1, 2, 3],
  n: [1, 2],
  T: [10, 30],
  V: [10],
  "max_spread_bps": [50],
  "tp_bps": [20, 40, 80],
  "sl_bps": [25],
  "order_notional": [500],
};

async function names(dir: string): Promise<string[]> {
  const out = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("runBotBacktest() ranks honestly: PSR/DSR, flags, PBO, plateau, like the vbt model", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "bot-honest-" });
  try {
    const features = join(dir, "features.csv");
    // 6 days of 1m bars: S=4 blocks of one whole UTC day
    await writeLines(
      features,
      syntheticCsvLines({ bars: 6 * 1440, symbols: ["BTCUSDT"] }),
    );
    const opts = (
      out: string,
      extra: Partial<BotBacktestOptions> = {},
    ): BotBacktestOptions => ({
      features,
      out: join(dir, out),
      grid: GRID,
      costs: { takerFeeBps: 3.5, exitSlippageBps: 1, intrabar: "stop_first" },
      top: 1,
      ...extra,
    });
    const a = await runBotBacktest(opts("a", { pbo: 4, priorTrials: 2 }));
    const text = await Deno.readTextFile(join(dir, "a", "ranked.csv"));

    await t.step(
      "ranked.csv has sharpe, psr, dsr, plateau_score, flags",
      () => {
        const lines = text.trim().split("\n");
        const head = lines[0]!.split(",");
        deepEqual(head.slice(-4), ["psr", "dsr", "plateau_score", "flags"]);
        const col = (name: string) => head.indexOf(name);
        equal(lines.length - 1, 36, "every config, ranked or flagged");
        const d = a.scopes[0]!.deflation!;
        equal(d.trials, d.eligible.length + 2);
        ok(d.eligible.length >= 10);
        let ranked = 0;
        for (const line of lines.slice(1)) {
          const cells = line.split(",");
          const c = Number(cells[col("config_id")]);
          const psr = Number(cells[col("psr")]),
            dsr = Number(cells[col("dsr")]);
          if (a.scopes[0]!.order.includes(c)) {
            ranked++;
            ok(psr >= 0 && psr <= 1, `psr ${psr}`);
            ok(dsr <= psr, "the DSR hurdle is above 0");
            // the row's sharpe is the value the DSR uses
            equal(
              Number(cells[col("sharpe")]),
              a.scopes[0]!
                .rows[c * N_BOT_METRICS + BOT_METRICS.indexOf("sharpe")],
            );
          } else ok(cells[col("flags")]!.includes("few_trades"));
        }
        equal(ranked, a.scopes[0]!.order.length);
      },
    );

    await t.step(
      "pbo.json, and the manifest says what the returns are",
      async () => {
        const pbo = JSON.parse(
          await Deno.readTextFile(join(dir, "a", "pbo.json")),
        );
        ok(pbo.pbo >= 0 && pbo.pbo <= 1);
        // ranked by net_pnl (the default): PBO scores halves by net PnL in USDT
        ok(pbo.metric.startsWith("net_pnl, the ranking metric"), pbo.metric);
        ok(
          "is_score" in pbo.scopes.BTCUSDT &&
            !("is_sharpe" in pbo.scopes.BTCUSDT),
        );
        equal(pbo.blocks, 4);
        equal(pbo.scopes.BTCUSDT.splits, 6);
        equal(a.pbo.get("BTCUSDT")!.pbo, pbo.pbo);
        const manifest = JSON.parse(
          await Deno.readTextFile(join(dir, "a", "manifest.json")),
        );
        equal(manifest.files.pbo_json, "pbo.json");
        ok(/order_notional/.test(manifest.returns));
        equal(manifest.deflation.BTCUSDT.prior_trials, 2);
      },
    );

    await t.step("same bytes for a shuffled grid", async () => {
      await runBotBacktest(opts("b", {
        pbo: 4,
        priorTrials: 2,
        grid: { ...GRID, k: [3, 1, 2], "tp_bps": [80, 20, 40], T: [30, 10] },
      }));
      equal(await Deno.readTextFile(join(dir, "b", "ranked.csv")), text);
      equal(
        await Deno.readTextFile(join(dir, "b", "pbo.json")),
        await Deno.readTextFile(join(dir, "a", "pbo.json")),
      );
    });

    await t.step("--rank_rule plateau ranks by the plateau score", async () => {
      const p = await runBotBacktest(
        opts("p", { pbo: 4, rankRule: "plateau" }),
      );
      const s = p.scopes[0]!;
      const best = s.plateau![s.order[0]!]!;
      for (const c of s.order) ok(!(s.plateau![c]! > best));
      ok(p.pbo.has("BTCUSDT"));
      const pbo = JSON.parse(
        await Deno.readTextFile(join(dir, "p", "pbo.json")),
      );
      equal(pbo.rule, "plateau");
      ok(pbo.metric.startsWith("net_pnl"));
      // other metrics: Sharpe, and pbo.json says why
      await runBotBacktest(opts("q", { pbo: 4, rankBy: "win_rate" }));
      const q = JSON.parse(
        await Deno.readTextFile(join(dir, "q", "pbo.json")),
      );
      ok(q.metric.includes("not --rank_by win_rate"), q.metric);
      ok("is_sharpe" in q.scopes.BTCUSDT);
    });

    await t.step(
      "--walk_forward: the IS winner traded on the OOS, stitched",
      async () => {
        const w = await runBotBacktest(opts("w", {
          pbo: "off",
          walkForward: parseWalkForward("is=2d,oos=1d"),
        }));
        const wf = w.walkForward![0]!;
        equal(wf.symbol, "BTCUSDT");
        ok(wf.rows.length >= 3);
        // window 1's choice is the winner of the bot grid on its IS slice
        const r1 = wf.rows[1]!;
        const table = await readFeatureTable(features);
        const rules = await loadFilters(["BTCUSDT"]);
        const market = (f: SymbolFeatures) =>
          new BotMarket(f, rules.get("BTCUSDT")!.filters, undefined, {
            band: rules.get("BTCUSDT")!.band,
            limits: DEFAULT_ENTRY_LIMITS,
          });
        const is = sliceTable(table, r1.span.isStart, r1.span.isEnd);
        const grid = simulateBotGrid(
          is.symbols.map(market),
          w.configs,
          opts("x").costs,
        );
        const order = rankRows(
          grid.rows[0]!,
          BOT_LAYOUT,
          BOT_METRICS.indexOf("net_pnl"),
          1,
        );
        equal(r1.config, order[0]);
        // the stitched curve adds the OOS returns on the fixed notional
        let sum = 0;
        for (const row of wf.rows) sum += row.oosReturn;
        ok(
          Math.abs(wf.value[wf.value.length - 1]! - 500 * (1 + sum)) < 1e-6,
          `${wf.value[wf.value.length - 1]} vs ${500 * (1 + sum)}`,
        );
        const csv =
          (await Deno.readTextFile(join(dir, "w", "walk_forward.csv")))
            .trim().split("\n");
        ok(csv[0]!.includes(",tp_bps,"));
        equal(csv.length, 1 + wf.rows.length);
        const json = JSON.parse(
          await Deno.readTextFile(join(dir, "w", "walk_forward.json")),
        );
        equal(json.model, "bot");
        equal(json.windows, wf.rows.length);
        // the grid's order does not matter
        const v = await runBotBacktest(opts("v", {
          pbo: "off",
          walkForward: parseWalkForward("is=2d,oos=1d"),
          grid: { ...GRID, k: [2, 3, 1], "tp_bps": [40, 80, 20] },
        }));
        deepEqual(v.walkForward, w.walkForward);
      },
    );

    await t.step(
      "a re-run without PBO leaves no earlier pbo.json",
      async () => {
        ok((await names(join(dir, "a"))).includes("pbo.json"));
        await runBotBacktest(opts("a", { pbo: "off" }));
        deepEqual(await names(join(dir, "a")), [
          "manifest.json",
          "ranked.csv",
          "ranked.json",
          "top",
        ]);
      },
    );

    await t.step(
      "bad input is refused before anything is written",
      async () => {
        const cases: [Partial<BotBacktestOptions>, RegExp][] = [
          [{ pbo: 5 }, /even/],
          [{ pbo: 8 }, /spans 7 UTC day/],
          [{ pbo: 2 }, /--pbo 2/],
          [
            { walkForward: parseWalkForward("is=5d,oos=2d") },
            /is longer than the data/,
          ],
          [
            {
              rankRule: "plateau",
              grid: { ...GRID, k: [1, 2], T: [10], "tp_bps": [20, 40] },
            },
            /no numeric grid axis has 3/,
          ],
          [
            { pbo: 4, grid: { ...GRID, k: [1], "tp_bps": [20] } },
            /CSCV needs at least 10/,
          ],
        ];
        for (const [extra, re] of cases) {
          await rejects(() => runBotBacktest(opts("bad", extra)), re);
          await rejects(
            () => Deno.stat(join(dir, "bad")),
            Deno.errors.NotFound,
          );
        }
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBotBacktest() --walk_forward with several symbols also walks the ALL ranking", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bot-wf-all-" });
  try {
    const features = join(dir, "features.csv");
    await writeLines(
      features,
      syntheticCsvLines({ bars: 4 * 1440, symbols: ["BTCUSDT", "ETHUSDT"] }),
    );
    const r = await runBotBacktest({
      features,
      out: join(dir, "out"),
      grid: GRID,
      costs: { takerFeeBps: 3.5, exitSlippageBps: 1, intrabar: "stop_first" },
      top: 0,
      pbo: "off",
      walkForward: parseWalkForward("is=2d,oos=1d"),
    });
    deepEqual(r.walkForward!.map((w) => w.symbol), [
      "BTCUSDT",
      "ETHUSDT",
      "ALL",
    ]);
    const all = r.walkForward![2]!;
    equal(all.rows.length, r.walkForward![0]!.rows.length);
    // ALL's OOS trades are the sum over the symbols of its choice's trades
    for (const row of all.rows) ok(row.oosTrades >= 0 && row.config >= -1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
