import assert from "node:assert/strict";
import { ExchangeError, TimeoutError } from "../exchange/errors.ts";
import {
  type Order,
  parseOrder,
  parseUserEvent,
} from "../exchange/trading/mod.ts";
import {
  orderRequest,
  portEvents,
  type TradingApi,
  TradingPort,
} from "./trading_port.ts";

const RAW_ORDER = {
  orderId: 7,
  symbol: "BTCUSDT",
  status: "NEW",
  clientOrderId: "ak-BTCUSDT-1-LS",
  price: "0",
  avgPrice: "0",
  origQty: "0.010",
  executedQty: "0",
  cumQuote: "0",
  timeInForce: "GTC",
  type: "STOP_MARKET",
  origType: "STOP_MARKET",
  side: "SELL",
  positionSide: "BOTH",
  reduceOnly: true,
  closePosition: false,
  stopPrice: "29900.0",
  workingType: "MARK_PRICE",
  priceProtect: false,
  updateTime: 1000,
};

function venueError(code: number, status = 400): ExchangeError {
  return new ExchangeError("test", { status, code, msg: `code ${code}` });
}

function api(
  overrides: Partial<Record<keyof TradingApi, unknown>>,
): TradingApi {
  const fail = () => Promise.reject(new Error("not stubbed"));
  return {
    placeOrder: fail,
    cancelOrder: fail,
    cancelAllOrders: fail,
    queryOrder: fail,
    openOrders: fail,
    positionRisk: fail,
    account: fail,
    setLeverage: fail,
    setMarginType: fail,
    ...overrides,
  } as TradingApi;
}

Deno.test("TradingPort maps the client's outcomes and errors to the port's", async (t) => {
  const order: Order = parseOrder(RAW_ORDER);
  await t.step("placed, rejected and unknown placements", async () => {
    const outcomes = [
      { status: "placed", clientOrderId: "x", order, resolved: true },
      {
        status: "rejected",
        clientOrderId: "x",
        code: -2021,
        msg: "would trigger",
        error: venueError(-2021),
      },
      {
        status: "unknown",
        clientOrderId: "x",
        error: new TimeoutError("slow", 10),
        queries: 5,
        notFound: 5,
      },
    ];
    const got = [];
    for (const o of outcomes) {
      const port = new TradingPort(
        api({ placeOrder: () => Promise.resolve(o) }),
      );
      got.push(
        await port.placeOrder({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "STOP_MARKET",
          quantity: "0.010",
          stopPrice: "29900.0",
          workingType: "MARK_PRICE",
          reduceOnly: true,
          clientOrderId: "ak-BTCUSDT-1-LS",
        }),
      );
    }
    assert.equal(got[0]!.kind, "placed");
    assert.equal(
      got[0]!.kind === "placed" && got[0]!.order.type,
      "STOP_MARKET",
    );
    assert.deepEqual(got[1], {
      kind: "rejected",
      code: -2021,
      message: "would trigger",
    });
    assert.equal(got[2]!.kind, "unknown");
  });
  await t.step(
    "a malformed request is rejected, any other throw is an unknown outcome",
    async () => {
      const port = new TradingPort(
        api({
          placeOrder: () => Promise.reject(new TypeError("fetch failed")),
        }),
      );
      const r = await port.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: "1",
        reduceOnly: true,
        clientOrderId: "c",
      });
      assert.equal(r.kind, "rejected");
      const port2 = new TradingPort(
        api({ placeOrder: () => Promise.reject(new Error("socket hang up")) }),
      );
      assert.equal(
        (await port2.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "1",
          reduceOnly: true,
          clientOrderId: "c",
        })).kind,
        "unknown",
      );
    },
  );
  await t.step(
    "cancel: -2011/-2013 → not_found, 503 → unknown, -1102 throws",
    async () => {
      const cancel = (e: Error) =>
        new TradingPort(api({ cancelOrder: () => Promise.reject(e) }))
          .cancelOrder("BTCUSDT", "c");
      assert.equal(await cancel(venueError(-2011)), "not_found");
      assert.equal(await cancel(venueError(-2013)), "not_found");
      assert.equal(await cancel(venueError(-1007, 503)), "unknown");
      await assert.rejects(cancel(venueError(-1102)), ExchangeError);
      const ok = new TradingPort(
        api({ cancelOrder: () => Promise.resolve(order) }),
      );
      assert.equal(await ok.cancelOrder("BTCUSDT", "c"), "canceled");
    },
  );
  await t.step("query: -2013 → undefined, others throw", async () => {
    const q = (e: Error) =>
      new TradingPort(api({ queryOrder: () => Promise.reject(e) })).queryOrder(
        "BTCUSDT",
        "c",
      );
    assert.equal(await q(venueError(-2013)), undefined);
    await assert.rejects(q(venueError(-1021)), ExchangeError);
  });
  await t.step("positions keep the one-way rows only", async () => {
    const row = (side: string, amt: string) => ({
      symbol: "BTCUSDT",
      positionAmt: amt,
      entryPrice: "30000",
      markPrice: "30000",
      unRealizedProfit: "0",
      liquidationPrice: "0",
      leverage: 10,
      marginType: "isolated",
      isolatedMargin: "0",
      positionSide: side,
      updateTime: 5,
    });
    const port = new TradingPort(api({
      positionRisk: () =>
        Promise.resolve([row("BOTH", "-0.010"), row("LONG", "1")]),
    }));
    assert.deepEqual(await port.positionRisk(), [
      {
        symbol: "BTCUSDT",
        amount: "-0.010",
        entryPrice: "30000",
        updateTime: 5,
        leverage: 10,
        marginType: "ISOLATED",
      },
    ]);
  });
});

