import { deepEqual, equal } from "node:assert/strict";
import { bodyOf, book, makeEngine } from "./_fixtures.ts";
import type { EngineEvent } from "./engine.ts";
import type {
  RawAccount,
  RawAccountUpdate,
  RawMarginCall,
  RawPositionRisk,
} from "../../exchange/trading/wire.ts";

function risk(
  engine: ReturnType<typeof makeEngine>,
  id = "alice",
): RawPositionRisk {
  return bodyOf(engine.positionRisk(id, { symbol: "BTCUSDT" }))[0]!;
}

function account(
  engine: ReturnType<typeof makeEngine>,
  id = "alice",
): RawAccount {
  return bodyOf(engine.account(id));
}

function buy(
  engine: ReturnType<typeof makeEngine>,
  id: string,
  quantity: string,
  now: number,
) {
  return engine.newOrder(id, {
    symbol: "BTCUSDT",
    side: "BUY",
    type: "MARKET",
    quantity,
  }, now);
}

function named(events: EngineEvent[], e: string): EngineEvent[] {
  return events.filter((x) => x.e === e);
}

Deno.test("Engine margin: entry, unrealized PnL and account totals", async (t) => {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(), 0);
  buy(engine, "alice", "2", 1); // 1 @ 100.1 + 1 @ 100.2, fee 200.3 × 0.0005 = 0.10015
  engine.onMarket("BTCUSDT", book("101.0", "101.0"), 2);
  await t.step(
    "entry = 200.3 / 2 = 100.15; uPnL = 2 × 101 − 200.3 = 1.7",
    () => {
      const row = risk(engine);
      equal(row.positionAmt, "2.000");
      equal(row.entryPrice, "100.15000000");
      equal(row.markPrice, "101.0");
      equal(row.unRealizedProfit, "1.70000000");
      equal(row.notional, "202.00000000");
      equal(row.leverage, "20");
      equal(row.marginType, "cross");
    },
  );
  await t.step(
    "cross liquidation price: (2 × 100.15 − 999.89985) / (2 × 0.99) < 0 → 0",
    () => {
      equal(risk(engine).liquidationPrice, "0.00000000");
    },
  );
  await t.step(
    "totals: wallet 999.89985, MM 202 × 1 % = 2.02, IM 202 / 20 = 10.1",
    () => {
      const a = account(engine);
      equal(a.totalWalletBalance, "999.89985000");
      equal(a.totalUnrealizedProfit, "1.70000000");
      equal(a.totalMarginBalance, "1001.59985000"); // wallet + uPnL
      equal(a.totalMaintMargin, "2.02000000");
      equal(a.totalInitialMargin, "10.10000000");
      equal(a.availableBalance, "991.49985000"); // 999.89985 + 1.7 − 10.1
      const balance = bodyOf(engine.balance("alice"))[0]!;
      equal(balance.balance, a.totalWalletBalance);
      equal(balance.availableBalance, a.availableBalance);
    },
  );
  await t.step(
    "resting orders reserve initial margin: 1 × 99 / 20 = 4.95",
    () => {
      engine.newOrder("alice", {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "1",
        price: "99.0",
      }, 3);
      const a = account(engine);
      equal(a.totalOpenOrderInitialMargin, "4.95000000");
      equal(a.totalInitialMargin, "15.05000000");
      equal(a.availableBalance, "986.54985000");
    },
  );
});

