import { deepEqual, equal } from "node:assert/strict";
import { book, errorOf, makeEngine, orderOf } from "./_fixtures.ts";

type P = Record<string, string>;
const LIMIT: P = {
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  quantity: "0.100",
  price: "99.0",
};

function reject(params: P, setup?: (e: ReturnType<typeof makeEngine>) => void) {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(), 0);
  setup?.(engine);
  const reply = engine.newOrder("alice", params, 1);
  equal(reply.status, 400);
  return errorOf(reply).code;
}

Deno.test("Engine.newOrder() rejects bad requests with Binance codes", async (t) => {
  await t.step("-1102 for missing mandatory params", () => {
    const { quantity: _q, ...noQty } = LIMIT;
    equal(reject(noQty), -1102);
    const { price: _p, ...noPrice } = LIMIT;
    equal(reject(noPrice), -1102);
    const { symbol: _s, ...noSymbol } = LIMIT;
    equal(reject(noSymbol), -1102);
    const { timeInForce: _t, ...noTif } = LIMIT;
    equal(reject(noTif), -1102);
    equal(reject({ ...LIMIT, price: "1,5" }), -1102);
    equal(
      reject({
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_MARKET",
        quantity: "1",
      }),
      -1102,
    );
  });
  await t.step("-1117 / -1116 / -1115 for bad enums", () => {
    equal(reject({ ...LIMIT, side: "HOLD" }), -1117);
    equal(reject({ ...LIMIT, type: "STOP" }), -1116);
    equal(reject({ ...LIMIT, timeInForce: "GTD" }), -1115);
  });
  await t.step("-4015 for a client order id outside the regex", () => {
    equal(reject({ ...LIMIT, newClientOrderId: "bad id" }), -4015);
    equal(reject({ ...LIMIT, newClientOrderId: "a".repeat(37) }), -4015);
  });
  await t.step("-1121 for an unknown symbol", () => {
    equal(reject({ ...LIMIT, symbol: "NOPEUSDT" }), -1121);
  });
  await t.step("-1111 for more decimals than the asset allows", () => {
    equal(reject({ ...LIMIT, price: "99.05" }), -1111);
    equal(reject({ ...LIMIT, quantity: "0.1005" }), -1111);
  });
  await t.step("-4013 / -4002 / -4014 from PRICE_FILTER", () => {
    equal(reject({ ...LIMIT, price: "0.0" }), -4013);
    equal(reject({ ...LIMIT, price: "100000.1" }), -4002);
    equal(
      reject({ ...LIMIT, symbol: "ETHUSDT", quantity: "1.0", price: "100.3" }),
      -4014,
    );
  });
  await t.step(
    "-4003 / -4004 / -4005 / -4023 from LOT_SIZE and MARKET_LOT_SIZE",
    () => {
      equal(reject({ ...LIMIT, quantity: "0" }), -4003);
      equal(
        reject({ ...LIMIT, symbol: "ETHUSDT", quantity: "0.3", price: "99.5" }),
        -4004,
      );
      equal(reject({ ...LIMIT, quantity: "101" }), -4005);
      equal(
        reject({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "51",
        }),
        -4005,
      );
      equal(
        reject({ ...LIMIT, symbol: "ETHUSDT", quantity: "1.2", price: "99.5" }),
        -4023,
      );
    },
  );
  await t.step("-4016 / -4024 from PERCENT_PRICE around the mark", () => {
    equal(reject({ ...LIMIT, price: "105.1" }), -4016);
    equal(reject({ ...LIMIT, side: "SELL", price: "94.9" }), -4024);
    const engine = makeEngine();
    engine.onMarket("BTCUSDT", book(), 0);
    const reply = engine.newOrder("alice", { ...LIMIT, price: "105.1" }, 1);
    deepEqual(reply.body, {
      code: -4016,
      msg: "Limit price can't be higher than 105.0.",
    });
  });
  await t.step("-4164 below MIN_NOTIONAL unless reduce-only", () => {
    equal(reject({ ...LIMIT, quantity: "0.050" }), -4164);
    // Reduce-only skips MIN_NOTIONAL and meets the next check (no position: -2022).
    equal(reject({ ...LIMIT, quantity: "0.050", reduceOnly: "true" }), -2022);
  });
  await t.step(
    "-2025 at MAX_NUM_ORDERS and -4045 at MAX_NUM_ALGO_ORDERS",
    () => {
      equal(
        reject(LIMIT, (e) => {
          for (let i = 0; i < 3; i++) e.newOrder("alice", LIMIT, 0);
        }),
        -2025,
      );
      const stop = {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "STOP_MARKET",
        stopPrice: "110.0",
        quantity: "0.100",
      };
      equal(
        reject(stop, (e) => {
          for (let i = 0; i < 2; i++) e.newOrder("alice", stop, 0);
        }),
        -4045,
      );
    },
  );
  await t.step("-2021 for a stop that would trigger immediately", () => {
    equal(
      reject({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "STOP_MARKET",
        stopPrice: "99.0",
        quantity: "0.100",
      }),
      -2021,
    );
  });
  await t.step("-2022 for reduce-only that would open or increase", () => {
    equal(
      reject({
        symbol: "BTCUSDT",
        side: "SELL",
        type: "MARKET",
        quantity: "1",
        reduceOnly: "true",
      }),
      -2022,
    );
  });
  await t.step(
    "-2019 when the initial margin exceeds the available balance",
    () => {
      equal(
        reject({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "11",
        }, (e) => {
          e.leverage("alice", { symbol: "BTCUSDT", leverage: "1" }, 0);
        }),
        -2019,
      );
    },
  );
  await t.step("-4137 / -4138 for closePosition misuse", () => {
    const base = {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      stopPrice: "90.0",
    };
    equal(reject({ ...base, closePosition: "true", quantity: "1" }), -4137);
    equal(
      reject({ ...base, closePosition: "true", reduceOnly: "false" }),
      -4138,
    );
  });
  await t.step(
    "-4135 for an invalid activation price, -1130 for callbackRate",
    () => {
      const base = {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "TRAILING_STOP_MARKET",
        quantity: "1",
      };
      equal(
        reject({ ...base, callbackRate: "1", activationPrice: "0" }),
        -4135,
      );
      equal(reject({ ...base, callbackRate: "6" }), -1130);
      equal(reject({ ...base, callbackRate: "0.05" }), -1130);
    },
  );
  await t.step(
    "-4061 for a hedge-mode position side, -4116 for a duplicate client id",
    () => {
      equal(reject({ ...LIMIT, positionSide: "LONG" }), -4061);
      equal(
        reject({ ...LIMIT, newClientOrderId: "dup" }, (e) => {
          e.newOrder("alice", { ...LIMIT, newClientOrderId: "dup" }, 0);
        }),
        -4116,
      );
    },
  );
  await t.step("-2015 with HTTP 401 for an unknown account", () => {
    const engine = makeEngine();
    const reply = engine.newOrder("mallory", LIMIT, 0);
    equal(reply.status, 401);
    equal(errorOf(reply).code, -2015);
  });
});

