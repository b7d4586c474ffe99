import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import {
  BannedError,
  ExchangeError,
  NetworkError,
  TimeoutError,
} from "./errors.ts";
import { networkReason, RestTransport } from "./rest_transport.ts";
import { SignedRequest, type Signer, type SignInput } from "./sign/signer.ts";
import type { Clock } from "../time/clock.ts";

/** A clock whose sleep advances time at once and records the waits. */
class FakeClock implements Clock {
  t: number;
  sleeps: number[] = [];
  constructor(t = 1_700_000_000_000) {
    this.t = t;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
}

/** A fetch that replays `responses` and records the requests. */
function fakeFetch(responses: (() => Response)[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fn = (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    const next = responses.shift();
    if (!next) return Promise.reject(new TypeError("no more responses"));
    return Promise.resolve(next());
  };
  return { fetch: fn as typeof fetch, calls };
}

function json(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
) {
  return () => Response.json(body, { status, headers });
}

Deno.test("RestTransport.request() returns JSON and builds URLs", async (t) => {
  const { fetch, calls } = fakeFetch([json({ serverTime: 1 }), json([])]);
  const rest = new RestTransport({
    baseUrl: "http://x/",
    fetch,
    clock: new FakeClock(),
  });
  await t.step("GET with ordered params, undefined dropped", async () => {
    deepEqual(
      await rest.request({
        method: "GET",
        path: "/fapi/v1/time",
        params: { symbol: "BTCUSDT", limit: 5, startTime: undefined },
      }),
      { serverTime: 1 },
    );
    equal(calls[0]!.url, "http://x/fapi/v1/time?symbol=BTCUSDT&limit=5");
  });
  await t.step("signed request goes through the signer", async () => {
    const seen: SignInput[] = [];
    const signer: Signer = {
      scheme: "v1",
      sign(input) {
        seen.push(input);
        return new SignedRequest("a=1&signature=ff", "", {
          "X-MBX-APIKEY": "k",
        });
      },
    };
    const f = fakeFetch([json({ ok: true })]);
    const signed = new RestTransport({
      baseUrl: "http://x",
      fetch: f.fetch,
      signer,
    });
    await signed.request({
      method: "GET",
      path: "/fapi/v1/order",
      params: { a: 1 },
      security: "USER_DATA",
    });
    equal(seen[0]!.security, "USER_DATA");
    equal(f.calls[0]!.url, "http://x/fapi/v1/order?a=1&signature=ff");
    deepEqual(f.calls[0]!.init?.headers, { "X-MBX-APIKEY": "k" });
  });
  await t.step("signed request without a signer is a TypeError", async () => {
    await rejects(
      rest.request({ method: "POST", path: "/p", security: "TRADE" }),
      TypeError,
    );
  });
});

Deno.test("RestTransport.request() types error responses", async (t) => {
  await t.step("{code,msg} body", async () => {
    const { fetch } = fakeFetch([
      json({ code: -1121, msg: "Invalid symbol." }, 400),
    ]);
    const rest = new RestTransport({ fetch, clock: new FakeClock() });
    const error = await rest.request({ method: "GET", path: "/fapi/v1/depth" })
      .catch((e) => e);
    ok(error instanceof ExchangeError);
    equal(error.status, 400);
    equal(error.code, -1121);
    equal(error.msg, "Invalid symbol.");
  });
  await t.step("HTML body", async () => {
    const { fetch } = fakeFetch([
      () =>
        new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", {
          status: 502,
        }),
    ]);
    const rest = new RestTransport({ fetch, clock: new FakeClock() });
    const error = await rest.request({ method: "GET", path: "/x" }).catch((e) =>
      e
    );
    ok(error instanceof ExchangeError);
    equal(error.status, 502);
    equal(error.code, 0);
    ok(error.msg.includes("502 Bad Gateway"), error.msg);
    ok(!error.msg.includes("<"), error.msg);
  });
  await t.step("network failure", async () => {
    const rest = new RestTransport({
      fetch: () => Promise.reject(new TypeError("connection refused")),
      clock: new FakeClock(),
    });
    await rejects(rest.request({ method: "GET", path: "/x" }), NetworkError);
  });
});

