import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { generateDemoCredentials } from "../../sim/trading/demo_accounts.ts";
import { ExchangeError } from "../errors.ts";
import { createSigner } from "../sign/create_signer.ts";
import { v3Credentials } from "../sign/credentials.ts";
import { Secret } from "../sign/secret.ts";
import {
  SignedRequest,
  type SignedRequest as Signed,
  type Signer,
} from "../sign/signer.ts";
import {
  SCHEMES,
  type SimRig,
  startSimRig,
  tickDown,
  tickUp,
} from "./_sim_rig.ts";
import type { Order } from "./parsers.ts";
import { OrderRateLimitError } from "./order_rate.ts";
import type { PlaceOrderResult } from "./trading_client.ts";

const TICK = 0.1;

interface Raw {
  // deno-lint-ignore no-explicit-any
  [k: string]: any;
}

async function getJson(rig: SimRig, path: string): Promise<Raw> {
  const res = await fetch(`${rig.sim.restUrl}${path}`);
  return await res.json() as Raw;
}

async function top(
  rig: SimRig,
  symbol = "BTCUSDT",
): Promise<{ bid: number; ask: number; mark: number }> {
  const t = await getJson(rig, `/fapi/v1/ticker/bookTicker?symbol=${symbol}`);
  const p = await getJson(rig, `/fapi/v1/premiumIndex?symbol=${symbol}`);
  return {
    bid: Number(t.bidPrice),
    ask: Number(t.askPrice),
    mark: Number(p.markPrice),
  };
}

function placed(result: PlaceOrderResult): Order {
  if (result.status !== "placed") {
    throw new Error(`expected placed, got ${JSON.stringify(result)}`);
  }
  return result.order;
}

function rejectedCode(result: PlaceOrderResult): number {
  if (result.status !== "rejected") {
    throw new Error(`expected rejected, got ${result.status}`);
  }
  return result.code;
}

async function exchangeCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ExchangeError) return e.code;
    throw e;
  }
  throw new Error("expected an ExchangeError");
}

/** A signer whose signatures are corrupted in their first hex digit. */
function tampered(inner: Signer): Signer {
  const flip = (text: string) =>
    text.replace(
      /(signature=(?:0x)?)([0-9a-fA-F])/,
      (_, head: string, c: string) => head + (c === "0" ? "1" : "0"),
    );
  return {
    scheme: inner.scheme,
    sign(input): Signed {
      const r = inner.sign(input);
      return new SignedRequest(flip(r.query), flip(r.body), { ...r.headers });
    },
  };
}

