import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ExchangeError } from "../errors.ts";
import type { TimerApi } from "../sign/time_sync.ts";
import type { UserEvent } from "./user_events.ts";
import {
  type ListenKeyApi,
  type ReconnectInfo,
  UserStream,
} from "./user_stream.ts";
import { wsTestServer } from "../_ws_test_server.ts";

/** A listen-key API fake: a new key per create, scripted keepalive failures. */
function fakeApi() {
  const calls: string[] = [];
  let n = 0;
  const keepAliveErrors: unknown[] = [];
  const api: ListenKeyApi = {
    createListenKey() {
      calls.push("create");
      n++;
      return Promise.resolve(`key${n}`);
    },
    keepAliveListenKey() {
      calls.push("keepalive");
      const e = keepAliveErrors.shift();
      return e === undefined ? Promise.resolve() : Promise.reject(e);
    },
    closeListenKey() {
      calls.push("close");
      return Promise.resolve();
    },
  };
  return { api, calls, keepAliveErrors };
}

/** Timers fired by hand. */
function manualTimers(): TimerApi & {
  pending(): number[];
  fire(pick: (ms: number) => boolean): number;
} {
  let id = 0;
  const timers = new Map<number, { cb: () => void; ms: number }>();
  return {
    setTimeout(cb, ms) {
      timers.set(++id, { cb, ms });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    pending: () => [...timers.values()].map((t) => t.ms),
    fire(pick) {
      let fired = 0;
      for (const [key, t] of [...timers]) {
        if (!pick(t.ms)) continue;
        timers.delete(key);
        t.cb();
        fired++;
      }
      return fired;
    },
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ORDER_UPDATE = {
  e: "ORDER_TRADE_UPDATE",
  E: 1700000000100,
  T: 1700000000099,
  o: {
    s: "BTCUSDT",
    c: "ast-1",
    S: "BUY",
    o: "LIMIT",
    f: "GTC",
    q: "0.010",
    p: "60000",
    ap: "60000",
    sp: "0",
    x: "TRADE",
    X: "FILLED",
    i: 42,
    l: "0.010",
    z: "0.010",
    L: "60000",
    N: "USDT",
    n: "0.21",
    T: 1700000000099,
    t: 7,
    b: "0",
    a: "0",
    m: false,
    R: false,
    wt: "CONTRACT_PRICE",
    ot: "LIMIT",
    ps: "BOTH",
    cp: false,
    rp: "0",
  },
};

Deno.test("UserStream keeps the listen key alive and renews it", async (t) => {
  const server = wsTestServer();
  const { api, calls, keepAliveErrors } = fakeApi();
  const timers = manualTimers();
  const reconnects: ReconnectInfo[] = [];
  const stream = new UserStream({
    api,
    wsUrl: server.url,
    onEvent: () => {},
    onReconnected: (info) => {
      reconnects.push(info);
    },
    timers,
  });
  try {
    await t.step("start creates a key and connects to /ws/<key>", async () => {
      await stream.start();
      const s = await server.waitSockets(1);
      equal(s.path, "/ws/key1");
      equal(stream.listenKey, "key1");
      deepEqual(calls, ["create"]);
      deepEqual(timers.pending(), [30 * 60_000]);
    });
    await t.step("a keepalive every 30 minutes, proactively", async () => {
      equal(timers.fire((ms) => ms === 30 * 60_000), 1);
      await until(() => stream.stats.keepAlives === 1, "keepalive");
      deepEqual(calls, ["create", "keepalive"]);
      deepEqual(timers.pending(), [30 * 60_000]);
      equal(timers.fire((ms) => ms === 30 * 60_000), 1);
      await until(() => stream.stats.keepAlives === 2, "keepalive 2");
    });
    await t.step("a failed keepalive is retried after a minute", async () => {
      keepAliveErrors.push(new Error("network down"));
      timers.fire((ms) => ms === 30 * 60_000);
      await until(() => timers.pending().includes(60_000), "retry timer");
      timers.fire((ms) => ms === 60_000);
      await until(() => stream.stats.keepAlives === 3, "keepalive 3");
      equal(stream.stats.reconnects, 0);
    });
    await t.step(
      "-1125 on keepalive: new key, reconnect, onReconnected",
      async () => {
        keepAliveErrors.push(
          new ExchangeError("PUT /fapi/v1/listenKey", {
            status: 400,
            code: -1125,
            msg: "This listenKey does not exist.",
          }),
        );
        timers.fire((ms) => ms === 30 * 60_000);
        await until(() => timers.pending().some((ms) => ms < 1000), "backoff");
        const old = server.sockets[0]!;
        timers.fire((ms) => ms < 1000);
        const s = await server.waitSockets(2);
        equal(s.path, "/ws/key2");
        await old.closed;
        equal(old.closeCode, 1000);
        await until(() => reconnects.length === 1, "onReconnected");
        equal(reconnects[0]!.reason, "listen key unknown (-1125)");
        equal(stream.stats.keysCreated, 2);
      },
    );
  } finally {
    await stream.close();
    await server.close();
  }
  equal(calls.at(-1), "close");
  deepEqual(timers.pending(), []);
});

Deno.test("UserStream delivers typed events and reconnects after expiry or a drop", async (t) => {
  const server = wsTestServer();
  const { api, calls } = fakeApi();
  const events: UserEvent[] = [];
  const reconnects: ReconnectInfo[] = [];
  const stream = new UserStream({
    api,
    wsUrl: server.url + "/",
    onEvent: (e) => events.push(e),
    onReconnected: (info) => {
      reconnects.push(info);
    },
    reconnectBaseMs: 5,
  });
  try {
    await stream.start();
    const first = await server.waitSockets(1);
    await t.step(
      "typed events; unknown and malformed ones counted",
      async () => {
        first.ws.send(JSON.stringify(ORDER_UPDATE));
        first.ws.send(JSON.stringify({
          e: "ACCOUNT_UPDATE",
          E: 1,
          T: 1,
          a: {
            m: "ORDER",
            B: [{ a: "USDT", wb: "990", cw: "990", bc: "0" }],
            P: [{
              s: "BTCUSDT",
              pa: "0.010",
              ep: "60000",
              cr: "0",
              up: "0",
              mt: "cross",
              iw: "0",
              ps: "BOTH",
              ma: "USDT",
            }],
          },
        }));
        first.ws.send(JSON.stringify({ e: "announcement", E: 2 }));
        first.ws.send("{not json");
        first.ws.send(JSON.stringify({
          e: "MARGIN_CALL",
          E: 3,
          cw: "3.16",
          p: [{
            s: "ETHUSDT",
            ps: "LONG",
            pa: "1.327",
            mt: "CROSSED",
            iw: "0",
            mp: "187.17",
            up: "-1.166",
            mm: "1.614",
          }],
        }));
        await until(() => events.length === 3, "events");
        deepEqual(events.map((e) => e.kind), [
          "orderUpdate",
          "accountUpdate",
          "marginCall",
        ]);
        equal(stream.stats.unknown, 1);
        equal(stream.stats.malformed, 1);
      },
    );
    await t.step("listenKeyExpired: new key and reconnect", async () => {
      first.ws.send(JSON.stringify({ e: "listenKeyExpired", E: 4 }));
      const s = await server.waitSockets(2);
      equal(s.path, "/ws/key2");
      await until(() => reconnects.length === 1, "onReconnected");
      equal(reconnects[0]!.reason, "listen key expired");
      await first.closed;
      equal(first.closeCode, 1000);
    });
    await t.step(
      "a server drop: key recreated, reconnect, onReconnected",
      async () => {
        server.sockets[1]!.ws.close(1001);
        const s = await server.waitSockets(3);
        equal(s.path, "/ws/key3");
        await until(() => reconnects.length === 2, "onReconnected 2");
        ok(reconnects[1]!.reason.includes("closed by peer"));
        ok(reconnects[1]!.gapMs >= 0);
        equal(stream.stats.reconnects, 2);
      },
    );
    await t.step("close: code 1000, key closed", async () => {
      await stream.close();
      const s = server.sockets[2]!;
      await s.closed;
      equal(s.closeCode, 1000);
      equal(calls.filter((c) => c === "create").length, 3);
      equal(calls.at(-1), "close");
      equal(stream.connected, false);
    });
  } finally {
    await stream.close();
    await server.close();
  }
});

Deno.test("UserStream.start() fails when the key cannot be created", async () => {
  const stream = new UserStream({
    api: {
      createListenKey: () => Promise.reject(new Error("no auth")),
      keepAliveListenKey: () => Promise.resolve(),
      closeListenKey: () => Promise.resolve(),
    },
    wsUrl: "ws://127.0.0.1:1",
    onEvent: () => {},
  });
  await rejects(stream.start(), /no auth/);
  await stream.close();
});

Deno.test("UserStream.start() fails without leaving timers when the socket cannot open", async () => {
  const { api, calls } = fakeApi();
  const timers = manualTimers();
  const stream = new UserStream({
    api,
    wsUrl: "ws://127.0.0.1:9",
    onEvent: () => {},
    timers,
  });
  await rejects(stream.start(), /Cannot connect the user stream/);
  deepEqual(timers.pending(), []);
  await stream.close();
  deepEqual(calls, ["create", "close"]);
});
