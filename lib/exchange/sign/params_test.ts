import { equal, throws } from "node:assert/strict";
import { encodeParams, joinEncoded, paramToString } from "./params.ts";

Deno.test("paramToString() stringifies values by the exchange's rules", async (t) => {
  await t.step("strings pass unchanged, null and undefined are dropped", () => {
    equal(paramToString("price", "0.00001"), "0.00001");
    equal(paramToString("x", null), undefined);
    equal(paramToString("x", undefined), undefined);
  });
  await t.step("booleans, integers and bigints print plainly", () => {
    equal(paramToString("reduceOnly", true), "true");
    equal(paramToString("reduceOnly", false), "false");
    equal(paramToString("orderId", 12345678901), "12345678901");
    equal(paramToString("orderId", 2n ** 64n), "18446744073709551616");
  });
  await t.step("lists and objects become compact JSON", () => {
    equal(paramToString("orderIdList", [1, 2, 3]), "[1,2,3]");
    equal(
      paramToString("batchOrders", [{ symbol: "BTCUSDT", quantity: "1" }]),
      '[{"symbol":"BTCUSDT","quantity":"1"}]',
    );
  });
  await t.step(
    "non-integer numbers are refused so no float reaches the exchange",
    () => {
      throws(() => paramToString("price", 0.1), TypeError);
      throws(() => paramToString("quantity", 1e-7), /quantity/);
      throws(() => paramToString("x", Number.NaN), TypeError);
      throws(() => paramToString("x", 2 ** 60), TypeError);
    },
  );
});

Deno.test("encodeParams() URL-encodes in the given order", async (t) => {
  await t.step("pairs keep their order and drop null values", () => {
    equal(
      encodeParams([["symbol", "BTCUSDT"], ["side", "BUY"], ["x", null], [
        "price",
        "9000",
      ]]),
      "symbol=BTCUSDT&side=BUY&price=9000",
    );
  });
  await t.step("records keep insertion order", () => {
    equal(encodeParams({ b: "2", a: "1", c: undefined }), "b=2&a=1");
  });
  await t.step("reserved characters and spaces are percent-encoded", () => {
    equal(
      encodeParams([["newClientOrderId", "a b&c=d"], ["orderIdList", [1, 2]]]),
      "newClientOrderId=a%20b%26c%3Dd&orderIdList=%5B1%2C2%5D",
    );
  });
  await t.step("an empty list encodes to an empty string", () => {
    equal(encodeParams([]), "");
  });
});

Deno.test("joinEncoded() joins with & and skips empty parts", () => {
  equal(joinEncoded("a=1", "b=2"), "a=1&b=2");
  equal(joinEncoded("", "b=2"), "b=2");
  equal(joinEncoded("a=1", ""), "a=1");
});
