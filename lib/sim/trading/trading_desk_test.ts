import { deepEqual, equal, ok } from "node:assert/strict";
import { bookTop, startRig } from "./_test_rig.ts";

function near(actual: number, expected: number, tol: number): void {
  ok(
    Math.abs(actual - expected) <= tol,
    `${actual} is not within ${tol} of ${expected}`,
  );
}

Deno.test("signed V1 requests trade against the simulated book", async (t) => {
  await using rig = await startRig();
  const { sim, v1 } = rig;

  await t.step("balance starts at the configured wallet", async () => {
    const r = await rig.call(v1, "GET", "/fapi/v2/balance", {}, "USER_DATA");
    equal(r.status, 200);
    equal(r.body[0].asset, "USDT");
    equal(Number(r.body[0].balance), 10000);
    equal(r.headers.get("x-mbx-used-weight-1m"), "5");
  });

  let fillPrice = 0;
  await t.step(
    "a MARKET buy fills at the ask with taker fee and reports the order count",
    async () => {
      const { ask } = await bookTop(sim, "BTCUSDT");
      const r = await rig.call(v1, "POST", "/fapi/v1/order", {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: "0.010",
        newClientOrderId: "entry-1",
        newOrderRespType: "RESULT",
      });
      equal(r.status, 200, JSON.stringify(r.body));
      equal(r.body.status, "FILLED");
      equal(r.body.clientOrderId, "entry-1");
      equal(r.body.executedQty, "0.010");
      fillPrice = Number(r.body.avgPrice);
      ok(fillPrice >= ask, `${fillPrice} < ask ${ask}`);
      equal(r.headers.get("x-mbx-order-count-1m"), "1");
      equal(r.headers.get("x-mbx-order-count-10s"), "1");
    },
  );

  await t.step("positionRisk and account report the position", async () => {
    const pr = await rig.call(
      v1,
      "GET",
      "/fapi/v2/positionRisk",
      { symbol: "BTCUSDT" },
      "USER_DATA",
    );
    equal(pr.status, 200);
    equal(pr.body.length, 1);
    equal(pr.body[0].positionAmt, "0.010");
    near(Number(pr.body[0].entryPrice), fillPrice, 1e-9);
    const acc = await rig.call(v1, "GET", "/fapi/v4/account", {}, "USER_DATA");
    equal(acc.status, 200);
    const fee = Math.round(fillPrice * 0.01 * 0.00035 * 1e8) / 1e8;
    near(Number(acc.body.totalWalletBalance), 10000 - fee, 1e-8);
    near(
      Number(acc.body.totalMarginBalance),
      Number(acc.body.totalWalletBalance) +
        Number(acc.body.totalUnrealizedProfit),
      1e-8,
    );
    const mark = Number(pr.body[0].markPrice);
    near(
      Number(acc.body.totalUnrealizedProfit),
      (mark - fillPrice) * 0.01,
      1e-6,
    );
    const pos = acc.body.positions.find((p: { symbol: string }) =>
      p.symbol === "BTCUSDT"
    );
    equal(pos.positionAmt, "0.010");
  });

  await t.step(
    "a LIMIT below the book rests, is listed, then canceled",
    async () => {
      const { bid } = await bookTop(sim, "BTCUSDT");
      const price = (Math.floor(bid * 0.98 * 10) / 10).toFixed(1);
      // Part of the parameters in the query, the rest in the body (§2.1).
      const r = await rig.call(
        v1,
        "POST",
        "/fapi/v1/order",
        {
          type: "LIMIT",
          timeInForce: "GTC",
          quantity: "0.005",
          price,
          newClientOrderId: "rest-1",
        },
        "TRADE",
        { symbol: "BTCUSDT", side: "BUY" },
      );
      equal(r.status, 200, JSON.stringify(r.body));
      equal(r.body.status, "NEW");
      const open = await rig.call(v1, "GET", "/fapi/v1/openOrders", {
        symbol: "BTCUSDT",
      }, "USER_DATA");
      deepEqual(
        open.body.map((o: { clientOrderId: string }) => o.clientOrderId),
        [
          "rest-1",
        ],
      );
      const c = await rig.call(v1, "DELETE", "/fapi/v1/order", {
        symbol: "BTCUSDT",
        origClientOrderId: "rest-1",
      });
      equal(c.status, 200);
      equal(c.body.status, "CANCELED");
      const again = await rig.call(v1, "DELETE", "/fapi/v1/order", {
        symbol: "BTCUSDT",
        origClientOrderId: "rest-1",
      });
      equal(again.status, 400);
      equal(again.body.code, -2011);
    },
  );

  await t.step("engine errors pass through with their codes", async () => {
    const r = await rig.call(v1, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.0001",
      price: "100000.0",
    });
    equal(r.status, 400);
    equal(r.body.code, -1111);
    const lev = await rig.call(v1, "POST", "/fapi/v1/leverage", {
      symbol: "BTCUSDT",
      leverage: 5,
    });
    equal(lev.status, 200);
    equal(lev.body.leverage, 5);
    const mt = await rig.call(v1, "POST", "/fapi/v1/marginType", {
      symbol: "ETHUSDT",
      marginType: "CROSSED",
    });
    equal(mt.body.code, -4046);
    const fees = await rig.call(v1, "GET", "/fapi/v1/commissionRate", {
      symbol: "BTCUSDT",
    }, "USER_DATA");
    deepEqual(fees.body, {
      symbol: "BTCUSDT",
      makerCommissionRate: "0.0001",
      takerCommissionRate: "0.00035",
    });
  });

  await t.step("the engine handle sees the same state", () => {
    const rows = sim.trading.engine.positionRisk(rig.v1Id, {
      symbol: "BTCUSDT",
    });
    equal((rows.body as { positionAmt: string }[])[0]!.positionAmt, "0.010");
    deepEqual(sim.trading.accountIds, [rig.v1Id, rig.v3Id]);
  });
});

