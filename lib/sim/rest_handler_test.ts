import { deepEqual, equal } from "node:assert/strict";
import { ManualClock } from "./clock.ts";
import { RestFaults } from "./faults.ts";
import { WeightMeter } from "./rate_limit.ts";
import { createRestHandler } from "./rest_handler.ts";
import { ApiError, RouteTable } from "./router.ts";

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const routes = new RouteTable();
  routes.add("GET", "/fapi/v1/ok", 3, () => Response.json({ ok: true }));
  routes.add("GET", "/fapi/v1/bad", (p) => Number(p.get("w") ?? 1), () => {
    throw new ApiError(400, -1121, "Invalid symbol.");
  });
  routes.add(
    "POST",
    "/fapi/v1/order",
    1,
    async (req) => Response.json({ got: await req.text() }),
  );
  const faults = new RestFaults();
  const handler = createRestHandler({
    routes,
    meter: new WeightMeter({ limit: 10 }),
    clock,
    faults,
  });
  return { clock, routes, faults, handler };
}

const req = (path: string, init?: RequestInit) =>
  new Request(`http://sim${path}`, init);

Deno.test("createRestHandler() routes, weighs and maps errors without a socket", async (t) => {
  const { handler, routes, clock } = setup();
  await t.step(
    "a registered handler answers with the weight header",
    async () => {
      const res = await handler(req("/fapi/v1/ok"));
      equal(res.status, 200);
      deepEqual(await res.json(), { ok: true });
      equal(res.headers.get("x-mbx-used-weight-1m"), "3");
    },
  );
  await t.step(
    "ApiError becomes {code,msg} with its status; weight from params",
    async () => {
      const res = await handler(req("/fapi/v1/bad?w=2"));
      equal(res.status, 400);
      deepEqual(await res.json(), { code: -1121, msg: "Invalid symbol." });
      equal(res.headers.get("x-mbx-used-weight-1m"), "5");
    },
  );
  await t.step(
    "other modules can register signed endpoints (POST with a body)",
    async () => {
      const res = await handler(
        req("/fapi/v1/order", { method: "POST", body: "a=1" }),
      );
      deepEqual(await res.json(), { got: "a=1" });
      deepEqual(routes.list().sort(), [
        "GET /fapi/v1/bad",
        "GET /fapi/v1/ok",
        "POST /fapi/v1/order",
      ]);
    },
  );
  await t.step("unknown path 404, wrong method 405", async () => {
    equal((await handler(req("/nope"))).status, 404);
    equal(
      (await handler(req("/fapi/v1/ok", { method: "DELETE" }))).status,
      405,
    );
  });
  await t.step("over the limit → 429, next minute resets", async () => {
    const res = await handler(req("/fapi/v1/ok"));
    equal(res.status, 429);
    equal(res.headers.get("retry-after"), "60");
    await res.body?.cancel();
    clock.advance(60_000);
    const ok = await handler(req("/fapi/v1/ok"));
    equal(ok.status, 200);
    await ok.body?.cancel();
  });
});

Deno.test("createRestHandler() delays the requests of a slow symbol only", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const routes = new RouteTable();
  routes.add("GET", "/fapi/v1/ok", 1, () => Response.json({ ok: true }));
  routes.add(
    "POST",
    "/fapi/v1/order",
    1,
    async (req) => Response.json({ got: await req.text() }),
  );
  const faults = new RestFaults();
  const slept: number[] = [];
  const handler = createRestHandler({
    routes,
    meter: new WeightMeter({ limit: 100 }),
    clock,
    faults,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  });
  faults.delaySymbol("btcusdt", 10_000);
  await handler(req("/fapi/v1/ok?symbol=ETHUSDT"));
  deepEqual(slept, []);
  await handler(req("/fapi/v1/ok?symbol=BTCUSDT"));
  const res = await handler(
    req("/fapi/v1/order", { method: "POST", body: "symbol=BTCUSDT&a=1" }),
  );
  deepEqual(await res.json(), { got: "symbol=BTCUSDT&a=1" }, "body intact");
  deepEqual(slept, [10_000, 10_000]);
  faults.delaySymbol("BTCUSDT", 0);
  await handler(req("/fapi/v1/ok?symbol=BTCUSDT"));
  deepEqual(slept, [10_000, 10_000]);
});
