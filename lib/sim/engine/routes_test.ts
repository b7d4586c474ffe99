import { deepEqual, equal } from "node:assert/strict";
import { book, makeEngine } from "./_fixtures.ts";
import { ENGINE_ROUTES, findEngineRoute } from "./routes.ts";

Deno.test("findEngineRoute() maps V1 and V3 paths to engine calls", async (t) => {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(), 0);
  await t.step(
    "the V4 account and V3 accountWithJoinMargin share one call",
    () => {
      const v1 = findEngineRoute("GET", "/fapi/v4/account");
      const v3 = findEngineRoute("get", "/fapi/v3/accountWithJoinMargin");
      equal(v1, v3);
      equal(v1?.weight, 5);
      equal(v1?.call(engine, "alice", {}, 1).status, 200);
    },
  );
  await t.step(
    "POST order places, GET openOrder finds, DELETE order cancels",
    () => {
      const place = findEngineRoute("POST", "/fapi/v3/order")!;
      equal(place.order, true);
      const placed = place.call(engine, "alice", {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.100",
        price: "99.0",
        newClientOrderId: "r1",
      }, 1);
      equal(placed.status, 200);
      const params = { symbol: "BTCUSDT", origClientOrderId: "r1" };
      equal(
        findEngineRoute("GET", "/fapi/v1/openOrder")!.call(
          engine,
          "alice",
          params,
          2,
        ).status,
        200,
      );
      equal(
        findEngineRoute("DELETE", "/fapi/v1/order")!.call(
          engine,
          "alice",
          params,
          3,
        ).status,
        200,
      );
      deepEqual(
        findEngineRoute("GET", "/fapi/v1/openOrder")!.call(
          engine,
          "alice",
          params,
          4,
        ).body,
        { code: -2013, msg: "Order does not exist." },
      );
      equal(
        findEngineRoute("GET", "/fapi/v1/order")!.call(
          engine,
          "alice",
          params,
          5,
        ).status,
        200,
      );
    },
  );
  await t.step("openOrders weighs 40 without a symbol", () => {
    const route = findEngineRoute("GET", "/fapi/v1/openOrders")!;
    equal(
      typeof route.weight === "function" && route.weight(new URLSearchParams()),
      40,
    );
    equal(
      typeof route.weight === "function" &&
        route.weight(new URLSearchParams("symbol=BTCUSDT")),
      1,
    );
  });
  await t.step("unknown paths and methods find nothing", () => {
    equal(findEngineRoute("PUT", "/fapi/v1/order"), undefined);
    equal(findEngineRoute("GET", "/fapi/v1/nope"), undefined);
  });
  await t.step("every route has distinct method and paths", () => {
    const keys = ENGINE_ROUTES.flatMap((
      r,
    ) => [`${r.method} ${r.v1}`, `${r.method} ${r.v3}`]);
    equal(new Set(keys).size, keys.length);
  });
});
