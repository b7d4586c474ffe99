import { deepEqual, equal } from "node:assert/strict";
import type {
  AggTradeEvent,
  BookTickerEvent,
  KlineEvent,
} from "../exchange/events.ts";
import { type BarClosedInfo, SymbolCache } from "./symbol_cache.ts";

const T0 = 1_700_000_040_000; // a minute boundary

function bar(i: number, isClosed = true, close = String(100 + i)): KlineEvent {
  const openTime = T0 + i * 60_000;
  return {
    kind: "kline",
    symbol: "BTCUSDT",
    eventTime: openTime + (isClosed ? 59_999 : 30_000),
    interval: "1m",
    openTime,
    closeTime: openTime + 59_999,
    open: "100",
    high: "110",
    low: "90",
    close,
    volume: "1",
    quoteVolume: "100",
    trades: 1,
    takerBuyVolume: "0.5",
    takerBuyQuoteVolume: "50",
    isClosed,
  };
}

function trade(
  aggId: number,
  qty: string,
  price: string,
  buyerIsMaker: boolean,
): AggTradeEvent {
  return {
    kind: "aggTrade",
    symbol: "BTCUSDT",
    eventTime: T0 + aggId,
    aggId,
    price,
    qty,
    firstTradeId: aggId,
    lastTradeId: aggId,
    tradeTime: T0 + aggId,
    buyerIsMaker,
  };
}

function book(updateId: number, eventTime: number): BookTickerEvent {
  return {
    kind: "bookTicker",
    symbol: "BTCUSDT",
    eventTime,
    transactionTime: eventTime,
    updateId,
    bidPrice: "1",
    bidQty: "1",
    askPrice: "2",
    askQty: "1",
  };
}

function recording() {
  const seen: [number, BarClosedInfo][] = [];
  const cache = new SymbolCache("BTCUSDT", {
    barCapacity: 5,
    tradeCapacity: 3,
    onBarClosed: (_s, b, info) =>
      void seen.push([(b.openTime - T0) / 60_000, info]),
  });
  return { cache, seen };
}

Deno.test("SymbolCache fires onBarClosed once per closed bar, in order", async (t) => {
  await t.step(
    "seed is silent; stream bars announced once; gaps visible",
    () => {
      const { cache, seen } = recording();
      cache.apply(bar(3), 1); // arrives before the seed: held back
      equal(seen.length, 0);
      cache.seed([bar(0), bar(1), bar(2), bar(3, false)], 2);
      deepEqual(seen.map((s) => s[0]), [3]);
      cache.apply(bar(4, false), 3);
      cache.apply(bar(4), 3);
      cache.apply(bar(4), 3); // duplicate (e.g. connection overlap)
      cache.apply(bar(6), 4); // bar 5 never arrived
      deepEqual(seen, [
        [3, { source: "stream", gapBars: 0 }],
        [4, { source: "stream", gapBars: 0 }],
        [6, { source: "stream", gapBars: 1 }],
      ]);
      deepEqual(cache.closedBars().map((b) => (b.openTime - T0) / 60_000), [
        1,
        2,
        3,
        4,
        6,
      ]);
    },
  );
  await t.step(
    "backfill after a reconnect fills the gap atomically, in order",
    () => {
      const { cache, seen } = recording();
      cache.seed([bar(0), bar(1)], 0);
      cache.hold(); // disconnected
      cache.apply(bar(5), 10); // stream after reconnect, before the backfill lands
      equal(seen.length, 0);
      cache.backfill([bar(2), bar(3), bar(4), bar(5), bar(6, false)], 11);
      deepEqual(seen, [
        [2, { source: "rest", gapBars: 0 }],
        [3, { source: "rest", gapBars: 0 }],
        [4, { source: "rest", gapBars: 0 }],
        [5, { source: "rest", gapBars: 0 }],
      ]);
      equal(cache.kline?.openTime, bar(6).openTime);
      equal(cache.holding, false);
    },
  );
  await t.step(
    "release() after a failed backfill announces held bars with the gap",
    () => {
      const { cache, seen } = recording();
      cache.seed([bar(0)], 0);
      cache.hold();
      cache.apply(bar(3), 10);
      cache.release();
      deepEqual(seen, [[3, { source: "stream", gapBars: 2 }]]);
    },
  );
  await t.step("bar history is bounded", () => {
    const { cache } = recording();
    cache.seed(Array.from({ length: 8 }, (_, i) => bar(i)), 0);
    deepEqual(cache.closedBars().map((b) => (b.openTime - T0) / 60_000), [
      3,
      4,
      5,
      6,
      7,
    ]);
    deepEqual(cache.closedBars(2).map((b) => (b.openTime - T0) / 60_000), [
      6,
      7,
    ]);
  });
});

Deno.test("SymbolCache drops stale and duplicate updates", async (t) => {
  await t.step("bookTicker by update id", () => {
    const { cache } = recording();
    cache.apply(book(10, 1000), 1);
    cache.apply(book(9, 2000), 2);
    cache.apply(book(10, 1000), 3);
    equal(cache.bookTicker?.updateId, 10);
    equal(cache.dropped, 2);
    cache.apply(book(11, 1001), 4);
    equal(cache.bookTicker?.updateId, 11);
  });
  await t.step("aggTrades by id, bounded ring", () => {
    const { cache } = recording();
    for (const id of [1, 2, 2, 3, 1, 4]) {
      cache.apply(trade(id, "1", "10", false), id);
    }
    deepEqual(cache.recentAggTrades().map((x) => x.aggId), [2, 3, 4]);
    equal(cache.dropped, 2);
  });
  await t.step("an older kline does not replace the latest", () => {
    const { cache } = recording();
    cache.seed([], 0);
    cache.apply(bar(2, false), 1);
    cache.apply(bar(1, false), 2);
    equal(cache.kline?.openTime, bar(2).openTime);
  });
});

