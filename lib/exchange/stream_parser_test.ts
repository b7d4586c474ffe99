import { deepEqual, equal, throws } from "node:assert/strict";
import { parseStreamMessage } from "./stream_parser.ts";

const KLINE =
  '{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1754655777119,"s":"BTCUSDT","k":{"t":1754655720000,"T":1754655779999,"s":"BTCUSDT","i":"1m","f":26032629,"L":26032629,"o":"116546.9","c":"116546.9","h":"116546.9","l":"116546.9","v":"0.011","n":1,"x":false,"q":"1282.0159","V":"0.000","Q":"0.0000","B":"0"}}}';
const BOOK =
  '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":2710246762461,"s":"BTCUSDT","b":"28145.10","B":"3.868","a":"28145.20","A":"6.887","T":1680652700430,"E":1680652700435}}';
const MARK =
  '{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1680652701000,"s":"BTCUSDT","p":"28147.27373413","P":"28142.15563565","i":"28159.75642857","r":"0.00002754","T":1680652800000}}';
const AGG =
  '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1680652700455,"s":"BTCUSDT","a":5933014,"p":"28145.10","q":"0.002","f":100,"l":105,"T":1680652700452,"m":true}}';
const DEPTH =
  '{"stream":"btcusdt@depth5@100ms","data":{"e":"depthUpdate","E":1680652700594,"T":1680652700586,"s":"BTCUSDT","U":1,"u":2,"pu":0,"b":[["28145.10","1.5"],["28145.00","2"]],"a":[["28145.20","0.5"]]}}';

Deno.test("parseStreamMessage() parses every subscribed stream", async (t) => {
  await t.step("kline", () => {
    const e = parseStreamMessage(KLINE);
    deepEqual(e, {
      kind: "kline",
      symbol: "BTCUSDT",
      eventTime: 1754655777119,
      interval: "1m",
      openTime: 1754655720000,
      closeTime: 1754655779999,
      open: "116546.9",
      high: "116546.9",
      low: "116546.9",
      close: "116546.9",
      volume: "0.011",
      quoteVolume: "1282.0159",
      trades: 1,
      takerBuyVolume: "0.000",
      takerBuyQuoteVolume: "0.0000",
      isClosed: false,
    });
  });
  await t.step("bookTicker", () => {
    const e = parseStreamMessage(BOOK);
    equal(e?.kind, "bookTicker");
    if (e?.kind !== "bookTicker") return;
    equal(e.updateId, 2710246762461);
    equal(e.bidPrice, "28145.10");
    equal(e.askQty, "6.887");
    equal(e.transactionTime, 1680652700430);
  });
  await t.step("markPrice", () => {
    const e = parseStreamMessage(MARK);
    if (e?.kind !== "markPrice") throw new Error("wrong kind");
    equal(e.markPrice, "28147.27373413");
    equal(e.indexPrice, "28159.75642857");
    equal(e.estimatedSettlePrice, "28142.15563565");
    equal(e.fundingRate, "0.00002754");
    equal(e.nextFundingTime, 1680652800000);
  });
  await t.step("aggTrade", () => {
    const e = parseStreamMessage(AGG);
    if (e?.kind !== "aggTrade") throw new Error("wrong kind");
    equal(e.aggId, 5933014);
    equal(e.firstTradeId, 100);
    equal(e.lastTradeId, 105);
    equal(e.buyerIsMaker, true);
  });
  await t.step("depth", () => {
    const e = parseStreamMessage(DEPTH);
    if (e?.kind !== "depth") throw new Error("wrong kind");
    equal(e.lastUpdateId, 2);
    deepEqual(e.bids, [["28145.10", "1.5"], ["28145.00", "2"]]);
    deepEqual(e.asks, [["28145.20", "0.5"]]);
  });
  await t.step(
    "subscription replies and unknown events are not market events",
    () => {
      equal(parseStreamMessage('{"result":null,"id":1}'), undefined);
      equal(
        parseStreamMessage(
          '{"stream":"x","data":{"e":"24hrMiniTicker","s":"X"}}',
        ),
        undefined,
      );
    },
  );
});

Deno.test("parseStreamMessage() rejects malformed payloads naming the field", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["bad JSON", "{", /JSON|Unexpected|Expected/],
    ["no data", '{"stream":"x"}', /no data/],
    [
      "price not a number",
      BOOK.replace('"b":"28145.10"', '"b":"abc"'),
      /field b/,
    ],
    [
      "price as number",
      BOOK.replace('"b":"28145.10"', '"b":28145.1'),
      /field b/,
    ],
    [
      "infinite price",
      MARK.replace('"p":"28147.27373413"', '"p":"Infinity"'),
      /field p/,
    ],
    ["missing time", AGG.replace('"E":1680652700455,', ""), /field E/],
    ["fractional id", AGG.replace('"a":5933014', '"a":1.5'), /field a/],
    ["m not boolean", AGG.replace('"m":true', '"m":"true"'), /field m/],
    ["kline x missing", KLINE.replace('"x":false,', ""), /field k\.x/],
    ["empty symbol", DEPTH.replace('"s":"BTCUSDT"', '"s":""'), /field s/],
    [
      "bad level",
      DEPTH.replace('["28145.20","0.5"]', '["28145.20"]'),
      /field a/,
    ],
    ["event type not a string", '{"stream":"x","data":{"e":5}}', /field e/],
  ];
  for (const [name, text, pattern] of cases) {
    await t.step(name, () => {
      throws(() => parseStreamMessage(text), pattern);
    });
  }
});
