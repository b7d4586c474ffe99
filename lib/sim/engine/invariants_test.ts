import { equal, ok } from "node:assert/strict";
import { parseScaled } from "./decimal.ts";
import { bodyOf, makeEngine } from "./_fixtures.ts";
import type { EngineEvent, MarketUpdate } from "./engine.ts";

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const units = (text: string) => parseScaled(text, 8);

function snapshot(midTicks: number, rand: () => number): MarketUpdate {
  const px = (t: number) => (t / 10).toFixed(1);
  const qty = () => (1 + Math.floor(rand() * 3000) / 1000).toFixed(3);
  return {
    bids: [1, 2, 3, 4, 5].map((i) =>
      [px(midTicks - i), qty()] as [string, string]
    ),
    asks: [1, 2, 3, 4, 5].map((i) =>
      [px(midTicks + i), qty()] as [string, string]
    ),
    lastPrice: px(midTicks + Math.round((rand() - 0.5) * 4)),
    markPrice: px(midTicks),
  };
}

Deno.test("Engine conserves money and reports consistent totals under random flow", async (t) => {
  const rand = prng(20261124);
  const engine = makeEngine();
  let mid = 1000; // 100.0
  let expected = units("1000");
  const events: EngineEvent[] = [];
  const types = [
    "MARKET",
    "LIMIT",
    "STOP_MARKET",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
  ];
  const tifs = ["GTC", "IOC", "FOK", "GTX"];
  let accepted = 0;
  let rejected = 0;
  for (let step = 1; step <= 3000; step++) {
    const now = step * 10;
    const r = rand();
    if (r < 0.3) {
      mid = Math.max(
        900,
        Math.min(1100, mid + Math.round((rand() - 0.5) * 10)),
      );
      engine.onMarket("BTCUSDT", snapshot(mid, rand), now);
    } else if (r < 0.33) {
      engine.settleFunding(
        "BTCUSDT",
        (rand() * 0.002 - 0.001).toFixed(6),
        (mid / 10).toFixed(1),
        now,
      );
    } else if (r < 0.37) {
      engine.cancelAllOpenOrders("alice", { symbol: "BTCUSDT" }, now);
    } else {
      const type = types[Math.floor(rand() * types.length)]!;
      const side = rand() < 0.5 ? "BUY" : "SELL";
      const offset = Math.round((rand() - 0.5) * 20);
      const params: Record<string, string> = {
        symbol: "BTCUSDT",
        side,
        type,
        quantity: (0.05 + Math.floor(rand() * 2000) / 1000).toFixed(3),
      };
      if (type === "LIMIT") {
        params.timeInForce = tifs[Math.floor(rand() * tifs.length)]!;
        params.price = ((mid + offset) / 10).toFixed(1);
      } else if (type === "TRAILING_STOP_MARKET") {
        params.callbackRate = (1 + Math.floor(rand() * 20) / 10).toFixed(1);
      } else if (type !== "MARKET") {
        params.stopPrice = ((mid + offset) / 10).toFixed(1);
        if (rand() < 0.5) params.workingType = "MARK_PRICE";
      }
      if (rand() < 0.2 && type !== "LIMIT" && type !== "MARKET") {
        params.reduceOnly = "true";
      }
      const reply = engine.newOrder("alice", params, now);
      if (reply.status === 200) accepted++;
      else rejected++;
    }
    for (const e of engine.drainEvents("alice")) {
      events.push(e);
      if (e.e === "ORDER_TRADE_UPDATE" && e.o.x === "TRADE") {
        expected += units(e.o.rp) - units(e.o.n ?? "0");
      }
      if (e.e === "ACCOUNT_UPDATE" && e.a.m === "FUNDING_FEE") {
        expected += units(e.a.B[0]!.bc);
      }
    }
  }
  const account = bodyOf(engine.account("alice"));
  await t.step("the flow exercised fills, rejections and funding", () => {
    ok(accepted > 500, `accepted ${accepted}`);
    ok(rejected > 50, `rejected ${rejected}`);
    ok(
      events.filter((e) => e.e === "ORDER_TRADE_UPDATE" && e.o.x === "TRADE")
        .length > 300,
    );
    equal(
      events.some((e) =>
        e.e === "ORDER_TRADE_UPDATE" && e.o.x === "CALCULATED"
      ),
      false,
    );
  });
  await t.step(
    "wallet = initial + Σ realized − Σ fees + Σ funding, to the 1e-8",
    () => {
      equal(units(account.totalWalletBalance), expected);
    },
  );
  await t.step(
    "every fill produced exactly one ACCOUNT_UPDATE with the same time",
    () => {
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (e.e !== "ORDER_TRADE_UPDATE" || e.o.x !== "TRADE") continue;
        const next = events[i + 1];
        equal(next?.e, "ACCOUNT_UPDATE");
        equal(next?.e === "ACCOUNT_UPDATE" && next.T, e.T);
      }
    },
  );
  await t.step(
    "totals are consistent with each other and with positionRisk",
    () => {
      equal(
        units(account.totalMarginBalance),
        units(account.totalWalletBalance) +
          units(account.totalUnrealizedProfit),
      );
      const rows = bodyOf(engine.positionRisk("alice", {}));
      const upnl = rows.reduce(
        (sum, row) => sum + units(row.unRealizedProfit),
        0,
      );
      equal(units(account.totalUnrealizedProfit), upnl);
      equal(
        units(account.totalInitialMargin),
        units(account.totalPositionInitialMargin) +
          units(account.totalOpenOrderInitialMargin),
      );
    },
  );
  await t.step("every open order is queryable and still working", () => {
    for (const row of bodyOf(engine.openOrders("alice", {}))) {
      ok(row.status === "NEW" || row.status === "PARTIALLY_FILLED");
      const again = bodyOf(
        engine.queryOrder("alice", {
          symbol: "BTCUSDT",
          orderId: String(row.orderId),
        }),
      );
      equal(again.status, row.status);
    }
  });
});
