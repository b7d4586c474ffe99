import { deepEqual, equal } from "node:assert/strict";
import { bodyOf, book, errorOf, makeEngine, orderOf } from "./_fixtures.ts";
import type { EngineEvent } from "./engine.ts";

type P = Record<string, string>;

function setup(last = "100.0", mark = "100.0") {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(last, mark), 0);
  return engine;
}

function status(engine: ReturnType<typeof makeEngine>, orderId: number) {
  return orderOf(
    engine.queryOrder("alice", { symbol: "BTCUSDT", orderId: String(orderId) }),
  );
}

function fills(events: EngineEvent[]): string[] {
  return events.flatMap((e) =>
    e.e === "ORDER_TRADE_UPDATE" && e.o.x === "TRADE"
      ? [`${e.o.o}/${e.o.ot}@${e.o.L}x${e.o.l}`]
      : []
  );
}

const stop = (
  type: string,
  side: string,
  stopPrice: string,
  extra: P = {},
): P => ({
  symbol: "BTCUSDT",
  side,
  type,
  stopPrice,
  quantity: "1",
  ...extra,
});

Deno.test("STOP_MARKET triggers on its working price", async (t) => {
  await t.step(
    "MARK_PRICE: ignores the last price, fires when mark >= stop (BUY)",
    () => {
      const engine = setup();
      const id = orderOf(
        engine.newOrder(
          "alice",
          stop("STOP_MARKET", "BUY", "101.0", { workingType: "MARK_PRICE" }),
          1,
        ),
      ).orderId;
      engine.onMarket("BTCUSDT", book("102.0", "100.9"), 2);
      equal(status(engine, id).status, "NEW");
      engine.drainEvents("alice");
      engine.onMarket("BTCUSDT", book("100.5", "101.0"), 3);
      const row = status(engine, id);
      equal(row.status, "FILLED");
      equal(row.type, "MARKET");
      equal(row.origType, "STOP_MARKET");
      deepEqual(fills(engine.drainEvents("alice")), [
        "MARKET/STOP_MARKET@100.1x1.000",
      ]);
    },
  );
  await t.step(
    "CONTRACT_PRICE (default): ignores the mark, fires when last <= stop (SELL)",
    () => {
      const engine = setup();
      const id = orderOf(
        engine.newOrder("alice", stop("STOP_MARKET", "SELL", "99.0"), 1),
      ).orderId;
      engine.onMarket("BTCUSDT", book("99.1", "98.0"), 2);
      equal(status(engine, id).status, "NEW");
      engine.onMarket("BTCUSDT", book("99.0", "99.5"), 3);
      equal(status(engine, id).status, "FILLED");
    },
  );
  await t.step(
    "priceProtect holds the trigger while mark and last diverge > 5 %",
    () => {
      const engine = setup();
      const id = orderOf(
        engine.newOrder(
          "alice",
          stop("STOP_MARKET", "BUY", "110.0", { priceProtect: "TRUE" }),
          1,
        ),
      ).orderId;
      engine.onMarket("BTCUSDT", book("111.0", "100.0"), 2); // |100 − 111| / 100 = 11 %
      equal(status(engine, id).status, "NEW");
      engine.onMarket("BTCUSDT", book("111.0", "108.0"), 3); // 2.8 %
      equal(status(engine, id).status, "FILLED");
    },
  );
});

Deno.test("TAKE_PROFIT_MARKET triggers on the favourable side", async (t) => {
  await t.step("SELL fires when last >= stop", () => {
    const engine = setup();
    const id = orderOf(
      engine.newOrder(
        "alice",
        stop("TAKE_PROFIT_MARKET", "SELL", "102.0"),
        1,
      ),
    ).orderId;
    engine.onMarket("BTCUSDT", book("101.9", "102.5"), 2);
    equal(status(engine, id).status, "NEW");
    engine.onMarket("BTCUSDT", book("102.0", "101.0"), 3);
    equal(status(engine, id).status, "FILLED");
  });
  await t.step("BUY on MARK_PRICE fires when mark <= stop", () => {
    const engine = setup();
    const id = orderOf(
      engine.newOrder(
        "alice",
        stop("TAKE_PROFIT_MARKET", "BUY", "98.0", {
          workingType: "MARK_PRICE",
        }),
        1,
      ),
    ).orderId;
    engine.onMarket("BTCUSDT", book("97.0", "98.1"), 2);
    equal(status(engine, id).status, "NEW");
    engine.onMarket("BTCUSDT", book("99.0", "98.0"), 3);
    equal(status(engine, id).status, "FILLED");
  });
  await t.step("-2021 when already beyond the stop", () => {
    const engine = setup();
    equal(
      errorOf(
        engine.newOrder(
          "alice",
          stop("TAKE_PROFIT_MARKET", "SELL", "100.0"),
          1,
        ),
      ).code,
      -2021,
    );
    equal(
      errorOf(
        engine.newOrder("alice", stop("TAKE_PROFIT_MARKET", "BUY", "100.5"), 1),
      ).code,
      -2021,
    );
  });
});

