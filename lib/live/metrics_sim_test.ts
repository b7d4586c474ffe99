/**
 * Monitoring under injected faults on the simulator: the bot's real session with the
 * metrics hooks and the HTTP endpoint; each fault must move the matching metrics and
 * `/health`, and `/health` must come back when the fault ends.
 */
import assert from "node:assert/strict";
import { BotMetrics, type BotMetricsOptions } from "../metrics/bot_metrics.ts";
import { startMetricsServer } from "../metrics/metrics_server.ts";
import { parseExposition, sampleValue } from "../metrics/status_screen.ts";
import type { HealthReport } from "../metrics/health.ts";
import type { LiveConfig } from "./live_config.ts";
import { withMetrics } from "./session_view.ts";
import { startRig } from "./_test_rig.ts";

async function withBot(
  config: Partial<LiveConfig>,
  speed: number,
  body: (x: {
    rig: Awaited<ReturnType<typeof startRig>>;
    health: () => Promise<{ status: number; body: HealthReport }>;
    metric: (name: string, labels?: Record<string, string>) => Promise<number>;
  }) => Promise<void>,
  options: Partial<BotMetricsOptions> = {},
): Promise<void> {
  const metrics = new BotMetrics({
    component: "paper",
    processMetrics: false,
    ...options,
  });
  const server = startMetricsServer(
    { hostname: "127.0.0.1", port: 0 },
    metrics,
  );
  try {
    const rig = await startRig({
      speed,
      config,
      deps: withMetrics({}, metrics),
    });
    // the rig starts the session itself: its onReady hook marked it ready
    try {
      await body({
        rig,
        health: async () => {
          const r = await fetch(`${server.url}/health`);
          return { status: r.status, body: await r.json() as HealthReport };
        },
        metric: async (name, labels = {}) =>
          sampleValue(
            parseExposition(
              await (await fetch(`${server.url}/metrics`)).text(),
            ),
            name,
            labels,
          ),
      });
    } finally {
      await rig.close();
    }
  } finally {
    await server.close();
  }
}

