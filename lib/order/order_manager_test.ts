import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  actions,
  BAR,
  btcInfo,
  type Rig,
  rig,
  S,
  signal,
} from "./_test_helpers.ts";
import { clientOrderId } from "./client_ids.ts";
import { OrderManager } from "./order_manager.ts";
import { FakeExchange } from "./fake_exchange.ts";

function openSummary(r: Rig): string[] {
  return r.fake.open(S).map((o) =>
    `${o.type} ${o.side} ${o.quantity} ${
      o.type === "TRAILING_STOP_MARKET" ? "trail" : o.stopPrice
    } ${o.reduceOnly ? "RO" : ""}`
  ).sort();
}

Deno.test("OrderManager runs the full cycle: entry, exits, each exit, cooldown", async (t) => {
  const r = rig();
  await t.step(
    "signal -> IOC entry at the ask -> three reduce-only exits",
    async () => {
      const recs = await signal(r, "long", BAR);
      const entry = r.fake.placed[0]!;
      equal(entry.type, "LIMIT");
      equal(entry.timeInForce, "IOC");
      equal(entry.price, "100");
      equal(entry.quantity, "0.5");
      equal(entry.clientOrderId, clientOrderId(S, BAR, "long", "entry"));
      equal(r.fake.positionAmount(S), "0.5");
      deepEqual(openSummary(r), [
        "STOP_MARKET SELL 0.5 99.7 RO",
        "TAKE_PROFIT_MARKET SELL 0.5 100.4 RO",
        "TRAILING_STOP_MARKET SELL 0.5 trail RO",
      ]);
      const sl = r.fake.placed.find((o) => o.type === "STOP_MARKET")!;
      equal(sl.workingType, "MARK_PRICE");
      const tp = r.fake.placed.find((o) => o.type === "TAKE_PROFIT_MARKET")!;
      equal(tp.workingType, "CONTRACT_PRICE");
      const tr = r.fake.placed.find((o) => o.type === "TRAILING_STOP_MARKET")!;
      equal(tr.activationPrice, "100.2");
      equal(tr.callbackRate, "0.2");
      deepEqual(actions(recs).filter((a) => a !== "position_changed"), [
        "entry_placed",
        "exit_placed",
        "exit_placed",
        "exit_placed",
      ]);
      await r.pump(); // the stream repeats what the replies said: no change
      equal(r.fake.open(S).length, 3);
      equal(r.mgr.status(S).amount, "0.5");
    },
  );
  await t.step("the take-profit fires; siblings are cancelled", async () => {
    r.fake.setPrice(S, { bid: "100.4", ask: "100.5" }); // last 100.45 >= 100.4
    equal(r.fake.positionAmount(S), "0");
    await r.pump();
    deepEqual(r.fake.open(S), []);
    equal(r.mgr.status(S).exits.length, 0);
    equal(r.mgr.blocked(S), "cooldown");
  });
  await t.step("the cooldown holds, then a short entry goes", async () => {
    r.fake.setPrice(S, { bid: "99.9", ask: "100.0" });
    const skipped = await signal(r, "short", BAR + 60_000);
    deepEqual(actions(skipped), ["entry_skipped"]);
    equal(skipped[0]!.detail, "cooldown");
    r.advance(60_000);
    await signal(r, "short", BAR + 120_000);
    equal(r.fake.positionAmount(S), "-0.501"); // 0.5 * 99.9 < 50
    deepEqual(openSummary(r), [
      "STOP_MARKET BUY 0.501 100.2 RO", // 99.9 * 1.0025 = 100.14975 -> up
      "TAKE_PROFIT_MARKET BUY 0.501 99.5 RO", // 99.5004 -> down
      "TRAILING_STOP_MARKET BUY 0.501 trail RO",
    ]);
  });
  await t.step(
    "the stop (mark price) fires; siblings are cancelled",
    async () => {
      r.fake.setPrice(S, { bid: "100.1", ask: "100.2", mark: "100.2" });
      equal(r.fake.positionAmount(S), "0");
      await r.pump();
      deepEqual(r.fake.open(S), []);
    },
  );
  await t.step(
    "the trailing stop fires after activation; siblings cancelled",
    async () => {
      r.advance(60_000);
      r.fake.setPrice(S, { bid: "99.9", ask: "100.0" });
      await signal(r, "long", BAR + 240_000);
      equal(r.fake.positionAmount(S), "0.5");
      r.fake.setPrice(S, { bid: "100.25", ask: "100.35" }); // high 100.3 >= 100.2
      equal(r.fake.positionAmount(S), "0.5");
      r.fake.setPrice(S, { bid: "100.0", ask: "100.1" }); // 100.05 <= 100.3 * 0.998
      equal(r.fake.positionAmount(S), "0");
      await r.pump();
      deepEqual(r.fake.open(S), []);
      equal(r.mgr.blocked(S), "cooldown");
    },
  );
  await t.step("exactly one entry order per signal", () => {
    equal(r.fake.placed.filter((o) => o.type === "LIMIT").length, 3);
  });
});

