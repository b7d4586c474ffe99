import { deepEqual, equal, throws } from "node:assert/strict";
import { Decimal } from "decimal.js";
import { btcInfo } from "./_test_helpers.ts";
import { exitOrderSpec, exitPurpose, exitSide } from "./exit_orders.ts";
import { orderFilters } from "./filters.ts";

const F = orderFilters(btcInfo());
const SETTINGS = {
  tpBps: 40,
  slBps: 25,
  trailing: { activationBps: 20, callbackPct: 0.5 },
};

Deno.test("exitOrderSpec() builds reduce-only exits sized to the position", async (t) => {
  const short = {
    direction: "short" as const,
    quantity: new Decimal("0.501"),
    entryPrice: new Decimal("99.9"),
  };
  await t.step(
    "a short's TP (contract price), SL (mark price) and trailing",
    () => {
      deepEqual(exitOrderSpec(F, "tp", short, SETTINGS, "a"), {
        symbol: "BTCUSDT",
        side: "BUY",
        quantity: "0.501",
        reduceOnly: true,
        clientOrderId: "a",
        type: "TAKE_PROFIT_MARKET",
        stopPrice: "99.5",
        workingType: "CONTRACT_PRICE",
      });
      const sl = exitOrderSpec(F, "sl", short, SETTINGS, "b");
      equal(sl.type, "STOP_MARKET");
      equal(sl.stopPrice, "100.2");
      equal(sl.workingType, "MARK_PRICE");
      const tr = exitOrderSpec(F, "trail", short, SETTINGS, "c");
      equal(tr.type, "TRAILING_STOP_MARKET");
      equal(tr.activationPrice, "99.7"); // 99.9 * 0.998 = 99.7002 -> down
      equal(tr.callbackRate, "0.5");
      equal(tr.reduceOnly, true);
    },
  );
  await t.step("a trailing exit without settings is refused", () => {
    throws(
      () => exitOrderSpec(F, "trail", short, { tpBps: 1, slBps: 1 }, "d"),
      RangeError,
    );
  });
  await t.step("types map to purposes and directions to sides", () => {
    equal(exitPurpose("STOP_MARKET"), "sl");
    equal(exitPurpose("TAKE_PROFIT_MARKET"), "tp");
    equal(exitPurpose("TRAILING_STOP_MARKET"), "trail");
    equal(exitPurpose("LIMIT"), undefined);
    equal(exitSide("long"), "SELL");
    equal(exitSide("short"), "BUY");
  });
});