Deno.test("Engine.settleFunding() moves funding between wallets", async (t) => {
  await t.step(
    "a long pays 2 × 101 × 0.0001 = 0.0202 at a positive rate (cross)",
    () => {
      const engine = makeEngine();
      engine.onMarket("BTCUSDT", book(), 0);
      buy(engine, "alice", "2", 1);
      engine.drainEvents("alice");
      engine.settleFunding("BTCUSDT", "0.0001", "101.0", 2);
      const events = engine.drainEvents("alice") as RawAccountUpdate[];
      equal(events.length, 1);
      equal(events[0]!.a.m, "FUNDING_FEE");
      deepEqual(events[0]!.a.B, [{
        a: "USDT",
        wb: "999.87965000", // 999.89985 − 0.0202
        cw: "999.87965000",
        bc: "-0.02020000",
      }]);
      deepEqual(events[0]!.a.P, []);
    },
  );
  await t.step(
    "a short receives it, into the isolated wallet when isolated",
    () => {
      const engine = makeEngine();
      engine.onMarket("BTCUSDT", book(), 0);
      engine.marginType(
        "alice",
        { symbol: "BTCUSDT", marginType: "ISOLATED" },
        0,
      );
      engine.leverage("alice", { symbol: "BTCUSDT", leverage: "10" }, 0);
      engine.newOrder("alice", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "MARKET",
        quantity: "1",
      }, 1);
      equal(risk(engine).isolatedWallet, "9.99000000"); // 99.9 / 10
      engine.drainEvents("alice");
      engine.settleFunding("BTCUSDT", "0.001", "100.0", 2);
      const [event] = engine.drainEvents("alice") as RawAccountUpdate[];
      equal(event!.a.B[0]!.bc, "0.10000000"); // 1 × 100 × 0.001
      equal(event!.a.P[0]!.iw, "10.09000000");
      equal(event!.a.P[0]!.mt, "isolated");
    },
  );
  await t.step("nothing happens without a position", () => {
    const engine = makeEngine();
    engine.settleFunding("BTCUSDT", "0.0001", "100.0", 1);
    equal(engine.drainEvents("alice").length, 0);
  });
});

Deno.test("Engine liquidates below maintenance margin", async (t) => {
  await t.step(
    "isolated: liq price (100.1 − 10.01) / 0.99 = 91; wallet lost at 90.9",
    () => {
      const engine = makeEngine();
      engine.onMarket("BTCUSDT", book(), 0);
      engine.marginType(
        "alice",
        { symbol: "BTCUSDT", marginType: "ISOLATED" },
        0,
      );
      engine.leverage("alice", { symbol: "BTCUSDT", leverage: "10" }, 0);
      buy(engine, "alice", "1", 1); // 1 @ 100.1, iw 10.01, fee 0.05005
      equal(risk(engine).liquidationPrice, "91.00000000");
      engine.drainEvents("alice");
      // At 91.1: 10.01 − 9 = 1.01 >= MM 0.911.
      engine.onMarket("BTCUSDT", book("91.1", "91.1"), 2);
      equal(engine.drainEvents("alice").length, 0);
      // At 90.9: 10.01 − 9.2 = 0.81 < MM 0.909.
      engine.onMarket("BTCUSDT", book("90.9", "90.9"), 3);
      const events = engine.drainEvents("alice");
      deepEqual(events.map((e) => e.e), [
        "ORDER_TRADE_UPDATE",
        "ACCOUNT_UPDATE",
      ]);
      const order = events[0]!;
      if (order.e !== "ORDER_TRADE_UPDATE") {
        throw new TypeError("Cannot read order update");
      }
      equal(order.o.c.startsWith("autoclose-"), true);
      equal(order.o.x, "CALCULATED");
      equal(order.o.X, "FILLED");
      equal(order.o.L, "90.9");
      equal(order.o.rp, "-10.01000000");
      const row = risk(engine);
      equal(row.positionAmt, "0.000");
      equal(row.isolatedWallet, "0.00000000");
      equal(account(engine).totalWalletBalance, "989.93995000"); // 1000 − 10.01 − 0.05005
    },
  );
  await t.step(
    "cross: liq price (100.1 − 19.94995) / 0.99; margin call once; liquidation at 80.9",
    () => {
      const engine = makeEngine();
      engine.onMarket("BTCUSDT", book(), 0);
      buy(engine, "bob", "1", 1); // wallet 20 − 0.05005 = 19.94995
      equal(risk(engine, "bob").liquidationPrice, "80.95964646"); // 80.15005 / 0.99
      engine.drainEvents("bob");
      // At 81: balance 19.94995 − 19.1 = 0.84995, MM 0.81: ratio 0.95 >= 0.8.
      engine.onMarket("BTCUSDT", book("81.0", "81.0"), 2);
      const calls = named(
        engine.drainEvents("bob"),
        "MARGIN_CALL",
      ) as RawMarginCall[];
      equal(calls.length, 1);
      equal(calls[0]!.p[0]!.mm, "0.81000000");
      equal(calls[0]!.p[0]!.up, "-19.10000000");
      engine.onMarket("BTCUSDT", book("81.1", "81.1"), 3);
      equal(engine.drainEvents("bob").length, 0); // still in call: not repeated
      engine.onMarket("BTCUSDT", book("80.9", "80.9"), 4);
      const events = engine.drainEvents("bob");
      deepEqual(events.map((e) => e.e), [
        "ORDER_TRADE_UPDATE",
        "ACCOUNT_UPDATE",
      ]);
      const update = events[1] as RawAccountUpdate;
      equal(update.a.B[0]!.wb, "0.74995000"); // 19.94995 − 19.2
      equal(update.a.P[0]!.pa, "0.000");
      equal(update.a.P[0]!.cr, "-19.20000000");
    },
  );
});

