import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { Decimal } from "decimal.js";
import { encodeParams } from "../sign/params.ts";
import {
  CLIENT_ORDER_ID_RE,
  decimalParam,
  isExitOrder,
  newClientOrderId,
  orderParams,
  type OrderRequest,
} from "./order_request.ts";

function encoded(req: OrderRequest, id = "cid-1"): string {
  return encodeParams(orderParams(req, id));
}

Deno.test("orderParams() encodes each order type in a fixed order", async (t) => {
  await t.step("LIMIT with each time in force and reduceOnly", () => {
    for (const tif of ["GTC", "IOC", "FOK", "GTX"] as const) {
      equal(
        encoded({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "LIMIT",
          timeInForce: tif,
          quantity: "0.010",
          price: new Decimal("65000.10"),
          reduceOnly: true,
        }),
        `symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=${tif}&quantity=0.010&price=65000.1&reduceOnly=true&newClientOrderId=cid-1&newOrderRespType=RESULT`,
      );
    }
  });
  await t.step("MARKET with a hedge-mode position side", () => {
    equal(
      encoded({
        symbol: "ETHUSDT",
        side: "BUY",
        positionSide: "LONG",
        type: "MARKET",
        quantity: new Decimal("1e-3"),
      }),
      "symbol=ETHUSDT&side=BUY&positionSide=LONG&type=MARKET&quantity=0.001&newClientOrderId=cid-1&newOrderRespType=RESULT",
    );
  });
  await t.step(
    "STOP_MARKET with quantity, working type and price protection",
    () => {
      equal(
        encoded({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "STOP_MARKET",
          stopPrice: "58000",
          quantity: "0.5",
          workingType: "MARK_PRICE",
          priceProtect: true,
          reduceOnly: true,
        }),
        "symbol=BTCUSDT&side=SELL&type=STOP_MARKET&quantity=0.5&stopPrice=58000&workingType=MARK_PRICE&priceProtect=TRUE&reduceOnly=true&newClientOrderId=cid-1&newOrderRespType=RESULT",
      );
    },
  );
  await t.step("TAKE_PROFIT_MARKET closing the position", () => {
    equal(
      encoded({
        symbol: "BTCUSDT",
        side: "SELL",
        type: "TAKE_PROFIT_MARKET",
        stopPrice: "70000",
        closePosition: true,
      }),
      "symbol=BTCUSDT&side=SELL&type=TAKE_PROFIT_MARKET&stopPrice=70000&closePosition=true&newClientOrderId=cid-1&newOrderRespType=RESULT",
    );
  });
  await t.step(
    "TRAILING_STOP_MARKET with activation price and callback rate",
    () => {
      equal(
        encoded({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "TRAILING_STOP_MARKET",
          quantity: "2",
          callbackRate: "0.1",
          activationPrice: "50000",
          workingType: "CONTRACT_PRICE",
          priceProtect: false,
        }),
        "symbol=BTCUSDT&side=BUY&type=TRAILING_STOP_MARKET&quantity=2&activationPrice=50000&callbackRate=0.1&workingType=CONTRACT_PRICE&priceProtect=FALSE&newClientOrderId=cid-1&newOrderRespType=RESULT",
      );
    },
  );
});

Deno.test("orderParams() refuses malformed requests", async (t) => {
  const market = {
    symbol: "BTCUSDT",
    side: "BUY",
    type: "MARKET",
    quantity: "1",
  } as const;
  await t.step("floats, exponents, negatives and zero", () => {
    throws(
      () => orderParams({ ...market, quantity: 0.1 as unknown as string }, "a"),
      TypeError,
    );
    throws(() => orderParams({ ...market, quantity: "1e-7" }, "a"), TypeError);
    throws(() => orderParams({ ...market, quantity: "-1" }, "a"), TypeError);
    throws(
      () => orderParams({ ...market, quantity: "0.000" }, "a"),
      RangeError,
    );
    throws(
      () => orderParams({ ...market, quantity: new Decimal(NaN) }, "a"),
      RangeError,
    );
  });
  await t.step("callback rate outside 0.1–5", () => {
    for (const callbackRate of ["0.09", "5.01"]) {
      throws(
        () =>
          orderParams({
            symbol: "BTCUSDT",
            side: "BUY",
            type: "TRAILING_STOP_MARKET",
            quantity: "1",
            callbackRate,
          }, "a"),
        RangeError,
      );
    }
  });
  await t.step("closePosition with a quantity", () => {
    throws(
      () =>
        orderParams({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "STOP_MARKET",
          stopPrice: "1",
          closePosition: true,
          quantity: "1",
        } as unknown as OrderRequest, "a"),
      TypeError,
    );
  });
  await t.step("bad symbol, side or client order id", () => {
    throws(() => orderParams({ ...market, symbol: "btcusdt" }, "a"), TypeError);
    throws(
      () => orderParams({ ...market, side: "LONG" as unknown as "BUY" }, "a"),
      TypeError,
    );
    throws(() => orderParams(market, "x".repeat(37)), TypeError);
    throws(() => orderParams(market, "a b"), TypeError);
  });
});

Deno.test("newClientOrderId() makes unique ids the exchange accepts", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const id = newClientOrderId("ast-", 1_700_000_000_000);
    ok(CLIENT_ORDER_ID_RE.test(id), id);
    ok(id.length <= 36);
    ok(id.startsWith("ast-"));
    seen.add(id);
  }
  equal(seen.size, 200);
});

Deno.test("isExitOrder() and decimalParam() classify and format", async (t) => {
  await t.step("reduce-only and close-position orders are exits", () => {
    deepEqual(
      [
        isExitOrder({
          symbol: "A",
          side: "BUY",
          type: "MARKET",
          quantity: "1",
          reduceOnly: true,
        }),
        isExitOrder({
          symbol: "A",
          side: "BUY",
          type: "STOP_MARKET",
          stopPrice: "1",
          closePosition: true,
        }),
        isExitOrder({
          symbol: "A",
          side: "BUY",
          type: "MARKET",
          quantity: "1",
        }),
      ],
      [true, true, false],
    );
  });
  await t.step("Decimal values print without exponent", () => {
    equal(decimalParam("q", new Decimal("1.5e-8")), "0.000000015");
    equal(decimalParam("q", new Decimal("2e21")), "2000000000000000000000");
  });
});