Deno.test("OrderManager sizes exits to a partial fill", async (t) => {
  const r = rig();
  await t.step("an IOC filling 0.2 of 0.5 arms exits for 0.2", async () => {
    r.fake.limitNextFill(S, "0.2");
    await signal(r, "long", BAR);
    equal(r.fake.positionAmount(S), "0.2");
    deepEqual(r.fake.open(S).map((o) => o.quantity), ["0.2", "0.2", "0.2"]);
    await r.pump();
    equal(r.mgr.status(S).entry, "none");
    equal(r.mgr.blocked(S), "position_open");
  });
});

Deno.test("OrderManager never opens twice on an unknown entry outcome", async (t) => {
  await t.step(
    "reply lost, order placed: resolved by client id, no retry",
    async () => {
      const r = rig();
      r.fake.failNextPlace("lost_reply");
      const recs = await signal(r, "long", BAR);
      ok(actions(recs).includes("entry_unknown"));
      ok(actions(recs).includes("entry_resolved"));
      equal(r.fake.positionAmount(S), "0.5");
      equal(r.fake.open(S).length, 3);
      await r.pump();
      await signal(r, "long", BAR); // a retry of the same signal
      await signal(r, "long", BAR + 60_000); // the next bar's signal
      equal(r.fake.placed.filter((o) => o.type === "LIMIT").length, 1);
      equal(r.fake.positionAmount(S), "0.5");
    },
  );
  await t.step("transport error after execution: same outcome", async () => {
    const r = rig();
    r.fake.failNextPlace("throw_after");
    await signal(r, "short", BAR);
    await r.pump();
    await signal(r, "short", BAR + 60_000);
    equal(r.fake.placed.filter((o) => o.type === "LIMIT").length, 1);
    equal(r.fake.positionAmount(S), "-0.501");
  });
  await t.step(
    "request lost: entries blocked until resolved, then resume",
    async () => {
      const r = rig();
      r.fake.failNextPlace("lost_request");
      await signal(r, "long", BAR);
      equal(r.mgr.blocked(S), "entry_unknown");
      const again = await signal(r, "long", BAR + 60_000);
      equal(again[0]!.detail, "entry_unknown");
      equal(r.fake.placed.length, 1);
      r.advance(10_000);
      const rec = await r.mgr.reconcile();
      ok(
        rec.some((x) =>
          x.action === "entry_resolved" && x.detail === "not placed"
        ),
      );
      equal(r.mgr.blocked(S), undefined);
      await signal(r, "long", BAR + 120_000);
      equal(r.fake.positionAmount(S), "0.5");
    },
  );
  await t.step(
    "a duplicate signal is refused after the position closed",
    async () => {
      const r = rig({ cooldownMs: 0 });
      await signal(r, "long", BAR);
      r.fake.setPrice(S, { bid: "100.4", ask: "100.5" });
      await r.pump();
      r.fake.setPrice(S, { bid: "99.9", ask: "100.0" });
      const recs = await signal(r, "long", BAR);
      equal(recs[0]!.detail, "duplicate_signal");
    },
  );
});

