import { doesNotThrow, throws } from "node:assert/strict";
import { UsageError } from "./usage_error.ts";
import { checkUrlFlag, HTTP_PROTOCOLS, WS_PROTOCOLS } from "./url_flag.ts";

Deno.test("checkUrlFlag() accepts a URL of an allowed protocol and names the flag otherwise", async (t) => {
  await t.step("accepts http(s) and ws(s) base URLs", () => {
    doesNotThrow(() =>
      checkUrlFlag("rest_url", "https://fapi.asterdex.com", HTTP_PROTOCOLS)
    );
    doesNotThrow(() =>
      checkUrlFlag("rest_url", "http://127.0.0.1:8080", HTTP_PROTOCOLS)
    );
    doesNotThrow(() =>
      checkUrlFlag("ws_url", "wss://fstream.asterdex.com", WS_PROTOCOLS)
    );
  });
  await t.step("rejects a value that is not a URL", () => {
    throws(
      () => checkUrlFlag("rest_url", "fapi.asterdex.com", HTTP_PROTOCOLS),
      (e) =>
        e instanceof UsageError &&
        e.message === 'Invalid --rest_url "fapi.asterdex.com": not a URL',
    );
  });
  await t.step("rejects another protocol, listing the allowed ones", () => {
    throws(
      () => checkUrlFlag("ws_url", "https://x.test", WS_PROTOCOLS),
      (e) =>
        e instanceof UsageError &&
        e.message === 'Invalid --ws_url "https://x.test": expected ws: or wss:',
    );
  });
});
