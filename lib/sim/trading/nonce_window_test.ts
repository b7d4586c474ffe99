import { equal } from "node:assert/strict";
import { NONCE_WINDOW, NonceWindow } from "./nonce_window.ts";

Deno.test("NonceWindow.accept() keeps the last 100 nonces per user", async (t) => {
  const now = 1_700_000_000_000;
  const us = now * 1000;

  await t.step("accepts increasing nonces and rejects repeats", () => {
    const w = new NonceWindow();
    equal(w.accept(String(us), now), "ok");
    equal(w.accept(String(us + 1), now), "ok");
    equal(w.accept(String(us), now), "duplicate");
  });

  await t.step("accepts an older nonce while the window has room", () => {
    const w = new NonceWindow();
    equal(w.accept(String(us + 10), now), "ok");
    equal(w.accept(String(us + 5), now), "ok");
  });

  await t.step("rejects below the minimum of a full window as expired", () => {
    const w = new NonceWindow();
    for (let i = 0; i < NONCE_WINDOW; i++) {
      equal(w.accept(String(us + 100 + i), now), "ok");
    }
    equal(w.accept(String(us + 99), now), "expired");
    equal(w.accept(String(us + 500), now), "ok");
    // us + 100 was pushed out: it is now below the window.
    equal(w.accept(String(us + 100), now), "expired");
    equal(w.accept(String(us + 101), now), "duplicate");
  });

  await t.step("rejects nonces more than 10 s from server time", () => {
    const w = new NonceWindow();
    equal(w.accept(String(us - 10_000_001), now), "stale");
    equal(w.accept(String(us + 10_000_001), now), "stale");
    equal(w.accept(String(us - 10_000_000), now), "ok");
  });

  await t.step("rejects non-digit nonces as malformed", () => {
    const w = new NonceWindow();
    equal(w.accept("12a", now), "malformed");
    equal(w.accept("-1", now), "malformed");
  });
});
