import { deepEqual, equal, throws } from "node:assert/strict";
import { AccountDirectory } from "./accounts.ts";
import { LISTEN_KEY_TTL_MS, ListenKeys } from "./listen_keys.ts";
import { OrderCounter } from "./order_counter.ts";

const USER = "0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e";
const AGENT = "0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0";

Deno.test("ListenKeys keep one key per account for 60 sim minutes", async (t) => {
  let n = 0;
  const keys = new ListenKeys(() => `k${++n}`);

  await t.step("create() returns the active key and extends it", () => {
    equal(keys.create("a", 0), "k1");
    equal(keys.create("a", 1000), "k1");
    equal(keys.expiresAt("k1"), 1000 + LISTEN_KEY_TTL_MS);
    equal(keys.create("b", 0), "k2");
  });

  await t.step("expire() removes keys at their expiry, not before", () => {
    deepEqual(keys.expire(LISTEN_KEY_TTL_MS - 1), []);
    deepEqual(keys.expire(LISTEN_KEY_TTL_MS), ["k2"]);
    equal(keys.accountOf("k2"), undefined);
    equal(keys.keepAlive("b", 0), false);
    equal(keys.accountOf("k1"), "a");
  });

  await t.step(
    "close() forgets the key; the next create() makes a new one",
    () => {
      equal(keys.close("a"), "k1");
      equal(keys.close("a"), undefined);
      equal(keys.create("a", 0), "k3");
    },
  );
});

Deno.test("OrderCounter counts per account in 10 s and 1 min windows", () => {
  const c = new OrderCounter(3);
  deepEqual(c.count("a", 0), { tenSec: 1, minute: 1, limited: false });
  deepEqual(c.count("a", 9_999), { tenSec: 2, minute: 2, limited: false });
  deepEqual(c.count("b", 9_999), { tenSec: 1, minute: 1, limited: false });
  deepEqual(c.count("a", 10_000), { tenSec: 1, minute: 3, limited: false });
  deepEqual(c.count("a", 59_999), { tenSec: 1, minute: 4, limited: true });
  deepEqual(c.count("a", 60_000), { tenSec: 1, minute: 1, limited: false });
});

Deno.test("AccountDirectory maps V1 keys and V3 users to engine ids", async (t) => {
  const dir = new AccountDirectory();

  await t.step("V1 id is the key; a key cannot be added twice", () => {
    deepEqual(dir.add({ kind: "v1", apiKey: "k", secretKey: "s" }), {
      id: "k",
      created: true,
    });
    equal(dir.v1Secret("k"), "s");
    throws(
      () => dir.add({ kind: "v1", apiKey: "k", secretKey: "t" }),
      TypeError,
    );
  });

  await t.step(
    "V3 id is the lowercase user; signers compare in any case",
    () => {
      deepEqual(dir.add({ kind: "v3", user: USER, signer: AGENT }), {
        id: USER.toLowerCase(),
        created: true,
      });
      equal(
        dir.v3Allows(
          USER.toUpperCase().replace("0X", "0x"),
          AGENT.toLowerCase(),
        ),
        true,
      );
      equal(dir.v3Allows(USER, USER), false);
      equal(dir.v3UserOf(AGENT), USER.toLowerCase());
      deepEqual(
        dir.add({ kind: "v3", user: USER, signer: [USER] }).created,
        false,
      );
      equal(dir.v3Allows(USER, USER), true);
      deepEqual(dir.ids, ["k", USER.toLowerCase()]);
    },
  );

  await t.step("a malformed address is a TypeError", () => {
    throws(
      () => dir.add({ kind: "v3", user: "0x12", signer: AGENT }),
      TypeError,
    );
  });
});