Deno.test("SymbolCache.takeAggTrades() sums trades since the previous call", () => {
  const { cache } = recording();
  cache.apply(trade(7, "2", "100", false), 1); // taker buy
  cache.apply(trade(8, "1", "103", true), 2); // taker sell
  const s = cache.takeAggTrades();
  deepEqual(s, {
    trades: 2,
    volume: 3,
    buyVolume: 2,
    sellVolume: 1,
    vwap: 101,
    lastPrice: "103",
    firstAggId: 7,
    lastAggId: 8,
  });
  const empty = cache.takeAggTrades();
  equal(empty.trades, 0);
  equal(Number.isNaN(empty.vwap), true);
  equal(empty.firstAggId, -1);
});

Deno.test("SymbolCache.ages() reports receive and event ages per input", () => {
  const { cache } = recording();
  const before = cache.ages(5000);
  equal(before.bookTicker.sinceReceiveMs, Infinity);
  equal(before.kline.sinceEventMs, Infinity);
  cache.apply(book(1, 1000), 1200);
  cache.apply(trade(1, "1", "1", false), 1500);
  const a = cache.ages(5000);
  deepEqual(a.bookTicker, { sinceReceiveMs: 3800, sinceEventMs: 4000 });
  deepEqual(a.aggTrade, {
    sinceReceiveMs: 3500,
    sinceEventMs: 5000 - (T0 + 1),
  });
  equal(a.markPrice.sinceReceiveMs, Infinity);
  equal(a.depth.sinceReceiveMs, Infinity);
});

function gapRecording() {
  const seen: [number, BarClosedInfo][] = [];
  let gaps = 0;
  const cache = new SymbolCache("BTCUSDT", {
    onBarClosed: (_s, b, info) =>
      void seen.push([(b.openTime - T0) / 60_000, info]),
    onGap: (symbol) => {
      equal(symbol, "BTCUSDT");
      gaps++;
    },
  });
  return { cache, seen, gaps: () => gaps };
}

Deno.test("SymbolCache holds closed bars after a hole when onGap is set", async (t) => {
  await t.step(
    "a skipped closed kline holds the next bars until a backfill",
    () => {
      const { cache, seen, gaps } = gapRecording();
      cache.seed([bar(0), bar(1)], 0);
      cache.apply(bar(2), 1);
      cache.apply(bar(4), 2); // bar 3's close never arrived
      equal(gaps(), 1);
      equal(cache.holding, true);
      cache.apply(bar(5), 3); // held behind bar 4, no second request
      equal(gaps(), 1);
      equal(cache.heldBars, 2);
      deepEqual(seen.map((s) => s[0]), [2]);
      equal(cache.backfill([bar(3), bar(4), bar(5, false)], 4), true);
      deepEqual(seen, [
        [2, { source: "stream", gapBars: 0 }],
        [3, { source: "rest", gapBars: 0 }],
        [4, { source: "rest", gapBars: 0 }],
        [5, { source: "stream", gapBars: 0 }],
      ]);
      equal(cache.holding, false);
      equal(cache.heldBars, 0);
      cache.apply(bar(6), 5);
      equal(seen.at(-1)?.[0], 6);
    },
  );
  await t.step("a backfill that misses the hole keeps holding", () => {
    const { cache, seen, gaps } = gapRecording();
    cache.seed([bar(0)], 0);
    cache.apply(bar(3), 1);
    equal(gaps(), 1);
    equal(cache.backfill([bar(1)], 2), false); // bar 2 not served yet
    deepEqual(seen, [[1, { source: "rest", gapBars: 0 }]]);
    equal(cache.holding, true);
    cache.release(); // the feed gives up
    deepEqual(seen.at(-1), [3, { source: "stream", gapBars: 1 }]);
    equal(cache.holding, false);
  });
  await t.step(
    "bars held before a seed that ends early ask for a backfill",
    () => {
      const { cache, seen, gaps } = gapRecording();
      cache.apply(bar(4), 1); // the stream's first closed bar
      cache.seed([bar(0), bar(1), bar(2, false)], 2); // REST history ends before bar 3
      equal(gaps(), 1);
      equal(seen.length, 0);
      equal(cache.holding, true);
      equal(cache.backfill([bar(2), bar(3), bar(4)], 3), true);
      deepEqual(seen, [
        [2, { source: "rest", gapBars: 0 }],
        [3, { source: "rest", gapBars: 0 }],
        [4, { source: "rest", gapBars: 0 }],
      ]);
    },
  );
  await t.step("a contiguous seed releases the held bars at once", () => {
    const { cache, seen, gaps } = gapRecording();
    cache.apply(bar(2), 1);
    cache.seed([bar(0), bar(1)], 2);
    equal(gaps(), 0);
    deepEqual(seen, [[2, { source: "stream", gapBars: 0 }]]);
  });
});