Deno.test("Engine order lookups report -2013 and -2011 for unknown orders", async (t) => {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(), 0);
  await t.step("query of an unknown id is -2013", () => {
    equal(
      errorOf(engine.queryOrder("alice", { symbol: "BTCUSDT", orderId: "999" }))
        .code,
      -2013,
    );
  });
  await t.step("cancel of an unknown client id is -2011", () => {
    equal(
      errorOf(
        engine.cancelOrder("alice", {
          symbol: "BTCUSDT",
          origClientOrderId: "x",
        }, 1),
      )
        .code,
      -2011,
    );
  });
  await t.step(
    "cancel of a closed order is -2011 but query still finds it",
    () => {
      const placed = orderOf(engine.newOrder("alice", LIMIT, 1));
      const params = { symbol: "BTCUSDT", orderId: String(placed.orderId) };
      equal(orderOf(engine.cancelOrder("alice", params, 2)).status, "CANCELED");
      equal(errorOf(engine.cancelOrder("alice", params, 3)).code, -2011);
      const row = orderOf(engine.queryOrder("alice", params));
      equal(row.status, "CANCELED");
      equal(row.time, 1);
      equal(row.cumQty, undefined);
    },
  );
  await t.step("the auto-generated client id finds the order", () => {
    const placed = orderOf(engine.newOrder("alice", LIMIT, 4));
    const row = orderOf(
      engine.queryOrder("alice", {
        symbol: "BTCUSDT",
        origClientOrderId: placed.clientOrderId,
      }),
    );
    equal(row.orderId, placed.orderId);
  });
});

Deno.test("Engine settings endpoints follow Binance's no-op codes", async (t) => {
  const engine = makeEngine();
  await t.step("marginType unchanged is -4046, a change succeeds", () => {
    equal(
      errorOf(
        engine.marginType(
          "alice",
          { symbol: "BTCUSDT", marginType: "CROSSED" },
          0,
        ),
      ).code,
      -4046,
    );
    deepEqual(
      engine.marginType(
        "alice",
        { symbol: "BTCUSDT", marginType: "ISOLATED" },
        0,
      ).body,
      {
        code: 200,
        msg: "success",
      },
    );
  });
  await t.step("dual side false is -4059 (one-way already)", () => {
    equal(
      errorOf(engine.setPositionMode("alice", { dualSidePosition: "false" }))
        .code,
      -4059,
    );
    deepEqual(engine.positionMode("alice").body, { dualSidePosition: false });
  });
  await t.step("leverage outside 1..max is -4028", () => {
    equal(
      errorOf(engine.leverage("alice", { symbol: "BTCUSDT", leverage: "0" }, 0))
        .code,
      -4028,
    );
    equal(
      errorOf(
        engine.leverage("alice", { symbol: "BTCUSDT", leverage: "51" }, 0),
      ).code,
      -4028,
    );
    deepEqual(
      engine.leverage("alice", { symbol: "BTCUSDT", leverage: "10" }, 0).body,
      {
        leverage: 10,
        maxNotionalValue: "9000000000",
        symbol: "BTCUSDT",
      },
    );
  });
  await t.step("commissionRate reports the account's rates", () => {
    deepEqual(engine.commissionRate("alice", { symbol: "BTCUSDT" }).body, {
      symbol: "BTCUSDT",
      makerCommissionRate: "0.0002",
      takerCommissionRate: "0.0005",
    });
  });
});
