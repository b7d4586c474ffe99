import { deepEqual, equal } from "node:assert/strict";
import { FakeExchange } from "./fake_exchange.ts";
import type { OrderSpec } from "./port.ts";

const S = "BTCUSDT";
function spec(over: Partial<OrderSpec>): OrderSpec {
  return {
    symbol: S,
    side: "BUY",
    type: "LIMIT",
    timeInForce: "IOC",
    quantity: "1",
    price: "100",
    reduceOnly: false,
    clientOrderId: "c1",
    ...over,
  };
}

Deno.test("FakeExchange behaves like the exchange where the manager relies on it", async (t) => {
  const fake = new FakeExchange(() => 1_000);
  fake.setPrice(S, { bid: "99.9", ask: "100.0" });
  await t.step(
    "IOC fills at the touch; a partial remainder expires",
    async () => {
      fake.limitNextFill(S, "0.4");
      const r = await fake.placeOrder(spec({ price: "100.5" }));
      equal(r.kind, "placed");
      if (r.kind !== "placed") return;
      equal(r.order.status, "EXPIRED");
      equal(r.order.executedQty, "0.4");
      equal(r.order.avgPrice, "100");
      equal(fake.positionAmount(S), "0.4");
    },
  );
  await t.step("an IOC below the ask does not fill", async () => {
    const r = await fake.placeOrder(
      spec({ price: "99.9", clientOrderId: "c2" }),
    );
    equal(r.kind === "placed" && r.order.executedQty, "0");
  });
  await t.step(
    "reduce-only that would increase is rejected (-2022)",
    async () => {
      const r = await fake.placeOrder(
        spec({ type: "MARKET", reduceOnly: true, clientOrderId: "c3" }),
      );
      equal(r.kind === "rejected" && r.code, -2022);
    },
  );
  await t.step("a stop already crossed is rejected (-2021)", async () => {
    const r = await fake.placeOrder(
      spec({
        type: "STOP_MARKET",
        side: "SELL",
        stopPrice: "100",
        workingType: "MARK_PRICE",
        reduceOnly: true,
        clientOrderId: "c4",
      }),
    );
    equal(r.kind === "rejected" && r.code, -2021);
  });
  await t.step(
    "a reduce-only market order is capped at the position",
    async () => {
      const r = await fake.placeOrder(
        spec({
          type: "MARKET",
          side: "SELL",
          reduceOnly: true,
          clientOrderId: "c5",
        }),
      );
      equal(r.kind === "placed" && r.order.executedQty, "0.4");
      equal(fake.positionAmount(S), "0");
      const kinds = fake.takeEvents().map((e) => e.kind);
      deepEqual(kinds.filter((k) => k === "position").length, 2);
    },
  );
});
