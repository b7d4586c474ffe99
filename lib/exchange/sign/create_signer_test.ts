import { equal } from "node:assert/strict";
import { createSigner } from "./create_signer.ts";
import { v1Credentials, v3Credentials } from "./credentials.ts";
import { NonceCounter } from "./nonce.ts";
import { Secret } from "./secret.ts";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_USER,
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "./_testdata.ts";
import { V1Signer } from "./v1_signer.ts";
import { V3Signer } from "./v3_signer.ts";
import {
  extractSignature,
  recoverV3Signer,
  verifyV1Signature,
} from "./verify.ts";

Deno.test("createSigner() picks the implementation from the credentials", async (t) => {
  const clock = (): number => 1_700_000_000_000;
  await t.step(
    "V1 credentials give a V1Signer with the chosen recvWindow",
    () => {
      const signer = createSigner(
        v1Credentials(new Secret(DEMO_V1_API_KEY), new Secret(DEMO_V1_SECRET)),
        {
          clock,
          recvWindow: 2000,
        },
      );
      equal(signer instanceof V1Signer, true);
      equal(signer.scheme, "v1");
      const request = signer.sign({
        method: "GET",
        security: "USER_DATA",
        params: { symbol: "BTCUSDT" },
      });
      const extracted = extractSignature(request.query, request.body)!;
      equal(
        extracted.payload,
        "symbol=BTCUSDT&recvWindow=2000&timestamp=1700000000000",
      );
      equal(
        verifyV1Signature(
          DEMO_V1_SECRET,
          extracted.payload,
          extracted.signature,
        ),
        true,
      );
    },
  );
  for (const [testnet, chainId] of [[false, 1666], [true, 714]] as const) {
    await t.step(`V3 credentials give a V3Signer for chain ${chainId}`, () => {
      const signer = createSigner(
        v3Credentials(
          DEMO_USER,
          DEMO_AGENT_ADDRESS,
          new Secret(DEMO_AGENT_KEY),
        ),
        {
          clock,
          testnet,
          nonces: new NonceCounter(),
        },
      );
      equal(signer instanceof V3Signer, true);
      equal(signer.scheme, "v3");
      const request = signer.sign({
        method: "DELETE",
        security: "TRADE",
        params: { symbol: "BTCUSDT", orderId: 42 },
      });
      const extracted = extractSignature(request.query, request.body)!;
      equal(
        extracted.payload.startsWith(
          "symbol=BTCUSDT&orderId=42&nonce=1700000000000000&",
        ),
        true,
      );
      equal(
        recoverV3Signer(extracted.payload, extracted.signature, chainId),
        DEMO_AGENT_ADDRESS,
      );
    });
  }
});
