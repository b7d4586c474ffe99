import { equal, ok, throws } from "node:assert/strict";
import { parseStreamMessage } from "../exchange/stream_parser.ts";
import type { SnapshotSource } from "../recorder/log_recorder.ts";
import { MarketCaches } from "./market_caches.ts";

const AGG = (a: number, s = "BTCUSDT") =>
  `{"stream":"${s.toLowerCase()}@aggTrade","data":{"e":"aggTrade","E":${
    1000 + a
  },"s":"${s}","a":${a},"p":"10.5","q":"2","f":${a},"l":${a},"T":${
    1000 + a
  },"m":false}}`;

Deno.test("MarketCaches routes events per symbol and serves the recorder", async (t) => {
  let calls = 0;
  const caches = new MarketCaches(["btcusdt", "ETHUSDT"], {
    onBarClosed: () => {
      calls++;
      throw new Error("strategy bug");
    },
  });
  await t.step("events go to their symbol; unknown symbols are counted", () => {
    caches.onEvent(parseStreamMessage(AGG(1))!, 5);
    caches.onEvent(parseStreamMessage(AGG(2, "ETHUSDT"))!, 6);
    caches.onEvent(parseStreamMessage(AGG(3, "XRPUSDT"))!, 7);
    equal(caches.get("BTCUSDT").recentAggTrades().length, 1);
    equal(caches.get("ethusdt").recentAggTrades().length, 1);
    equal(caches.unknownSymbolEvents, 1);
    throws(() => caches.get("XRPUSDT"), RangeError);
  });
  await t.step("is a SnapshotSource for the recorder", () => {
    const source: SnapshotSource = caches;
    const s = source.takeAggTrades("BTCUSDT");
    equal(s.trades, 1);
    equal(s.vwap, 10.5);
    equal(source.latest("BTCUSDT").bookTicker, undefined);
  });
  await t.step(
    "a throwing onBarClosed handler does not break the cache",
    () => {
      const cache = caches.get("BTCUSDT");
      cache.seed([], 0);
      const bar = parseStreamMessage(
        '{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":60000,"s":"BTCUSDT","k":{"t":0,"T":59999,"s":"BTCUSDT","i":"1m","f":1,"L":2,"o":"1","c":"1","h":"1","l":"1","v":"1","n":1,"x":true,"q":"1","V":"0","Q":"0","B":"0"}}}',
      )!;
      caches.onEvent(bar, 60_001);
      equal(calls, 1);
      ok(cache.lastClosedBar);
      equal(cache.kline?.isClosed, true);
    },
  );
});