/** Polls `f` (real time) until it holds. */
async function eventually(
  f: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await f())) {
    if (performance.now() > end) throw new Error(`Timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("monitoring: a silent market stream turns /health 503 and the inputs stale, then back; drops count as reconnects", async () => {
  await withBot(
    { budgets: { barMs: 5_000, bookMs: 5_000, markMs: 5_000 } },
    60,
    async ({ rig, health, metric }) => {
      await eventually(async () => (await health()).status === 200, "ready");
      assert.equal(await metric("aster_ready"), 1);
      assert.equal(
        await metric("aster_stream_connected", { stream: "market" }),
        1,
      );
      rig.ex.sim.faults.silence();
      await eventually(async () => {
        const h = await health();
        return h.status === 503 &&
          h.body.reasons.some((r) => /BTCUSDT (book|mark).* stale/.test(r));
      }, "503 with a stale book or mark");
      assert.equal(
        Math.max(
          await metric("aster_input_stale", {
            symbol: "BTCUSDT",
            input: "book",
          }),
          await metric("aster_input_stale", {
            symbol: "BTCUSDT",
            input: "mark",
          }),
        ),
        1,
      );
      assert.ok(
        await metric("aster_input_age_seconds", {
          symbol: "BTCUSDT",
          input: "book",
        }) > 5,
      );
      assert.equal(await metric("aster_ready"), 0);
      rig.ex.sim.faults.resume();
      await eventually(
        async () => (await health()).status === 200,
        "ready again",
      );
      // a dropped connection is counted as a reconnect of its stream
      rig.ex.sim.faults.dropConnections();
      await eventually(
        async () =>
          await metric("aster_stream_reconnects_total", { stream: "market" }) >=
            1,
        "the market stream's reconnect counted",
      );
      rig.ex.sim.faults.dropUserStreams();
      await eventually(
        async () =>
          await metric("aster_stream_reconnects_total", { stream: "user" }) >=
            1,
        "the user stream's reconnect counted",
      );
    },
  );
});

Deno.test("monitoring: signed requests refused with -1021 turn /health 503 past their budget, and back at the next accepted one", async () => {
  // the budget 1 s of the client's (real) clock instead of the live 15 s, for a quick test
  await withBot({}, 120, async ({ rig, health, metric }) => {
    await eventually(async () => (await health()).status === 200, "ready");
    assert.equal((await health()).body.signing?.failingSeconds, 0);
    // the exchange's clock jumps 2 minutes ahead of the bot's signing clock: every
    // signed request (reconcile, margin read, orders) is outside the 60 s recvWindow
    rig.ex.sim.faults.skewMs(120_000);
    const t0 = performance.now();
    await eventually(
      async () =>
        (await health()).body.reasons.some((r) =>
          r.startsWith("signed requests failing with clock errors")
        ),
      "the -1021 reason",
    );
    // invariant: not before the budget, and 503 with the reason once past it
    assert.ok(performance.now() - t0 >= 1_000);
    const h = await health();
    assert.equal(h.status, 503);
    assert.match(
      h.body.reasons.join("|"),
      /signed requests failing with clock errors for \d+\.\d s \(-1021 [^)]*recvWindow[^)]*\): no order can be placed, moved or cancelled/,
    );
    assert.ok(h.body.signing!.failingSeconds > 1);
    assert.ok(await metric("aster_signing_failing_seconds") > 1);
    assert.ok(await metric("aster_signing_clock_errors_total") >= 1);
    assert.equal(await metric("aster_ready"), 0);
    // the clocks agree again: the next accepted signed request heals it
    rig.ex.sim.faults.skewMs(0);
    await eventually(
      async () =>
        !(await health()).body.reasons.some((r) =>
          r.startsWith("signed requests failing")
        ),
      "the -1021 reason gone",
    );
    assert.equal(await metric("aster_signing_failing_seconds"), 0);
    await eventually(
      async () => (await health()).status === 200,
      "ready again",
    );
  }, { signingBudgetS: 1 });
});

Deno.test("monitoring: the kill switch shows in /health (503), the kill-switch metrics and the decisions", async () => {
  await withBot({ killThreshold: 1e9 }, 120, async ({ health, metric }) => {
    await eventually(
      async () => await metric("aster_kill_switch_tripped") === 1,
      "aster_kill_switch_tripped 1",
    );
    const h = await health();
    assert.equal(h.status, 503);
    assert.ok(h.body.killSwitch?.tripped);
    assert.ok(
      h.body.reasons.some((r) => r.startsWith("kill switch tripped (margin)")),
    );
    assert.equal(await metric("aster_kill_threshold"), 1e9);
    // read at every margin check: +Inf once the positions are closed (no maintenance margin)
    assert.ok(!Number.isNaN(await metric("aster_margin_ratio")));
    assert.ok(await metric("aster_margin_balance_usd") > 0);
    assert.equal(
      await metric("aster_order_events_total", {
        action: "kill_switch_triggered",
      }),
      1,
    );
    await eventually(
      async () =>
        await metric("aster_decisions_total", {
          symbol: "BTCUSDT",
          outcome: "kill_switch",
        }) >= 1,
      "a decision blocked by the kill switch",
    );
  });
});

Deno.test("monitoring: a refused stop-loss leaves the position unprotected: metrics, /health and the error list move", async () => {
  // wide exits so neither triggers during the test
  await withBot(
    { tpBps: 200, slBps: 200, reconcileMs: 2_000 },
    20,
    async ({ rig, health, metric }) => {
      // the stop-loss is refused (transient code, so it is retried) the next 15 times
      rig.ex.sim.faults.rejectNextOrders(15, {
        type: "STOP_MARKET",
        code: -1001,
        msg: "Internal error; unable to process your request.",
      });
      await eventually(
        async () => {
          const h = await health();
          return h.status === 503 && h.body.unprotected.includes("BTCUSDT");
        },
        "503 naming the unprotected position",
        30_000,
      );
      const h = (await health()).body;
      assert.ok(
        h.reasons.some((r) =>
          /^BTCUSDT position without a stop for \d+\.\d s$/.test(r)
        ),
        h.reasons.join("; "),
      );
      assert.ok(
        await metric("aster_position_unprotected_seconds", {
          symbol: "BTCUSDT",
        }) > 2,
      );
      assert.equal(
        await metric("aster_position_stop_on_exchange", { symbol: "BTCUSDT" }),
        0,
      );
      assert.ok(
        await metric("aster_orders_rejected_total", {
          type: "STOP_MARKET",
          code: "-1001",
        }) >= 1,
      );
      assert.ok(await metric("aster_position_size", { symbol: "BTCUSDT" }) > 0);
      assert.ok(
        h.recentErrors.some((e) =>
          e.what === "exit_rejected" || e.what === "position_unprotected"
        ),
        JSON.stringify(h.recentErrors),
      );
      // once the refusals run out the stop is placed and the position is protected
      // again: the engine holds the stop and the metrics and /health say so (slow clock
      // and wide exits: the position outlives the test)
      await eventually(
        async () =>
          rig.openOrders().some((o) => o.type === "STOP_MARKET") &&
          await metric("aster_position_stop_on_exchange", {
              symbol: "BTCUSDT",
            }) === 1 &&
          (await health()).status === 200,
        "protected and ready again",
        30_000,
      );
    },
  );
});
