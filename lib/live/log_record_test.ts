import { equal } from "node:assert/strict";
import { orderText } from "./log_record.ts";

Deno.test("orderText() puts every order's side, type, quantity, price and notional in the text log", () => {
  equal(
    orderText({
      side: "BUY",
      type: "LIMIT",
      quantity: "0.001",
      price: "104800",
      executedQty: "0.001",
    }),
    "[BUY LIMIT 0.001 @ 104800 = 104.80 USD]",
  );
  equal(
    orderText({
      side: "SELL",
      type: "STOP_MARKET",
      quantity: "0.002",
      stopPrice: "99.69",
    }),
    "[SELL STOP_MARKET 0.002 @ 99.69 = 0.20 USD]",
  );
  equal(
    orderText({ side: "SELL", type: "MARKET", quantity: "0.002" }),
    "[SELL MARKET 0.002 @ market]",
  );
  equal(orderText({ amount: "0.1" }), "");
  equal(orderText(undefined), "");
});
