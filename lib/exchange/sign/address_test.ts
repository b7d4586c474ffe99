import { equal, throws } from "node:assert/strict";
import { fromHex } from "./_hex.ts";
import { DEMO_AGENT_ADDRESS, DEMO_AGENT_KEY } from "./_testdata.ts";
import {
  addressFromPrivateKey,
  isValidAddress,
  toChecksumAddress,
} from "./address.ts";

// EIP-55's own examples.
const EIP55 = [
  "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
  "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
  "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
  "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
];

Deno.test("toChecksumAddress() follows EIP-55", async (t) => {
  await t.step("reproduces the EIP's examples from lowercase", () => {
    for (const address of EIP55) {
      equal(toChecksumAddress(address.toLowerCase()), address);
    }
  });
  await t.step("rejects malformed input", () => {
    throws(() => toChecksumAddress("0x1234"), TypeError);
    throws(
      () => toChecksumAddress("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
      TypeError,
    );
  });
});

Deno.test("isValidAddress() checks shape and mixed-case checksums", async (t) => {
  await t.step("accepts checksummed, lowercase and uppercase forms", () => {
    for (const address of EIP55) {
      equal(isValidAddress(address), true);
      equal(isValidAddress(address.toLowerCase()), true);
      equal(isValidAddress("0x" + address.slice(2).toUpperCase()), true);
    }
  });
  await t.step("rejects a broken checksum and bad shapes", () => {
    equal(isValidAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), false);
    equal(isValidAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"), false);
    equal(isValidAddress("0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), false);
  });
});

Deno.test("addressFromPrivateKey() derives the agent address", async (t) => {
  await t.step("the doc's demo key", () => {
    equal(
      addressFromPrivateKey(fromHex(DEMO_AGENT_KEY.slice(2))!),
      DEMO_AGENT_ADDRESS,
    );
  });
  await t.step("an out-of-range key is refused without echoing it", () => {
    throws(() => addressFromPrivateKey(new Uint8Array(32)), (error: Error) => {
      equal(error instanceof RangeError, true);
      equal(error.message.includes("00000000"), false);
      return true;
    });
  });
});