Deno.test("TRAILING_STOP_MARKET activates, tracks the extreme and calls back", async (t) => {
  await t.step(
    "SELL 1 %: activates at 102, highest 103, fires at <= 101.97",
    () => {
      const engine = setup();
      const placed = orderOf(
        engine.newOrder("alice", {
          symbol: "BTCUSDT",
          side: "SELL",
          type: "TRAILING_STOP_MARKET",
          quantity: "1",
          callbackRate: "1",
          activationPrice: "102.0",
        }, 1),
      );
      equal(placed.activatePrice, "102.0");
      equal(placed.priceRate, "1.0");
      engine.onMarket("BTCUSDT", book("101.0"), 2); // not activated: 101 < 102
      engine.onMarket("BTCUSDT", book("103.0"), 3); // activated, highest 103
      engine.onMarket("BTCUSDT", book("102.0"), 4); // 102 > 103 × 0.99 = 101.97
      equal(status(engine, placed.orderId).status, "NEW");
      engine.drainEvents("alice");
      engine.onMarket("BTCUSDT", book("101.9"), 5);
      equal(status(engine, placed.orderId).status, "FILLED");
      deepEqual(fills(engine.drainEvents("alice")), [
        "MARKET/TRAILING_STOP_MARKET@99.9x1.000",
      ]);
    },
  );
  await t.step("SELL before activation does not fire on a drop", () => {
    const engine = setup();
    const id = orderOf(
      engine.newOrder("alice", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "TRAILING_STOP_MARKET",
        quantity: "1",
        callbackRate: "1",
        activationPrice: "102.0",
      }, 1),
    ).orderId;
    engine.onMarket("BTCUSDT", book("101.5"), 2);
    engine.onMarket("BTCUSDT", book("95.0"), 3);
    equal(status(engine, id).status, "NEW");
  });
  await t.step(
    "BUY without activation price: lowest 99, fires at 99 × 1.01 = 99.99 exactly",
    () => {
      const engine = setup();
      const placed = orderOf(
        engine.newOrder("alice", {
          symbol: "BTCUSDT",
          side: "BUY",
          type: "TRAILING_STOP_MARKET",
          quantity: "1",
          callbackRate: "1",
        }, 1),
      );
      equal(placed.activatePrice, "100.0"); // the latest price at placement
      engine.onMarket("BTCUSDT", book("99.0"), 2);
      engine.onMarket("BTCUSDT", book("99.9"), 3);
      equal(status(engine, placed.orderId).status, "NEW");
      engine.onMarket("BTCUSDT", { ...book("99.9"), lastPrice: "99.99" }, 4);
      equal(status(engine, placed.orderId).status, "FILLED");
    },
  );
  await t.step("-2021 when the activation price is on the near side", () => {
    const engine = setup();
    const base = {
      symbol: "BTCUSDT",
      type: "TRAILING_STOP_MARKET",
      quantity: "1",
      callbackRate: "1",
    };
    equal(
      errorOf(
        engine.newOrder("alice", {
          ...base,
          side: "SELL",
          activationPrice: "99.0",
        }, 1),
      ).code,
      -2021,
    );
    equal(
      errorOf(
        engine.newOrder("alice", {
          ...base,
          side: "BUY",
          activationPrice: "101.0",
        }, 1),
      ).code,
      -2021,
    );
  });
});

Deno.test("closePosition stops close the whole position on trigger", async (t) => {
  const engine = setup();
  engine.newOrder("alice", {
    symbol: "BTCUSDT",
    side: "BUY",
    type: "MARKET",
    quantity: "2",
  }, 1);
  const placed = orderOf(
    engine.newOrder("alice", {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      stopPrice: "99.5",
      closePosition: "true",
    }, 2),
  );
  await t.step("accepted with origQty 0 and closePosition true", () => {
    equal(placed.origQty, "0.000");
    equal(placed.closePosition, true);
    equal(placed.reduceOnly, true);
  });
  await t.step("fires at last <= 99.5 and sells the 2 held", () => {
    engine.drainEvents("alice");
    engine.onMarket("BTCUSDT", book("99.5"), 3);
    const row = status(engine, placed.orderId);
    equal(row.status, "FILLED");
    equal(row.executedQty, "2.000");
    deepEqual(fills(engine.drainEvents("alice")), [
      "MARKET/STOP_MARKET@99.9x1.000",
      "MARKET/STOP_MARKET@99.8x1.000",
    ]);
    equal(
      bodyOf(engine.positionRisk("alice", { symbol: "BTCUSDT" }))[0]!
        .positionAmt,
      "0.000",
    );
  });
  await t.step("expires when there is nothing to close", () => {
    const id = orderOf(
      engine.newOrder("alice", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_MARKET",
        stopPrice: "99.0",
        closePosition: "true",
      }, 4),
    ).orderId;
    engine.onMarket("BTCUSDT", book("98.9"), 5);
    equal(status(engine, id).status, "EXPIRED");
  });
});
