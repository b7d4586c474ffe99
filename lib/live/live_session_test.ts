import assert from "node:assert/strict";
import { amountOf, type Rig, startRig, waitFor } from "./_test_rig.ts";

const EXIT_TYPES = [
  "TAKE_PROFIT_MARKET",
  "STOP_MARKET",
  "TRAILING_STOP_MARKET",
];

function count(rig: Rig, action: string, detail?: string): number {
  return rig.records.filter((r) =>
    r.action === action && (detail === undefined || r.detail === detail)
  ).length;
}

function exitTypesOnExchange(rig: Rig): string[] {
  return rig.openOrders().filter((o) => o.reduceOnly).map((o) => o.origType)
    .sort();
}

Deno.test("LiveSession trades a full cycle on the simulator when signals fire", async (t) => {
  const rig = await startRig({
    speed: 120,
    config: {
      tpBps: 6,
      slBps: 6,
      trailing: { activationBps: 3, callbackPct: 0.1 },
    },
  });
  try {
    await t.step(
      "signal → IOC entry → TP, SL and trailing armed on the exchange",
      async () => {
        await waitFor(() => amountOf(rig) !== 0, "a position", 15_000);
        await waitFor(
          () => exitTypesOnExchange(rig).length === 3 || amountOf(rig) === 0,
          "exits on the exchange",
        );
        // the exchange holds the orders before their replies are recorded
        await waitFor(
          () =>
            count(rig, "exit_placed") >= 3 ||
            count(rig, "exit_would_trigger") > 0,
          "the exit records",
        );
        const entry = rig.records.find((r) => r.action === "entry_placed")!;
        assert.equal(
          entry.data?.["side"] === "BUY" || entry.data?.["side"] === "SELL",
          true,
        );
        const close = rig.records.findIndex((r) =>
          r.action === "position_closed"
        );
        const before = close < 0 ? rig.records : rig.records.slice(0, close);
        const placed = new Set(
          before.filter((r) => r.action === "exit_placed").map((r) => r.detail),
        );
        // an exit whose level was already crossed (-2021) closes at market instead
        const crossed = before.some((r) => r.action === "exit_would_trigger");
        assert.ok(
          crossed || EXIT_TYPES.every((x) => placed.has(x)),
          JSON.stringify(before.map((r) => [r.action, r.detail])),
        );
      },
    );
    await t.step(
      "an exit triggers → siblings cancelled → cooldown → next entry",
      async () => {
        await waitFor(
          () => count(rig, "position_closed") >= 1,
          "a close",
          20_000,
        );
        await waitFor(
          () => rig.openOrders().length === 0,
          "siblings cancelled",
        );
        const closed = rig.records.find((r) => r.action === "position_closed")!;
        await waitFor(
          () =>
            rig.records.some((r) =>
              r.action === "entry_placed" && r.timeMs > closed.timeMs
            ),
          "the next entry",
          20_000,
        );
        const next = rig.records.find((r) =>
          r.action === "entry_placed" && r.timeMs > closed.timeMs
        )!;
        assert.ok(
          next.timeMs - closed.timeMs >= 60_000,
          `next entry ${next.timeMs - closed.timeMs} ms after the close`,
        );
        await waitFor(
          () =>
            rig.session.fills.fills.some((f) => EXIT_TYPES.includes(f.type)),
          "an exchange-side exit filled",
          20_000,
        );
      },
    );
  } finally {
    await rig.close();
  }
});

Deno.test("LiveSession opens one position when the entry reply is lost", async (t) => {
  const rig = await startRig({
    speed: 120,
    config: { tpBps: 300, slBps: 300 },
  });
  try {
    rig.ex.sim.faults.loseNextOrderReply(1, { mode: "503" });
    await t.step(
      "the lost entry is resolved by client id, not re-sent",
      async () => {
        await waitFor(() => amountOf(rig) !== 0, "a position", 15_000);
        await waitFor(() => exitTypesOnExchange(rig).length === 2, "exits");
        // the stream's fill arms the exits without waiting for the entry's reply: its
        // resolution by client id may come after them
        await waitFor(
          () => rig.records.some((r) => r.action === "entry_placed"),
          "the entry resolved by client id",
        );
        const qty = Number(
          rig.records.find((r) => r.action === "entry_placed")!
            .data!["quantity"],
        );
        assert.equal(Math.abs(amountOf(rig)), qty);
        // a few more bars: never a second position
        const bars = rig.decisions.length;
        await waitFor(
          () => rig.decisions.length >= bars + 3,
          "three more bars",
        );
        assert.ok(Math.abs(amountOf(rig)) <= qty);
      },
    );
  } finally {
    await rig.close();
  }
});

