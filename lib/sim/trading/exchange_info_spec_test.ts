import { deepEqual, equal, throws } from "node:assert/strict";
import { compileSymbol, symbolSpecFromExchangeInfo } from "../engine/spec.ts";
import { exchangeInfo, symbolSpec } from "../symbols.ts";

Deno.test("symbolSpecFromExchangeInfo() reads the simulator's exchangeInfo filters", async (t) => {
  const info = exchangeInfo(
    [symbolSpec("BTCUSDT"), symbolSpec("ETHUSDT"), symbolSpec("DOGEUSDT")],
    0,
  );

  await t.step("BTCUSDT (minNotional field)", () => {
    const spec = symbolSpecFromExchangeInfo(info.symbols[0]!);
    deepEqual(spec, {
      symbol: "BTCUSDT",
      status: "TRADING",
      tickSize: "0.1",
      minPrice: "0.1",
      maxPrice: "10000000",
      stepSize: "0.001",
      minQty: "0.001",
      maxQty: "1000",
      marketStepSize: "0.001",
      marketMinQty: "0.001",
      marketMaxQty: "100",
      minNotional: "5",
      multiplierUp: "1.0500",
      multiplierDown: "0.9500",
      maxNumOrders: 200,
      maxNumAlgoOrders: 100,
      maintMarginRate: "0.025",
      triggerProtect: "0.0500",
    });
    const compiled = compileSymbol(spec);
    equal(compiled.pd, 1);
    equal(compiled.qd, 3);
    equal(compiled.maxLeverage, 20);
    equal(compiled.minNotionalUnits, 5e8);
  });

  await t.step("ETHUSDT (notional field) and DOGEUSDT (integer step)", () => {
    equal(symbolSpecFromExchangeInfo(info.symbols[1]!).minNotional, "5");
    const doge = compileSymbol(symbolSpecFromExchangeInfo(info.symbols[2]!));
    equal(doge.qd, 0);
    equal(doge.pd, 5);
  });

  await t.step("a missing mandatory filter is a TypeError", () => {
    const broken = {
      ...info.symbols[0]!,
      filters: info.symbols[0]!.filters.filter((f) =>
        f.filterType !== "LOT_SIZE"
      ),
    };
    throws(() => symbolSpecFromExchangeInfo(broken), TypeError);
  });
});
