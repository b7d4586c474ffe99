import { deepEqual, equal } from "node:assert/strict";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_MSG,
  DEMO_SIGNATURES,
  DEMO_V1_SECRET,
} from "./_testdata.ts";
import { Secret } from "./secret.ts";
import {
  extractSignature,
  recoverV3Signer,
  verifyV1Signature,
} from "./verify.ts";

const V1_MSG =
  "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943";
const V1_SIG =
  "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9";

Deno.test("verifyV1Signature() checks an HMAC hex signature", async (t) => {
  await t.step(
    "accepts the vector in lower and upper case, with a string or a Secret",
    () => {
      equal(verifyV1Signature(DEMO_V1_SECRET, V1_MSG, V1_SIG), true);
      equal(
        verifyV1Signature(DEMO_V1_SECRET, V1_MSG, V1_SIG.toUpperCase()),
        true,
      );
      equal(
        verifyV1Signature(new Secret(DEMO_V1_SECRET), V1_MSG, V1_SIG),
        true,
      );
    },
  );
  await t.step(
    "rejects another message, another secret, a changed or truncated signature",
    () => {
      equal(verifyV1Signature(DEMO_V1_SECRET, V1_MSG + "&x=1", V1_SIG), false);
      equal(verifyV1Signature("0".repeat(64), V1_MSG, V1_SIG), false);
      equal(
        verifyV1Signature(DEMO_V1_SECRET, V1_MSG, V1_SIG.slice(0, -1) + "0"),
        false,
      );
      equal(
        verifyV1Signature(DEMO_V1_SECRET, V1_MSG, V1_SIG.slice(0, -2)),
        false,
      );
      equal(verifyV1Signature(DEMO_V1_SECRET, V1_MSG, ""), false);
      // Characters that only match after case folding must be real hex letters.
      equal(
        verifyV1Signature(DEMO_V1_SECRET, V1_MSG, V1_SIG.replace(/c/g, "#")),
        false,
      );
    },
  );
});

Deno.test("recoverV3Signer() recovers the agent address", async (t) => {
  await t.step("from the protocol's vectors on both chains", () => {
    equal(
      recoverV3Signer(DEMO_MSG, DEMO_SIGNATURES[1666]!, 1666),
      DEMO_AGENT_ADDRESS,
    );
    equal(
      recoverV3Signer(DEMO_MSG, DEMO_SIGNATURES[714]!, 714),
      DEMO_AGENT_ADDRESS,
    );
  });
  await t.step("not from a tampered message", () => {
    const other = recoverV3Signer(
      DEMO_MSG.replace("quantity=20", "quantity=21"),
      DEMO_SIGNATURES[1666]!,
      1666,
    );
    equal(other === DEMO_AGENT_ADDRESS, false);
  });
  await t.step("accepts v as 0/1 as well as 27/28", () => {
    const sig = DEMO_SIGNATURES[1666]!;
    const v = parseInt(sig.slice(-2), 16) - 27;
    equal(
      recoverV3Signer(DEMO_MSG, sig.slice(0, -2) + "0" + v, 1666),
      DEMO_AGENT_ADDRESS,
    );
  });
  await t.step("returns undefined for malformed signatures", () => {
    const sig = DEMO_SIGNATURES[1666]!;
    equal(recoverV3Signer(DEMO_MSG, sig.slice(2), 1666), undefined);
    equal(recoverV3Signer(DEMO_MSG, sig.slice(0, -2), 1666), undefined);
    equal(recoverV3Signer(DEMO_MSG, sig.slice(0, -2) + "1d", 1666), undefined);
    equal(recoverV3Signer(DEMO_MSG, "0x" + "zz".repeat(65), 1666), undefined);
    equal(
      recoverV3Signer(DEMO_MSG, "0x" + "00".repeat(64) + "1b", 1666),
      undefined,
    );
  });
});

Deno.test("extractSignature() splits a received request", async (t) => {
  await t.step("signature last in the query", () => {
    deepEqual(extractSignature("a=1&signature=ab", ""), {
      payload: "a=1",
      signature: "ab",
    });
    deepEqual(extractSignature("signature=ab", ""), {
      payload: "",
      signature: "ab",
    });
  });
  await t.step("signature last in the body of a mixed request", () => {
    deepEqual(extractSignature("a=1", "b=2&signature=cd"), {
      payload: "a=1b=2",
      signature: "cd",
    });
  });
  await t.step("no signature, or not last", () => {
    equal(extractSignature("a=1", "b=2"), undefined);
    equal(extractSignature("signature=ab&a=1", ""), undefined);
    equal(extractSignature("", "a=1&signature=ab&b=2"), undefined);
  });
});
