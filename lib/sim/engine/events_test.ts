import { deepEqual, equal } from "node:assert/strict";
import { book, makeEngine } from "./_fixtures.ts";

Deno.test("Engine user-data events carry the wire keys of §5", async (t) => {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(), 0);
  engine.newOrder("alice", {
    symbol: "BTCUSDT",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    quantity: "1",
    price: "100.1",
    newClientOrderId: "my-order_1",
  }, 7);
  const events = engine.drainEvents("alice");
  await t.step("NEW has no commission keys; TRADE has them", () => {
    const [created, trade, update] = events;
    if (
      created?.e !== "ORDER_TRADE_UPDATE" || trade?.e !== "ORDER_TRADE_UPDATE"
    ) {
      throw new TypeError("Cannot read events: unexpected order");
    }
    deepEqual(Object.keys(created.o).sort(), [
      "L",
      "R",
      "S",
      "T",
      "X",
      "a",
      "ap",
      "b",
      "c",
      "cp",
      "f",
      "i",
      "l",
      "m",
      "o",
      "ot",
      "p",
      "ps",
      "q",
      "rp",
      "s",
      "sp",
      "t",
      "wt",
      "x",
      "z",
    ]);
    deepEqual(Object.keys(trade.o).sort(), [
      "L",
      "N",
      "R",
      "S",
      "T",
      "X",
      "a",
      "ap",
      "b",
      "c",
      "cp",
      "f",
      "i",
      "l",
      "m",
      "n",
      "o",
      "ot",
      "p",
      "ps",
      "q",
      "rp",
      "s",
      "sp",
      "t",
      "wt",
      "x",
      "z",
    ]);
    equal(trade.E, 7);
    equal(trade.T, 7);
    equal(trade.o.c, "my-order_1");
    equal(trade.o.l, "1.000");
    equal(trade.o.L, "100.1");
    equal(trade.o.n, "0.05005000");
    equal(trade.o.t > 0, true);
    equal(update?.e, "ACCOUNT_UPDATE");
    equal(update?.e === "ACCOUNT_UPDATE" && update.T, trade.T);
  });
  await t.step("ACCOUNT_UPDATE has B and P rows in wire shape", () => {
    const update = events[2];
    if (update?.e !== "ACCOUNT_UPDATE") {
      throw new TypeError("Cannot read update");
    }
    deepEqual(update.a, {
      m: "ORDER",
      B: [{
        a: "USDT",
        wb: "999.94995000",
        cw: "999.94995000",
        bc: "0.00000000",
      }],
      P: [{
        s: "BTCUSDT",
        pa: "1.000",
        ep: "100.10000000",
        cr: "0.00000000",
        up: "-0.10000000", // mark 100: 1 × (100 − 100.1)
        mt: "cross",
        iw: "0.00000000",
        ps: "BOTH",
        ma: "USDT",
      }],
    });
  });
});

Deno.test("Engine emits each event exactly once per state change", async (t) => {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(), 0);
  await t.step("placement and cancel without fills: no ACCOUNT_UPDATE", () => {
    engine.newOrder("alice", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "1",
      price: "99.0",
      newClientOrderId: "a",
    }, 1);
    engine.cancelOrder(
      "alice",
      { symbol: "BTCUSDT", origClientOrderId: "a" },
      2,
    );
    deepEqual(
      engine.drainEvents("alice").map((e) =>
        e.e === "ORDER_TRADE_UPDATE" ? e.o.x : e.e
      ),
      ["NEW", "CANCELED"],
    );
    equal(engine.drainEvents("alice").length, 0);
  });
  await t.step("market updates without state changes emit nothing", () => {
    engine.onMarket("BTCUSDT", book("100.2", "100.1"), 3);
    equal(engine.drainEvents("alice").length, 0);
  });
  await t.step(
    "leverage emits ACCOUNT_CONFIG_UPDATE only when it changes",
    () => {
      engine.leverage("alice", { symbol: "BTCUSDT", leverage: "5" }, 4);
      engine.leverage("alice", { symbol: "BTCUSDT", leverage: "5" }, 5);
      deepEqual(engine.drainEvents("alice"), [{
        e: "ACCOUNT_CONFIG_UPDATE",
        E: 4,
        T: 4,
        ac: { s: "BTCUSDT", l: 5 },
      }]);
    },
  );
  await t.step("events stay with their account", () => {
    engine.newOrder("bob", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.1",
    }, 6);
    equal(engine.drainEvents("alice").length, 0);
    equal(engine.drainEvents("bob").length, 3);
  });
  await t.step("trailing orders add AP and cr", () => {
    engine.newOrder("alice", {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "TRAILING_STOP_MARKET",
      quantity: "1",
      callbackRate: "2.5",
      activationPrice: "105.0",
    }, 7);
    const [created] = engine.drainEvents("alice");
    if (created?.e !== "ORDER_TRADE_UPDATE") {
      throw new TypeError("Cannot read event");
    }
    equal(created.o.AP, "105.0");
    equal(created.o.cr, "2.5");
    equal(created.o.ot, "TRAILING_STOP_MARKET");
  });
});
