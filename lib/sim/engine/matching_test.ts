import { deepEqual, equal } from "node:assert/strict";
import { bodyOf, book, errorOf, makeEngine, orderOf } from "./_fixtures.ts";
import type { EngineEvent } from "./engine.ts";
import type {
  RawAccountUpdate,
  RawOrderTradeUpdate,
  RawPositionRisk,
} from "../../exchange/trading/wire.ts";

type P = Record<string, string>;

function kinds(events: EngineEvent[]): string[] {
  return events.map((e) =>
    e.e === "ORDER_TRADE_UPDATE"
      ? `${e.o.x}:${e.o.X}`
      : e.e === "ACCOUNT_UPDATE"
      ? `ACCOUNT:${e.a.m}`
      : e.e
  );
}

function trades(events: EngineEvent[]): RawOrderTradeUpdate["o"][] {
  return events.flatMap((e) =>
    e.e === "ORDER_TRADE_UPDATE" && e.o.x === "TRADE" ? [e.o] : []
  );
}

function position(engine: ReturnType<typeof makeEngine>): RawPositionRisk {
  return bodyOf(engine.positionRisk("alice", { symbol: "BTCUSDT" }))[0]!;
}

function errorCode(reply: Parameters<typeof errorOf>[0]): number {
  return errorOf(reply).code;
}

function setup() {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(), 0);
  return engine;
}

const market = (side: string, quantity: string, extra: P = {}): P => ({
  symbol: "BTCUSDT",
  side,
  type: "MARKET",
  quantity,
  newOrderRespType: "RESULT",
  ...extra,
});
const limit = (
  side: string,
  tif: string,
  quantity: string,
  price: string,
): P => ({
  symbol: "BTCUSDT",
  side,
  type: "LIMIT",
  timeInForce: tif,
  quantity,
  price,
  newOrderRespType: "RESULT",
});

Deno.test("Engine.newOrder() MARKET walks the book as taker", async (t) => {
  const engine = setup();
  const order = orderOf(engine.newOrder("alice", market("BUY", "2.5"), 5));
  await t.step("fills 1 @ 100.1 and 1.5 @ 100.2", () => {
    equal(order.status, "FILLED");
    equal(order.executedQty, "2.500");
    equal(order.cumQuote, "250.4000"); // 100.1 + 1.5 × 100.2
    equal(order.avgPrice, "100.16000"); // 250.4 / 2.5
  });
  await t.step(
    "charges the taker fee on notional: 250.4 × 0.0005 = 0.1252",
    () => {
      const events = engine.drainEvents("alice");
      deepEqual(kinds(events), [
        "NEW:NEW",
        "TRADE:PARTIALLY_FILLED",
        "ACCOUNT:ORDER",
        "TRADE:FILLED",
        "ACCOUNT:ORDER",
      ]);
      const [first, second] = trades(events);
      equal(first!.n, "0.05005000"); // 100.1 × 0.0005
      equal(second!.n, "0.07515000"); // 150.3 × 0.0005
      equal(first!.m, false);
      const last = events.at(-1) as RawAccountUpdate;
      equal(last.a.B[0]!.wb, "999.87480000");
      equal(last.a.P[0]!.pa, "2.500");
    },
  );
  await t.step("consumes the book until the next snapshot", () => {
    const next = orderOf(engine.newOrder("alice", market("BUY", "0.5"), 6));
    equal(next.avgPrice, "100.20000"); // 0.5 left at 100.2
    engine.onMarket("BTCUSDT", book(), 7);
    const again = orderOf(engine.newOrder("alice", market("BUY", "0.5"), 8));
    equal(again.avgPrice, "100.10000");
  });
  await t.step("-2020 when the book side is empty", () => {
    const empty = makeEngine();
    empty.onMarket("BTCUSDT", { ...book(), asks: [] }, 0);
    equal(errorCode(empty.newOrder("alice", market("BUY", "1"), 1)), -2020);
    equal(bodyOf(empty.openOrders("alice", {})).length, 0);
  });
  await t.step("expires what the top levels cannot fill", () => {
    const big = orderOf(engine.newOrder("alice", market("SELL", "7"), 9));
    equal(big.status, "EXPIRED");
    equal(big.executedQty, "6.000");
  });
});