Deno.test("orderRequest() keeps every field of each managed order type", () => {
  const base = {
    symbol: "BTCUSDT",
    side: "SELL" as const,
    quantity: "0.010",
    reduceOnly: true,
    clientOrderId: "id",
  };
  assert.deepEqual(
    orderRequest({
      ...base,
      type: "LIMIT",
      price: "30000.1",
      timeInForce: "IOC",
      reduceOnly: false,
    }),
    {
      symbol: "BTCUSDT",
      side: "SELL",
      newClientOrderId: "id",
      type: "LIMIT",
      timeInForce: "IOC",
      quantity: "0.010",
      price: "30000.1",
    },
  );
  assert.deepEqual(
    orderRequest({
      ...base,
      type: "TRAILING_STOP_MARKET",
      callbackRate: "0.5",
      activationPrice: "29000.0",
    }),
    {
      symbol: "BTCUSDT",
      side: "SELL",
      newClientOrderId: "id",
      reduceOnly: true,
      type: "TRAILING_STOP_MARKET",
      quantity: "0.010",
      callbackRate: "0.5",
      activationPrice: "29000.0",
    },
  );
  assert.throws(
    () => orderRequest({ ...base, type: "STOP_MARKET" }),
    TypeError,
  );
});

Deno.test("portEvents() turns user-stream events into the manager's events", async (t) => {
  await t.step(
    "ORDER_TRADE_UPDATE → order event with cumulative fields",
    () => {
      const e = parseUserEvent({
        e: "ORDER_TRADE_UPDATE",
        E: 2000,
        T: 1999,
        o: {
          s: "BTCUSDT",
          c: "ak-BTCUSDT-1-LE",
          S: "BUY",
          o: "LIMIT",
          f: "IOC",
          q: "0.010",
          p: "30000",
          ap: "30000",
          sp: "0",
          x: "TRADE",
          X: "PARTIALLY_FILLED",
          i: 9,
          l: "0.004",
          z: "0.004",
          L: "30000",
          N: "USDT",
          n: "0.01",
          T: 1999,
          t: 3,
          b: "0",
          a: "0",
          m: false,
          R: false,
          wt: "CONTRACT_PRICE",
          ot: "LIMIT",
          ps: "BOTH",
          cp: false,
          rp: "0",
        },
      })!;
      const [ev] = portEvents(e);
      assert.equal(ev?.kind, "order");
      assert.equal(ev?.kind === "order" && ev.order.executedQty, "0.004");
      assert.equal(ev?.kind === "order" && ev.order.status, "PARTIALLY_FILLED");
      assert.equal(ev?.time, 1999);
    },
  );
  await t.step("ACCOUNT_UPDATE → one position event per one-way row", () => {
    const e = parseUserEvent({
      e: "ACCOUNT_UPDATE",
      E: 2000,
      T: 1998,
      a: {
        m: "ORDER",
        B: [],
        P: [
          {
            s: "BTCUSDT",
            pa: "0.004",
            ep: "30000",
            up: "0",
            mt: "isolated",
            iw: "1",
            ps: "BOTH",
          },
          {
            s: "ETHUSDT",
            pa: "1",
            ep: "2000",
            up: "0",
            mt: "isolated",
            iw: "1",
            ps: "LONG",
          },
        ],
      },
    })!;
    assert.deepEqual(portEvents(e), [{
      kind: "position",
      time: 1998,
      position: {
        symbol: "BTCUSDT",
        amount: "0.004",
        entryPrice: "30000",
        updateTime: 1998,
      },
    }]);
  });
});
