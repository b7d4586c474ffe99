import { deepEqual, equal, ok } from "node:assert/strict";
import { openSocket, sleep } from "./_test_util.ts";
import { ManualClock } from "./clock.ts";
import { StreamHub } from "./stream_hub.ts";

const DAY = 86_400_000;

async function withHub(
  fn: (hub: StreamHub, clock: ManualClock, url: string) => Promise<void>,
): Promise<void> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const hub = new StreamHub({
    clock,
    isKnownStream: (n) => n.startsWith("btcusdt@"),
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => hub.accept(req, [new URL(req.url).pathname.slice(4)], false),
  );
  try {
    await fn(hub, clock, `ws://127.0.0.1:${server.addr.port}/ws/`);
  } finally {
    await hub.close();
    await server.shutdown();
  }
}

Deno.test("StreamHub closes connections normally after 24 h of sim time", async () => {
  await withHub(async (hub, clock, url) => {
    const old = await openSocket(url + "btcusdt@aggTrade");
    clock.advance(DAY / 2);
    const young = await openSocket(url + "btcusdt@aggTrade");
    clock.advance(DAY / 2 - 1);
    hub.expire(clock.now());
    await sleep(20);
    equal(old.socket.readyState, WebSocket.OPEN);
    clock.advance(1);
    hub.expire(clock.now());
    const ev = await old.closed;
    equal(ev.code, 1000);
    equal(ev.wasClean, true);
    equal(young.socket.readyState, WebSocket.OPEN);
    equal(hub.connections, 1);
    await young.close();
  });
});

Deno.test("StreamHub publishes only to subscribers", async () => {
  await withHub(async (hub, _clock, url) => {
    const a = await openSocket(url + "btcusdt@aggTrade");
    const b = await openSocket(url + "btcusdt@bookTicker");
    equal(hub.wants("btcusdt@aggTrade"), true);
    equal(hub.wants("btcusdt@depth5@100ms"), false);
    hub.publish("btcusdt@aggTrade", '{"e":"aggTrade"}');
    hub.publish("btcusdt@bookTicker", '{"e":"bookTicker"}');
    await a.waitFor(() => true);
    await b.waitFor(() => true);
    deepEqual(a.messages, ['{"e":"aggTrade"}']);
    deepEqual(b.messages, ['{"e":"bookTicker"}']);
    hub.silence();
    ok(!hub.wants("btcusdt@aggTrade"));
    hub.resume();
    await a.close();
    await b.close();
    await sleep(10);
    equal(hub.wants("btcusdt@aggTrade"), false);
  });
});