Deno.test("Engine.newOrder() LIMIT time-in-force rules", async (t) => {
  await t.step("IOC fills what crosses and expires the rest", () => {
    const engine = setup();
    const order = orderOf(
      engine.newOrder("alice", limit("BUY", "IOC", "4", "100.2"), 1),
    );
    equal(order.status, "EXPIRED");
    equal(order.executedQty, "3.000");
    equal(order.cumQuote, "300.5000"); // 100.1 + 2 × 100.2
    deepEqual(kinds(engine.drainEvents("alice")), [
      "NEW:NEW",
      "TRADE:PARTIALLY_FILLED",
      "ACCOUNT:ORDER",
      "TRADE:PARTIALLY_FILLED",
      "ACCOUNT:ORDER",
      "EXPIRED:EXPIRED",
    ]);
  });
  await t.step(
    "FOK expires untouched (-2020) when it cannot fill completely",
    () => {
      const engine = setup();
      const reply = engine.newOrder(
        "alice",
        { ...limit("BUY", "FOK", "4", "100.2"), newClientOrderId: "fok" },
        1,
      );
      deepEqual(reply, {
        status: 400,
        body: { code: -2020, msg: "Unable to fill." },
      });
      deepEqual(kinds(engine.drainEvents("alice")), [
        "NEW:NEW",
        "EXPIRED:EXPIRED",
      ]);
      const row = orderOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          origClientOrderId: "fok",
        }),
      );
      equal(row.status, "EXPIRED");
      equal(row.executedQty, "0.000");
      equal(position(engine).positionAmt, "0.000");
    },
  );
  await t.step("FOK fills completely when it can", () => {
    const engine = setup();
    const order = orderOf(
      engine.newOrder("alice", limit("BUY", "FOK", "3", "100.2"), 1),
    );
    equal(order.status, "FILLED");
    equal(position(engine).positionAmt, "3.000");
  });
  await t.step(
    "GTX expires when it would cross, rests when it would not",
    () => {
      const engine = setup();
      const crossing = orderOf(
        engine.newOrder("alice", limit("BUY", "GTX", "1", "100.1"), 1),
      );
      equal(crossing.status, "EXPIRED");
      const passive = orderOf(
        engine.newOrder("alice", limit("BUY", "GTX", "1", "100.0"), 2),
      );
      equal(passive.status, "NEW");
      equal(
        bodyOf(engine.openOrders("alice", { symbol: "BTCUSDT" })).length,
        1,
      );
    },
  );
  await t.step(
    "ACK replies with the accepted state, RESULT with the final one",
    () => {
      const engine = setup();
      const ack = orderOf(
        engine.newOrder("alice", {
          ...limit("BUY", "IOC", "1", "100.1"),
          newOrderRespType: "ACK",
        }, 1),
      );
      equal(ack.status, "NEW");
      equal(ack.executedQty, "0.000");
      const row = orderOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          orderId: String(ack.orderId),
        }),
      );
      equal(row.status, "FILLED");
    },
  );
});

Deno.test("Engine.onMarket() fills resting GTC orders as maker", async (t) => {
  const engine = setup();
  const order = orderOf(
    engine.newOrder("alice", limit("BUY", "GTC", "1", "100.0"), 1),
  );
  engine.drainEvents("alice");
  await t.step("the order rests while the market stays above it", () => {
    engine.onMarket("BTCUSDT", book("100.0", "100.0"), 2);
    equal(
      orderOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          orderId: String(order.orderId),
        }),
      ).status,
      "NEW",
    );
    equal(engine.drainEvents("alice").length, 0);
  });
  await t.step(
    "a trade through its price fills it at its price with the maker fee",
    () => {
      engine.onMarket("BTCUSDT", {
        bids: [["99.7", "1"]],
        asks: [["99.8", "1"]],
        lastPrice: "99.8",
        markPrice: "99.8",
      }, 3);
      const events = engine.drainEvents("alice");
      deepEqual(kinds(events), ["TRADE:FILLED", "ACCOUNT:ORDER"]);
      const fill = trades(events)[0]!;
      equal(fill.L, "100.0");
      equal(fill.m, true);
      equal(fill.n, "0.02000000"); // 100 × 0.0002
      equal(fill.b, "0.0000"); // no open bids left
      equal(position(engine).entryPrice, "100.00000000");
    },
  );
});

