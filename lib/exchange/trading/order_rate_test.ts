import { equal, rejects } from "node:assert/strict";
import { virtualClock } from "../../time/clock.ts";
import { parseExchangeInfo } from "../exchange_info.ts";
import {
  OrderRateGate,
  OrderRateLimitError,
  ordersPerMinute,
} from "./order_rate.ts";

Deno.test("OrderRateGate gives exits and cancels priority over entries", async (t) => {
  const clock = virtualClock(1_700_000_070_000);
  const gate = new OrderRateGate({ limit: 20, reserve: 5, clock });
  await t.step("entries count until the reserve is reached", async () => {
    for (let i = 0; i < 15; i++) await gate.acquire("entry");
    equal(gate.used, 15);
    await rejects(gate.acquire("entry"), OrderRateLimitError);
    equal(gate.used, 15);
  });
  await t.step("the refusal says when the budget refills", async () => {
    await rejects(
      gate.acquire("entry"),
      (e: unknown) =>
        e instanceof OrderRateLimitError && e.retryAtMs === 1_700_000_100_000,
    );
  });
  await t.step("exits use the reserve; cancels never count", async () => {
    for (let i = 0; i < 5; i++) await gate.acquire("exit");
    await gate.acquire("cancel");
    equal(gate.used, 20);
    equal(gate.remaining, 0);
  });
  await t.step("an exit over the limit waits for the next minute", async () => {
    await gate.acquire("exit");
    equal(clock.now(), 1_700_000_100_000);
    equal(gate.used, 1);
  });
  await t.step("the server's header replaces the local count", () => {
    gate.noteHeaders(new Headers({ "X-MBX-ORDER-COUNT-1M": "17" }));
    equal(gate.used, 17);
    gate.noteHeaders(new Headers({ "X-MBX-ORDER-COUNT-1M": "junk" }));
    equal(gate.used, 17);
  });
  await t.step("a new minute starts from zero", () => {
    clock.set(1_700_000_160_000);
    equal(gate.used, 0);
    equal(gate.remaining, 20);
  });
});

Deno.test("ordersPerMinute() reads the ORDERS limit of exchangeInfo", () => {
  const info = parseExchangeInfo({
    rateLimits: [
      {
        rateLimitType: "REQUEST_WEIGHT",
        interval: "MINUTE",
        intervalNum: 1,
        limit: 2400,
      },
      {
        rateLimitType: "ORDERS",
        interval: "MINUTE",
        intervalNum: 1,
        limit: 1200,
      },
    ],
    serverTime: 1,
    symbols: [],
  });
  equal(ordersPerMinute(info), 1200);
  equal(
    ordersPerMinute(parseExchangeInfo({ serverTime: 1, symbols: [] })),
    undefined,
  );
});