Deno.test("OrderManager adopts and repairs on restart", async (t) => {
  await t.step(
    "open position, SL missing size, TP missing: repaired",
    async () => {
      const r = rig();
      r.fake.setPosition(S, "0.5", "100");
      r.fake.addOpenOrder({
        symbol: S,
        side: "SELL",
        type: "STOP_MARKET",
        quantity: "0.3",
        stopPrice: "99.7",
        workingType: "MARK_PRICE",
        reduceOnly: true,
        clientOrderId: "ak-BTCUSDT-old-LS",
      });
      const recs = await r.mgr.reconcile();
      ok(actions(recs).includes("position_adopted"));
      ok(r.fake.cancels.includes("ak-BTCUSDT-old-LS"));
      deepEqual(openSummary(r), [
        "STOP_MARKET SELL 0.5 99.7 RO",
        "TAKE_PROFIT_MARKET SELL 0.5 100.4 RO",
        "TRAILING_STOP_MARKET SELL 0.5 trail RO",
      ]);
      equal(r.mgr.blocked(S), "position_open");
      // a second reconcile changes nothing
      const placed = r.fake.placed.length;
      await r.pump();
      await r.mgr.reconcile();
      equal(r.fake.placed.length, placed);
    },
  );
  await t.step("a restart after our own run keeps correct exits", async () => {
    const r = rig();
    await signal(r, "short", BAR);
    const before = openSummary(r);
    r.restart();
    await r.mgr.reconcile();
    deepEqual(openSummary(r), before);
    equal(r.fake.placed.length, 4);
    equal(r.mgr.status(S).amount, "-0.501");
  });
  await t.step(
    "flat with leftover exits: cleaned, entries allowed",
    async () => {
      const r = rig();
      for (const type of ["STOP_MARKET", "TAKE_PROFIT_MARKET"] as const) {
        r.fake.addOpenOrder({
          symbol: S,
          side: "SELL",
          type,
          quantity: "0.5",
          stopPrice: type === "STOP_MARKET" ? "90" : "110",
          reduceOnly: true,
          clientOrderId: `leftover-${type}`,
        });
      }
      equal(r.fake.open(S).length, 2);
      equal(r.mgr.blocked(S), undefined);
      const recs = await r.mgr.reconcile();
      deepEqual(actions(recs), ["exit_cancelled", "exit_cancelled"]);
      deepEqual(r.fake.open(S), []);
      equal(r.mgr.blocked(S), undefined);
    },
  );
});

Deno.test("OrderManager closes at market when an exit would trigger (-2021)", async (t) => {
  await t.step(
    "adopted long below its stop: closed, siblings cancelled",
    async () => {
      const r = rig();
      r.fake.setPosition(S, "0.5", "100");
      r.fake.setPrice(S, { bid: "99.5", ask: "99.6" }); // mark 99.55 < SL 99.7
      const recs = await r.mgr.reconcile();
      ok(actions(recs).includes("exit_would_trigger"));
      ok(actions(recs).includes("market_close"));
      const close = r.fake.placed.find((o) => o.type === "MARKET")!;
      equal(close.reduceOnly, true);
      equal(close.side, "SELL");
      equal(close.quantity, "0.5");
      equal(r.fake.positionAmount(S), "0");
      await r.pump();
      deepEqual(r.fake.open(S), []);
    },
  );
});

