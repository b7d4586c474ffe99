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
          // a cooldown keeps an entry off the bar of the previous exit, where the paper
          // bot races its own user stream
          "--cooldown",
          "60",
          // one 0.001 BTC step (~109 USDT here) within the entry guard's 10 % upsize
          "--order_notional",
          "105",
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
        speed: 120,
        lockstep: { stepMs: 1_000, settleMs: 2 },
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
      // lockstep: every entry has its twin (same bar, same side) and its exit (same
      // reason, same bar)
      const why = JSON.stringify(r.divergences);
      ok(r.entries_matched >= 2, why);
      equal(r.entries_matched, r.entries_paper, why);
      equal(r.entries_backtest, r.entries_paper, why);
      equal(r.exits_matched, r.entries_matched, why);
      // trades closed by their own exits agree within 1 bp of their notional (the last
      // one may be closed at the end of the run, at a moment the backtest cannot know)
      type T = {
        entryBar: number;
        side: number;
        exitBar: number;
        reason: string;
        pnl: number;
        qty: number;
        entryPrice: number;
      };
      const key = (t: T) => `${t.entryBar}|${t.side}|${t.exitBar}|${t.reason}`;
      const twin = new Map((json.backtest as T[]).map((b) => [key(b), b]));
      let compared = 0;
      for (const p of json.paper as T[]) {
        const b = twin.get(key(p));
        if (p.reason === "end" || b === undefined) continue;
        compared++;
        ok(
          Math.abs(p.pnl - b.pnl) <= p.qty * p.entryPrice * 1e-4,
          `paper ${p.pnl}, backtest ${b.pnl}`,
        );
      }
      ok(compared >= 1, "no matched trade closed by its own exit");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
