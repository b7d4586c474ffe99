import { equal, match, ok } from "node:assert/strict";
import { btcInfo } from "./_test_helpers.ts";
import { describePlan, planEntry } from "./entry_plan.ts";
import { entryQuantity, orderFilters } from "./filters.ts";

const f = orderFilters(btcInfo());

Deno.test("planEntry() refuses an entry the minimums force above the allowance", async (t) => {
  await t.step("25 USD at 104 800: 0.001 = 104.80 USD is 4.19x", () => {
    const r = planEntry(f, 25, "104800", 0.1);
    ok(!r.ok);
    match(
      r.message,
      /^order_notional 25 USD buys 0\.001 BTCUSDT = 104\.80 USD/,
    );
    match(r.message, /minimum notional 5 USD/);
    match(r.message, /raise order_notional to 104\.80 or max_upsize to 3\.2/);
  });
  await t.step("--max_upsize 3.2 allows it", () => {
    const r = planEntry(f, 25, "104800", 3.2);
    ok(r.ok);
    equal(r.plan.quantity, "0.001");
    equal(r.plan.notional, "104.80");
  });
  await t.step(
    "120 USD: 0.002 would be 209.60 USD, so a step below (104.80 USD)",
    () => {
      const r = planEntry(f, 120, "104800", 0.1);
      ok(r.ok);
      equal(r.plan.quantity, "0.001");
      equal(
        describePlan(r.plan),
        "BTCUSDT planned entry: 0.001 at 104800 = 104.80 USD (limit 132.00 USD)",
      );
    },
  );
  await t.step("below the minimum notional: the doctor's message", () => {
    const r = planEntry(orderFilters(btcInfo({ minNotional: "150" })), 100, 1);
    ok(!r.ok);
    equal(
      r.message,
      "order_notional 100 USD is below the minimum notional 150 USD of BTCUSDT; raise order_notional",
    );
  });
});

Deno.test("entryQuantity() with maxUpsize rounds a step down only within the minimums", () => {
  // no allowance given: the smallest quantity reaching the target (unchanged)
  equal(entryQuantity(f, 120, "104800"), "0.002");
  equal(entryQuantity(f, 120, "104800", 0.1), "0.001");
  // within the allowance: rounded up as before
  equal(entryQuantity(f, 1000, "104800", 0.1), "0.01");
  // a step below would be under minQty: the forced quantity is returned
  const coarse = orderFilters(btcInfo({ minQty: "0.01" }));
  equal(entryQuantity(coarse, 25, "104800", 0.1), "0.01");
});