Deno.test("OrderManager kill switch triggers at the threshold and blocks entries", async (t) => {
  const r = rig({ cooldownMs: 0 });
  await signal(r, "long", BAR);
  await t.step("above the threshold nothing happens", async () => {
    r.fake.setAccount({ totalMarginBalance: "121", totalMaintMargin: "100" });
    const { safetyMultiple, records } = await r.mgr.checkMargin();
    equal(safetyMultiple, 1.21);
    deepEqual(records, []);
    equal(r.fake.positionAmount(S), "0.5");
  });
  await t.step(
    "at 1.2: position closed, exits cancelled, entries blocked",
    async () => {
      r.fake.setAccount({ totalMarginBalance: "120", totalMaintMargin: "100" });
      const { records } = await r.mgr.checkMargin();
      equal(records[0]!.action, "kill_switch_triggered");
      ok(actions(records).includes("market_close"));
      equal(r.fake.positionAmount(S), "0");
      deepEqual(r.fake.open(S), []);
      await r.pump();
      equal(r.mgr.blocked(S), "kill_switch");
      const skipped = await signal(r, "long", BAR + 60_000);
      equal(skipped[0]!.detail, "kill_switch");
      equal(r.fake.placed.filter((o) => o.type === "LIMIT").length, 1);
    },
  );
  await t.step("the operator clears it; entries resume", async () => {
    r.fake.setAccount({ totalMarginBalance: "1000", totalMaintMargin: "0" });
    deepEqual(actions(await r.mgr.clearKillSwitch()), [
      "kill_switch_cleared",
    ]);
    await signal(r, "long", BAR + 120_000);
    equal(r.fake.positionAmount(S), "0.5");
  });
  await t.step("a configured pause ends by itself", async () => {
    const p = rig({ killPauseMs: 5_000, cooldownMs: 0 });
    p.fake.setAccount({ totalMarginBalance: "1", totalMaintMargin: "1" });
    await p.mgr.checkMargin();
    equal(p.mgr.blocked(S), "kill_switch");
    p.advance(5_000);
    equal(p.mgr.blocked(S), undefined);
  });
});

Deno.test("OrderManager.setup() sets leverage and margin type on every symbol", async (t) => {
  await t.step("defaults 10x ISOLATED, idempotent", async () => {
    const fake = new FakeExchange(() => 0);
    const mgr = new OrderManager(fake, {
      symbols: [btcInfo(), btcInfo({ symbol: "ETHUSDT" })],
      orderNotional: 50,
      tpBps: 40,
      slBps: 25,
    });
    await mgr.setup();
    await mgr.setup();
    deepEqual([...fake.leverage], [["BTCUSDT", 10], ["ETHUSDT", 10]]);
    deepEqual([...fake.marginType], [
      ["BTCUSDT", "ISOLATED"],
      ["ETHUSDT", "ISOLATED"],
    ]);
  });
  await t.step("invalid settings are refused at construction", () => {
    const fake = new FakeExchange(() => 0);
    const base = {
      symbols: [btcInfo()],
      orderNotional: 50,
      tpBps: 40,
      slBps: 25,
    };
    throws(
      () => new OrderManager(fake, { ...base, orderNotional: 0 }),
      RangeError,
    );
    throws(() => new OrderManager(fake, { ...base, leverage: 0 }), RangeError);
    throws(
      () =>
        new OrderManager(fake, {
          ...base,
          trailing: { activationBps: 10, callbackPct: 6 },
        }),
      RangeError,
    );
  });
});

