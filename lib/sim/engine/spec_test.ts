import { deepEqual, equal, throws } from "node:assert/strict";
import type { RawSymbolInfo } from "../../exchange/wire.ts";
import { BTC } from "./_fixtures.ts";
import { compileSymbol, symbolSpecFromExchangeInfo } from "./spec.ts";

Deno.test("compileSymbol() turns filters into scaled integers", async (t) => {
  await t.step("scales by the finest decimals of tick and step", () => {
    const c = compileSymbol(BTC);
    equal(c.pd, 1);
    equal(c.qd, 3);
    equal(c.tick, 1);
    equal(c.maxPrice, 1_000_000);
    equal(c.minQty, 1);
    equal(c.mktMaxQty, 50_000);
    equal(c.minNotionalUnits, 500_000_000);
    equal(c.rawToUnits, 10_000); // price×qty at 4 decimals → 1e-8 units
    equal(c.maxLeverage, 50);
  });
  await t.step(
    "caps the default leverage so maintenance <= half the initial margin",
    () => {
      const { maxLeverage: _, ...noLeverage } = BTC;
      equal(
        compileSymbol({ ...noLeverage, maintMarginRate: "0.025" }).maxLeverage,
        20,
      );
      equal(
        compileSymbol({ ...noLeverage, maintMarginRate: "0.001" }).maxLeverage,
        125,
      );
    },
  );
  await t.step("fails fast on malformed or zero filters", () => {
    throws(() => compileSymbol({ ...BTC, tickSize: "0" }), RangeError);
    throws(() => compileSymbol({ ...BTC, stepSize: "abc" }), TypeError);
    throws(() => compileSymbol({ ...BTC, minNotional: "-1" }), RangeError);
  });
});

Deno.test("symbolSpecFromExchangeInfo() reads exchangeInfo filters", async (t) => {
  const info: RawSymbolInfo = {
    symbol: "ASTERUSDT",
    pair: "ASTERUSDT",
    contractType: "PERPETUAL",
    status: "TRADING",
    baseAsset: "ASTER",
    quoteAsset: "USDT",
    marginAsset: "USDT",
    pricePrecision: 4,
    quantityPrecision: 0,
    maintMarginPercent: "2.5000",
    triggerProtect: "0.0500",
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: "0.0001",
        maxPrice: "1000",
        tickSize: "0.0001",
      },
      { filterType: "LOT_SIZE", minQty: "1", maxQty: "1000000", stepSize: "1" },
      {
        filterType: "MARKET_LOT_SIZE",
        minQty: "1",
        maxQty: "100000",
        stepSize: "1",
      },
      { filterType: "MAX_NUM_ORDERS", limit: 200 },
      { filterType: "MAX_NUM_ALGO_ORDERS", limit: "100" },
      { filterType: "MIN_NOTIONAL", minNotional: "5" },
      {
        filterType: "PERCENT_PRICE",
        multiplierUp: "1.1500",
        multiplierDown: "0.8500",
        multiplierDecimal: "4",
      },
    ],
  };
  await t.step("maps each filter onto the spec", () => {
    deepEqual(symbolSpecFromExchangeInfo(info), {
      symbol: "ASTERUSDT",
      status: "TRADING",
      tickSize: "0.0001",
      minPrice: "0.0001",
      maxPrice: "1000",
      stepSize: "1",
      minQty: "1",
      maxQty: "1000000",
      marketStepSize: "1",
      marketMinQty: "1",
      marketMaxQty: "100000",
      minNotional: "5",
      multiplierUp: "1.1500",
      multiplierDown: "0.8500",
      maxNumOrders: 200,
      maxNumAlgoOrders: 100,
      maintMarginRate: "0.025",
      triggerProtect: "0.0500",
    });
  });
  await t.step("accepts the documented `notional` field name", () => {
    const spec = symbolSpecFromExchangeInfo({
      ...info,
      filters: info.filters.map((f) =>
        f.filterType === "MIN_NOTIONAL"
          ? { filterType: "MIN_NOTIONAL", notional: "10" }
          : f
      ),
    });
    equal(spec.minNotional, "10");
  });
  await t.step("throws when a required filter is missing", () => {
    throws(
      () => symbolSpecFromExchangeInfo({ ...info, filters: [] }),
      TypeError,
    );
  });
});