Deno.test("Engine reduce-only orders clip to the position", async (t) => {
  const engine = setup();
  engine.newOrder("alice", market("BUY", "2"), 1); // 1 @ 100.1 + 1 @ 100.2
  engine.drainEvents("alice");
  await t.step("a larger reduce-only sell closes exactly the position", () => {
    const order = orderOf(
      engine.newOrder("alice", market("SELL", "5", { reduceOnly: "true" }), 2),
    );
    equal(order.executedQty, "2.000");
    equal(order.status, "EXPIRED");
    equal(position(engine).positionAmt, "0.000");
  });
  await t.step("realized PnL: (99.9 + 99.8) − (100.1 + 100.2) = −0.6", () => {
    const updates = engine.drainEvents("alice").filter((e) =>
      e.e === "ACCOUNT_UPDATE"
    );
    const last = updates.at(-1) as RawAccountUpdate;
    equal(last.a.P[0]!.cr, "-0.60000000");
    const rp = trades(engine.drainEvents("alice"));
    equal(rp.length, 0); // drained once: events are not repeated
  });
  await t.step(
    "a resting reduce-only order expires when the position is gone",
    () => {
      engine.newOrder("alice", market("BUY", "1"), 3);
      const rest = orderOf(
        engine.newOrder("alice", {
          ...limit("SELL", "GTC", "1", "101.0"),
          reduceOnly: "true",
        }, 4),
      );
      equal(rest.status, "NEW");
      engine.newOrder("alice", market("SELL", "1"), 5);
      engine.drainEvents("alice");
      engine.onMarket("BTCUSDT", book("101.5", "101.5"), 6);
      deepEqual(kinds(engine.drainEvents("alice")), ["EXPIRED:EXPIRED"]);
      equal(position(engine).positionAmt, "0.000");
    },
  );
});

Deno.test("Engine cancels: single, batch and all", async (t) => {
  const engine = setup();
  const ids = [1, 2, 3].map((i) =>
    orderOf(
      engine.newOrder("alice", {
        ...limit("BUY", "GTC", "0.1", "99.0"),
        newClientOrderId: `c${i}`,
      }, i),
    )
  );
  engine.drainEvents("alice");
  await t.step("batch cancel by id list reports each item", () => {
    const results = bodyOf(
      engine.batchCancel("alice", {
        symbol: "BTCUSDT",
        orderIdList: `[${ids[0]!.orderId},999]`,
      }, 4),
    );
    equal((results[0] as { status: string }).status, "CANCELED");
    deepEqual(results[1], { code: -2011, msg: "Unknown order sent." });
  });
  await t.step("batch cancel by client id list", () => {
    const results = bodyOf(
      engine.batchCancel("alice", {
        symbol: "BTCUSDT",
        origClientOrderIdList: '["c2"]',
      }, 5),
    );
    equal((results[0] as { clientOrderId: string }).clientOrderId, "c2");
  });
  await t.step(
    "cancel all returns the string code and cancels the rest",
    () => {
      deepEqual(
        engine.cancelAllOpenOrders("alice", { symbol: "BTCUSDT" }, 6).body,
        {
          code: "200",
          msg: "The operation of cancel all open order is done.",
        },
      );
      equal(bodyOf(engine.openOrders("alice", {})).length, 0);
      deepEqual(kinds(engine.drainEvents("alice")), [
        "CANCELED:CANCELED",
        "CANCELED:CANCELED",
        "CANCELED:CANCELED",
      ]);
    },
  );
});
