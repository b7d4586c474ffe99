import { doesNotThrow, equal, throws } from "node:assert/strict";
import { UsageError } from "./usage_error.ts";
import {
  checkUrlFlag,
  HTTP_PROTOCOLS,
  isLoopbackHost,
  WS_PROTOCOLS,
} from "./url_flag.ts";

Deno.test("security: while trading, http/ws only to loopback", async (t) => {
  const secure = { secure: true };
  await t.step("clear text to another host is refused, naming the flag", () => {
    for (
      const [flag, url, protocols] of [
        ["rest_url", "http://fapi.asterdex.com", HTTP_PROTOCOLS],
        ["rest_url", "http://10.0.0.5:8800", HTTP_PROTOCOLS],
        ["ws_url", "ws://fstream.asterdex.com", WS_PROTOCOLS],
        ["ws_url", "ws://127.0.0.1.evil.test", WS_PROTOCOLS],
      ] as const
    ) {
      throws(
        () => checkUrlFlag(flag, url, protocols, secure),
        (e) =>
          e instanceof UsageError &&
          e.message.startsWith(`Invalid --${flag} "${url}": clear-text`),
        url,
      );
    }
  });
  await t.step("https/wss anywhere, http/ws on loopback", () => {
    for (
      const url of [
        "https://fapi.asterdex.com",
        "http://127.0.0.1:8800",
        "http://localhost:8800",
        "http://[::1]:8800",
      ]
    ) doesNotThrow(() => checkUrlFlag("rest_url", url, HTTP_PROTOCOLS, secure));
    doesNotThrow(() =>
      checkUrlFlag("ws_url", "ws://127.0.0.1:8800", WS_PROTOCOLS, secure)
    );
  });
  await t.step(
    "without trading (dry run, recorder) clear text stays allowed",
    () => {
      doesNotThrow(() =>
        checkUrlFlag("rest_url", "http://fapi.asterdex.com", HTTP_PROTOCOLS)
      );
    },
  );
  await t.step("isLoopbackHost", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "[::1]"]) {
      equal(isLoopbackHost(h), true, h);
    }
    for (
      const h of ["10.0.0.1", "127.0.0.1.nip.io", "localhost.evil", "::ffff:1"]
    ) {
      equal(isLoopbackHost(h), false, h);
    }
  });
});