Deno.test("RestTransport.request() times out and honours abort over loopback", async (t) => {
  const pending = new Set<() => void>();
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (req) =>
      new Promise<Response>((resolve) => {
        const done = () => resolve(Response.json({ late: true }));
        pending.add(done);
        req.signal.addEventListener("abort", () => {
          pending.delete(done);
          done();
        });
      }),
  );
  const rest = new RestTransport({
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
  });
  await t.step("timeout", async () => {
    const error = await rest.request({
      method: "GET",
      path: "/slow",
      timeoutMs: 50,
    })
      .catch((e) => e);
    ok(error instanceof TimeoutError);
    equal(error.timeoutMs, 50);
  });
  await t.step("caller abort rejects with the reason", async () => {
    const caller = new AbortController();
    const p = rest.request({
      method: "GET",
      path: "/slow",
      signal: caller.signal,
    });
    setTimeout(() => caller.abort(new Error("stop")), 20);
    await rejects(p, /stop/);
  });
  for (const done of pending) done();
  ac.abort();
  await server.finished;
});

Deno.test("RestTransport.request() backs off on 429 and stops on 418", async (t) => {
  await t.step("429 with Retry-After is retried for GET", async () => {
    const clock = new FakeClock();
    const { fetch, calls } = fakeFetch([
      json({ code: -1003, msg: "Too many requests" }, 429, {
        "Retry-After": "3",
      }),
      json({ code: -1003, msg: "Too many requests" }, 429),
      json({ ok: 1 }),
    ]);
    const rest = new RestTransport({ fetch, clock, backoffBaseMs: 500 });
    deepEqual(await rest.request({ method: "GET", path: "/x" }), { ok: 1 });
    equal(calls.length, 3);
    deepEqual(clock.sleeps, [3000, 1000]);
  });
  await t.step("429 gives up after maxRetries", async () => {
    const clock = new FakeClock();
    const { fetch, calls } = fakeFetch(
      Array.from(
        { length: 5 },
        () => json({ code: -1003, msg: "slow down" }, 429),
      ),
    );
    const rest = new RestTransport({
      fetch,
      clock,
      maxRetries: 2,
      backoffBaseMs: 100,
      backoffMaxMs: 150,
    });
    const error = await rest.request({ method: "GET", path: "/x" }).catch((e) =>
      e
    );
    ok(error instanceof ExchangeError);
    equal(error.status, 429);
    equal(calls.length, 3);
    deepEqual(clock.sleeps, [100, 150]);
  });
  await t.step("429 on POST is not retried", async () => {
    const { fetch, calls } = fakeFetch([
      json({ code: -1003, msg: "x" }, 429),
      json({}),
    ]);
    const rest = new RestTransport({ fetch, clock: new FakeClock() });
    await rejects(rest.request({ method: "POST", path: "/x" }), ExchangeError);
    equal(calls.length, 1);
  });
  await t.step("418 bans every request until Retry-After", async () => {
    const clock = new FakeClock();
    const { fetch, calls } = fakeFetch([
      json({ code: -1003, msg: "banned" }, 418, { "Retry-After": "120" }),
      json({ ok: 1 }),
    ]);
    const rest = new RestTransport({ fetch, clock });
    const first = await rest.request({ method: "GET", path: "/x" }).catch((e) =>
      e
    );
    ok(first instanceof BannedError);
    equal(first.until, clock.t + 120_000);
    const second = await rest.request({ method: "POST", path: "/y" }).catch((
      e,
    ) => e);
    ok(second instanceof BannedError);
    ok(second.message.includes(new Date(first.until).toISOString()));
    equal(calls.length, 1);
    equal(rest.bannedUntil, first.until);
    clock.t = first.until;
    deepEqual(await rest.request({ method: "GET", path: "/x" }), { ok: 1 });
    equal(rest.bannedUntil, 0);
  });
  await t.step(
    "418 reads the ban end from a 'banned until' message",
    async () => {
      const clock = new FakeClock();
      const until = clock.t + 600_000;
      const { fetch } = fakeFetch([
        json({
          code: -1003,
          msg: `Way too many requests; IP banned until ${until}.`,
        }, 418),
      ]);
      const rest = new RestTransport({ fetch, clock });
      const error = await rest.request({ method: "GET", path: "/x" }).catch((
        e,
      ) => e);
      ok(error instanceof BannedError);
      equal(error.until, until);
    },
  );
  await t.step(
    "418 without Retry-After bans for 2 min, then doubles",
    async () => {
      const clock = new FakeClock();
      const { fetch } = fakeFetch([
        json({ code: -1003, msg: "banned" }, 418),
        json({ code: -1003, msg: "banned" }, 418),
      ]);
      const rest = new RestTransport({ fetch, clock });
      const a = await rest.request({ method: "GET", path: "/x" }).catch((e) =>
        e
      );
      ok(a instanceof BannedError);
      equal(a.until - clock.t, 120_000);
      clock.t = a.until;
      const b = await rest.request({ method: "GET", path: "/x" }).catch((e) =>
        e
      );
      ok(b instanceof BannedError);
      equal(b.until - clock.t, 240_000);
    },
  );
});

