import { deepEqual, equal, ok } from "node:assert/strict";
import type { MarketEvent } from "./events.ts";
import {
  MarketStream,
  reconnectDelayMs,
  type StreamStatus,
} from "./market_stream.ts";
import { wsTestServer } from "./_ws_test_server.ts";

function book(u: number, symbol = "BTCUSDT"): string {
  return JSON.stringify({
    stream: `${symbol.toLowerCase()}@bookTicker`,
    data: {
      e: "bookTicker",
      u,
      E: u,
      T: u,
      s: symbol,
      b: "1.0",
      B: "2",
      a: "1.1",
      A: "3",
    },
  });
}

function mark(E: number): string {
  return JSON.stringify({
    stream: "btcusdt@markPrice@1s",
    data: {
      e: "markPriceUpdate",
      E,
      s: "BTCUSDT",
      p: "1",
      i: "1",
      P: "1",
      r: "0.0001",
      T: 0,
    },
  });
}

async function until(
  cond: () => boolean,
  what: string,
  ms = 3000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function collector() {
  const events: MarketEvent[] = [];
  const statuses: StreamStatus[] = [];
  return {
    events,
    statuses,
    sink: { onEvent: (e: MarketEvent) => void events.push(e) },
    onStatus: (s: StreamStatus) => void statuses.push(s),
  };
}

Deno.test("MarketStream delivers events and survives malformed payloads", async (t) => {
  const srv = wsTestServer();
  const c = collector();
  const stream = new MarketStream({
    wsUrl: srv.url,
    symbols: ["BTCUSDT", "ethusdt"],
    sink: c.sink,
    onStatus: c.onStatus,
    silenceBudgetMs: {},
  });
  await t.step(
    "subscribes to the combined streams of every symbol",
    async () => {
      stream.start();
      const s = await srv.waitSockets(1);
      const streams = new URL(s.url).searchParams.get("streams")!.split("/");
      deepEqual(streams, [
        "btcusdt@kline_1m",
        "btcusdt@bookTicker",
        "btcusdt@markPrice@1s",
        "btcusdt@aggTrade",
        "btcusdt@depth5@100ms",
        "ethusdt@kline_1m",
        "ethusdt@bookTicker",
        "ethusdt@markPrice@1s",
        "ethusdt@aggTrade",
        "ethusdt@depth5@100ms",
      ]);
      await until(() => c.statuses.length === 1, "connected");
      equal(c.statuses[0]!.kind, "connected");
    },
  );
  await t.step(
    "bad payloads are counted, good ones still delivered",
    async () => {
      const s = srv.sockets[0]!;
      s.ws.send(book(1));
      s.ws.send("not json");
      s.ws.send(
        '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","s":"BTCUSDT"}}',
      );
      s.ws.send(new Uint8Array([1, 2, 3]));
      s.ws.send(book(2, "ETHUSDT"));
      await until(() => c.events.length === 2, "two events");
      await until(() => stream.stats.malformed === 3, "three malformed");
      equal(stream.stats.events, 2);
      equal(c.events[1]!.symbol, "ETHUSDT");
    },
  );
  await t.step("close() closes with code 1000", async () => {
    await stream.close();
    await srv.sockets[0]!.closed;
    equal(srv.sockets[0]!.closeCode, 1000);
  });
  await srv.close();
});

Deno.test("MarketStream reconnects after a drop and reports the gap", async () => {
  const srv = wsTestServer();
  const c = collector();
  const stream = new MarketStream({
    wsUrl: srv.url,
    symbols: ["BTCUSDT"],
    sink: c.sink,
    onStatus: c.onStatus,
    reconnectBaseMs: 10,
    silenceBudgetMs: {},
  });
  stream.start();
  const first = await srv.waitSockets(1);
  first.ws.send(book(1));
  await until(() => c.events.length === 1, "first event");
  first.ws.close(1011, "server restart");
  const second = await srv.waitSockets(2);
  second.ws.send(book(2));
  await until(() => c.events.length === 2, "event after reconnect");
  deepEqual(c.statuses.map((s) => s.kind), [
    "connected",
    "disconnected",
    "reconnected",
  ]);
  const re = c.statuses[2]!;
  ok(re.kind === "reconnected" && re.gapMs >= 0 && re.lastMessageMs > 0);
  equal(stream.stats.reconnects, 1);
  await stream.close();
  await srv.close();
});

Deno.test("MarketStream treats a silent stream as dead and reconnects", async () => {
  const srv = wsTestServer();
  const c = collector();
  let now = 1_000_000;
  const stream = new MarketStream({
    wsUrl: srv.url,
    symbols: ["BTCUSDT"],
    kinds: ["bookTicker", "markPrice"],
    sink: c.sink,
    onStatus: c.onStatus,
    now: () => now,
    silenceBudgetMs: { markPrice: 5000 },
    watchdogIntervalMs: 10,
    reconnectBaseMs: 10,
  });
  stream.start();
  const first = await srv.waitSockets(1);
  first.ws.send(mark(1));
  await until(() => c.events.length === 1, "first mark");
  now += 4000;
  first.ws.send(book(1)); // book ticks keep coming, markPrice does not
  await until(() => c.events.length === 2, "book");
  await new Promise((r) => setTimeout(r, 40));
  equal(srv.sockets.length, 1, "within budget: no reconnect");
  now += 1500;
  const second = await srv.waitSockets(2);
  await first.closed;
  equal(first.closeCode, 1000);
  equal(stream.stats.silences, 1);
  second.ws.send(mark(2));
  await until(() => c.events.length === 3, "mark after reconnect");
  ok(
    c.statuses.some((s) =>
      s.kind === "disconnected" && s.reason.includes("markPrice silent")
    ),
  );
  await stream.close();
  await srv.close();
});

Deno.test("MarketStream rotates its connection without a gap", async () => {
  let u = 0;
  const srv = wsTestServer();
  const c = collector();
  let now = 0;
  const stream = new MarketStream({
    wsUrl: srv.url,
    symbols: ["BTCUSDT"],
    sink: c.sink,
    onStatus: c.onStatus,
    now: () => now,
    silenceBudgetMs: {},
    watchdogIntervalMs: 10,
    rotateAfterMs: 1000,
  });
  stream.start();
  const first = await srv.waitSockets(1);
  first.ws.send(book(++u));
  await until(() => c.events.length === 1, "first");
  now = 2000;
  const second = await srv.waitSockets(2);
  // The old connection keeps delivering until the new one does.
  first.ws.send(book(++u));
  await until(() => c.events.length === 2, "old still active");
  second.ws.send(book(u)); // overlap duplicate of the last old message
  await until(() => stream.stats.rotations === 1, "rotation");
  await first.closed;
  equal(first.closeCode, 1000);
  second.ws.send(book(++u));
  await until(() => c.events.length === 4, "new connection events");
  deepEqual(
    c.events.map((e) => e.kind === "bookTicker" ? e.updateId : -1),
    [1, 2, 2, 3],
  );
  ok(c.statuses.some((s) => s.kind === "rotated"));
  ok(!c.statuses.some((s) => s.kind === "disconnected"));
  await stream.close();
  equal(second.closeCode ?? (await second.closed, second.closeCode), 1000);
  await srv.close();
});

/** Reads from `conn` until `buf` holds at least `n` bytes. */
async function readAtLeast(
  conn: Deno.Conn,
  buf: Uint8Array,
  have: number,
  n: number,
) {
  while (have < n) {
    const got = await conn.read(buf.subarray(have));
    if (got === null) throw new Error("connection closed early");
    have += got;
  }
  return have;
}

Deno.test("MarketStream relies on Deno's WebSocket answering server pings", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(4096);
    let have = 0;
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      have = await readAtLeast(conn, buf, have, have + 1);
      head = new TextDecoder().decode(buf.subarray(0, have));
    }
    const key = /sec-websocket-key: *(\S+)/i.exec(head)![1]!;
    const digest = await crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
    );
    const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
    await conn.write(new TextEncoder().encode(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    ));
    await conn.write(new Uint8Array([0x89, 2, 0x68, 0x69])); // ping "hi"
    // Client frames are masked: [op, 0x80|len, mask x4, payload].
    have = await readAtLeast(conn, buf, 0, 8);
    const opcode = buf[0]! & 0x0f;
    const len = buf[1]! & 0x7f;
    const mask = buf.subarray(2, 6);
    const payload = Array.from(
      buf.subarray(6, 6 + len),
      (b, i) => b ^ mask[i % 4]!,
    );
    await conn.write(new Uint8Array([0x88, 2, 0x03, 0xe8])); // close 1000
    conn.close();
    return { opcode, payload: String.fromCharCode(...payload) };
  })();
  const stream = new MarketStream({
    wsUrl: `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    symbols: ["BTCUSDT"],
    sink: { onEvent() {} },
    silenceBudgetMs: {},
  });
  stream.start();
  const pong = await server;
  deepEqual(pong, { opcode: 0xa, payload: "hi" });
  await stream.close();
  listener.close();
});

Deno.test("MarketStream retries a connection that never opens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const acceptLoop = (async () => {
    for await (const conn of listener) accepted.push(conn); // never answers the handshake
  })();
  let now = 0;
  const statuses: StreamStatus[] = [];
  const stream = new MarketStream({
    wsUrl: `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    symbols: ["BTCUSDT"],
    sink: { onEvent() {} },
    onStatus: (s) => void statuses.push(s),
    now: () => now,
    connectTimeoutMs: 1000,
    watchdogIntervalMs: 10,
    reconnectBaseMs: 10,
  });
  stream.start();
  await until(() => accepted.length === 1, "first attempt");
  now = 1500;
  await until(() => accepted.length === 2, "second attempt");
  ok(
    statuses.some((s) =>
      s.kind === "disconnected" && s.reason === "connect timeout"
    ),
  );
  equal(stream.connected, false);
  equal(stream.reconnecting, true);
  for (const conn of accepted) conn.close();
  await stream.close();
  equal(stream.reconnecting, false, "a closed stream is not reconnecting");
  listener.close();
  await acceptLoop.catch(() => {});
});

