import { deepEqual, equal, throws } from "node:assert/strict";
import { Secret } from "./secret.ts";
import { MAX_RECV_WINDOW_MS, V1Signer } from "./v1_signer.ts";
import { extractSignature, verifyV1Signature } from "./verify.ts";

const SECRET =
  "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
const API_KEY =
  "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83";
const TIMESTAMP = 1591702613943;

function signer(
  clock: () => number = () => TIMESTAMP,
  recvWindow?: number,
): V1Signer {
  return new V1Signer({
    apiKey: new Secret(API_KEY),
    secretKey: new Secret(SECRET),
    clock,
    ...(recvWindow === undefined ? {} : { recvWindow }),
  });
}

Deno.test("V1Signer.sign() reproduces the protocol's test vectors", async (t) => {
  await t.step("plain: everything in one part", () => {
    const request = signer().sign({
      method: "POST",
      security: "TRADE",
      params: [
        ["symbol", "BTCUSDT"],
        ["side", "BUY"],
        ["type", "LIMIT"],
        ["quantity", "1"],
        ["price", "9000"],
        ["timeInForce", "GTC"],
      ],
    });
    equal(request.query, "");
    equal(
      request.body,
      "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943" +
        "&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
    );
    deepEqual(request.headers, {
      "X-MBX-APIKEY": API_KEY,
      "Content-Type": "application/x-www-form-urlencoded",
    });
  });
  await t.step("mixed: query and body signed joined with no separator", () => {
    const request = signer().sign({
      method: "POST",
      security: "TRADE",
      queryParams: [["symbol", "BTCUSDT"], ["side", "BUY"], ["type", "LIMIT"], [
        "timeInForce",
        "GTC",
      ]],
      params: [["quantity", "1"], ["price", "9000"]],
    });
    equal(request.query, "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC");
    equal(
      request.body,
      "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943" +
        "&signature=30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4",
    );
  });
  await t.step("GET: the same vector entirely in the query string", () => {
    const request = signer().sign({
      method: "GET",
      security: "USER_DATA",
      params: [
        ["symbol", "BTCUSDT"],
        ["side", "BUY"],
        ["type", "LIMIT"],
        ["quantity", "1"],
        ["price", "9000"],
        ["timeInForce", "GTC"],
      ],
    });
    equal(request.body, "");
    equal(
      request.query.endsWith(
        "&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
      ),
      true,
    );
    deepEqual(request.headers, { "X-MBX-APIKEY": API_KEY });
  });
});

Deno.test("V1Signer.sign() handles security types and options", async (t) => {
  await t.step("NONE adds nothing", () => {
    const request = signer().sign({
      method: "GET",
      security: "NONE",
      params: { symbol: "BTCUSDT" },
    });
    equal(request.query, "symbol=BTCUSDT");
    deepEqual(request.headers, {});
  });
  await t.step("USER_STREAM and MARKET_DATA add the key header only", () => {
    const stream = signer().sign({
      method: "POST",
      security: "USER_STREAM",
      params: [],
    });
    equal(stream.query, "");
    equal(stream.body, "");
    deepEqual(stream.headers, { "X-MBX-APIKEY": API_KEY });
    const trades = signer().sign({
      method: "GET",
      security: "MARKET_DATA",
      params: { symbol: "BTCUSDT", limit: 5 },
    });
    equal(trades.query, "symbol=BTCUSDT&limit=5");
    deepEqual(trades.headers, { "X-MBX-APIKEY": API_KEY });
  });
  await t.step("a signed request without parameters carries only auth", () => {
    const request = signer(() => 1700000000000.9).sign({
      method: "GET",
      security: "USER_DATA",
      params: [],
    });
    const extracted = extractSignature(request.query, request.body);
    equal(extracted?.payload, "recvWindow=5000&timestamp=1700000000000");
    equal(
      verifyV1Signature(SECRET, extracted.payload, extracted.signature),
      true,
    );
  });
  await t.step("recvWindow is configurable up to 60000 and validated", () => {
    const request = signer(undefined, 60000).sign({
      method: "GET",
      security: "USER_DATA",
      params: [],
    });
    equal(request.query.startsWith("recvWindow=60000&timestamp="), true);
    throws(() => signer(undefined, MAX_RECV_WINDOW_MS + 1), RangeError);
    throws(() => signer(undefined, 0), RangeError);
    throws(() => signer(undefined, 1.5), RangeError);
  });
  await t.step(
    "the timestamp comes from the injected clock at each call",
    () => {
      let now = 1000;
      const s = signer(() => now);
      equal(
        s.sign({ method: "GET", security: "USER_DATA", params: [] }).query
          .includes("timestamp=1000&"),
        true,
      );
      now = 2000;
      equal(
        s.sign({ method: "GET", security: "USER_DATA", params: [] }).query
          .includes("timestamp=2000&"),
        true,
      );
    },
  );
  await t.step("a broken clock is refused", () => {
    throws(
      () =>
        signer(() => Number.NaN).sign({
          method: "GET",
          security: "TRADE",
          params: [],
        }),
      RangeError,
    );
  });
  await t.step(
    "signatures verify with the simulator's verifier, tampering does not",
    () => {
      const request = signer(() => 1700000000000).sign({
        method: "POST",
        security: "TRADE",
        queryParams: { symbol: "ETHUSDT" },
        params: {
          side: "SELL",
          type: "MARKET",
          quantity: "0.5",
          reduceOnly: true,
        },
      });
      const extracted = extractSignature(request.query, request.body);
      if (extracted === undefined) throw new Error("no signature");
      equal(
        verifyV1Signature(SECRET, extracted.payload, extracted.signature),
        true,
      );
      equal(
        verifyV1Signature(
          SECRET,
          extracted.payload.replace("0.5", "5.0"),
          extracted.signature,
        ),
        false,
      );
    },
  );
});
