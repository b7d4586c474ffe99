/**
 * Security (issue 18, item 2): a full-length secret put in any credential variable never
 * appears in the error, and a key put where a path or an address belongs is named as such.
 */
import { equal, match, rejects } from "node:assert/strict";
import {
  CredentialError,
  loadCredentials,
  looksLikeKey,
} from "./credentials.ts";
import {
  assertNoSecret,
  FULL_SECRETS,
  MISPLACED_SECRETS,
} from "./_secret_cases.ts";
import { DEMO_AGENT_ADDRESS, DEMO_USER } from "./_testdata.ts";

Deno.test("security: credential errors never print a credential variable's value", async (t) => {
  for (const c of MISPLACED_SECRETS) {
    await t.step(c.name, async () => {
      let message = "";
      await rejects(
        loadCredentials({
          env: (name) => c.env[name],
          readTextFile: () =>
            Promise.reject(new Deno.errors.NotFound("No such file")),
        }),
        (error: unknown) => {
          equal(error instanceof CredentialError, true, String(error));
          message = `${(error as Error).message} ${(error as Error).stack}`;
          return true;
        },
      );
      assertNoSecret(c.name, message);
      match(message, c.says);
    });
  }
});

Deno.test("security: looksLikeKey tells keys from paths and addresses", () => {
  for (const key of FULL_SECRETS) equal(looksLikeKey(key), true, key);
  equal(looksLikeKey(btoa("x".repeat(32))), true);
  for (
    const notKey of [
      "/run/aster/secrets/order_api_key",
      "./secrets/key.txt",
      "agent.key",
      DEMO_USER,
      DEMO_AGENT_ADDRESS.toLowerCase(),
    ]
  ) equal(looksLikeKey(notKey), false, notKey);
});