Deno.test("OrderManager counts each fill once whatever the event order", async (t) => {
  await t.step(
    "position update before the order update of the same fill",
    async () => {
      const r = rig();
      await signal(r, "long", BAR);
      r.fake.takeEvents(); // the replies already told everything
      r.fake.setPrice(S, { bid: "100.4", ask: "100.5" }); // TP fires
      const evs = r.fake.takeEvents().reverse();
      equal(evs[0]!.kind, "position");
      for (const e of evs) await r.mgr.onEvent(e);
      await r.pump();
      equal(r.mgr.status(S).amount, "0");
      deepEqual(r.fake.open(S), []);
      equal(r.fake.positionAmount(S), "0");
    },
  );
  await t.step("a stale position update is ignored", async () => {
    const r = rig();
    await signal(r, "long", BAR);
    const early = r.fake.takeEvents().filter((e) => e.kind === "position");
    r.fake.setPrice(S, { bid: "100.4", ask: "100.5" });
    await r.pump();
    equal(r.mgr.status(S).amount, "0");
    for (const e of early) await r.mgr.onEvent(e); // late delivery of the old 0.5
    equal(r.mgr.status(S).amount, "0");
  });
});

Deno.test("OrderManager handles exit placement faults", async (t) => {
  await t.step(
    "a fresh entry whose TP is already crossed: closed at market",
    async () => {
      const r = rig();
      r.fake.failNextPlace("none");
      r.fake.failNextPlace({
        code: -2021,
        message: "Order would immediately trigger.",
      });
      const recs = await signal(r, "long", BAR);
      ok(actions(recs).includes("exit_would_trigger"));
      ok(actions(recs).includes("market_close"));
      equal(r.fake.positionAmount(S), "0");
      await r.pump();
      deepEqual(r.fake.open(S), []);
      equal(r.mgr.blocked(S), "cooldown");
    },
  );
  await t.step(
    "an exit's reply lost: found by client id, not duplicated",
    async () => {
      const r = rig();
      r.fake.failNextPlace("none");
      r.fake.failNextPlace("lost_reply");
      const recs = await signal(r, "long", BAR);
      ok(actions(recs).includes("exit_unknown"));
      await r.pump();
      await r.mgr.reconcile();
      deepEqual(openSummary(r), [
        "STOP_MARKET SELL 0.5 99.7 RO",
        "TAKE_PROFIT_MARKET SELL 0.5 100.4 RO",
        "TRAILING_STOP_MARKET SELL 0.5 trail RO",
      ]);
    },
  );
  await t.step("an exit's request lost: placed again at once", async () => {
    const r = rig();
    r.fake.failNextPlace("none");
    r.fake.failNextPlace("lost_request");
    await signal(r, "long", BAR);
    equal(r.fake.open(S).length, 3);
    equal(r.mgr.status(S).exits.every((e) => e.state === "open"), true);
  });
  await t.step(
    "an exit rejected otherwise is re-armed by reconcile",
    async () => {
      const r = rig();
      r.fake.failNextPlace("none");
      r.fake.failNextPlace({ code: -1001, message: "Internal error" });
      await signal(r, "long", BAR);
      equal(r.fake.open(S).length, 2);
      await r.mgr.reconcile();
      equal(r.fake.open(S).length, 3);
    },
  );
});

Deno.test("OrderManager.closeAll() leaves nothing open", async (t) => {
  await t.step("closes at market and cancels every exit", async () => {
    const r = rig();
    await signal(r, "short", BAR);
    const recs = await r.mgr.closeAll();
    ok(actions(recs).includes("market_close"));
    equal(r.fake.positionAmount(S), "0");
    deepEqual(r.fake.open(S), []);
    await r.pump();
    equal(r.mgr.status(S).exits.length, 0);
  });
});

Deno.test("OrderManager.reconcile() never acts on a snapshot older than its state", async (t) => {
  await t.step(
    "an entry filled while the snapshot was in flight keeps its exits",
    async () => {
      const r = rig();
      const pending = r.mgr.reconcile(); // snapshot taken now: flat, no orders
      await signal(r, "long", BAR); // fills and arms exits meanwhile
      await pending;
      equal(r.mgr.status(S).amount, "0.5");
      equal(r.fake.open(S).length, 3);
      await r.mgr.reconcile(); // a fresh snapshot agrees
      equal(r.fake.open(S).length, 3);
      equal(r.fake.cancels.length, 0);
    },
  );
});
