import assert from "node:assert/strict";
import { UsageError } from "../cli/usage_error.ts";
import { isLoopback, parseMetricsAddr } from "./metrics_addr.ts";

Deno.test("parseMetricsAddr accepts host:port, brackets for IPv6, empty = off", () => {
  assert.deepEqual(parseMetricsAddr("127.0.0.1:9464", false), {
    hostname: "127.0.0.1",
    port: 9464,
  });
  assert.deepEqual(parseMetricsAddr("localhost:0", false), {
    hostname: "localhost",
    port: 0,
  });
  assert.deepEqual(parseMetricsAddr("[::1]:9464", false), {
    hostname: "::1",
    port: 9464,
  });
  assert.equal(parseMetricsAddr("", false), undefined);
  assert.equal(parseMetricsAddr("  ", true), undefined);
  assert.deepEqual(parseMetricsAddr("0.0.0.0:9464", true), {
    hostname: "0.0.0.0",
    port: 9464,
  });
});

Deno.test("parseMetricsAddr refuses what is not host:port, in one line naming the flag", () => {
  for (
    const [value, why] of [
      ["9464", /expected host:port/],
      ["127.0.0.1", /expected host:port/],
      ["127.0.0.1:", /expected host:port/],
      ["127.0.0.1:99999", /port 99999 is not in 0\.\.65535/],
      ["127.0.0.1:x", /expected host:port/],
      ["http://127.0.0.1:9464", /expected host:port/],
      ["300.0.0.1:9464", /not an IPv4 address/],
      ["::1:9464", /expected host:port/],
    ] as const
  ) {
    assert.throws(
      () => parseMetricsAddr(value, true),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message.startsWith(`Invalid --metrics_addr "${value}"`) &&
        why.test(e.message) && !e.message.includes("\n"),
      value,
    );
  }
});

Deno.test("parseMetricsAddr refuses a non-loopback address without --metrics_public", () => {
  for (
    const value of [
      "0.0.0.0:9464",
      "10.0.0.5:9464",
      "[::]:9464",
      "example.org:80",
    ]
  ) {
    assert.throws(
      () => parseMetricsAddr(value, false),
      /not a loopback address; add --metrics_public true/,
      value,
    );
  }
});

Deno.test("isLoopback knows 127.0.0.0/8, ::1 and localhost only", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"]) {
    assert.ok(isLoopback(h), h);
  }
  for (
    const h of ["128.0.0.1", "0.0.0.0", "::", "127.0.0.256", "localhost.evil"]
  ) {
    assert.ok(!isLoopback(h), h);
  }
});
