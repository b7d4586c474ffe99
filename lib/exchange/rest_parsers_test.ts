import { deepEqual, equal, throws } from "node:assert/strict";
import {
  parseAggTrades,
  parseBookTicker,
  parseDepth,
  parseFundingRates,
  parseKlines,
  parsePremiumIndex,
  parseServerTime,
} from "./rest_parsers.ts";
import { ASTER_REST_SNAPSHOTS } from "../../tests/fixtures/real_data.ts";

const REAL = ASTER_REST_SNAPSHOTS;

Deno.test("parseDepth() reads real Aster depth snapshots", async (t) => {
  for (const symbol of ["BTCUSDT", "ETHUSDT"]) {
    await t.step(symbol, async () => {
      const text = await Deno.readTextFile(
        `${REAL}/${symbol}_depth100_2025-10-15.json`,
      );
      const raw = JSON.parse(text);
      const depth = parseDepth(raw, symbol);
      equal(depth.kind, "depth");
      equal(depth.symbol, symbol);
      equal(depth.lastUpdateId, raw.lastUpdateId);
      equal(depth.eventTime, raw.E);
      equal(depth.transactionTime, raw.T);
      equal(depth.bids.length, 100);
      equal(depth.asks.length, 100);
      deepEqual(depth.bids[0], raw.bids[0]);
      deepEqual(depth.asks[99], raw.asks[99]);
      // Best bid below best ask, sides sorted away from the touch.
      equal(Number(depth.bids[0]![0]) < Number(depth.asks[0]![0]), true);
      equal(Number(depth.bids[1]![0]) < Number(depth.bids[0]![0]), true);
    });
  }
  await t.step("rejects a bad level naming it", () => {
    throws(
      () =>
        parseDepth({
          lastUpdateId: 1,
          E: 1,
          T: 1,
          bids: [["1", "x"]],
          asks: [],
        }, "X"),
      /depth\.bids\[0\] qty/,
    );
    throws(
      () =>
        parseDepth(
          { lastUpdateId: 1, E: 1, bids: [], asks: [["-1", "1"]] },
          "X",
        ),
      RangeError,
    );
  });
});

Deno.test("parseKlines() marks rows closed by close time", async (t) => {
  const raw = [
    [1000, "1.0", "2.0", "0.5", "1.5", "10", 60999, "15", 3, "4", "6", "0"],
    [61000, "1.5", "1.6", "1.4", "1.5", "1", 120999, "1.5", 1, "0", "0", "0"],
  ];
  await t.step("closed before now, open after", () => {
    const bars = parseKlines(raw, "BTCUSDT", "1m", 100_000);
    equal(bars.length, 2);
    equal(bars[0]!.isClosed, true);
    equal(bars[0]!.eventTime, 60999);
    equal(bars[1]!.isClosed, false);
    equal(bars[1]!.eventTime, 100_000);
    deepEqual(
      [bars[0]!.open, bars[0]!.high, bars[0]!.low, bars[0]!.close],
      ["1.0", "2.0", "0.5", "1.5"],
    );
    equal(bars[0]!.quoteVolume, "15");
    equal(bars[0]!.trades, 3);
    equal(bars[0]!.takerBuyVolume, "4");
    equal(bars[0]!.takerBuyQuoteVolume, "6");
  });
  await t.step("rejects a bad field naming it", () => {
    throws(
      () =>
        parseKlines(
          [[1, "a", "2", "0", "1", "1", 2, "1", 1, "0", "0"]],
          "X",
          "1m",
          0,
        ),
      /klines\[0\] open/,
    );
    throws(() => parseKlines({}, "X", "1m", 0), TypeError);
  });
});

Deno.test("parseBookTicker() and parsePremiumIndex() read documented bodies", async (t) => {
  await t.step("bookTicker", () => {
    const b = parseBookTicker({
      symbol: "BTCUSDT",
      bidPrice: "112120.1",
      bidQty: "73.908",
      askPrice: "112120.2",
      askQty: "0.5",
      time: 1760502565850,
      lastUpdateId: 200688203585,
    });
    equal(b.kind, "bookTicker");
    equal(b.updateId, 200688203585);
    equal(b.bidPrice, "112120.1");
    equal(b.eventTime, 1760502565850);
    throws(
      () =>
        parseBookTicker({
          symbol: "X",
          bidPrice: "1",
          bidQty: "1",
          askPrice: "1",
          askQty: "1",
        }),
      /bookTicker\.time/,
    );
  });
  await t.step("premiumIndex", () => {
    const raw = {
      symbol: "BTCUSDT",
      markPrice: "11793.63104562",
      indexPrice: "11781.80495970",
      estimatedSettlePrice: "11781.16138815",
      lastFundingRate: "-0.00038246",
      interestRate: "0.00010000",
      nextFundingTime: 1597392000000,
      time: 1597370495002,
    };
    const p = parsePremiumIndex(raw);
    equal(p.kind, "markPrice");
    equal(p.fundingRate, "-0.00038246");
    equal(p.interestRate, "0.00010000");
    equal(p.nextFundingTime, 1597392000000);
    throws(() => parsePremiumIndex({ ...raw, markPrice: "NaN" }), /markPrice/);
  });
});

Deno.test("parseAggTrades(), parseFundingRates(), parseServerTime() validate rows", async (t) => {
  await t.step("aggTrades", () => {
    const rows = parseAggTrades([
      {
        a: 26129,
        p: "0.01633102",
        q: "4.70443515",
        f: 27781,
        l: 27781,
        T: 1498793709153,
        m: true,
      },
    ], "BTCUSDT");
    deepEqual(rows[0], {
      kind: "aggTrade",
      symbol: "BTCUSDT",
      eventTime: 1498793709153,
      aggId: 26129,
      price: "0.01633102",
      qty: "4.70443515",
      firstTradeId: 27781,
      lastTradeId: 27781,
      tradeTime: 1498793709153,
      buyerIsMaker: true,
    });
    throws(
      () =>
        parseAggTrades(
          [{ a: 1, p: "1", q: "1", f: 1, l: 1, T: 1, m: "yes" }],
          "X",
        ),
      /aggTrades\[0\]\.m/,
    );
  });
  await t.step("fundingRate", () => {
    const rows = parseFundingRates([
      {
        symbol: "BTCUSDT",
        fundingRate: "-0.03750000",
        fundingTime: 1570608000000,
      },
      { symbol: "BTCUSDT", fundingRate: 0.0001, fundingTime: 1570636800000 },
    ]);
    equal(rows.length, 2);
    equal(rows[1]!.fundingRate, "0.0001");
    throws(
      () => parseFundingRates([{ symbol: "X", fundingRate: "1" }]),
      /fundingTime/,
    );
  });
  await t.step("serverTime", () => {
    equal(parseServerTime({ serverTime: 1499827319559 }), 1499827319559);
    throws(() => parseServerTime({ serverTime: 1.5 }), SyntaxError);
  });
});
