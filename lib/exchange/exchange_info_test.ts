import { equal, throws } from "node:assert/strict";
import {
  parseExchangeInfo,
  parseSymbolInfo,
  requestWeightPerMinute,
} from "./exchange_info.ts";

function rawSymbol(
  overrides: Record<string, unknown> = {},
  filters?: unknown[],
) {
  return {
    symbol: "BTCUSDT",
    pair: "BTCUSDT",
    contractType: "PERPETUAL",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    marginAsset: "USDT",
    pricePrecision: 1,
    quantityPrecision: 3,
    triggerProtect: "0.0500",
    marketTakeBound: "0.05",
    filters: filters ?? [
      {
        filterType: "PRICE_FILTER",
        minPrice: "1",
        maxPrice: "1000000",
        tickSize: "0.1",
      },
      {
        filterType: "LOT_SIZE",
        minQty: "0.001",
        maxQty: "1000",
        stepSize: "0.001",
      },
      {
        filterType: "MARKET_LOT_SIZE",
        minQty: "0.001",
        maxQty: "120",
        stepSize: "0.001",
      },
      { filterType: "MAX_NUM_ORDERS", limit: 200 },
      { filterType: "MAX_NUM_ALGO_ORDERS", limit: "100" },
      { filterType: "MIN_NOTIONAL", notional: "5" },
      {
        filterType: "PERCENT_PRICE",
        multiplierUp: "1.0500",
        multiplierDown: "0.9500",
        multiplierDecimal: 4,
      },
    ],
    orderTypes: ["LIMIT", "MARKET"],
    ...overrides,
  };
}

Deno.test("parseExchangeInfo() reads rate limits and symbol filters", async (t) => {
  const info = parseExchangeInfo({
    timezone: "UTC",
    serverTime: 1_700_000_000_000,
    rateLimits: [
      {
        rateLimitType: "REQUEST_WEIGHT",
        interval: "MINUTE",
        intervalNum: 1,
        limit: 2400,
      },
      {
        rateLimitType: "ORDERS",
        interval: "MINUTE",
        intervalNum: 1,
        limit: 1200,
      },
    ],
    exchangeFilters: [],
    assets: [],
    symbols: [rawSymbol()],
  });
  await t.step("rate limits", () => {
    equal(info.rateLimits.length, 2);
    equal(requestWeightPerMinute(info), 2400);
  });
  await t.step("filters keep exact decimal strings", () => {
    const s = info.symbols[0]!;
    equal(s.status, "TRADING");
    equal(s.tickSize, "0.1");
    equal(s.minPrice, "1");
    equal(s.maxPrice, "1000000");
    equal(s.stepSize, "0.001");
    equal(s.minQty, "0.001");
    equal(s.maxQty, "1000");
    equal(s.marketMaxQty, "120");
    equal(s.minNotional, "5");
    equal(s.multiplierUp, "1.0500");
    equal(s.multiplierDown, "0.9500");
    equal(s.multiplierDecimal, "4");
    equal(s.maxNumOrders, 200);
    equal(s.maxNumAlgoOrders, 100);
    equal(s.triggerProtect, "0.0500");
  });
});

Deno.test("parseSymbolInfo() handles variants and rejects bad symbols", async (t) => {
  await t.step("MIN_NOTIONAL as minNotional", () => {
    const s = parseSymbolInfo(rawSymbol({}, [
      {
        filterType: "PRICE_FILTER",
        minPrice: "0",
        maxPrice: "0",
        tickSize: "0.01",
      },
      { filterType: "LOT_SIZE", minQty: "1", maxQty: "100", stepSize: "1" },
      { filterType: "MIN_NOTIONAL", minNotional: "5.0" },
    ]));
    equal(s.minNotional, "5.0");
    equal(s.marketStepSize, undefined);
    equal(s.maxNumOrders, undefined);
  });
  await t.step("missing PRICE_FILTER", () => {
    throws(
      () =>
        parseSymbolInfo(
          rawSymbol({}, [{
            filterType: "LOT_SIZE",
            minQty: "1",
            maxQty: "1",
            stepSize: "1",
          }]),
        ),
      /no PRICE_FILTER/,
    );
  });
  await t.step("unknown status", () => {
    throws(() => parseSymbolInfo(rawSymbol({ status: "HALTED" })), RangeError);
  });
  await t.step("zero step size", () => {
    throws(
      () =>
        parseSymbolInfo(rawSymbol({}, [
          {
            filterType: "PRICE_FILTER",
            minPrice: "0",
            maxPrice: "0",
            tickSize: "0.01",
          },
          { filterType: "LOT_SIZE", minQty: "1", maxQty: "100", stepSize: "0" },
        ])),
      /LOT_SIZE\.stepSize/,
    );
  });
});
