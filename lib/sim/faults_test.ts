import { equal, ok } from "node:assert/strict";
import { openSocket, sleep } from "./_test_util.ts";
import { ManualClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";

const START = Date.UTC(2026, 0, 6, 0, 0, 0);

Deno.test("SimFaults break the REST side on demand", async (t) => {
  const clock = new ManualClock(START);
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT"],
    historyMinutes: 5,
  });
  const time = async () => {
    const res = await fetch(`${sim.restUrl}/fapi/v1/time`);
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  await t.step(
    "delayResponses() delays every response, 0 turns it off",
    async () => {
      sim.faults.delayResponses(150);
      let t0 = performance.now();
      equal((await time()).status, 200);
      ok(performance.now() - t0 >= 140);
      sim.faults.delayResponses(0);
      t0 = performance.now();
      await time();
      ok(performance.now() - t0 < 140);
    },
  );

  await t.step(
    "failNext(429) fails exactly n requests with -1003 and Retry-After",
    async () => {
      sim.faults.failNext(2, { status: 429, retryAfterSec: 7 });
      for (let i = 0; i < 2; i++) {
        const r = await time();
        equal(r.status, 429);
        equal((JSON.parse(r.text) as { code: number }).code, -1003);
        equal(r.headers.get("retry-after"), "7");
        ok(r.headers.get("x-mbx-used-weight-1m") !== null);
      }
      equal((await time()).status, 200);
    },
  );

  await t.step("failNext(418) answers with a ban body", async () => {
    sim.faults.failNext(1, { status: 418 });
    const r = await time();
    equal(r.status, 418);
    const body = JSON.parse(r.text) as { code: number; msg: string };
    equal(body.code, -1003);
    ok(body.msg.includes("banned until"));
    equal((await time()).status, 200);
  });

  await t.step(
    "failNext(5xx) answers -1001 JSON, or an HTML page",
    async () => {
      sim.faults.failNext(1, { status: 503 });
      const a = await time();
      equal(a.status, 503);
      equal((JSON.parse(a.text) as { code: number }).code, -1001);
      sim.faults.failNext(1, { status: 502, html: true });
      const b = await time();
      equal(b.status, 502);
      ok(b.text.startsWith("<html>"));
      ok(b.headers.get("content-type")!.includes("text/html"));
      equal((await time()).status, 200);
    },
  );
});

Deno.test("SimFaults break the stream side on demand", async (t) => {
  const clock = new ManualClock(START);
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT"],
    historyMinutes: 5,
  });
  const url = `${sim.wsUrl}/stream?streams=btcusdt@markPrice@1s`;

  await t.step(
    "silence() keeps connections open but quiet; resume() restarts",
    async () => {
      const ws = await openSocket(url);
      sim.faults.silence();
      clock.advance(5_000);
      await sleep(50);
      equal(ws.messages.length, 0);
      equal(ws.socket.readyState, WebSocket.OPEN);
      sim.faults.resume();
      clock.advance(1_000);
      await ws.waitFor((m) => m.includes("markPriceUpdate"));
      await ws.close();
    },
  );

  await t.step(
    "sendMalformed(n) corrupts exactly the next n messages",
    async () => {
      const ws = await openSocket(url);
      sim.faults.sendMalformed(4);
      clock.advance(6_000);
      await ws.waitFor(() => true, 3000, 5); // the sixth message
      const kinds = ws.messages.map((m) => {
        let v: { stream?: string; data?: Record<string, unknown> };
        try {
          v = JSON.parse(m);
        } catch {
          return "bad-json";
        }
        const d = v.data!;
        if (d["e"] !== "markPriceUpdate") return "unknown-event";
        if (d["p"] === undefined) return "missing-fields";
        if (
          typeof d["E"] !== "number" || typeof d["p"] !== "string"
        ) return "wrong-types";
        return "ok";
      });
      equal(kinds.length, 6);
      equal(
        kinds.slice(0, 4).sort().join(),
        "bad-json,missing-fields,unknown-event,wrong-types",
      );
      equal(kinds.slice(4).join(), "ok,ok");
      await ws.close();
    },
  );

  await t.step("dropConnections() closes every socket abnormally", async () => {
    const a = await openSocket(url);
    const b = await openSocket(`${sim.wsUrl}/ws/btcusdt@aggTrade`);
    sim.faults.dropConnections();
    const [ea, eb] = await Promise.all([a.closed, b.closed]);
    equal(ea.wasClean, false);
    equal(eb.wasClean, false);
    ok(ea.code !== 1000);
    const c = await openSocket(url);
    clock.advance(1_000);
    await c.waitFor((m) => m.includes("markPriceUpdate"));
    await c.close();
  });
});
