import { parseSymbolInfo } from "../exchange/exchange_info.ts";
import { equal, throws } from "node:assert/strict";
import { btcInfo } from "./_test_helpers.ts";
import {
  entryPrice,
  entryQuantity,
  exitLevels,
  marketCloseQuantity,
  orderFilters,
  OrderSizeError,
  roundToStep,
  trailingParams,
} from "./filters.ts";
import { Decimal } from "decimal.js";

const F = orderFilters(btcInfo()); // tick 0.1, step 0.001, min notional 5, maxQty 100

Deno.test("entryQuantity() sizes to the smallest step reaching the notional", async (t) => {
  await t.step(
    "rounds up to the step so the notional is at least the target",
    () => {
      // 50 / 30000.1 = 0.0016666 -> 0.002 (60.0002 USD); 0.001 would be 30 USD
      equal(entryQuantity(F, 50, "30000.1"), "0.002");
      equal(entryQuantity(F, 50, "100"), "0.5"); // exact
      equal(entryQuantity(F, 50, "99.9"), "0.501"); // 0.5 * 99.9 = 49.95 < 50
    },
  );
  await t.step(
    "the exchange minimum notional wins over a smaller target",
    () => {
      // target 1 USD, min notional 5: 5 / 2.3 = 2.1739 -> 2.174
      equal(entryQuantity(F, 1, "2.3"), "2.174");
      const q = new Decimal(entryQuantity(F, 1, "2.3"));
      equal(q.mul("2.3").gte(5), true);
      equal(q.sub("0.001").mul("2.3").lt(5), true);
    },
  );
  await t.step("minQty is respected", () => {
    const f = orderFilters(btcInfo({ minQty: "0.01", minNotional: "0" }));
    equal(entryQuantity(f, 5, "100000"), "0.01");
  });
  await t.step("refuses clearly above maxQty", () => {
    const f = orderFilters(btcInfo({ marketMaxQty: "100" }));
    throws(
      () => entryQuantity(f, 10_001, "100"),
      (e) =>
        e instanceof OrderSizeError && e.reason === "above_max_qty" &&
        /exceeds maxQty 100/.test(e.message),
    );
    equal(entryQuantity(f, 10_000, "100"), "100"); // exactly maxQty is fine
  });
  await t.step("refuses non-positive inputs", () => {
    throws(() => entryQuantity(F, 0, "100"), OrderSizeError);
    throws(() => entryQuantity(F, 50, "0"), OrderSizeError);
  });
  await t.step("integer steps", () => {
    const f = orderFilters(
      btcInfo({
        stepSize: "1",
        minQty: "1",
        maxQty: "1000",
        marketMaxQty: "1000",
      }),
    );
    equal(entryQuantity(f, 50, "0.3"), "167"); // 166.67 -> 167
  });
});

Deno.test("entryPrice() takes the touch on the tick", async (t) => {
  await t.step("BUY at the ask, SELL at the bid", () => {
    equal(entryPrice(F, "long", "99.9", "100.0"), "100");
    equal(entryPrice(F, "short", "99.9", "100.0"), "99.9");
  });
  await t.step("an off-tick quote rounds toward crossing", () => {
    equal(entryPrice(F, "long", "99.91", "100.03"), "100.1");
    equal(entryPrice(F, "short", "99.97", "100.03"), "99.9");
  });
});

Deno.test("exitLevels() rounds away from immediate triggering", async (t) => {
  await t.step("long: TP up, SL down", () => {
    // 100.05 * 1.004 = 100.4502 -> 100.5; 100.05 * 0.9975 = 99.799875 -> 99.7
    const l = exitLevels(F, "long", "100.05", 40, 25);
    equal(l.takeProfit, "100.5");
    equal(l.stopLoss, "99.7");
  });
  await t.step("short: TP down, SL up", () => {
    // 100.05 * 0.996 = 99.6498 -> 99.6; 100.05 * 1.0025 = 100.300125 -> 100.4
    const s = exitLevels(F, "short", "100.05", 40, 25);
    equal(s.takeProfit, "99.6");
    equal(s.stopLoss, "100.4");
  });
  await t.step("levels on the tick stay put", () => {
    const l = exitLevels(F, "long", "100", 40, 25);
    equal(l.takeProfit, "100.4");
    equal(l.stopLoss, "99.7"); // 99.75 -> 99.7
  });
  await t.step("bad distances are refused", () => {
    throws(() => exitLevels(F, "long", "100", 0, 25), RangeError);
    throws(() => exitLevels(F, "long", "100", 40, 10_000), RangeError);
  });
});

Deno.test("trailingParams() sets activation and checks the callback rate", async (t) => {
  await t.step("activation beyond the fill, rounded away", () => {
    // 100.05 * 1.002 = 100.2501 -> 100.3 (long); 100.05 * 0.998 = 99.8499 -> 99.8
    equal(
      trailingParams(F, "long", "100.05", 20, 0.2).activationPrice,
      "100.3",
    );
    equal(
      trailingParams(F, "short", "100.05", 20, 0.2).activationPrice,
      "99.8",
    );
    equal(trailingParams(F, "long", "100", 20, 0.2).callbackRate, "0.2");
  });
  await t.step(
    "callback rate 0.1 and 5 are accepted, outside is an error",
    () => {
      equal(trailingParams(F, "long", "100", 20, 0.1).callbackRate, "0.1");
      equal(trailingParams(F, "long", "100", 20, 5).callbackRate, "5");
      throws(() => trailingParams(F, "long", "100", 20, 0.09), RangeError);
      throws(() => trailingParams(F, "long", "100", 20, 5.01), RangeError);
      throws(() => trailingParams(F, "long", "100", -1, 1), RangeError);
    },
  );
});

Deno.test("marketCloseQuantity() rounds up to the market step over dust and caps at its max", async (t) => {
  await t.step("an off-step position is covered, not left as dust", () => {
    const coarse = orderFilters(parseSymbolInfo({
      symbol: "MKTSTEPUSDT",
      status: "TRADING",
      baseAsset: "MKTSTEP",
      quoteAsset: "USDT",
      marginAsset: "USDT",
      contractType: "PERPETUAL",
      pricePrecision: 2,
      quantityPrecision: 3,
      filters: [
        {
          filterType: "PRICE_FILTER",
          tickSize: "0.01",
          minPrice: "0.01",
          maxPrice: "100000",
        },
        {
          filterType: "LOT_SIZE",
          stepSize: "0.001",
          minQty: "0.001",
          maxQty: "1000",
        },
        {
          filterType: "MARKET_LOT_SIZE",
          stepSize: "0.1",
          minQty: "0.1",
          maxQty: "100",
        },
      ],
    }));
    equal(marketCloseQuantity(coarse, "0.987"), "1");
    equal(marketCloseQuantity(coarse, "-0.013"), "0.1");
    equal(marketCloseQuantity(coarse, "1"), "1");
    equal(marketCloseQuantity(coarse, "0"), "0");
  });
  await t.step("caps at MARKET_LOT_SIZE maxQty", () => {
    equal(marketCloseQuantity(F, "-0.5"), "0.5");
    equal(marketCloseQuantity(F, "75"), "50");
  });
  await t.step("roundToStep() goes both ways", () => {
    equal(roundToStep("1.05", new Decimal("0.1"), "down").toFixed(), "1");
    equal(roundToStep("1.05", new Decimal("0.1"), "up").toFixed(), "1.1");
    equal(roundToStep("1.05", new Decimal("0"), "up").toFixed(), "1.05");
  });
});
