import assert from "node:assert/strict";
import { UsageError } from "../cli/usage_error.ts";
import { BotMetrics } from "./bot_metrics.ts";
import { startMetricsServer } from "./metrics_server.ts";
import { fakeState, fakeView } from "./_fake_view.ts";

Deno.test("the endpoint serves /metrics, /health (200/503) and nothing else", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "live", processMetrics: false });
  const server = startMetricsServer({ hostname: "127.0.0.1", port: 0 }, m);
  try {
    assert.ok(server.port > 0);
    let r = await fetch(`${server.url}/health`);
    assert.equal(r.status, 503);
    assert.deepEqual((await r.json()).reasons, ["starting"]);
    m.attach(fakeView(st));
    m.setReady(true);
    r = await fetch(`${server.url}/health`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/json");
    const h = await r.json();
    assert.equal(h.ready, true);
    assert.equal(h.trading, true);
    st.killed = true;
    r = await fetch(`${server.url}/health`);
    assert.equal(r.status, 503);
    assert.match((await r.json()).reasons[0], /kill switch/);
    r = await fetch(`${server.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(
      r.headers.get("content-type")!,
      /^text\/plain; version=0\.0\.4/,
    );
    assert.match(await r.text(), /^aster_kill_switch_tripped 1$/m);
    r = await fetch(`${server.url}/`);
    assert.equal(r.status, 404);
    await r.body?.cancel();
    r = await fetch(`${server.url}/metrics`, { method: "POST" });
    assert.equal(r.status, 405);
    await r.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("an address in use is a usage error in one line", async () => {
  const m = new BotMetrics({ component: "live", processMetrics: false });
  const first = startMetricsServer({ hostname: "127.0.0.1", port: 0 }, m);
  try {
    assert.throws(
      () => startMetricsServer({ hostname: "127.0.0.1", port: first.port }, m),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          `Invalid --metrics_addr "127.0.0.1:${first.port}": the port is in use (another bot? pick another port, or empty to turn the endpoint off)`,
    );
  } finally {
    await first.close();
  }
});
