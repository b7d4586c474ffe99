import { deepEqual, equal } from "node:assert/strict";
import type { KlineEvent } from "../exchange/events.ts";
import { closedBar } from "./_test_bars.ts";
import type { MarketCaches } from "../market/mod.ts";
import type { JournalRow } from "./journal.ts";
import { LiveBot } from "./live_bot.ts";

const bar = (i: number, close: number): KlineEvent => closedBar(i, close, 0.2);

/** A market cache with fresh book and mark and `n` closed history bars. */
function market(history: KlineEvent[]): Pick<MarketCaches, "get"> {
  const cache = {
    bookTicker: { bidPrice: "100.99", askPrice: "101.01" },
    markPrice: { markPrice: "101", fundingRate: "0" },
    ages: () => ({
      bookTicker: { sinceReceiveMs: 10, sinceEventMs: 10 },
      markPrice: { sinceReceiveMs: 10, sinceEventMs: 10 },
    }),
    closedBars: () => history,
  };
  return { get: () => cache } as unknown as Pick<MarketCaches, "get">;
}

Deno.test("LiveBot ages the closed bar on the exchange clock", async (t) => {
  const history = Array.from({ length: 8 }, (_, i) => bar(i, 100 + i * 0.01));
  const signalBar = bar(8, 101);
  const closedAt = signalBar.closeTime + 1;
  const run = (local: number, exchange: number | undefined) => {
    const rows: JournalRow[] = [];
    const bot = new LiveBot({
      symbols: ["BTCUSDT"],
      params: {
        k: 0,
        n: 0,
        t: 5,
        v: 5,
        maxSpreadBps: 1000,
        maxFundingBps: 1000,
      },
      budgets: { barMs: 10_000, bookMs: 5_000, markMs: 5_000 },
      market: market(history),
      orderNotional: 50,
      clock: () => local,
      ...(exchange === undefined ? {} : { exchangeClock: () => exchange }),
      onDecision: (r) => rows.push(r),
    });
    bot.seed();
    bot.onBarClosed("BTCUSDT", signalBar, { source: "rest", gapBars: 0 });
    equal(rows.length, 1);
    return rows[0]!;
  };
  await t.step(
    "local clock 60 s behind: a bar 30 s old is stale, not -30 s old",
    () => {
      const row = run(closedAt - 30_000, closedAt + 30_000);
      equal(row.barAgeMs, 30_000);
      deepEqual(row.stale, ["bar"]);
      equal(row.action, "skipped");
    },
  );
  await t.step("a fresh bar still acts (dry run: would enter)", () => {
    const row = run(closedAt + 50_000, closedAt + 1_000);
    equal(row.barAgeMs, 1_000);
    deepEqual(row.stale, []);
    equal(row.action, "would_enter");
  });
  await t.step("without an exchange clock the bot clock is used", () => {
    const row = run(closedAt + 2_000, undefined);
    equal(row.barAgeMs, 2_000);
  });
});