Deno.test("MarketStream switches to the rotation connection when the old one drops", async () => {
  const srv = wsTestServer();
  const c = collector();
  let now = 0;
  const stream = new MarketStream({
    wsUrl: srv.url,
    symbols: ["BTCUSDT"],
    sink: c.sink,
    onStatus: c.onStatus,
    now: () => now,
    silenceBudgetMs: {},
    watchdogIntervalMs: 10,
    rotateAfterMs: 1000,
    reconnectBaseMs: 60_000, // the replacement must come from the rotation
  });
  stream.start();
  const first = await srv.waitSockets(1);
  first.ws.send(book(1));
  await until(() => c.events.length === 1, "first");
  now = 2000;
  const second = await srv.waitSockets(2);
  first.ws.close(1011);
  await until(() => c.statuses.some((s) => s.kind === "disconnected"), "drop");
  second.ws.send(book(2));
  await until(() => c.events.length === 2, "event on the replacement");
  deepEqual(c.statuses.map((s) => s.kind), [
    "connected",
    "disconnected",
    "reconnected",
  ]);
  equal(stream.connected, true);
  await stream.close();
  await srv.close();
});

Deno.test("reconnectDelayMs() stays near 1 s for the first attempts, then backs off", () => {
  const o = { baseMs: 500, fastCapMs: 1000, fastAttempts: 30, maxMs: 30_000 };
  const delays = Array.from({ length: 36 }, (_, i) => reconnectDelayMs(i, o));
  deepEqual(delays.slice(0, 3), [500, 1000, 1000]);
  // a 16 s outage: the attempts before it ends are 1 s apart, so the stream is back ~1 s later
  equal(delays.slice(2, 30).every((d) => d === 1000), true);
  deepEqual(delays.slice(30), [2000, 4000, 8000, 16_000, 30_000, 30_000]);
});
