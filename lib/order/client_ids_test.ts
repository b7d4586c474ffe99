import { equal, notEqual, throws } from "node:assert/strict";
import {
  CLIENT_ID_RE,
  clientOrderId,
  parseClientOrderId,
} from "./client_ids.ts";

Deno.test("clientOrderId() derives stable, valid ids from the signal", async (t) => {
  const bar = 1_772_409_900_000;
  await t.step("the same signal gives the same id", () => {
    equal(
      clientOrderId("BTCUSDT", bar, "long", "entry"),
      clientOrderId("BTCUSDT", bar, "long", "entry"),
    );
  });
  await t.step("symbol, bar, side, purpose and revision all change it", () => {
    const a = clientOrderId("BTCUSDT", bar, "long", "entry");
    notEqual(a, clientOrderId("ETHUSDT", bar, "long", "entry"));
    notEqual(a, clientOrderId("BTCUSDT", bar + 60_000, "long", "entry"));
    notEqual(a, clientOrderId("BTCUSDT", bar, "short", "entry"));
    notEqual(a, clientOrderId("BTCUSDT", bar, "long", "tp"));
    notEqual(
      clientOrderId("BTCUSDT", bar, "long", "tp"),
      clientOrderId("BTCUSDT", bar, "long", "tp", 1),
    );
  });
  await t.step("ids match the exchange rule, even for long symbols", () => {
    for (
      const sym of [
        "BTCUSDT",
        "1000SHIBUSDT",
        "AVERYVERYLONGSYMBOLNAME1234USDT",
      ]
    ) {
      for (const p of ["entry", "tp", "sl", "trail", "close"] as const) {
        const id = clientOrderId(sym, bar, "short", p, 35);
        equal(CLIENT_ID_RE.test(id), true, id);
        equal(id.length <= 36, true);
        const parsed = parseClientOrderId(id);
        equal(parsed?.purpose, p);
        equal(parsed?.key, bar);
        equal(parsed?.direction, "short");
        equal(parsed?.revision, 35);
      }
    }
    notEqual(
      clientOrderId("AVERYVERYLONGSYMBOLNAME1234USDT", bar, "long", "entry"),
      clientOrderId("AVERYVERYLONGSYMBOLNAME1299USDT", bar, "long", "entry"),
    );
  });
  await t.step("foreign ids do not parse; bad keys throw", () => {
    equal(parseClientOrderId("web_abc123"), undefined);
    throws(() => clientOrderId("BTCUSDT", -1, "long", "entry"), RangeError);
    throws(() => clientOrderId("BTCUSDT", 1.5, "long", "entry"), RangeError);
  });
});