Deno.test("LiveSession adopts and repairs at a restart", async (t) => {
  const rig = await startRig({
    speed: 120,
    config: { tpBps: 200, slBps: 200 },
  });
  try {
    await waitFor(() => exitTypesOnExchange(rig).length === 2, "exits");
    await rig.session.stop();
    await t.step("stopping leaves the position and its exits in place", () => {
      assert.notEqual(amountOf(rig), 0);
      assert.deepEqual(exitTypesOnExchange(rig), [
        "STOP_MARKET",
        "TAKE_PROFIT_MARKET",
      ]);
    });
    await t.step("a missing stop is re-armed after the restart", async () => {
      const sl = rig.openOrders().find((o) => o.origType === "STOP_MARKET")!;
      rig.ex.sim.trading.engine.cancelOrder(rig.ex.accountId, {
        symbol: "BTCUSDT",
        origClientOrderId: sl.clientOrderId,
      }, rig.ex.sim.clock.now());
      assert.deepEqual(exitTypesOnExchange(rig), ["TAKE_PROFIT_MARKET"]);
      const before = rig.records.length;
      await rig.restart();
      assert.ok(
        rig.records.slice(before).some((r) => r.action === "position_adopted"),
      );
      assert.deepEqual(exitTypesOnExchange(rig), [
        "STOP_MARKET",
        "TAKE_PROFIT_MARKET",
      ]);
      await rig.session.stop();
    });
    await t.step("leftover exits of a flat symbol are cancelled", async () => {
      const amt = amountOf(rig);
      const r = rig.ex.sim.trading.engine.newOrder(rig.ex.accountId, {
        symbol: "BTCUSDT",
        side: amt > 0 ? "SELL" : "BUY",
        type: "MARKET",
        quantity: String(Math.abs(amt)),
        reduceOnly: "true",
      }, rig.ex.sim.clock.now());
      assert.equal(r.status, 200);
      assert.equal(amountOf(rig), 0);
      assert.equal(exitTypesOnExchange(rig).length, 2);
      await rig.restart({ cooldownMs: 3_600_000 });
      assert.deepEqual(exitTypesOnExchange(rig), []);
    });
  } finally {
    await rig.close();
  }
});

Deno.test("LiveSession closes at market when an exit is rejected as crossed (-2021)", async () => {
  const rig = await startRig({ speed: 120 });
  try {
    rig.ex.sim.faults.rejectNextExits(1);
    await waitFor(() => count(rig, "exit_would_trigger") >= 1, "-2021", 15_000);
    await waitFor(() => count(rig, "market_close") >= 1, "a market close");
    await waitFor(() => amountOf(rig) === 0, "flat");
    await waitFor(() => rig.openOrders().length === 0, "no exits left");
  } finally {
    await rig.close();
  }
});

Deno.test("LiveSession's kill switch closes and blocks entries at the threshold", async () => {
  const rig = await startRig({ speed: 120, config: { killThreshold: 1e9 } });
  try {
    await waitFor(
      () => count(rig, "kill_switch_triggered") >= 1,
      "the kill switch",
      15_000,
    );
    await waitFor(
      () => amountOf(rig) === 0 && rig.openOrders().length === 0,
      "flat",
    );
    const entries = count(rig, "entry_placed");
    const n = rig.decisions.length;
    await waitFor(() => rig.decisions.length >= n + 3, "three more bars");
    assert.equal(count(rig, "entry_placed"), entries);
    assert.ok(
      rig.decisions.slice(n).some((d) =>
        d.action === "blocked" && d.detail === "kill_switch"
      ),
    );
  } finally {
    await rig.close();
  }
});

Deno.test("LiveSession places no order when inputs are stale or in a dry run", async (t) => {
  await t.step("a mark budget of 1 ms blocks every entry", async () => {
    const rig = await startRig({
      speed: 120,
      config: { budgets: { barMs: 30_000, bookMs: 30_000, markMs: 1 } },
    });
    try {
      await waitFor(() => rig.session.bot.stats.staleSkips >= 3, "stale skips");
      assert.equal(rig.session.bot.stats.entriesSent, 0);
      assert.ok(rig.decisions.every((d) => d.action !== "entry_placed"));
      assert.ok(rig.decisions.some((d) => d.detail === "stale:mark"));
      assert.equal(rig.openOrders().length, 0);
    } finally {
      await rig.close();
    }
  });
  await t.step("a dry run logs would-be orders and places none", async () => {
    const rig = await startRig({
      speed: 120,
      config: { enableTrading: false },
    });
    try {
      await waitFor(
        () => rig.session.bot.stats.wouldEnter >= 2,
        "would-be orders",
      );
      const d = rig.decisions.find((x) => x.action === "would_enter")!;
      assert.match(d.detail, /^(BUY|SELL) 0\.\d+ @ [\d.]+ IOC = [\d.]+ USD$/);
      assert.equal(rig.session.orders, undefined);
      assert.equal(rig.openOrders().length, 0);
      assert.equal(amountOf(rig), 0);
    } finally {
      await rig.close();
    }
  });
});

Deno.test("LiveSession stops trading on a silent feed and resumes after", async () => {
  const rig = await startRig({
    speed: 60,
    config: {
      budgets: { barMs: 5_000, bookMs: 5_000, markMs: 5_000 },
      tpBps: 3,
      slBps: 3,
      cooldownMs: 0,
    },
  });
  try {
    await waitFor(() => rig.decisions.length >= 1, "a first bar");
    rig.ex.sim.faults.silence();
    const silencedAt = rig.ex.sim.clock.now();
    await waitFor(() => !rig.session.healthy(), "unhealthy");
    const entries = rig.session.bot.stats.entriesSent;
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(rig.session.bot.stats.entriesSent, entries);
    rig.ex.sim.faults.resume();
    await waitFor(() => rig.session.healthy(), "healthy again");
    await waitFor(
      () =>
        rig.decisions.some((d) =>
          d.timeMs > silencedAt + 150_000 && d.stale.length === 0 &&
          d.decision.side !== "none"
        ),
      "a fresh signal after the silence",
      15_000,
    );
  } finally {
    await rig.close();
  }
});
