import { deepEqual, equal, ok } from "node:assert/strict";
import { SymbolHistory } from "./history.ts";
import { Market, type Publisher } from "./market.ts";
import { BOOK_LEVELS, type SymbolFeed, type TradeSink } from "./source.ts";
import { symbolSpec } from "./symbols.ts";

const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);

/** A feed trading 1 lot every 500 ms at 100 + (seconds since T0) × 0.1. */
class StepFeed implements SymbolFeed {
  readonly spec = { ...symbolSpec("BTCUSDT"), price: 100 };
  readonly book = new Float64Array(4 * BOOK_LEVELS);
  bookVersion = 0;
  markPrice = 100;
  indexPrice = 100;
  fundingRate = 0.0001;
  nextFundingTime = T0 + 8 * 3_600_000;
  advance(from: number, to: number, sink: TradeSink): void {
    for (let t = Math.ceil(from / 500) * 500; t < to; t += 500) {
      const price = 100 + Math.floor((t - T0) / 1000) * 0.1;
      sink.trade(t, price, 1, t % 1000 === 0);
      this.markPrice = price;
      this.book[0] = price - 0.1;
      this.book[10] = price;
      this.book[5] = this.book[15] = 2;
      this.bookVersion++;
    }
  }
}

class Recorder implements Publisher {
  events: [string, Record<string, unknown>][] = [];
  wants(): boolean {
    return true;
  }
  publish(stream: string, payload: string): void {
    this.events.push([stream, JSON.parse(payload)]);
  }
}

Deno.test("Market builds bars and events from a feed's trades", async (t) => {
  const rec = new Recorder();
  const market = new Market([new StepFeed()], rec, 2);
  const seen = { trades: 0, ticks: 0 };
  const off = market.addListener({
    onTrade: () => seen.trades++,
    onTick: () => seen.ticks++,
  });
  market.start(T0);
  const btc = market.symbol("BTCUSDT")!;

  await t.step("history bars are generated silently", () => {
    equal(btc.bars.size, 2);
    equal(rec.events.length, 0);
    equal(seen.trades, 0);
  });

  await t.step(
    "one minute: bar values, one closed kline, listeners called",
    () => {
      market.advanceTo(T0 + 60_000);
      const row = new SymbolHistory(btc).klines(60_000, {
        startTime: T0,
        limit: 1,
      })[0]!;
      deepEqual(row.slice(0, 6), [
        T0,
        "100.0",
        "105.9",
        "100.0",
        "105.9",
        "120.000",
      ]);
      equal(row[8], 120);
      equal(row[9], "60.000"); // taker buys: the trades at x.5 s
      const closed = rec.events.filter(([s, e]) =>
        s === "btcusdt@kline_1m" && (e["k"] as { x: boolean }).x
      );
      equal(closed.length, 1);
      equal(closed[0]![1]["E"], T0 + 60_000);
      equal(seen.trades, 120);
      equal(seen.ticks, 600);
      off();
    },
  );

  await t.step(
    "stream cadence: 120 trades, 60 marks, open-kline updates ≥ 250 ms apart",
    () => {
      const count = (s: string) => rec.events.filter(([x]) => x === s).length;
      equal(count("btcusdt@aggTrade"), 120);
      equal(count("btcusdt@markPrice@1s"), 60);
      equal(count("btcusdt@markPrice"), 20);
      const updates = rec.events.filter(([s]) => s === "btcusdt@kline_1m").map((
        [, e],
      ) => e["E"] as number);
      for (let i = 1; i < updates.length; i++) {
        ok(updates[i]! - updates[i - 1]! >= 250);
      }
      ok(count("btcusdt@bookTicker") > 50);
    },
  );

  await t.step("klines: 2m aggregation and the open bar", () => {
    market.advanceTo(T0 + 90_000);
    const rows = new SymbolHistory(btc).klines(120_000, { limit: 10 });
    equal(rows.at(-1)![0], T0);
    equal(rows.at(-1)![1], "100.0");
    equal(rows.at(-1)![4], "108.9");
    equal(rows.at(-1)![8], 180);
  });

  await t.step(
    "klinesJson writes the bytes of JSON.stringify(klines())",
    () => {
      const h = new SymbolHistory(btc);
      for (const interval of [60_000, 120_000]) {
        for (const q of [{ limit: 10 }, { startTime: T0 - 60_000, limit: 2 }]) {
          const text = new TextDecoder().decode(
            h.klinesJson("trade", interval, q),
          );
          equal(text, JSON.stringify(h.klines(interval, q)));
        }
      }
    },
  );

  await t.step("aggTrades: fromId and windows", () => {
    const last = btc.aggTrades({ limit: 3 });
    deepEqual(last.map((x) => x.a), [418, 419, 420]); // 240 history trades + 180
    deepEqual(btc.aggTrades({ fromId: 10, limit: 2 }).map((x) => x.a), [
      10,
      11,
    ]);
    const w = btc.aggTrades({
      startTime: T0 + 1000,
      endTime: T0 + 2000,
      limit: 100,
    });
    deepEqual(w.map((x) => x.T), [T0 + 1000, T0 + 1500, T0 + 2000]);
  });
});
