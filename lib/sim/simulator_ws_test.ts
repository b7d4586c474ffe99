import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import type {
  RawAggTradeStreamEvent,
  RawBookTickerStreamEvent,
  RawCombinedMessage,
  RawDepthStreamEvent,
  RawKlineStreamEvent,
  RawMarkPriceStreamEvent,
} from "../exchange/wire.ts";
import { openSocket, sleep } from "./_test_util.ts";
import { ManualClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";

const START = Date.UTC(2026, 0, 5, 12, 0, 0);
const STREAMS = [
  "btcusdt@kline_1m",
  "btcusdt@bookTicker",
  "btcusdt@markPrice@1s",
  "btcusdt@aggTrade",
  "btcusdt@depth5@100ms",
];

function parse<T>(msg: string): RawCombinedMessage<T> {
  return JSON.parse(msg) as RawCombinedMessage<T>;
}

Deno.test("simulator streams follow the sim clock", async (t) => {
  const clock = new ManualClock(START);
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT", "ETHUSDT"],
    historyMinutes: 30,
  });

  await t.step(
    "combined streams deliver every stream kind wrapped as {stream,data}",
    async () => {
      const ws = await openSocket(
        `${sim.wsUrl}/stream?streams=${STREAMS.join("/")}`,
      );
      clock.advance(61_000);
      await ws.waitFor((m) => m.includes('"x":true'));
      await ws.waitFor((m) =>
        m.includes(`"E":${START + 61_000}`) && m.includes("markPriceUpdate")
      );
      const by = new Map<string, unknown[]>();
      for (const m of ws.messages) {
        const { stream, data } = parse<unknown>(m);
        by.set(stream, [...(by.get(stream) ?? []), data]);
      }
      deepEqual([...by.keys()].sort(), [...STREAMS].sort());
      const marks = by.get("btcusdt@markPrice@1s") as RawMarkPriceStreamEvent[];
      deepEqual(
        marks.map((m) => m.E),
        Array.from({ length: 61 }, (_, i) => START + (i + 1) * 1000),
      );
      ok(
        marks.every((m) =>
          m.e === "markPriceUpdate" && m.s === "BTCUSDT" &&
          m.T % (8 * 3_600_000) === 0
        ),
      );
      const trades = by.get("btcusdt@aggTrade") as RawAggTradeStreamEvent[];
      ok(trades.length > 10);
      for (let i = 1; i < trades.length; i++) {
        equal(trades[i]!.a, trades[i - 1]!.a + 1);
        ok(trades[i]!.T >= trades[i - 1]!.T && trades[i]!.T < START + 61_000);
      }
      const books = by.get("btcusdt@bookTicker") as RawBookTickerStreamEvent[];
      ok(
        books.every((b) =>
          b.e === "bookTicker" && Number(b.a) > Number(b.b) && b.E > START
        ),
      );
      for (let i = 1; i < books.length; i++) {
        ok(books[i]!.u > books[i - 1]!.u);
        ok(
          books[i]!.b !== books[i - 1]!.b || books[i]!.B !== books[i - 1]!.B ||
            books[i]!.a !== books[i - 1]!.a || books[i]!.A !== books[i - 1]!.A,
          "bookTicker only on change",
        );
      }
      const depths = by.get("btcusdt@depth5@100ms") as RawDepthStreamEvent[];
      ok(
        depths.every((d) =>
          d.b.length === 5 && d.a.length === 5 && d.E % 100 === 0
        ),
      );
      const klines = by.get("btcusdt@kline_1m") as RawKlineStreamEvent[];
      ok(klines.some((k) => !k.k.x));
      const closed = klines.filter((k) => k.k.x);
      equal(closed.length, 1);
      equal(closed[0]!.k.t, START);
      equal(closed[0]!.E, START + 60_000);
      deepEqual(sim.closedKlines("BTCUSDT").at(-1)!.slice(0, 6), [
        START,
        closed[0]!.k.o,
        closed[0]!.k.h,
        closed[0]!.k.l,
        closed[0]!.k.c,
        closed[0]!.k.v,
      ]);
      await ws.close();
    },
  );

  await t.step(
    "kline closes exactly once per minute, whatever the clock steps",
    async () => {
      const ws = await openSocket(`${sim.wsUrl}/ws/ethusdt@kline_1m`);
      const from = clock.now();
      for (let i = 0; i < 30; i++) clock.advance(7_000); // 3.5 minutes in odd steps
      clock.advance(5 * 60_000); // then a jump over five minute boundaries
      const last = Math.floor(clock.now() / 60_000) * 60_000;
      await ws.waitFor((m) =>
        m.includes(`"t":${last - 60_000}`) && m.includes('"x":true')
      );
      const events = ws.messages.map((m) =>
        JSON.parse(m) as RawKlineStreamEvent
      );
      ok(events.every((e) => e.e === "kline" && e.s === "ETHUSDT"));
      const closes = events.filter((e) => e.k.x).map((e) => e.k.t);
      const expected: number[] = [];
      for (
        let t0 = Math.floor(from / 60_000) * 60_000;
        t0 < last;
        t0 += 60_000
      ) expected.push(t0);
      deepEqual(closes, expected);
      await ws.close();
    },
  );

  await t.step("raw /ws/<stream> payloads are not wrapped", async () => {
    const ws = await openSocket(`${sim.wsUrl}/ws/btcusdt@aggTrade`);
    clock.advance(5_000);
    const msg = JSON.parse(
      await ws.waitFor(() => true),
    ) as RawAggTradeStreamEvent;
    equal(msg.e, "aggTrade");
    equal(msg.s, "BTCUSDT");
    await ws.close();
  });

  await t.step(
    "control messages: SUBSCRIBE, LIST, UNSUBSCRIBE, properties, errors",
    async () => {
      const ws = await openSocket(`${sim.wsUrl}/ws`);
      const reply = async (body: unknown, id: string): Promise<unknown> => {
        const n = ws.messages.length;
        ws.send(body);
        return JSON.parse(await ws.waitFor((m) => m.includes(id), 3000, n));
      };
      deepEqual(
        await reply({
          method: "SUBSCRIBE",
          params: ["ethusdt@bookTicker", "ethusdt@markPrice@1s"],
          id: 1,
        }, '"id":1'),
        { result: null, id: 1 },
      );
      deepEqual(
        await reply({ method: "LIST_SUBSCRIPTIONS", id: 2 }, '"id":2'),
        {
          result: ["ethusdt@bookTicker", "ethusdt@markPrice@1s"],
          id: 2,
        },
      );
      clock.advance(1_000);
      await ws.waitFor((m) => m.includes('"e":"markPriceUpdate"'));
      deepEqual(
        await reply({
          method: "UNSUBSCRIBE",
          params: ["ethusdt@bookTicker"],
          id: 3,
        }, '"id":3'),
        { result: null, id: 3 },
      );
      deepEqual(
        await reply({ method: "LIST_SUBSCRIPTIONS", id: 4 }, '"id":4'),
        { result: ["ethusdt@markPrice@1s"], id: 4 },
      );
      deepEqual(
        await reply(
          { method: "GET_PROPERTY", params: ["combined"], id: 5 },
          '"id":5',
        ),
        { result: false, id: 5 },
      );
      deepEqual(
        await reply({
          method: "SET_PROPERTY",
          params: ["combined", true],
          id: 6,
        }, '"id":6'),
        { result: null, id: 6 },
      );
      const n = ws.messages.length;
      clock.advance(1_000);
      const wrapped = parse<RawMarkPriceStreamEvent>(
        await ws.waitFor((m) => m.includes("markPriceUpdate"), 3000, n),
      );
      equal(wrapped.stream, "ethusdt@markPrice@1s");
      equal(wrapped.data.e, "markPriceUpdate");
      const err = async (body: unknown, code: number): Promise<void> => {
        const k = ws.messages.length;
        if (typeof body === "string") ws.socket.send(body);
        else ws.send(body);
        const m = JSON.parse(
          await ws.waitFor((x) => x.includes('"code"'), 3000, k),
        ) as { code: number; msg: string };
        equal(m.code, code, JSON.stringify(body));
      };
      await err({ method: "SET_PROPERTY", params: ["nope", true], id: 7 }, 0);
      await err(
        { method: "SET_PROPERTY", params: ["combined", "yes"], id: 8 },
        1,
      );
      await err({ method: "FROB", id: 9 }, 2);
      await err(
        { method: "SUBSCRIBE", params: ["btcusdt@nothing"], id: 10 },
        2,
      );
      await err(
        { method: "SUBSCRIBE", params: ["btcusdt@aggTrade"], id: -1 },
        2,
      );
      await err("{not json", 3);
      await ws.close();
    },
  );

  await t.step("markPrice (3 s) and depth5 (plain) streams", async () => {
    const ws = await openSocket(
      `${sim.wsUrl}/stream?streams=ethusdt@markPrice/ethusdt@depth5`,
    );
    const from = clock.now();
    clock.advance(9_000);
    await sleep(50);
    const marks = ws.messages.map((m) => parse<RawMarkPriceStreamEvent>(m))
      .filter((m) => m.stream === "ethusdt@markPrice").map((m) => m.data.E);
    deepEqual(
      marks,
      [3000, 6000, 9000].map((d) => Math.floor(from / 3000) * 3000 + d),
    );
    const depths = ws.messages.map((m) => parse<RawDepthStreamEvent>(m))
      .filter((m) => m.stream === "ethusdt@depth5");
    ok(depths.length > 0 && depths.length <= 45);
    ok(depths.every((d) => d.data.b.length === 5 && d.data.E % 200 === 0));
    await ws.close();
  });

  await t.step("unknown streams in the URL are refused", async () => {
    await rejects(openSocket(`${sim.wsUrl}/ws/btcusdt@nothing`));
    await rejects(
      openSocket(
        `${sim.wsUrl}/stream?streams=btcusdt@aggTrade/xrpusdt@aggTrade`,
      ),
    );
    const many = Array.from({ length: 201 }, () => "btcusdt@aggTrade").join(
      "/",
    );
    await rejects(openSocket(`${sim.wsUrl}/stream?streams=${many}`));
  });

  await t.step(
    "payloads are serialized once and shared by subscribers",
    async () => {
      const a = await openSocket(`${sim.wsUrl}/ws/btcusdt@depth5@100ms`);
      const b = await openSocket(`${sim.wsUrl}/ws/btcusdt@depth5@100ms`);
      clock.advance(2_000);
      await sleep(50);
      ok(a.messages.length > 0);
      deepEqual(a.messages, b.messages);
      await a.close();
      await b.close();
    },
  );
});

Deno.test("registerWebSocket() serves /ws/<name> push sockets under the simulator's faults", async (t) => {
  const clock = new ManualClock(START);
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT"],
    historyMinutes: 1,
  });
  const opened: { send(p: string): void }[] = [];
  sim.registerWebSocket((name, req, hub) =>
    name === "key123" ? hub.acceptPush(req, (s) => opened.push(s)) : undefined
  );

  await t.step(
    "a registered name gets a push socket; others are refused",
    async () => {
      const ws = await openSocket(`${sim.wsUrl}/ws/key123`);
      while (opened.length === 0) await sleep(5);
      opened[0]!.send('{"e":"listenKeyExpired","E":1}');
      equal(await ws.waitFor(() => true), '{"e":"listenKeyExpired","E":1}');
      await rejects(openSocket(`${sim.wsUrl}/ws/otherkey`));
      // silence() mutes it, dropConnections() drops it.
      sim.faults.silence();
      opened[0]!.send('{"e":"muted"}');
      await sleep(30);
      equal(ws.messages.length, 1);
      sim.faults.resume();
      sim.faults.dropConnections();
      equal((await ws.closed).wasClean, false);
    },
  );
});
