import { equal, throws } from "node:assert/strict";
import { NonceCounter } from "./nonce.ts";

Deno.test("NonceCounter.next() issues strictly increasing microsecond nonces", async (t) => {
  await t.step("uses the clock's microseconds when it moves forward", () => {
    const nonces = new NonceCounter();
    equal(nonces.next(1748310859508.5), 1748310859508500);
    equal(nonces.next(1748310859600), 1748310859600000);
  });
  await t.step(
    "10,000 requests in the same microsecond are strictly increasing",
    async () => {
      const nonces = new NonceCounter();
      const issued = await Promise.all(
        Array.from({ length: 10_000 }, async () => {
          await Promise.resolve();
          return nonces.next(1_700_000_000_000);
        }),
      );
      for (let i = 1; i < issued.length; i++) {
        equal(issued[i]! > issued[i - 1]!, true);
      }
      equal(new Set(issued).size, 10_000);
      equal(issued[0], 1_700_000_000_000_000);
    },
  );
  await t.step("never goes back when the clock steps back", () => {
    const nonces = new NonceCounter();
    const first = nonces.next(2_000_000);
    equal(nonces.next(1_000_000), first + 1);
    equal(nonces.last, first + 1);
  });
  await t.step("refuses a broken clock", () => {
    const nonces = new NonceCounter();
    throws(() => nonces.next(Number.NaN), RangeError);
    throws(() => nonces.next(0), RangeError);
  });
});
