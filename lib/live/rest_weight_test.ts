import { equal, ok } from "node:assert/strict";
import { fastConfig } from "./_test_rig.ts";
import { LiveSession } from "./live_session.ts";
import { startPaperExchange } from "./paper_exchange.ts";
import { startRestProxy } from "./_rest_proxy.ts";

/** Weights of the polled endpoints (aster-protocol §3.2). */
function weightOf(path: string, query: URLSearchParams): number {
  if (path.endsWith("/openOrders")) return query.has("symbol") ? 1 : 40;
  if (path.endsWith("/positionRisk") || path.endsWith("/account")) return 5;
  return 0;
}

Deno.test("LiveSession polls at most ~150 weight per minute on 2 symbols", async (t) => {
  const speed = 120;
  const ex = await startPaperExchange({
    symbols: ["BTCUSDT", "ETHUSDT"],
    speed,
    historyMinutes: 30,
  });
  const calls: { atMs: number; path: string; weight: number }[] = [];
  const proxy = startRestProxy(ex.sim.restUrl, (method, u) => {
    const weight = weightOf(u.pathname, u.searchParams);
    if (method === "GET" && weight > 0) {
      calls.push({ atMs: ex.sim.clock.now(), path: u.pathname, weight });
    }
  });
  const config = fastConfig(ex, {
    symbols: ["BTCUSDT", "ETHUSDT"],
    restUrl: `http://127.0.0.1:${proxy.addr.port}`,
    cooldownMs: 3_600_000,
  });
  try {
    const session = await LiveSession.start(config, {
      credentials: ex.credentials,
      clock: ex.clock,
      serverNow: () => ex.sim.clock.now(),
      timeoutMs: 2_000,
      marketSilenceBudgetMs: ex.silenceBudgetMs,
    });
    const from = ex.sim.clock.now();
    const minutes = 3;
    await ex.clock.sleep(minutes * 60_000);
    await session.stop();
    const window = calls.filter((c) => c.atMs >= from);
    const sum = (p: (c: { path: string }) => boolean) =>
      window.filter(p).reduce((a, c) => a + c.weight, 0) / minutes;
    const total = sum(() => true);
    const account = sum((c) => c.path.endsWith("/account"));
    await t.step("open orders are listed per symbol (weight 1 each)", () => {
      equal(window.filter((c) => c.weight === 40).length, 0);
    });
    await t.step("reconcile: 12 × (positionRisk 5 + 2 × openOrders 1)", () => {
      ok(total - account <= 12 * 7 + 7, `${total - account}`);
    });
    await t.step(
      "kill switch: an account read every 5 s plus on events",
      () => {
        ok(account >= 12 * 5 - 5 && account <= 12 * 5 + 30, `${account}`);
      },
    );
    await t.step("before: 60 × 5 + 12 × (5 + 40) = 840; now under 200", () => {
      ok(total < 200, `${total}`);
    });
  } finally {
    await proxy.shutdown();
    await ex.close();
  }
});
