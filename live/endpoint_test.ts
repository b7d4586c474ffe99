/**
 * The endpoint of `deno task record` and of a dry run of `deno task live` (both against
 * the simulator): `/health` turns 200 once running, `/metrics` carries their series.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../lib/sim/mod.ts";
import { parseExposition, sampleValue } from "../lib/metrics/status_screen.ts";
import { freePort, spawnScript } from "./_run_script.ts";

/** Polls the endpoint until `/health` is 200 and `ok(samples)` holds; returns them. */
async function until(
  port: number,
  ok: (s: ReturnType<typeof parseExposition>) => boolean,
): Promise<{ health: Record<string, unknown>; text: string }> {
  const end = performance.now() + 30_000;
  for (;;) {
    try {
      const h = await fetch(`http://127.0.0.1:${port}/health`);
      const health = await h.json();
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`))
        .text();
      if (h.status === 200 && ok(parseExposition(text))) {
        return { health, text };
      }
    } catch { /* not listening yet */ }
    if (performance.now() > end) throw new Error("endpoint not ready in 30 s");
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test("record.ts serves /health and /metrics with its rows written per file", async () => {
  await using sim = await startSimulator({ symbols: ["BTCUSDT"], speed: 60 });
  const dir = await Deno.makeTempDir();
  const port = freePort();
  const child = spawnScript("./record.ts", [
    "--symbols",
    "BTCUSDT",
    "--log_dir",
    dir,
    "--poll_time",
    "0",
    "--rest_url",
    sim.restUrl,
    "--ws_url",
    sim.wsUrl,
    "--metrics_addr",
    `127.0.0.1:${port}`,
  ], { stdout: "null" });
  try {
    const { health, text } = await until(
      port,
      (s) =>
        sampleValue(s, "aster_recorder_rows_written_total", {
          file: "markPrice",
        }) > 0,
    );
    assert.equal(health.ready, true);
    assert.equal(health.trading, false);
    const s = parseExposition(text);
    assert.equal(sampleValue(s, "aster_info", { component: "record" }), 1);
    assert.equal(
      sampleValue(s, "aster_stream_connected", { stream: "market" }),
      1,
    );
    assert.ok(
      sampleValue(s, "aster_input_age_seconds", {
        symbol: "BTCUSDT",
        input: "book",
      }) < 60,
    );
    assert.ok(sampleValue(s, "aster_rest_weight_used") > 0);
  } finally {
    child.kill("SIGTERM");
    const out = await child.output();
    await Deno.remove(dir, { recursive: true });
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  }
});

Deno.test("a dry run of trade.ts serves /health (no user stream) and its decisions", async () => {
  await using sim = await startSimulator({ symbols: ["BTCUSDT"], speed: 60 });
  const dir = await Deno.makeTempDir();
  const port = freePort();
  const child = spawnScript("./trade.ts", [
    "--rest_url",
    sim.restUrl,
    "--ws_url",
    sim.wsUrl,
    "--journal",
    `${dir}/decisions.csv`,
    "--T",
    "5",
    "--V",
    "5",
    "--metrics_addr",
    `127.0.0.1:${port}`,
  ], { stdout: "null" });
  try {
    const { health, text } = await until(
      port,
      (s) => s.some((x) => x.name === "aster_decisions_total" && x.value > 0),
    );
    assert.equal(health.trading, false);
    assert.deepEqual(Object.keys(health.streams as object), ["market"]);
    const s = parseExposition(text);
    assert.equal(sampleValue(s, "aster_info", { component: "live" }), 1);
    assert.equal(sampleValue(s, "aster_trading_enabled"), 0);
    // no position families without an order manager
    assert.ok(!s.some((x) => x.name === "aster_position_size"));
  } finally {
    child.kill("SIGTERM");
    const out = await child.output();
    await Deno.remove(dir, { recursive: true });
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  }
});
