import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { Decimal } from "decimal.js";
import { ExchangeError } from "../errors.ts";
import { NonceClockError } from "../sign/nonce.ts";
import type { Recorded } from "./_fake_venue.ts";
import { rig } from "./_test_clients.ts";
import { OrderRateLimitError } from "./order_rate.ts";
import { isClockError, isUnknownOutcome } from "./trading_client.ts";

const SCHEMES = ["v1", "v3"] as const;

/** The business parameters of a request, without the authentication ones. */
function business(r: Recorded): [string, string][] {
  const auth = new Set([
    "timestamp",
    "recvWindow",
    "signature",
    "nonce",
    "user",
    "signer",
  ]);
  return [...r.params].filter(([k]) => !auth.has(k));
}

function last(r: Recorded[]): Recorded {
  const x = r.at(-1);
  if (x === undefined) throw new Error("no request recorded");
  return x;
}

for (const scheme of SCHEMES) {
  const v = scheme === "v1";
  const p = (v1: string, v3: string) => (v ? v1 : v3);

  Deno.test(`TradingClient (${scheme}) sends every call signed on the ${scheme} paths and parses the answers`, async (t) => {
    await using r = rig(scheme);
    const { client, venue } = r;
    const lastReq = () => last(venue.requests);
    const checkAuth = (req: Recorded) => {
      if (v) {
        ok(req.headers.get("x-mbx-apikey"));
        ok(req.params.has("timestamp"));
      } else {
        equal(req.headers.get("x-mbx-apikey"), null);
        ok(req.params.has("nonce") && req.params.has("user"));
      }
      // The venue verified the signature; it must be the last parameter.
      const part = req.method === "GET" ? req.query : req.body;
      ok(/(^|&)signature=[^&]+$/.test(part), part);
    };

    await t.step("placeOrder LIMIT GTC → POST order, placed", async () => {
      const res = await client.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.010",
        price: new Decimal("59000.1"),
        newClientOrderId: "my-order-1",
      });
      const req = lastReq();
      equal(req.method, "POST");
      equal(req.path, p("/fapi/v1/order", "/fapi/v3/order"));
      equal(req.query, "");
      deepEqual(business(req), [
        ["symbol", "BTCUSDT"],
        ["side", "BUY"],
        ["type", "LIMIT"],
        ["timeInForce", "GTC"],
        ["quantity", "0.010"],
        ["price", "59000.1"],
        ["newClientOrderId", "my-order-1"],
        ["newOrderRespType", "RESULT"],
      ]);
      checkAuth(req);
      equal(
        req.headers.get("content-type"),
        "application/x-www-form-urlencoded",
      );
      equal(res.status, "placed");
      if (res.status !== "placed") return;
      equal(res.resolved, false);
      equal(res.order.clientOrderId, "my-order-1");
      equal(res.order.status, "NEW");
      equal(res.order.price, "59000.1");
      equal(venue.orders.size, 1);
    });

    await t.step(
      "placeOrder generates a valid client order id when none is given",
      async () => {
        const res = await client.placeOrder({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "TRAILING_STOP_MARKET",
          quantity: "0.010",
          callbackRate: "0.5",
          activationPrice: "61000",
          workingType: "MARK_PRICE",
          reduceOnly: true,
        });
        ok(/^[\.A-Z\:/a-z0-9_-]{1,36}$/.test(res.clientOrderId));
        equal(lastReq().params.get("newClientOrderId"), res.clientOrderId);
        equal(res.status, "placed");
        if (res.status === "placed") {
          equal(res.order.activatePrice, "61000");
          equal(res.order.priceRate, "0.5");
          equal(res.order.reduceOnly, true);
          equal(res.order.workingType, "MARK_PRICE");
        }
      },
    );

    await t.step(
      "queryOrder by client id and by order id → GET order",
      async () => {
        const byCid = await client.queryOrder("BTCUSDT", {
          origClientOrderId: "my-order-1",
        });
        let req = lastReq();
        equal(req.method, "GET");
        equal(req.path, p("/fapi/v1/order", "/fapi/v3/order"));
        equal(req.body, "");
        deepEqual(business(req), [["symbol", "BTCUSDT"], [
          "origClientOrderId",
          "my-order-1",
        ]]);
        checkAuth(req);
        const byId = await client.queryOrder("BTCUSDT", {
          orderId: byCid.orderId,
        });
        req = lastReq();
        deepEqual(business(req), [["symbol", "BTCUSDT"], [
          "orderId",
          String(byCid.orderId),
        ]]);
        deepEqual(byId, byCid);
        ok(byId.time !== undefined);
      },
    );

    await t.step("openOrders → GET openOrders", async () => {
      const open = await client.openOrders("BTCUSDT");
      const req = lastReq();
      equal(req.path, p("/fapi/v1/openOrders", "/fapi/v3/openOrders"));
      deepEqual(business(req), [["symbol", "BTCUSDT"]]);
      checkAuth(req);
      equal(open.length, 2);
      await client.openOrders();
      deepEqual(business(lastReq()), []);
    });

    await t.step(
      "cancelOrder → DELETE order; a second cancel is -2011",
      async () => {
        const order = await client.cancelOrder("BTCUSDT", {
          origClientOrderId: "my-order-1",
        });
        const req = lastReq();
        equal(req.method, "DELETE");
        equal(req.path, p("/fapi/v1/order", "/fapi/v3/order"));
        deepEqual(business(req), [["symbol", "BTCUSDT"], [
          "origClientOrderId",
          "my-order-1",
        ]]);
        checkAuth(req);
        equal(order.status, "CANCELED");
        await rejects(
          client.cancelOrder("BTCUSDT", { orderId: order.orderId }),
          (e: unknown) => e instanceof ExchangeError && e.code === -2011,
        );
      },
    );

    await t.step(
      "cancelOrders → DELETE batchOrders with JSON id lists",
      async () => {
        const a = await client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTX",
          quantity: "1",
          price: "100",
          newClientOrderId: "batch-a",
        });
        ok(a.status === "placed");
        const items = await client.cancelOrders("BTCUSDT", {
          orderIds: [a.order.orderId, 1],
        });
        const req = lastReq();
        equal(req.method, "DELETE");
        equal(req.path, p("/fapi/v1/batchOrders", "/fapi/v3/batchOrders"));
        deepEqual(business(req), [
          ["symbol", "BTCUSDT"],
          ["orderIdList", `[${a.order.orderId},1]`],
        ]);
        checkAuth(req);
        equal(items.length, 2);
        ok(items[0]!.ok && items[0]!.order.status === "CANCELED");
        deepEqual(items[1], {
          ok: false,
          code: -2011,
          msg: "Unknown order sent.",
        });
        await client.cancelOrders("BTCUSDT", {
          origClientOrderIds: ["batch-a", "x"],
        });
        deepEqual(business(lastReq())[1], [
          "origClientOrderIdList",
          '["batch-a","x"]',
        ]);
        await rejects(
          client.cancelOrders("BTCUSDT", { orderIds: [] }),
          RangeError,
        );
      },
    );

    await t.step(
      'cancelAllOrders → DELETE allOpenOrders, code "200" read',
      async () => {
        const res = await client.cancelAllOrders("BTCUSDT");
        const req = lastReq();
        equal(req.method, "DELETE");
        equal(req.path, p("/fapi/v1/allOpenOrders", "/fapi/v3/allOpenOrders"));
        deepEqual(business(req), [["symbol", "BTCUSDT"]]);
        checkAuth(req);
        equal(res.code, 200);
        deepEqual(await client.openOrders("BTCUSDT"), []);
      },
    );

    await t.step("positionRisk → GET positionRisk", async () => {
      const rows = await client.positionRisk();
      const req = lastReq();
      equal(req.path, p("/fapi/v2/positionRisk", "/fapi/v3/positionRisk"));
      checkAuth(req);
      equal(rows.length, 2);
      equal(rows[0]!.positionAmt, "-0.010");
      equal(rows[0]!.leverage, 10);
      equal(rows[0]!.marginType, "cross");
      equal(rows[1]!.marginType, "isolated");
      await client.positionRisk("ETHUSDT");
      deepEqual(business(lastReq()), [["symbol", "ETHUSDT"]]);
    });

    await t.step(
      "account → GET v4/account or v3/accountWithJoinMargin",
      async () => {
        const acc = await client.account();
        const req = lastReq();
        equal(
          req.path,
          p("/fapi/v4/account", "/fapi/v3/accountWithJoinMargin"),
        );
        checkAuth(req);
        equal(acc.totalMarginBalance, "1010.00000000");
        equal(acc.assets[0]!.asset, "USDT");
        equal(acc.positions[0]!.leverage, 10);
        equal(acc.positions[0]!.isolated, false);
      },
    );

    await t.step("balance → GET v2/balance or v3/balance", async () => {
      const b = await client.balance();
      equal(lastReq().path, p("/fapi/v2/balance", "/fapi/v3/balance"));
      checkAuth(lastReq());
      equal(b[0]!.availableBalance, "950.00000000");
    });

    await t.step("setLeverage → POST leverage", async () => {
      const res = await client.setLeverage("BTCUSDT", 7);
      const req = lastReq();
      equal(req.path, p("/fapi/v1/leverage", "/fapi/v3/leverage"));
      deepEqual(business(req), [["symbol", "BTCUSDT"], ["leverage", "7"]]);
      checkAuth(req);
      deepEqual(res, {
        symbol: "BTCUSDT",
        leverage: 7,
        maxNotionalValue: "1000000",
      });
      await rejects(client.setLeverage("BTCUSDT", 0), RangeError);
    });

    await t.step(
      "setMarginType → POST marginType; -4046 is unchanged success",
      async () => {
        deepEqual(await client.setMarginType("BTCUSDT", "ISOLATED"), {
          changed: true,
        });
        const req = lastReq();
        equal(req.path, p("/fapi/v1/marginType", "/fapi/v3/marginType"));
        deepEqual(business(req), [["symbol", "BTCUSDT"], [
          "marginType",
          "ISOLATED",
        ]]);
        checkAuth(req);
        deepEqual(await client.setMarginType("BTCUSDT", "ISOLATED"), {
          changed: false,
        });
      },
    );

    await t.step(
      "setPositionMode → POST positionSide/dual; -4059 is unchanged success",
      async () => {
        deepEqual(await client.setPositionMode(false), { changed: false });
        const req = lastReq();
        equal(
          req.path,
          p("/fapi/v1/positionSide/dual", "/fapi/v3/positionSide/dual"),
        );
        deepEqual(business(req), [["dualSidePosition", "false"]]);
        checkAuth(req);
        deepEqual(await client.setPositionMode(true), { changed: true });
        equal(await client.positionMode(), true);
        equal(lastReq().method, "GET");
      },
    );

    await t.step("commissionRate → GET commissionRate", async () => {
      const c = await client.commissionRate("BTCUSDT");
      equal(
        lastReq().path,
        p("/fapi/v1/commissionRate", "/fapi/v3/commissionRate"),
      );
      checkAuth(lastReq());
      equal(c.takerCommissionRate, "0.00035");
    });

    await t.step(
      "listenKey create/keepalive/close → POST/PUT/DELETE listenKey",
      async () => {
        const key = await client.createListenKey();
        let req = lastReq();
        equal(req.method, "POST");
        equal(req.path, p("/fapi/v1/listenKey", "/fapi/v3/listenKey"));
        if (v) {
          // USER_STREAM on V1: key header, no signature.
          ok(req.headers.get("x-mbx-apikey"));
          equal(req.params.has("signature"), false);
        } else {
          checkAuth(req);
        }
        equal(key, venue.listenKey);
        await client.keepAliveListenKey();
        req = lastReq();
        equal(req.method, "PUT");
        await client.closeListenKey();
        equal(lastReq().method, "DELETE");
        equal(venue.listenKey, undefined);
        await rejects(
          client.keepAliveListenKey(),
          (e: unknown) => e instanceof ExchangeError && e.code === -1125,
        );
      },
    );

    await t.step(
      "a venue rejection is a rejected result with the code",
      async () => {
        venue.scripted.push([
          "POST",
          "/order",
          400,
          -2019,
          "Margin is insufficient.",
        ]);
        const before = venue.orders.size;
        const res = await client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "1",
        });
        equal(res.status, "rejected");
        if (res.status === "rejected") {
          equal(res.code, -2019);
          equal(res.msg, "Margin is insufficient.");
        }
        equal(venue.orders.size, before);
      },
    );
  });

  Deno.test(`TradingClient (${scheme}) resyncs the clock and retries once on a clock error`, async (t) => {
    await t.step("the retry succeeds after the resync", async () => {
      await using r = rig(scheme);
      r.venue.offsetMs = 30_000;
      const acc = await r.client.account();
      equal(acc.canTrade, true);
      const calls = r.venue.calls(
        p("/fapi/v4/account", "/fapi/v3/accountWithJoinMargin"),
      );
      equal(calls.length, 2);
      ok(Math.abs(r.sync.offsetMs - 30_000) < 1000);
    });
    await t.step(
      "a second clock error is thrown, with exactly one retry",
      async () => {
        // The resync does not fix the clock.
        let reads = 0;
        const lying = { resync: () => Promise.resolve(reads++) };
        await using r2 = rig(scheme, { timeSync: lying });
        r2.venue.offsetMs = 30_000;
        await rejects(
          r2.client.balance(),
          (e: unknown) => isClockError(e, scheme),
        );
        equal(reads, 1);
        equal(r2.venue.calls("/balance").length, 2);
      },
    );
    await t.step(
      "an order rejected for its timestamp is sent again once",
      async () => {
        await using r = rig(scheme);
        r.venue.offsetMs = -30_000;
        if (!v) r.venue.offsetMs = 30_000; // nonces only move forward
        const res = await r.client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "0.5",
        });
        equal(res.status, "placed");
        equal(r.venue.calls("/order").length, 2);
        equal(r.venue.orders.size, 1);
      },
    );
  });

  Deno.test(`TradingClient (${scheme}) resolves an unknown order outcome by its client id`, async (t) => {
    for (const fault of ["503", "html503", "drop", "slow"] as const) {
      await t.step(
        `reply lost (${fault}): placed, resolved, exactly one order`,
        async () => {
          await using r = rig(scheme, { transport: { timeoutMs: 100 } });
          r.venue.orderFaults.push(fault);
          const res = await r.client.placeOrder({
            symbol: "BTCUSDT",
            side: "BUY",
            type: "LIMIT",
            timeInForce: "IOC",
            quantity: "0.010",
            price: "60000",
            newClientOrderId: `lost-${fault}`,
          });
          equal(res.status, "placed");
          if (res.status !== "placed") return;
          equal(res.resolved, true);
          equal(res.order.clientOrderId, `lost-${fault}`);
          equal(r.venue.orders.size, 1);
          const posts = r.venue.requests.filter((q) =>
            q.method === "POST" && q.path.endsWith("/order")
          );
          equal(posts.length, 1);
          const queries = r.venue.requests.filter((q) =>
            q.method === "GET" && q.path.endsWith("/order")
          );
          equal(queries.length, 1);
          equal(queries[0]!.params.get("origClientOrderId"), `lost-${fault}`);
        },
      );
    }
    await t.step(
      "still unknown after the query budget; never re-sent",
      async () => {
        await using r = rig(scheme);
        r.venue.orderFaults.push("503");
        for (let i = 0; i < 3; i++) {
          r.venue.scripted.push([
            "GET",
            "/order",
            400,
            -2013,
            "Order does not exist.",
          ]);
        }
        const res = await r.client.placeOrder({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "STOP_MARKET",
          stopPrice: "50000",
          closePosition: true,
          newClientOrderId: "ghost",
        });
        equal(res.status, "unknown");
        if (res.status === "unknown") {
          equal(res.queries, 3);
          equal(res.notFound, 3);
          ok(res.error instanceof ExchangeError && res.error.status === 503);
        }
        equal(
          r.venue.requests.filter((q) => q.method === "POST").length,
          1,
        );
      },
    );
    await t.step(
      "notFoundEnds: the first not-found ends it (a reduce-only order)",
      async () => {
        await using r = rig(scheme);
        r.venue.orderFaults.push("503");
        for (let i = 0; i < 3; i++) {
          r.venue.scripted.push([
            "GET",
            "/order",
            400,
            -2013,
            "Order does not exist.",
          ]);
        }
        const res = await r.client.placeOrder({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "STOP_MARKET",
          stopPrice: "50000",
          quantity: "0.010",
          reduceOnly: true,
          newClientOrderId: "ghost-2",
        }, { notFoundEnds: true });
        equal(res.status, "unknown");
        if (res.status === "unknown") {
          equal(res.queries, 1);
          equal(res.notFound, 1);
        }
      },
    );
  });

  Deno.test(`TradingClient (${scheme}) puts exits and cancels before entries when the order budget is short`, async (t) => {
    await using r = rig(scheme, { orderRate: { limit: 100, reserve: 10 } });
    const { client, venue } = r;
    const entry = {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "1",
      price: "100",
    } as const;
    await t.step(
      "the server's count is read from X-MBX-ORDER-COUNT-1M",
      async () => {
        venue.orderCountHeader = 90;
        equal((await client.placeOrder(entry)).status, "placed");
        equal(client.orderRate.used, 90);
        equal(client.orderRate.remaining, 10);
      },
    );
    await t.step(
      "an entry below the reserve is refused before sending",
      async () => {
        const sent = venue.requests.length;
        await rejects(client.placeOrder(entry), OrderRateLimitError);
        equal(venue.requests.length, sent);
      },
    );
    await t.step("an exit still goes", async () => {
      const res = await client.placeOrder({
        symbol: "BTCUSDT",
        side: "SELL",
        type: "MARKET",
        quantity: "1",
        reduceOnly: true,
      });
      equal(res.status, "placed");
    });
    await t.step("a cancel still goes", async () => {
      await client.cancelAllOrders("BTCUSDT");
    });
    await t.step(
      "a spent budget makes an exit wait for the next minute",
      async () => {
        venue.orderCountHeader = 100;
        await client.cancelAllOrders("BTCUSDT");
        equal(client.orderRate.remaining, 0);
        const before = r.clock.now();
        venue.orderCountHeader = 1;
        const res = await client.placeOrder({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "TAKE_PROFIT_MARKET",
          stopPrice: "70000",
          closePosition: true,
        });
        equal(res.status, "placed");
        const now = r.clock.now();
        ok(now > before && now % 60_000 < 1000, `now ${now}`);
      },
    );
  });
}

