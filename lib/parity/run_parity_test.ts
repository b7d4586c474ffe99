import { equal, ok } from "node:assert/strict";
import { LIVE_FLAGS, liveConfig } from "../live/live_flags.ts";
import { parseFlags } from "../cli/flags.ts";
import { runParity } from "./run_parity.ts";

const FIXTURE = new URL(
  "../../tests/fixtures/real/binance_um/klines_1m/BTCUSDT_1m_2025-05-26_2025-05-27.csv",
  import.meta.url,
).pathname;

Deno.test({
  name:
    "runParity() matches the paper bot and the bot-model backtest on real bars",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "parity_test_" });
    try {
      const flags = parseFlags(
        [
          "--k",
          "0.5",
          "--n",
          "0.5",
          "--T",
          "30",
          "--V",
          "30",
          "--cooldown",
          "0",
          "--log_level",
          "error",
        ],
        LIVE_FLAGS,
      );
      const config = liveConfig({
        ...flags,
        rest_url: "http://127.0.0.1",
        ws_url: "ws://127.0.0.1",
      });
      const r = await runParity({
        files: { BTCUSDT: FIXTURE },
        config,
        minutes: 90,
        speed: 240,
        outDir: dir,
      });
      const json = JSON.parse(await Deno.readTextFile(`${dir}/parity.json`));
      for (
        const k of [
          "entries_paper",
          "entries_backtest",
          "entries_matched",
          "exits_matched",
          "pnl_paper",
          "pnl_backtest",
        ]
      ) {
        equal(typeof json[k], "number", k);
      }
      ok(r.entries_paper >= 2, `only ${r.entries_paper} paper entries`);
      equal(r.paper_stale_skips, 0);
      // every paper entry has its twin (same bar, same side), and no extra backtest entry
      equal(r.entries_matched, r.entries_paper, JSON.stringify(r.divergences));
      equal(r.entries_backtest, r.entries_paper, JSON.stringify(r.divergences));
      equal(r.exits_matched, r.entries_matched, JSON.stringify(r.divergences));
      // trades closed by their own exits agree within 1 bp of their notional (the last
      // one may be closed at the end of the run, at a moment the backtest cannot know)
      const paper = json.paper as {
        reason: string;
        pnl: number;
        qty: number;
        entryPrice: number;
      }[];
      const bt = json.backtest as { reason: string; pnl: number }[];
      paper.forEach((p, i) => {
        if (p.reason === "end") return;
        const d = Math.abs(p.pnl - bt[i]!.pnl);
        ok(
          d <= p.qty * p.entryPrice * 1e-4,
          `trade ${i}: paper ${p.pnl}, backtest ${bt[i]!.pnl}`,
        );
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
