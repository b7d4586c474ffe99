import { deepEqual, equal, match, notEqual, throws } from "node:assert/strict";
import { addressFromPrivateKey } from "../../exchange/sign/address.ts";
import { fromHex } from "../../exchange/sign/_hex.ts";
import {
  demoAccounts,
  demoEnvLines,
  generateDemoCredentials,
  parseAccountFlag,
} from "./demo_accounts.ts";

Deno.test("generateDemoCredentials() makes usable keys for both schemes", () => {
  const a = generateDemoCredentials();
  const b = generateDemoCredentials();
  match(a.apiKey, /^[0-9a-f]{64}$/);
  match(a.secretKey, /^[0-9a-f]{64}$/);
  notEqual(a.apiKey, b.apiKey);
  equal(addressFromPrivateKey(fromHex(a.agentKey.slice(2))!), a.signer);
  notEqual(a.user, a.signer);
  const accounts = demoAccounts(a, "500");
  deepEqual(accounts.map((x) => [x.kind, x.balance]), [["v1", "500"], [
    "v3",
    "500",
  ]]);
  const env = demoEnvLines(a).join("\n");
  match(env, new RegExp(`ASTER_API_KEY=${a.apiKey} `));
  match(env, new RegExp(`ASTER_AGENT_KEY=${a.agentKey}$`));
});

Deno.test("parseAccountFlag() reads KEY:SECRET and USER:SIGNER", () => {
  deepEqual(parseAccountFlag("v1", "k:s", "10"), {
    kind: "v1",
    apiKey: "k",
    secretKey: "s",
    balance: "10",
  });
  deepEqual(parseAccountFlag("v3", "0xa:0xb", "10"), {
    kind: "v3",
    user: "0xa",
    signer: "0xb",
    balance: "10",
  });
  throws(
    () => parseAccountFlag("v1", "nocolon", "10", 2),
    (e: Error) =>
      e instanceof TypeError &&
      /^Invalid --account_v1 entry 2: expected KEY:SECRET, got 1 part\(s\)/
        .test(e.message) &&
      !e.message.includes("nocolon"),
  );
  throws(
    () => parseAccountFlag("v3", "foo", "10"),
    /Invalid --account_v3 entry 1: expected USER:SIGNER, got "foo"/,
  );
  throws(() => parseAccountFlag("v3", "a:b:c", "10"), TypeError);
  // The secret never appears in the error.
  throws(
    () => parseAccountFlag("v1", "key:", "1"),
    (e: Error) => !e.message.includes("key:"),
  );
});