// deno-lint-ignore no-explicit-any
function engineBody(reply: { status: number; body: any }): any {
  equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

for (const scheme of SCHEMES) {
  Deno.test(`TradingClient (${scheme}) makes every call against the simulator`, async (t) => {
    await using rig = await startSimRig();
    const { client, accountId } = rig.clients[scheme];
    const engine = rig.sim.trading.engine;

    await t.step("balance, account settings and fee rates", async () => {
      const usdt = (await client.balance()).find((b) => b.asset === "USDT");
      ok(usdt);
      equal(Number(usdt.balance), 10000);
      const raw = engineBody(engine.balance(accountId)) as Raw[];
      equal(usdt.balance, raw.find((b) => b.asset === "USDT")!.balance);
      deepEqual(await client.commissionRate("BTCUSDT"), {
        symbol: "BTCUSDT",
        makerCommissionRate: "0.0001",
        takerCommissionRate: "0.00035",
      });
      const lev = await client.setLeverage("BTCUSDT", 10);
      equal(lev.symbol, "BTCUSDT");
      equal(lev.leverage, 10);
      const risk = engineBody(
        engine.positionRisk(accountId, { symbol: "BTCUSDT" }),
      ) as Raw[];
      equal(Number(risk[0]!.leverage), 10);
      deepEqual(await client.setMarginType("ETHUSDT", "ISOLATED"), {
        changed: true,
      });
      deepEqual(await client.setMarginType("ETHUSDT", "ISOLATED"), {
        changed: false,
      });
      equal((await client.positionRisk("ETHUSDT"))[0]!.marginType, "isolated");
      deepEqual(await client.setMarginType("ETHUSDT", "CROSSED"), {
        changed: true,
      });
      equal(await client.positionMode(), false);
      deepEqual(await client.setPositionMode(false), { changed: false });
    });

    const { bid, ask, mark } = await top(rig);
    const farBid = tickDown(bid * 0.97, TICK);
    let gtcId = 0;

    await t.step("LIMIT GTC rests; query by id and client id", async () => {
      const order = placed(
        await client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTC",
          quantity: "0.002",
          price: farBid,
          newClientOrderId: `gtc-${scheme}`,
        }),
      );
      equal(order.status, "NEW");
      equal(order.clientOrderId, `gtc-${scheme}`);
      equal(Number(order.price), Number(farBid));
      equal(order.origQty, "0.002");
      gtcId = order.orderId;
      const byId = await client.queryOrder("BTCUSDT", { orderId: gtcId });
      const byClient = await client.queryOrder("BTCUSDT", {
        origClientOrderId: `gtc-${scheme}`,
      });
      deepEqual(byId, byClient);
      equal(byId.orderId, gtcId);
      const open = engineBody(
        engine.openOrders(accountId, { symbol: "BTCUSDT" }),
      ) as Raw[];
      deepEqual(open.map((o) => o.orderId), [gtcId]);
      deepEqual((await client.openOrders("BTCUSDT")).map((o) => o.orderId), [
        gtcId,
      ]);
      deepEqual((await client.openOrders()).map((o) => o.orderId), [gtcId]);
    });

    await t.step("LIMIT GTX that would take expires, no fill", async () => {
      const order = placed(
        await client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTX",
          quantity: "0.001",
          price: tickUp(ask * 1.001, TICK),
        }),
      );
      equal(order.status, "EXPIRED");
      equal(Number(order.executedQty), 0);
    });

    await t.step(
      "LIMIT FOK: -2020 when not fillable, else FILLED",
      async () => {
        const fok = (price: string) =>
          client.placeOrder({
            symbol: "BTCUSDT",
            side: "BUY",
            type: "LIMIT",
            timeInForce: "FOK",
            quantity: "0.001",
            price,
          });
        equal(rejectedCode(await fok(farBid)), -2020);
        const order = placed(await fok(tickUp(ask * 1.002, TICK)));
        equal(order.status, "FILLED");
        equal(order.executedQty, "0.001");
      },
    );

    let entry = 0;
    await t.step("LIMIT IOC at the ask fills; MARKET fills", async () => {
      const ioc = placed(
        await client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "IOC",
          quantity: "0.001",
          price: tickUp(ask * 1.002, TICK),
        }),
      );
      equal(ioc.status, "FILLED");
      equal(ioc.executedQty, "0.001");
      const market = placed(
        await client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "0.008",
          newClientOrderId: `mkt-${scheme}`,
        }),
      );
      equal(market.status, "FILLED");
      equal(market.executedQty, "0.008");
      ok(Number(market.avgPrice) >= ask - 1e-9);
      const pos = (await client.positionRisk("BTCUSDT"))[0]!;
      equal(Number(pos.positionAmt), 0.01);
      const raw = engineBody(
        engine.positionRisk(accountId, { symbol: "BTCUSDT" }),
      ) as Raw[];
      equal(pos.positionAmt, raw[0]!.positionAmt);
      equal(pos.entryPrice, raw[0]!.entryPrice);
      entry = Number(pos.entryPrice);
      const fills = await client.queryOrder("BTCUSDT", {
        origClientOrderId: `mkt-${scheme}`,
      });
      equal(fills.cumQuote, market.cumQuote);
      // Three fills so far: the FOK, the IOC and the MARKET order.
      ok(Number(ioc.cumQuote) > 0);
      ok(entry > bid * 0.99 && entry < ask * 1.01, `${entry}`);
    });

    const ids: number[] = [];
    await t.step("conditional orders carry every field", async () => {
      const stop = placed(
        await client.placeOrder({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "STOP_MARKET",
          stopPrice: tickDown(mark * 0.95, TICK),
          quantity: "0.010",
          reduceOnly: true,
          workingType: "MARK_PRICE",
          priceProtect: true,
          newClientOrderId: `stop-${scheme}`,
        }),
      );
      equal(stop.status, "NEW");
      equal(stop.type, "STOP_MARKET");
      equal(stop.reduceOnly, true);
      equal(stop.workingType, "MARK_PRICE");
      equal(stop.priceProtect, true);
      equal(Number(stop.stopPrice), Number(tickDown(mark * 0.95, TICK)));
      const tp = placed(
        await client.placeOrder({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "TAKE_PROFIT_MARKET",
          stopPrice: tickUp(mark * 1.05, TICK),
          closePosition: true,
          workingType: "CONTRACT_PRICE",
        }),
      );
      equal(tp.status, "NEW");
      equal(tp.closePosition, true);
      equal(tp.workingType, "CONTRACT_PRICE");
      const trail = placed(
        await client.placeOrder({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "TRAILING_STOP_MARKET",
          quantity: "0.005",
          callbackRate: "1.5",
          activationPrice: tickUp(mark * 1.03, TICK),
          reduceOnly: true,
        }),
      );
      equal(trail.status, "NEW");
      equal(trail.type, "TRAILING_STOP_MARKET");
      equal(Number(trail.priceRate), 1.5);
      equal(Number(trail.activatePrice), Number(tickUp(mark * 1.03, TICK)));
      ids.push(stop.orderId, tp.orderId, trail.orderId);
      const open = engineBody(
        engine.openOrders(accountId, { symbol: "BTCUSDT" }),
      ) as Raw[];
      deepEqual(
        open.map((o) => o.orderId).sort(),
        [gtcId, ...ids].sort(),
      );
    });

    await t.step("cancel, batch cancel, cancel all", async () => {
      const cancelled = await client.cancelOrder("BTCUSDT", {
        origClientOrderId: `stop-${scheme}`,
      });
      equal(cancelled.status, "CANCELED");
      equal(cancelled.orderId, ids[0]);
      const again = await client.cancelOrders("BTCUSDT", {
        origClientOrderIds: [`stop-${scheme}`],
      });
      ok(!again[0]!.ok && again[0]!.code === -2011, JSON.stringify(again));
      const items = await client.cancelOrders("BTCUSDT", {
        orderIds: [ids[1]!, 999_999_999],
      });
      equal(items.length, 2);
      ok(items[0]!.ok && items[0]!.order.status === "CANCELED");
      ok(!items[1]!.ok && items[1]!.code === -2011, JSON.stringify(items[1]));
      equal((await client.cancelAllOrders("BTCUSDT")).code, 200);
      deepEqual(await client.openOrders("BTCUSDT"), []);
      deepEqual(
        engineBody(engine.openOrders(accountId, { symbol: "BTCUSDT" })),
        [],
      );
      equal(
        (await client.queryOrder("BTCUSDT", { orderId: gtcId })).status,
        "CANCELED",
      );
    });

    await t.step("account totals match the engine", async () => {
      const account = await client.account();
      const raw = engineBody(engine.account(accountId)) as Raw;
      equal(account.totalWalletBalance, raw.totalWalletBalance);
      equal(account.totalMarginBalance, raw.totalMarginBalance);
      equal(account.totalMaintMargin, raw.totalMaintMargin);
      const pos = account.positions.find((p) => p.symbol === "BTCUSDT");
      ok(pos);
      equal(Number(pos.positionAmt), 0.01);
      equal(pos.leverage, 10);
      ok(Number(account.totalWalletBalance) < 10000, "fees were paid");
    });

    await t.step("listenKey create, keepalive, close", async () => {
      const key = await client.createListenKey();
      equal(rig.sim.trading.listenKeyOf(accountId), key);
      equal(await client.createListenKey(), key);
      await client.keepAliveListenKey();
      await client.closeListenKey();
      equal(rig.sim.trading.listenKeyOf(accountId), undefined);
      equal(await exchangeCode(client.keepAliveListenKey()), -1125);
    });
  });

  Deno.test(`TradingClient (${scheme}) gets documented errors as typed results`, async (t) => {
    await using rig = await startSimRig();
    const { client, accountId } = rig.clients[scheme];
    const engine = rig.sim.trading.engine;
    const { mark } = await top(rig);

    await t.step(
      "-1111 precision, -4164 min notional, -1121 symbol",
      async () => {
        equal(
          rejectedCode(
            await client.placeOrder({
              symbol: "BTCUSDT",
              side: "BUY",
              type: "MARKET",
              quantity: "0.0001",
            }),
          ),
          -1111,
        );
        equal(
          rejectedCode(
            await client.placeOrder({
              symbol: "ETHUSDT",
              side: "BUY",
              type: "MARKET",
              quantity: "0.001",
            }),
          ),
          -4164,
        );
        equal(
          rejectedCode(
            await client.placeOrder({
              symbol: "NOPEUSDT",
              side: "BUY",
              type: "MARKET",
              quantity: "1",
            }),
          ),
          -1121,
        );
        equal(await exchangeCode(client.openOrders("NOPEUSDT")), -1121);
      },
    );

    await t.step("-2021 immediate trigger, -2022 reduce-only", async () => {
      equal(
        rejectedCode(
          await client.placeOrder({
            symbol: "BTCUSDT",
            side: "BUY",
            type: "STOP_MARKET",
            stopPrice: tickDown(mark * 0.98, TICK),
            quantity: "0.001",
            workingType: "MARK_PRICE",
          }),
        ),
        -2021,
      );
      equal(
        rejectedCode(
          await client.placeOrder({
            symbol: "BTCUSDT",
            side: "SELL",
            type: "MARKET",
            quantity: "0.001",
            reduceOnly: true,
          }),
        ),
        -2022,
      );
    });

    await t.step("-2011 unknown cancel, -2013 unknown query", async () => {
      equal(
        await exchangeCode(client.cancelOrder("BTCUSDT", { orderId: 123456 })),
        -2011,
      );
      equal(
        await exchangeCode(
          client.queryOrder("BTCUSDT", { origClientOrderId: "never-sent" }),
        ),
        -2013,
      );
    });

    await t.step("nothing reached the engine", () => {
      deepEqual(engineBody(engine.openOrders(accountId, {})), []);
      const risk = engineBody(engine.positionRisk(accountId, {})) as Raw[];
      ok(risk.every((p) => Number(p.positionAmt) === 0));
    });

    await t.step("-2015 unknown key, -1022 wrong secret", async () => {
      const stranger = generateDemoCredentials();
      const unknown = scheme === "v1"
        ? rig.makeClient("v1", { apiKey: stranger.apiKey })
        : rig.makeClient("v3", {
          signer: stranger.signer,
          agentKey: stranger.agentKey,
        });
      equal(await exchangeCode(unknown.client.balance()), -2015);
      const order = await unknown.client.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: "0.001",
      });
      equal(rejectedCode(order), -2015);
      const wrong = scheme === "v1"
        ? rig.makeClient("v1", { secretKey: stranger.secretKey })
        : rig.makeClient("v3", {}, {
          // The signer's own key cannot be wrong (checked locally): corrupt the bytes.
          signer: tampered(
            createSigner(
              v3Credentials(
                rig.demo.user,
                rig.demo.signer,
                new Secret(rig.demo.agentKey),
              ),
              { clock: () => rig.clock.now(), nonces: rig.nonces },
            ),
          ),
        });
      equal(await exchangeCode(wrong.client.account()), -1022);
      equal(
        rejectedCode(
          await wrong.client.placeOrder({
            symbol: "BTCUSDT",
            side: "BUY",
            type: "MARKET",
            quantity: "0.001",
          }),
        ),
        -1022,
      );
      deepEqual(engineBody(engine.openOrders(accountId, {})), []);
    });
  });

  Deno.test(`TradingClient (${scheme}) resolves lost replies and clock skew`, async (t) => {
    await using rig = await startSimRig();
    const { client, accountId, sync } = rig.clients[scheme];
    const engine = rig.sim.trading.engine;
    const { bid } = await top(rig);
    const price = tickDown(bid * 0.97, TICK);

    for (const mode of ["503", "html503", "drop", "timeout"] as const) {
      await t.step(
        `mode ${mode}: resolved by client id, one order`,
        async () => {
          const id = `lost-${mode}-${scheme}`;
          rig.sim.faults.loseNextOrderReply(1, { mode });
          const result = await client.placeOrder({
            symbol: "BTCUSDT",
            side: "BUY",
            type: "LIMIT",
            timeInForce: "GTC",
            quantity: "0.001",
            price,
            newClientOrderId: id,
          }, mode === "timeout" ? { timeoutMs: 300 } : {});
          equal(result.status, "placed", JSON.stringify(result));
          ok(result.status === "placed" && result.resolved);
          equal(result.order.clientOrderId, id);
          equal(result.order.status, "NEW");
          const open = engineBody(
            engine.openOrders(accountId, { symbol: "BTCUSDT" }),
          ) as Raw[];
          equal(open.filter((o) => o.clientOrderId === id).length, 1);
        },
      );
    }

    await t.step("every lost order exists exactly once", () => {
      const open = engineBody(
        engine.openOrders(accountId, { symbol: "BTCUSDT" }),
      ) as Raw[];
      equal(open.length, 4);
    });

    await t.step("clock skew: resync and one retry succeed", async () => {
      rig.sim.faults.skewMs(20_000);
      equal(Math.round(sync.offsetMs), 0);
      const result = await client.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.001",
        price,
        newClientOrderId: `skew-${scheme}`,
      });
      equal(result.status, "placed", JSON.stringify(result));
      ok(result.status === "placed" && !result.resolved);
      equal(Math.round(sync.offsetMs), 20_000);
      const open = engineBody(
        engine.openOrders(accountId, { symbol: "BTCUSDT" }),
      ) as Raw[];
      equal(open.filter((o) => o.clientOrderId === `skew-${scheme}`).length, 1);
      rig.sim.faults.skewMs(35_000);
      equal((await client.openOrders("BTCUSDT")).length, 5);
      equal(Math.round(sync.offsetMs), 35_000);
    });

    await t.step(
      "a resync that cures nothing: one retry, then the error",
      async () => {
        let resyncs = 0;
        const stuck = rig.makeClient(scheme, {}, {
          timeSync: { resync: () => Promise.resolve(resyncs++) },
        });
        rig.sim.faults.skewMs(70_000);
        const code = await exchangeCode(stuck.client.balance());
        equal(code, scheme === "v1" ? -1021 : -4225);
        equal(resyncs, 1);
      },
    );
  });
}