Deno.test("Engine position bookkeeping: average up, reduce, flip", async (t) => {
  const engine = makeEngine();
  const at = (px: string) => ({
    bids: [[px, "10"]] as [string, string][],
    asks: [[px, "10"]] as [string, string][],
    lastPrice: px,
    markPrice: px,
  });
  engine.onMarket("BTCUSDT", at("100.0"), 0);
  buy(engine, "alice", "1", 1);
  engine.onMarket("BTCUSDT", at("102.0"), 2);
  buy(engine, "alice", "1", 3);
  await t.step("averages on increase: (100 + 102) / 2 = 101", () => {
    equal(risk(engine).entryPrice, "101.00000000");
  });
  await t.step(
    "keeps the entry on reduce and realizes (104 − 101) × 1 = 3",
    () => {
      engine.onMarket("BTCUSDT", at("104.0"), 4);
      engine.newOrder("alice", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "MARKET",
        quantity: "1",
      }, 5);
      equal(risk(engine).entryPrice, "101.00000000");
      const updates = named(
        engine.drainEvents("alice"),
        "ACCOUNT_UPDATE",
      ) as RawAccountUpdate[];
      equal(updates.at(-1)!.a.P[0]!.cr, "3.00000000");
    },
  );
  await t.step("resets the entry on a flip: sell 3 → short 2 @ 104", () => {
    engine.newOrder("alice", {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "MARKET",
      quantity: "3",
    }, 6);
    const row = risk(engine);
    equal(row.positionAmt, "-2.000");
    equal(row.entryPrice, "104.00000000");
    equal(row.notional, "-208.00000000");
  });
});

Deno.test("Engine commands accept URLSearchParams and report isolated margin", async (t) => {
  const engine = makeEngine();
  engine.onMarket("BTCUSDT", book(), 0);
  engine.marginType(
    "alice",
    new URLSearchParams("symbol=BTCUSDT&marginType=ISOLATED"),
    0,
  );
  engine.leverage(
    "alice",
    new URLSearchParams("symbol=BTCUSDT&leverage=10"),
    0,
  );
  const reply = engine.newOrder(
    "alice",
    new URLSearchParams("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1"),
    1,
  );
  await t.step("the order fills from form-encoded params", () => {
    equal(reply.status, 200);
  });
  await t.step(
    "isolatedMargin = isolated wallet + uPnL: 10.01 + (100 − 100.1)",
    () => {
      const row = risk(engine);
      equal(row.marginType, "isolated");
      equal(row.isolatedWallet, "10.01000000");
      equal(row.isolatedMargin, "9.91000000");
      const a = account(engine);
      equal(a.totalWalletBalance, "999.94995000"); // isolated wallet still counts
      equal(a.totalCrossWalletBalance, "989.93995000");
    },
  );
});
