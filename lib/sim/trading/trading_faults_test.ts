import { equal, ok, rejects } from "node:assert/strict";
import {
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "../../exchange/sign/_testdata.ts";
import { Secret } from "../../exchange/sign/secret.ts";
import { V1Signer } from "../../exchange/sign/v1_signer.ts";
import { openSocket } from "../_test_util.ts";
import { startRig } from "./_test_rig.ts";

const MARKET_BUY = {
  symbol: "BTCUSDT",
  side: "BUY",
  type: "MARKET",
  quantity: "0.001",
};

Deno.test("trading faults lose replies but keep exactly one order", async (t) => {
  await using rig = await startRig();
  const { sim, v1 } = rig;
  const sign = (clientId: string) =>
    v1.sign({
      method: "POST",
      security: "TRADE",
      params: { ...MARKET_BUY, newClientOrderId: clientId },
    });
  const post = (clientId: string, signal?: AbortSignal) => {
    const r = sign(clientId);
    return fetch(`${sim.restUrl}/fapi/v1/order`, {
      method: "POST",
      headers: r.headers,
      body: r.body,
      ...(signal ? { signal } : {}),
    });
  };
  const query = (clientId: string) =>
    rig.call(v1, "GET", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      origClientOrderId: clientId,
    }, "USER_DATA");
  const filledOnce = async (clientId: string) => {
    const q = await query(clientId);
    equal(q.status, 200, JSON.stringify(q.body));
    equal(q.body.status, "FILLED");
  };

  await t.step("mode 503: HTTP 503 -1007, the order exists", async () => {
    sim.faults.loseNextOrderReply(1);
    const res = await post("lost-503");
    equal(res.status, 503);
    equal((await res.json()).code, -1007);
    await filledOnce("lost-503");
    // Only the next placement was affected.
    const next = await post("after-503");
    equal(next.status, 200);
    await next.body?.cancel();
  });

  await t.step("mode html503: an HTML page, the order exists", async () => {
    sim.faults.loseNextOrderReply(1, { mode: "html503" });
    const res = await post("lost-html");
    equal(res.status, 503);
    ok(res.headers.get("content-type")?.startsWith("text/html"));
    ok((await res.text()).includes("<html>"));
    await filledOnce("lost-html");
  });

  await t.step("mode drop: the body breaks, the order exists", async () => {
    sim.faults.loseNextOrderReply(1, { mode: "drop" });
    await rejects(async () => {
      const res = await post("lost-drop");
      await res.json();
    });
    await filledOnce("lost-drop");
  });

  await t.step("mode timeout: no reply until the client aborts", async () => {
    sim.faults.loseNextOrderReply(1, { mode: "timeout" });
    const t0 = performance.now();
    await rejects(post("lost-timeout", AbortSignal.timeout(150)));
    ok(performance.now() - t0 >= 140);
    await filledOnce("lost-timeout");
  });

  await t.step("the engine holds one order per client id", () => {
    const engine = sim.trading.engine;
    for (const id of ["lost-503", "lost-html", "lost-drop", "lost-timeout"]) {
      const r = engine.queryOrder(rig.v1Id, {
        symbol: "BTCUSDT",
        origClientOrderId: id,
      });
      equal(r.status, 200);
    }
    const pos = engine.positionRisk(rig.v1Id, { symbol: "BTCUSDT" })
      .body as { positionAmt: string }[];
    equal(pos[0]!.positionAmt, "0.005");
  });

  await t.step("rejectNextExits: exits get -2021, entries pass", async () => {
    sim.faults.rejectNextExits(1);
    const entry = await rig.call(v1, "POST", "/fapi/v1/order", MARKET_BUY);
    equal(entry.status, 200);
    const exit = await rig.call(v1, "POST", "/fapi/v1/order", {
      ...MARKET_BUY,
      side: "SELL",
      reduceOnly: true,
    });
    equal(exit.status, 400);
    equal(exit.body.code, -2021);
    const again = await rig.call(v1, "POST", "/fapi/v1/order", {
      ...MARKET_BUY,
      side: "SELL",
    });
    equal(again.status, 200, JSON.stringify(again.body));
  });

  await t.step(
    "rejectNextOrders: only the armed type gets the armed code",
    async () => {
      sim.faults.rejectNextOrders(1, { type: "LIMIT", code: -4131 });
      const market = await rig.call(v1, "POST", "/fapi/v1/order", MARKET_BUY);
      equal(market.status, 200, "a MARKET order passes");
      const sell = { ...MARKET_BUY, side: "SELL", reduceOnly: true };
      sim.faults.rejectNextOrders(1, { type: "MARKET", code: -4131 });
      const refused = await rig.call(v1, "POST", "/fapi/v1/order", sell);
      equal(refused.status, 400);
      equal(refused.body.code, -4131);
      ok(String(refused.body.msg).includes("PERCENT_PRICE"));
      // the LIMIT rejection armed first is still waiting
      const limit = await rig.call(v1, "POST", "/fapi/v1/order", {
        ...MARKET_BUY,
        type: "LIMIT",
        price: "1",
        timeInForce: "GTC",
      });
      equal(limit.body.code, -4131);
      equal((await rig.call(v1, "POST", "/fapi/v1/order", sell)).status, 200);
    },
  );

  await t.step("omitAvgPrice: the next reply has no avgPrice", async () => {
    sim.faults.omitAvgPrice(1);
    const first = await rig.call(v1, "POST", "/fapi/v1/order", MARKET_BUY);
    equal(first.status, 200);
    ok(!("avgPrice" in first.body), JSON.stringify(first.body));
    const second = await rig.call(v1, "POST", "/fapi/v1/order", MARKET_BUY);
    ok("avgPrice" in second.body);
  });

  await t.step("htmlErrors: signed requests get HTML 502 pages", async () => {
    sim.faults.htmlErrors(1);
    const r = await rig.call(v1, "GET", "/fapi/v2/balance", {}, "USER_DATA");
    equal(r.status, 502);
    ok(String(r.body).includes("<html>"));
    const next = await rig.call(v1, "GET", "/fapi/v2/balance", {}, "USER_DATA");
    equal(next.status, 200);
  });

  await t.step(
    "failNext(429) applies to signed routes before the engine",
    async () => {
      sim.faults.failNext(1, { status: 429 });
      const r = await rig.call(v1, "POST", "/fapi/v1/order", {
        ...MARKET_BUY,
        newClientOrderId: "throttled",
      });
      equal(r.status, 429);
      equal(r.body.code, -1003);
      equal((await query("throttled")).body.code, -2013);
    },
  );

  await t.step(
    "skewMs: stale clients get -1021 until they resync",
    async () => {
      sim.faults.skewMs(8000);
      const stale = await rig.call(
        v1,
        "GET",
        "/fapi/v2/balance",
        {},
        "USER_DATA",
      );
      equal(stale.body.code, -1021);
      const serverTime = (await (await fetch(`${sim.restUrl}/fapi/v1/time`))
        .json()).serverTime;
      equal(serverTime, sim.clock.now() + 8000);
      const offset = serverTime - sim.clock.now();
      const synced = new V1Signer({
        apiKey: new Secret(DEMO_V1_API_KEY),
        secretKey: new Secret(DEMO_V1_SECRET),
        clock: () => sim.clock.now() + offset,
      });
      const ok200 = await rig.call(
        synced,
        "GET",
        "/fapi/v2/balance",
        {},
        "USER_DATA",
      );
      equal(ok200.status, 200);
      sim.faults.skewMs(0);
    },
  );

  await t.step(
    "dropUserStreams breaks user streams, not market streams",
    async () => {
      const key =
        (await rig.call(v1, "POST", "/fapi/v1/listenKey", {}, "USER_STREAM"))
          .body.listenKey;
      const user = await openSocket(`${sim.wsUrl}/ws/${key}`);
      const market = await openSocket(`${sim.wsUrl}/ws/btcusdt@aggTrade`);
      try {
        sim.faults.dropUserStreams();
        const closed = await user.closed;
        equal(closed.code, 4000);
        equal(market.socket.readyState, WebSocket.OPEN);
        // The key survives: a reconnect works.
        const again = await openSocket(`${sim.wsUrl}/ws/${key}`);
        await again.close();
      } finally {
        await market.close();
        await user.close();
      }
    },
  );
});

Deno.test("the order rate limit answers 429 -1015", async () => {
  await using rig = await startRig({ ordersPerMinute: 2 });
  const codes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await rig.call(rig.v1, "POST", "/fapi/v1/order", MARKET_BUY);
    codes.push(r.status);
    if (i === 2) {
      equal(r.body.code, -1015);
      equal(r.headers.get("x-mbx-order-count-1m"), "3");
    }
  }
  equal(codes.join(), "200,200,429");
  rig.clock.advance(60_000);
  const r = await rig.call(rig.v1, "POST", "/fapi/v1/order", MARKET_BUY);
  equal(r.status, 200);
  equal(r.headers.get("x-mbx-order-count-1m"), "1");
});