Deno.test("tickDown() and tickUp() round to the tick", () => {
  equal(tickDown(100.19, 0.1), "100.1");
  equal(tickUp(100.11, 0.1), "100.2");
  equal(tickUp(100.1, 0.1), "100.1");
});

for (const scheme of SCHEMES) {
  Deno.test(`TradingClient (${scheme}) never duplicates an order the simulator did not take`, async (t) => {
    await using rig = await startSimRig();
    const { client, accountId } = rig.clients[scheme];
    const engine = rig.sim.trading.engine;
    const buy = (id: string) =>
      client.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: "0.002",
        newClientOrderId: id,
      });
    const exists = (id: string) =>
      engine.queryOrder(accountId, {
        symbol: "BTCUSDT",
        origClientOrderId: id,
      }).status === 200;

    for (
      const [label, arm] of [
        [
          "HTTP 503 before the engine",
          () => rig.sim.faults.failNext(1, { status: 503 }),
        ],
        ["HTML 502 before the engine", () => rig.sim.faults.htmlErrors(1)],
      ] as const
    ) {
      await t.step(`${label}: unknown after 3 not-found queries`, async () => {
        const id = `nf-${label.slice(5, 8)}-${scheme}`;
        arm();
        const result = await buy(id);
        equal(result.status, "unknown", JSON.stringify(result));
        ok(result.status === "unknown");
        equal(result.queries, 3);
        equal(result.notFound, 3);
        equal(result.clientOrderId, id);
        ok(!exists(id), "not re-sent");
      });
    }

    await t.step(
      "rejectNextExits: the exit gets -2021, the next one passes",
      async () => {
        equal((await buy(`long-${scheme}`)).status, "placed");
        const exit = () =>
          client.placeOrder({
            symbol: "BTCUSDT",
            side: "SELL",
            type: "MARKET",
            quantity: "0.002",
            reduceOnly: true,
          });
        rig.sim.faults.rejectNextExits(1);
        equal(rejectedCode(await exit()), -2021);
        const risk = await client.positionRisk("BTCUSDT");
        equal(risk[0]!.positionAmt, "0.002");
        equal(
          rejectedCode(
            await client.placeOrder({
              symbol: "BTCUSDT",
              side: "BUY",
              type: "MARKET",
              quantity: "0.001",
              reduceOnly: true,
            }),
          ),
          -2022,
          "a reduce-only BUY would grow the long",
        );
        equal((await exit()).status, "placed");
        equal(
          Number((await client.positionRisk("BTCUSDT"))[0]!.positionAmt),
          0,
        );
      },
    );
  });

  Deno.test(`TradingClient (${scheme}) keeps its order budget in step with the simulator`, async (t) => {
    // The simulator allows 10 orders per sim minute; the client keeps 3 for exits and
    // waits for the next minute by moving the sim clock.
    await using rig = await startSimRig({ ordersPerMinute: 10 });
    const { client } = rig.makeClient(scheme, {}, {
      orderRate: {
        limit: 10,
        reserve: 3,
        clock: {
          now: () => rig.clock.now(),
          sleep: (ms) => Promise.resolve(rig.clock.advance(ms)),
        },
      },
    });
    const order = (side: "BUY" | "SELL", reduceOnly: boolean) =>
      client.placeOrder({
        symbol: "BTCUSDT",
        side,
        type: "MARKET",
        quantity: "0.001",
        reduceOnly,
      });

    await t.step("7 entries pass; the 8th is refused locally", async () => {
      for (let i = 0; i < 7; i++) {
        equal((await order("BUY", false)).status, "placed");
      }
      equal(client.orderRate.used, 7);
      await rejects(() => order("BUY", false), OrderRateLimitError);
      equal((await client.positionRisk("BTCUSDT"))[0]!.positionAmt, "0.007");
    });

    await t.step(
      "exits use the reserve, then wait for the next minute",
      async () => {
        const start = rig.clock.now();
        for (let i = 0; i < 3; i++) {
          equal((await order("SELL", true)).status, "placed");
        }
        equal(client.orderRate.used, 10);
        equal(rig.clock.now(), start);
        equal((await order("SELL", true)).status, "placed");
        ok(rig.clock.now() >= start + 60_000 - (start % 60_000));
        equal(client.orderRate.used, 1, "the server's count of the new minute");
        equal((await client.positionRisk("BTCUSDT"))[0]!.positionAmt, "0.003");
      },
    );

    await t.step("the simulator's own limit answers 429 -1015", async () => {
      // A client with a larger budget on the same account: 9 more fit this minute.
      const other = rig.clients[scheme].client;
      const entry = () =>
        other.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "0.001",
        });
      for (let i = 0; i < 9; i++) equal((await entry()).status, "placed");
      equal(rejectedCode(await entry()), -1015);
    });
  });
}