Deno.test("placeOrder() refuses malformed requests before sending", async (t) => {
  await using r = rig("v1");
  await t.step("a float quantity", async () => {
    await rejects(
      r.client.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: 0.1 as unknown as string,
      }),
      TypeError,
    );
  });
  await t.step("a bad client order id", async () => {
    await rejects(
      r.client.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: "1",
        newClientOrderId: "has space",
      }),
      TypeError,
    );
  });
  equal(r.venue.requests.length, 0);
});

Deno.test("isUnknownOutcome() and isClockError() classify errors", async (t) => {
  const err = (status: number, code: number, msg = "") =>
    new ExchangeError("POST /fapi/v1/order", { status, code, msg });
  await t.step("unknown: 5xx, -1006, -1007; known: 4xx rejections", () => {
    equal(isUnknownOutcome(err(503, 0)), true);
    equal(isUnknownOutcome(err(400, -1007)), true);
    equal(isUnknownOutcome(err(400, -1006)), true);
    equal(isUnknownOutcome(err(400, -2019)), false);
    equal(isUnknownOutcome(new RangeError("x")), false);
  });
  await t.step("clock errors per scheme", () => {
    equal(isClockError(err(400, -1021), "v1"), true);
    equal(isClockError(err(400, -4225), "v1"), false);
    equal(isClockError(err(400, -4225), "v3"), true);
    equal(isClockError(err(400, -1000, "Duplicate nonce"), "v3"), true);
    equal(isClockError(err(400, -2019), "v3"), false);
    // the V3 signer's local refusal of a nonce (nothing sent): a resync may cure it
    equal(isClockError(new NonceClockError("Cannot issue nonce"), "v3"), true);
    equal(isClockError(new NonceClockError("Cannot issue nonce"), "v1"), false);
    equal(isClockError(new RangeError("Cannot issue nonce"), "v3"), false);
  });
});

Deno.test("placeOrder() reports an order aborted in flight as unknown", async () => {
  await using r = rig("v1");
  r.venue.orderFaults.push("slow");
  const ac = new AbortController();
  const pending = r.client.placeOrder({
    symbol: "BTCUSDT",
    side: "BUY",
    type: "MARKET",
    quantity: "1",
    newClientOrderId: "aborted-1",
  }, { signal: ac.signal });
  await new Promise((res) => setTimeout(res, 50));
  ac.abort(new Error("shutdown"));
  const res = await pending;
  equal(res.status, "unknown");
  if (res.status === "unknown") equal(res.queries, 0);
  // The venue holds the order: the caller must reconcile, not re-send.
  equal(r.venue.orders.has("aborted-1"), true);
});