Deno.test("RestTransport.request() slows down before the weight limit", async (t) => {
  await t.step(
    "waits for the next minute when the header nears the limit",
    async () => {
      const clock = new FakeClock(1_699_999_990_000); // 10 s into a minute
      const { fetch } = fakeFetch([
        json({}, 200, { "X-MBX-USED-WEIGHT-1M": "2150" }),
        json({}, 200, { "X-MBX-USED-WEIGHT-1M": "5" }),
      ]);
      const rest = new RestTransport({ fetch, clock, weightLimit: 2400 });
      await rest.request({ method: "GET", path: "/x" });
      equal(rest.usedWeight, 2150);
      await rest.request({ method: "GET", path: "/x", weight: 20 });
      deepEqual(clock.sleeps, [50_000]);
      equal(rest.usedWeight, 5);
    },
  );
  await t.step(
    "a sleep that wakes early does not send into the full minute",
    async () => {
      // Timers may fire early (setTimeout rounding, a scaled clock): the first wake is
      // 1 ms before the minute ends, where the full minute's budget still applies.
      const clock = new FakeClock(1_699_999_990_000);
      const sleep = clock.sleep.bind(clock);
      let early = true;
      clock.sleep = (ms: number) => {
        const wake = sleep(early ? ms - 1 : ms);
        early = false;
        return wake;
      };
      const sentAt: number[] = [];
      const { fetch } = fakeFetch([
        json({}, 200, { "X-MBX-USED-WEIGHT-1M": "2150" }),
        json({}, 200, { "X-MBX-USED-WEIGHT-1M": "20" }),
      ]);
      const rest = new RestTransport({
        fetch: (input, init) => {
          sentAt.push(clock.t);
          return fetch(input, init);
        },
        clock,
        weightLimit: 2400,
      });
      await rest.request({ method: "GET", path: "/x" });
      await rest.request({ method: "GET", path: "/x", weight: 20 });
      equal(sentAt[1], 1_700_000_040_000, "sent at the new minute");
    },
  );
  await t.step("no wait below the headroom", async () => {
    const clock = new FakeClock(1_699_999_990_000);
    const { fetch } = fakeFetch([
      json({}, 200, { "x-mbx-used-weight-1m": "100" }),
      json({}, 200),
    ]);
    const rest = new RestTransport({ fetch, clock });
    await rest.request({ method: "GET", path: "/x" });
    await rest.request({ method: "GET", path: "/x", weight: 20 });
    deepEqual(clock.sleeps, []);
    equal(rest.usedWeight, 120);
  });
});

Deno.test("networkReason() names why a host could not be reached", async (t) => {
  const wrapped = (detail: string) =>
    new TypeError("fetch failed", { cause: new Error(detail) });
  await t.step("refused, DNS, TLS", () => {
    match(
      networkReason(
        wrapped(
          "error sending request for url (http://127.0.0.1:8899/): client error (Connect): tcp connect error: Connection refused (os error 111)",
        ),
      ),
      /^connection refused .*: error sending request .*8899/,
    );
    match(
      networkReason(
        wrapped(
          "client error (Connect): dns error: failed to lookup address information",
        ),
      ),
      /^host name not found \(DNS\): /,
    );
    match(
      networkReason(
        wrapped(
          "client error (Connect): invalid peer certificate: UnknownIssuer",
        ),
      ),
      /^TLS failure .*UnknownIssuer/,
    );
  });
  await t.step("a real refused connection through the transport", async () => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const transport = new RestTransport({
      baseUrl: `http://127.0.0.1:${port}`,
    });
    await rejects(
      () => transport.request({ method: "GET", path: "/fapi/v1/time" }),
      (e: Error) => {
        equal(e.name, "NetworkError");
        match(
          e.message,
          new RegExp(
            `^Cannot complete GET /fapi/v1/time at http://127\\.0\\.0\\.1:${port}: connection refused`,
          ),
        );
        return true;
      },
    );
  });
});
