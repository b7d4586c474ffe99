/**
 * Request-signing benchmark: V1 (HMAC-SHA256) and V3 (EIP-712 secp256k1) signatures per
 * second through the real signers, the HMAC back-ends compared (node:crypto `createHmac`,
 * a fresh `@noble/hashes` `hmac()` per call, and the precomputed keyed state the V1
 * signer uses), and the simulator-side verifiers.
 *
 * Run: `deno task bench:signing`
 *
 * @module
 */
import { createHmac } from "node:crypto";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  extractSignature,
  HmacSha256,
  NonceCounter,
  recoverV3Signer,
  Secret,
  V1Signer,
  V3Signer,
  verifyV1Signature,
} from "../lib/exchange/sign/mod.ts";

const V1_TARGET = 100_000;
const RUNS = 5;
const RUN_SECONDS = 0.25;
// Throwaway keys: the protocol doc's V1 example secret and its published demo agent key.
const SECRET =
  "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
const API_KEY =
  "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83";
const AGENT_KEY =
  "0x4fd0a42218f3eae43a6ce26d22544e986139a01e5b34a62db53757ffca81bae1";
const AGENT = "0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0";
const USER = "0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e";

/** Calls `fn(i)` repeatedly; returns the median calls/s over RUNS timed runs. */
function rate(fn: (i: number) => unknown): number {
  for (let i = 0; i < 2000; i++) fn(i); // warm-up
  const rates: number[] = [];
  let i = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    let calls = 0;
    let elapsed = 0;
    while (elapsed < RUN_SECONDS * 1000) {
      for (let k = 0; k < 200; k++) fn(i++);
      calls += 200;
      elapsed = performance.now() - start;
    }
    rates.push(calls / (elapsed / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

function fmt(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en-US").padStart(10);
}

let now = 1_700_000_000_000;
const clock = (): number => (now += 0.001);
const order = (i: number) =>
  [
    ["symbol", "BTCUSDT"],
    ["side", "BUY"],
    ["type", "LIMIT"],
    ["timeInForce", "GTC"],
    ["quantity", "0.010"],
    ["price", "65000.1"],
    ["newClientOrderId", `bench-${i}`],
  ] as const;

const v1 = new V1Signer({
  apiKey: new Secret(API_KEY),
  secretKey: new Secret(SECRET),
  clock,
});
const v3 = new V3Signer({
  user: USER,
  signer: AGENT,
  privateKey: new Secret(AGENT_KEY),
  clock,
  nonces: new NonceCounter(),
});
const sample = v1.sign({ method: "POST", security: "TRADE", params: order(0) });
const message = sample.body.slice(0, sample.body.lastIndexOf("&signature="));
const keyBytes = new TextEncoder().encode(SECRET);
const pre = new HmacSha256(keyBytes);
const encoder = new TextEncoder();

const v1Rate = rate((i) =>
  v1.sign({ method: "POST", security: "TRADE", params: order(i) })
);
const nodeRate = rate((i) =>
  createHmac("sha256", SECRET).update(message + i).digest("hex")
);
const nobleRate = rate((i) =>
  hmac(sha256, keyBytes, encoder.encode(message + i))
);
const preRate = rate((i) => pre.hex(message + i));
const v3Rate = rate((i) =>
  v3.sign({ method: "POST", security: "TRADE", params: order(i) })
);

const v1Signed = extractSignature(sample.query, sample.body)!;
const v1VerifyRate = rate(() =>
  verifyV1Signature(SECRET, v1Signed.payload, v1Signed.signature)
);
const v3Sample = v3.sign({
  method: "POST",
  security: "TRADE",
  params: order(0),
});
const v3Signed = extractSignature(v3Sample.query, v3Sample.body)!;
if (recoverV3Signer(v3Signed.payload, v3Signed.signature, 1666) !== AGENT) {
  throw new Error("Cannot benchmark: V3 signature does not recover the agent");
}
const v3RecoverRate = rate(() =>
  recoverV3Signer(v3Signed.payload, v3Signed.signature, 1666)
);

const out = [
  `signing_bench: ${message.length}-byte signed order payload; median of ${RUNS} runs of ${RUN_SECONDS} s`,
  `V1 signatures/s (V1Signer.sign, encode + HMAC): ${fmt(v1Rate)}  target ${
    V1_TARGET.toLocaleString("en-US")
  } ${v1Rate >= V1_TARGET ? "OK" : "MISSED"}`,
  `  HMAC only: node:crypto createHmac ${fmt(nodeRate)}/s | noble hmac() ${
    fmt(nobleRate)
  }/s | precomputed key state (used) ${fmt(preRate)}/s`,
  `V3 signatures/s (V3Signer.sign, encode + EIP-712 + secp256k1): ${
    fmt(v3Rate)
  }`,
  `simulator side: verifyV1Signature ${fmt(v1VerifyRate)}/s | recoverV3Signer ${
    fmt(v3RecoverRate)
  }/s`,
];
Deno.stdout.writeSync(new TextEncoder().encode(out.join("\n") + "\n"));