Deno.test("signed V3 requests trade on /fapi/v3 paths", async (t) => {
  await using rig = await startRig();
  const { sim, v3 } = rig;

  await t.step("balance and account of the V3 user", async () => {
    const r = await rig.call(v3, "GET", "/fapi/v3/balance", {}, "USER_DATA");
    equal(r.status, 200, JSON.stringify(r.body));
    equal(Number(r.body[0].balance), 5000);
    const acc = await rig.call(
      v3,
      "GET",
      "/fapi/v3/accountWithJoinMargin",
      {},
      "USER_DATA",
    );
    equal(acc.status, 200);
    equal(Number(acc.body.totalWalletBalance), 5000);
  });

  await t.step(
    "a MARKET sell opens a short, a LIMIT rests and cancels",
    async () => {
      const { bid } = await bookTop(sim, "ETHUSDT");
      const r = await rig.call(v3, "POST", "/fapi/v3/order", {
        symbol: "ETHUSDT",
        side: "SELL",
        type: "MARKET",
        quantity: "0.100",
        newOrderRespType: "RESULT",
      });
      equal(r.status, 200, JSON.stringify(r.body));
      equal(r.body.status, "FILLED");
      ok(Number(r.body.avgPrice) <= bid);
      equal(r.headers.get("x-mbx-order-count-1m"), "1");
      const pr = await rig.call(v3, "GET", "/fapi/v3/positionRisk", {
        symbol: "ETHUSDT",
      }, "USER_DATA");
      equal(pr.body[0].positionAmt, "-0.100");
      const price = (Math.ceil(bid * 1.02 * 100) / 100).toFixed(2);
      const lim = await rig.call(v3, "POST", "/fapi/v3/order", {
        symbol: "ETHUSDT",
        side: "SELL",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.050",
        price,
      });
      equal(lim.body.status, "NEW");
      const open = await rig.call(
        v3,
        "GET",
        "/fapi/v3/openOrders",
        {},
        "USER_DATA",
      );
      equal(open.body.length, 1);
      const c = await rig.call(v3, "DELETE", "/fapi/v3/order", {
        symbol: "ETHUSDT",
        orderId: lim.body.orderId,
      });
      equal(c.body.status, "CANCELED");
    },
  );

  await t.step("the V1 account is untouched", () => {
    const rows = sim.trading.engine.positionRisk(rig.v1Id, {
      symbol: "ETHUSDT",
    });
    equal((rows.body as { positionAmt: string }[])[0]!.positionAmt, "0.000");
  });
});

Deno.test("market updates reach the engine after an idle period and while orders rest", async (t) => {
  await using rig = await startRig();
  const { sim, clock, v1 } = rig;

  await t.step(
    "a MARKET order after 30 idle minutes fills at the current book",
    async () => {
      clock.advance(30 * 60_000);
      const { bid, ask } = await bookTop(sim, "BTCUSDT");
      const r = await rig.call(v1, "POST", "/fapi/v1/order", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "MARKET",
        quantity: "0.001",
        newOrderRespType: "RESULT",
      });
      equal(r.body.status, "FILLED");
      equal(Number(r.body.avgPrice), bid);
      ok(bid < ask);
    },
  );

  await t.step(
    "a resting LIMIT fills when the market trades through it",
    async () => {
      const { bid } = await bookTop(sim, "BTCUSDT");
      const price = (Math.round(bid * 0.998 * 10) / 10).toFixed(1);
      const r = await rig.call(v1, "POST", "/fapi/v1/order", {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.001",
        price,
        newClientOrderId: "dip",
      });
      equal(r.body.status, "NEW");
      const status = () =>
        (sim.trading.engine.queryOrder(rig.v1Id, {
          symbol: "BTCUSDT",
          origClientOrderId: "dip",
        }).body as { status: string }).status;
      // Hours of idle checks pass while the order rests; the fill still happens.
      let steps = 0;
      for (; steps < 600 && status() === "NEW"; steps++) clock.advance(10_000);
      ok(steps > 1, "the order rested across idle checks");
      equal(status(), "FILLED");
      const q = await rig.call(v1, "GET", "/fapi/v1/order", {
        symbol: "BTCUSDT",
        origClientOrderId: "dip",
      }, "USER_DATA");
      equal(q.body.avgPrice.startsWith(price), true);
    },
  );
});
