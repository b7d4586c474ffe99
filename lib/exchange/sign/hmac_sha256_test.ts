import { equal } from "node:assert/strict";
import { createHmac } from "node:crypto";
import { HmacSha256 } from "./hmac_sha256.ts";

function reference(key: string, message: string): string {
  return createHmac("sha256", key).update(message).digest("hex");
}

Deno.test("HmacSha256.hex() matches RFC 4231 and node:crypto", async (t) => {
  await t.step("RFC 4231 test case 2", () => {
    const mac = new HmacSha256(new TextEncoder().encode("Jefe"));
    equal(
      mac.hex("what do ya want for nothing?"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });
  await t.step(
    "repeated calls reuse the keyed state without carrying data over",
    () => {
      const key =
        "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
      const mac = new HmacSha256(new TextEncoder().encode(key));
      for (
        const message of [
          "",
          "a",
          "a=1&b=2",
          "x".repeat(63),
          "y".repeat(64),
          "z".repeat(5000),
          "é€😀=1",
        ]
      ) {
        equal(
          mac.hex(message),
          reference(key, message),
          `message of ${message.length}`,
        );
        equal(mac.hex(message), reference(key, message), "second call equal");
      }
    },
  );
  await t.step("two parts hash as their concatenation", () => {
    const mac = new HmacSha256(new TextEncoder().encode("k"));
    equal(
      mac.hex("symbol=BTCUSDT", "quantity=1"),
      reference("k", "symbol=BTCUSDTquantity=1"),
    );
  });
  await t.step("keys longer than a block are hashed first", () => {
    const key = "k".repeat(100);
    equal(
      new HmacSha256(new TextEncoder().encode(key)).hex("m"),
      reference(key, "m"),
    );
  });
});
