import { equal, throws } from "node:assert/strict";
import { toHex } from "./_hex.ts";
import { DEMO_MSG } from "./_testdata.ts";
import { asterDomainSeparatorHex, asterMessageDigest } from "./eip712.ts";

Deno.test("asterMessageDigest() reproduces the protocol's EIP-712 vector", async (t) => {
  await t.step("mainnet domain separator", () => {
    equal(
      asterDomainSeparatorHex(1666),
      "0xa95d0a7a6f3f17fcebb0c2336645385ce79cde7523f71ab147fdb7f15e9f37f9",
    );
  });
  await t.step("mainnet digest", () => {
    equal(
      toHex(asterMessageDigest(DEMO_MSG, 1666)),
      "214122039b686e20a15baab91d368d354cf8c88067cb8b0e96e9018d8b08a625",
    );
  });
  await t.step(
    "the testnet chain id gives a different separator and digest",
    () => {
      equal(
        asterDomainSeparatorHex(714) === asterDomainSeparatorHex(1666),
        false,
      );
      equal(
        toHex(asterMessageDigest(DEMO_MSG, 714)) ===
          toHex(asterMessageDigest(DEMO_MSG, 1666)),
        false,
      );
    },
  );
  await t.step("a bad chain id is refused", () => {
    throws(() => asterDomainSeparatorHex(0), RangeError);
    throws(() => asterDomainSeparatorHex(1.5), RangeError);
  });
});
