import { deepEqual, equal, throws } from "node:assert/strict";
import { NonceCounter } from "./nonce.ts";
import { Secret } from "./secret.ts";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_MSG,
  DEMO_NONCE,
  DEMO_SIGNATURES,
  DEMO_USER,
} from "./_testdata.ts";
import { V3Signer } from "./v3_signer.ts";
import { extractSignature, recoverV3Signer } from "./verify.ts";

const ORDER = [
  ["symbol", "ASTERUSDT"],
  ["type", "LIMIT"],
  ["side", "BUY"],
  ["timeInForce", "GTC"],
  ["quantity", "20"],
  ["price", "0.5"],
] as const;

function signer(
  chainId: number,
  clock: () => number,
  nonces = new NonceCounter(),
): V3Signer {
  return new V3Signer({
    user: DEMO_USER,
    signer: DEMO_AGENT_ADDRESS,
    privateKey: new Secret(DEMO_AGENT_KEY),
    clock,
    chainId,
    nonces,
  });
}

Deno.test("V3Signer.sign() reproduces the protocol's EIP-712 vector", async (t) => {
  for (const chainId of [1666, 714]) {
    await t.step(`chain id ${chainId}, POST as form body`, () => {
      // A nonce counter already at DEMO_NONCE - 1 makes the next nonce exactly DEMO_NONCE.
      const nonces = new NonceCounter();
      nonces.next((DEMO_NONCE - 1) / 1000);
      const request = signer(chainId, () => 1, nonces).sign({
        method: "POST",
        security: "TRADE",
        params: ORDER,
      });
      equal(request.query, "");
      equal(request.body, `${DEMO_MSG}&signature=${DEMO_SIGNATURES[chainId]}`);
      deepEqual(request.headers, {
        "Content-Type": "application/x-www-form-urlencoded",
      });
    });
  }
  await t.step("GET carries the same bytes in the query string", () => {
    const nonces = new NonceCounter();
    nonces.next((DEMO_NONCE - 1) / 1000);
    const request = signer(1666, () => 1, nonces).sign({
      method: "GET",
      security: "USER_DATA",
      params: ORDER,
    });
    equal(request.query, `${DEMO_MSG}&signature=${DEMO_SIGNATURES[1666]}`);
    equal(request.body, "");
    deepEqual(request.headers, {});
  });
  await t.step("the nonce is the corrected clock in microseconds", () => {
    const request = signer(1666, () => 1748310859508.25).sign({
      method: "GET",
      security: "USER_DATA",
      params: [],
    });
    equal(
      request.query.startsWith(
        `nonce=1748310859508250&user=${DEMO_USER}&signer=${DEMO_AGENT_ADDRESS}&signature=0x`,
      ),
      true,
    );
  });
});

Deno.test("V3Signer.sign() handles security types, concurrency and verification", async (t) => {
  await t.step("NONE and MARKET_DATA are not authenticated at all", () => {
    const s = signer(1666, () => 1_700_000_000_000);
    const request = s.sign({
      method: "GET",
      security: "MARKET_DATA",
      params: { symbol: "BTCUSDT" },
    });
    equal(request.query, "symbol=BTCUSDT");
    deepEqual(request.headers, {});
    equal(s.sign({ method: "GET", security: "NONE", params: [] }).query, "");
  });
  await t.step("USER_STREAM is signed", () => {
    const request = signer(1666, () => 1_700_000_000_000).sign({
      method: "POST",
      security: "USER_STREAM",
      params: [],
    });
    equal(request.body.startsWith(`nonce=1700000000000000&user=`), true);
    equal(/&signature=0x[0-9a-f]{128}(1b|1c)$/.test(request.body), true);
  });
  await t.step(
    "concurrent requests in the same microsecond get distinct, increasing nonces",
    async () => {
      const s = signer(1666, () => 1_700_000_000_000);
      const bodies = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          await Promise.resolve();
          return s.sign({
            method: "POST",
            security: "TRADE",
            params: { i: String(i) },
          }).body;
        }),
      );
      const nonces = bodies.map((body) => Number(/nonce=(\d+)/.exec(body)![1]));
      for (let i = 1; i < nonces.length; i++) {
        equal(nonces[i]! > nonces[i - 1]!, true);
      }
    },
  );
  await t.step(
    "the simulator's recoverer finds the agent; a tampered message does not",
    () => {
      for (const chainId of [1666, 714]) {
        const request = signer(chainId, () => 1_700_000_000_000).sign({
          method: "POST",
          security: "TRADE",
          params: {
            symbol: "BTCUSDT",
            side: "SELL",
            type: "MARKET",
            quantity: "0.010",
            reduceOnly: true,
          },
        });
        const extracted = extractSignature(request.query, request.body);
        if (extracted === undefined) throw new Error("no signature");
        equal(
          recoverV3Signer(extracted.payload, extracted.signature, chainId),
          DEMO_AGENT_ADDRESS,
        );
        const tampered = extracted.payload.replace(
          "quantity=0.010",
          "quantity=0.100",
        );
        equal(
          recoverV3Signer(tampered, extracted.signature, chainId) ===
            DEMO_AGENT_ADDRESS,
          false,
        );
        const otherChain = chainId === 1666 ? 714 : 1666;
        equal(
          recoverV3Signer(
            extracted.payload,
            extracted.signature,
            otherChain,
          ) === DEMO_AGENT_ADDRESS,
          false,
        );
      }
    },
  );
  await t.step("a malformed key is refused without echoing it", () => {
    throws(
      () =>
        new V3Signer({
          user: DEMO_USER,
          signer: DEMO_AGENT_ADDRESS,
          privateKey: new Secret("0x1234abcd"),
          clock: Date.now,
        }),
      (error: Error) =>
        error instanceof TypeError && !error.message.includes("1234abcd"),
    );
  });
  await t.step("bad addresses and a key of another agent are refused", () => {
    const make = (user: string, signerAddress: string, key: string) => () =>
      new V3Signer({
        user,
        signer: signerAddress,
        privateKey: new Secret(key),
        clock: Date.now,
      });
    throws(make("0x1234", DEMO_AGENT_ADDRESS, DEMO_AGENT_KEY), TypeError);
    throws(
      make(DEMO_USER, DEMO_AGENT_ADDRESS + " ", DEMO_AGENT_KEY),
      TypeError,
    );
    throws(
      make(DEMO_USER, DEMO_USER, DEMO_AGENT_KEY),
      (error: Error) =>
        error instanceof RangeError &&
        error.message.includes(DEMO_AGENT_ADDRESS) &&
        !error.message.includes(DEMO_AGENT_KEY.slice(2, 18)),
    );
  });
  await t.step("defaults to mainnet", () => {
    const s = new V3Signer({
      user: DEMO_USER,
      signer: DEMO_AGENT_ADDRESS,
      privateKey: new Secret(DEMO_AGENT_KEY),
      clock: Date.now,
    });
    equal(s.chainId, 1666);
  });
});
