import { equal } from "node:assert/strict";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { addressFromPrivateKey } from "../../exchange/sign/address.ts";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_USER,
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "../../exchange/sign/_testdata.ts";
import { HmacSha256 } from "../../exchange/sign/hmac_sha256.ts";
import { NonceCounter } from "../../exchange/sign/nonce.ts";
import { Secret } from "../../exchange/sign/secret.ts";
import { V1Signer } from "../../exchange/sign/v1_signer.ts";
import { V3Signer } from "../../exchange/sign/v3_signer.ts";
import { signedCall, startRig } from "./_test_rig.ts";

function v1At(
  clock: () => number,
  secret = DEMO_V1_SECRET,
  key = DEMO_V1_API_KEY,
) {
  return new V1Signer({
    apiKey: new Secret(key),
    secretKey: new Secret(secret),
    clock,
  });
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("V1 authentication rejects in the documented order", async (t) => {
  await using rig = await startRig();
  const { sim } = rig;
  const now = () => sim.clock.now();
  const balance = (signer: V1Signer) =>
    signedCall(sim, signer, "GET", "/fapi/v2/balance", {}, "USER_DATA");

  await t.step("a missing API-key header → 401 -2014", async () => {
    const res = await fetch(`${sim.restUrl}/fapi/v2/balance?timestamp=1`);
    equal(res.status, 401);
    equal((await res.json()).code, -2014);
  });

  await t.step("an unknown API key → 401 -2015", async () => {
    const r = await balance(v1At(now, DEMO_V1_SECRET, "f".repeat(64)));
    equal(r.status, 401);
    equal(r.body.code, -2015);
  });

  await t.step("a wrong secret → -1022", async () => {
    const r = await balance(v1At(now, "0".repeat(64)));
    equal(r.status, 400);
    equal(r.body.code, -1022);
  });

  await t.step("a missing signature → -1102", async () => {
    const res = await fetch(
      `${sim.restUrl}/fapi/v2/balance?timestamp=${now()}`,
      { headers: { "X-MBX-APIKEY": DEMO_V1_API_KEY } },
    );
    equal((await res.json()).code, -1102);
  });

  await t.step("a stale or early timestamp → -1021", async () => {
    const stale = await balance(v1At(() => now() - 5001));
    equal(stale.body.code, -1021);
    const early = await balance(v1At(() => now() + 1000));
    equal(early.body.code, -1021);
    const edge = await balance(v1At(() => now() - 5000));
    equal(edge.status, 200);
    const ahead = await balance(v1At(() => now() + 999));
    equal(ahead.status, 200);
  });

  await t.step("recvWindow above 60000 → -1130", async () => {
    const q = `recvWindow=60001&timestamp=${now()}`;
    const sig = new HmacSha256(new TextEncoder().encode(DEMO_V1_SECRET)).hex(q);
    const res = await fetch(
      `${sim.restUrl}/fapi/v2/balance?${q}&signature=${sig}`,
      { headers: { "X-MBX-APIKEY": DEMO_V1_API_KEY } },
    );
    equal((await res.json()).code, -1130);
  });

  await t.step("listenKey endpoints need only the key header", async () => {
    const res = await fetch(`${sim.restUrl}/fapi/v1/listenKey`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": DEMO_V1_API_KEY },
    });
    equal(res.status, 200);
    equal(typeof (await res.json()).listenKey, "string");
    const none = await fetch(`${sim.restUrl}/fapi/v1/listenKey`, {
      method: "POST",
    });
    equal((await none.json()).code, -2014);
  });
});

Deno.test("V3 authentication checks signer, registration and nonces", async (t) => {
  await using rig = await startRig();
  const { sim } = rig;
  const now = () => sim.clock.now();
  const signer = (clock: () => number, nonces = new NonceCounter()) =>
    new V3Signer({
      user: DEMO_USER,
      signer: DEMO_AGENT_ADDRESS,
      privateKey: new Secret(DEMO_AGENT_KEY),
      clock,
      nonces,
    });

  await t.step("a tampered message → -1022", async () => {
    const r = signer(now).sign({
      method: "POST",
      security: "TRADE",
      params: { symbol: "BTCUSDT", leverage: 3 },
    });
    const res = await fetch(`${sim.restUrl}/fapi/v3/leverage`, {
      method: "POST",
      headers: r.headers,
      body: r.body.replace("leverage=3", "leverage=4"),
    });
    equal(res.status, 400);
    equal((await res.json()).code, -1022);
  });

  await t.step("an agent not registered for the user → 401 -2015", async () => {
    const key = secp256k1.utils.randomSecretKey();
    const other = new V3Signer({
      user: DEMO_USER,
      signer: addressFromPrivateKey(key),
      privateKey: new Secret("0x" + toHex(key)),
      clock: now,
      nonces: new NonceCounter(),
    });
    const r = await signedCall(
      sim,
      other,
      "GET",
      "/fapi/v3/balance",
      {},
      "USER_DATA",
    );
    equal(r.status, 401);
    equal(r.body.code, -2015);
    // Registering it makes the same agent valid.
    sim.trading.addAccount({
      kind: "v3",
      user: DEMO_USER,
      signer: addressFromPrivateKey(key),
    });
    const ok = await signedCall(
      sim,
      other,
      "GET",
      "/fapi/v3/balance",
      {},
      "USER_DATA",
    );
    equal(ok.status, 200);
  });

  await t.step("a nonce 10 s away from server time → -4225", async () => {
    const r = await signedCall(
      sim,
      signer(() => now() - 10_001),
      "GET",
      "/fapi/v3/balance",
      {},
      "USER_DATA",
    );
    equal(r.status, 400);
    equal(r.body.code, -4225);
    equal(r.body.msg, "Nonce Expired");
  });

  await t.step("a replayed request is rejected as a duplicate", async () => {
    const r = signer(now).sign({
      method: "GET",
      security: "USER_DATA",
      params: {},
    });
    const url = `${sim.restUrl}/fapi/v3/balance?${r.query}`;
    const first = await fetch(url);
    await first.body?.cancel();
    equal(first.status, 200);
    const again = await fetch(url);
    equal(again.status, 400);
    equal((await again.json()).code, -4225);
  });

  await t.step(
    "a request without user is served when the agent has one user",
    async () => {
      const nonce = (now() * 1000 + 777).toString();
      const msg = `nonce=${nonce}&signer=${DEMO_AGENT_ADDRESS}`;
      const sig = signer(now).signMessage(msg);
      const res = await fetch(
        `${sim.restUrl}/fapi/v3/balance?${msg}&signature=${sig}`,
      );
      equal(res.status, 200);
      equal(Number((await res.json())[0].balance), 5000);
    },
  );
});
