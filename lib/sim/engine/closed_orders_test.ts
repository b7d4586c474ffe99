import { equal, throws } from "node:assert/strict";
import { book, errorOf, makeEngine, orderOf } from "./_fixtures.ts";
import { ClosedOrders } from "./closed_orders.ts";

Deno.test("ClosedOrders keeps the latest closed orders queryable", async (t) => {
  const engine = makeEngine({ maxClosedOrders: 2 });
  engine.onMarket("BTCUSDT", book(), 0);
  const place = (clientId?: string) =>
    orderOf(engine.newOrder("alice", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "IOC",
      quantity: "0.100",
      price: "100.1",
      newOrderRespType: "RESULT",
      ...(clientId === undefined ? {} : { newClientOrderId: clientId }),
    }, 5));
  const first = place("mine");
  const second = place();
  await t.step(
    "finds closed orders by id, user client id and generated client id",
    () => {
      const byClient = orderOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          origClientOrderId: "mine",
        }),
      );
      equal(byClient.orderId, first.orderId);
      equal(byClient.status, "FILLED");
      equal(byClient.executedQty, "0.100");
      equal(byClient.avgPrice, "100.10000");
      equal(byClient.time, 5);
      const byAuto = orderOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          origClientOrderId: second.clientOrderId,
        }),
      );
      equal(byAuto.orderId, second.orderId);
    },
  );
  await t.step("drops the oldest beyond capacity (-2013)", () => {
    place();
    equal(
      errorOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          origClientOrderId: "mine",
        }),
      )
        .code,
      -2013,
    );
    equal(
      errorOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          orderId: String(first.orderId),
        }),
      )
        .code,
      -2013,
    );
    equal(
      orderOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          orderId: String(second.orderId),
        }),
      )
        .status,
      "FILLED",
    );
  });
  await t.step("rejects a non-positive capacity", () => {
    throws(() => new ClosedOrders(0), RangeError);
  });
});
