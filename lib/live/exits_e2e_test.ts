/**
 * End to end on the simulator, one exit type at a time: a scripted 1m OHLCV market whose
 * signal bars and price path are known makes the bot enter with a LIMIT IOC, arm TP, SL
 * and trailing reduce-only with the filled quantity, and then one exit (and only that one)
 * triggers; the siblings are cancelled, a signal inside the cooldown is blocked and the
 * next one after it enters. Everything is asserted on the exchange (engine orders and the
 * user stream).
 *
 * The market: flat bars (no momentum: `ret_bps = 0`, so no signal with k = 0) at volume
 * 10, and signal bars that move 20 bp at volume 100 (> n = 2 × the average of the five
 * bars before). Live bar 2 signals, 3 is flat (the entry fills), 4 is the exit bar, 5 is
 * flat, 6 signals inside the 200 s cooldown, 7 is flat, 8 signals after it.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { OrderUpdateEvent, UserEvent } from "../exchange/trading/mod.ts";
import type { TrailingOptions } from "../order/mod.ts";
import {
  amountOf,
  engineOrder,
  flatBar,
  moveBar,
  type Rig,
  SCRIPT_START_MS,
  type ScriptBar,
  startScriptedRig,
  waitFor,
} from "./_test_rig.ts";

const SPEED = 180;
const HISTORY = 30;
const COOLDOWN_MS = 200_000;
const TICK = 0.01;
const MINUTE = 60_000;
const EXIT_TYPES = [
  "STOP_MARKET",
  "TAKE_PROFIT_MARKET",
  "TRAILING_STOP_MARKET",
];

/** Open time of live bar `i`. */
function liveOpen(i: number): number {
  return SCRIPT_START_MS + (HISTORY + i) * MINUTE;
}

/** The live bars of a cycle in direction `dir` around `exit` (live bar 4). */
function cycleBars(dir: 1 | -1, exit: ScriptBar): ScriptBar[] {
  const p1 = 100 + dir * 0.2;
  const x = exit.close;
  const x1 = x + dir * 0.2, x2 = x + dir * 0.4;
  return [
    flatBar(100),
    flatBar(100),
    moveBar(100, p1, 100), // 2: signal → entry
    flatBar(p1), // 3: the entry fills, exits armed
    exit, // 4: the exit
    flatBar(x),
    moveBar(x, x1, 100), // 6: signal inside the cooldown
    flatBar(x1),
    moveBar(x1, x2, 100), // 8: signal after the cooldown → next entry
    flatBar(x2),
    flatBar(x2),
    flatBar(x2),
    flatBar(x2),
  ];
}

interface Cycle {
  readonly dir: 1 | -1;
  readonly exit: ScriptBar;
  readonly exitType: string;
  readonly tpBps: number;
  readonly slBps: number;
  readonly trailing: TrailingOptions;
  /** Where the exit's market fill must land: the scripted path past its level. */
  readonly fillWithin: readonly [number, number];
}

function orderEvents(events: readonly UserEvent[]): OrderUpdateEvent[] {
  return events.filter((e): e is OrderUpdateEvent => e.kind === "orderUpdate");
}

/** Client ids of the entries (LIMIT orders) the exchange saw, in order. */
function entryIds(events: readonly UserEvent[]): string[] {
  const ids: string[] = [];
  for (const e of orderEvents(events)) {
    if (e.origType === "LIMIT" && !ids.includes(e.clientOrderId)) {
      ids.push(e.clientOrderId);
    }
  }
  return ids;
}

function openExits(rig: Rig) {
  return rig.openOrders().filter((o) => o.reduceOnly).sort((a, b) =>
    a.origType.localeCompare(b.origType)
  );
}

function near(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= TICK + 1e-9,
    `${what}: ${actual} is not within a tick of ${expected}`,
  );
}

async function runCycle(t: Deno.TestContext, c: Cycle): Promise<void> {
  const events: UserEvent[] = [];
  const history = Array.from({ length: HISTORY }, () => flatBar(100));
  const rig = await startScriptedRig(history, cycleBars(c.dir, c.exit), {
    speed: SPEED,
    config: {
      params: {
        k: 0,
        n: 2,
        t: 5,
        v: 5,
        maxSpreadBps: 1000,
        maxFundingBps: 1000,
      },
      tpBps: c.tpBps,
      slBps: c.slBps,
      trailing: c.trailing,
      cooldownMs: COOLDOWN_MS,
      orderNotional: 20,
    },
    deps: { onUserEvent: (e) => events.push(e) },
  });
  const long = c.dir === 1;
  const entrySide = long ? "BUY" : "SELL";
  const exitSide = long ? "SELL" : "BUY";
  try {
    let entryId = "";
    let qty = "";
    let avg = 0;
    await t.step(
      "the signal bar's close sends a LIMIT IOC that fills",
      async () => {
        await waitFor(
          () => entryIds(events).length >= 1 && amountOf(rig) !== 0,
          "the entry fill",
        );
        entryId = entryIds(events)[0]!;
        const o = engineOrder(rig, entryId);
        assert.equal(o.origType, "LIMIT");
        assert.equal(o.timeInForce, "IOC");
        assert.equal(o.side, entrySide);
        assert.equal(o.reduceOnly, false);
        // the touch may hold less than the order (see partial_fill_e2e_test.ts)
        assert.ok(
          o.status === "FILLED" ||
            (o.status === "EXPIRED" && Number(o.executedQty) > 0),
          `entry ${o.status} ${o.executedQty}/${o.origQty}`,
        );
        // at the touch after the signal bar: the bar's close
        near(Number(o.price), 100 + c.dir * 0.2, "entry limit");
        assert.ok(o.time! >= liveOpen(3), `entry at ${o.time}`);
        qty = o.executedQty;
        avg = Number(o.avgPrice);
        assert.equal(amountOf(rig), c.dir * Number(qty));
        // the journal row follows the order's reply
        await waitFor(
          () => rig.decisions.some((r) => r.barOpenTime === liveOpen(2)),
          "the decision on bar 2",
        );
        const d = rig.decisions.find((r) => r.barOpenTime === liveOpen(2))!;
        assert.equal(d.decision.side, long ? "long" : "short");
        assert.equal(d.action, "entry_placed");
        assert.ok(
          rig.decisions.filter((r) => r.barOpenTime < liveOpen(2))
            .every((r) => r.decision.side === "none"),
          "flat bars never signal",
        );
      },
    );

    await t.step(
      "TP, SL and trailing armed reduce-only with the filled quantity",
      async () => {
        await waitFor(() => openExits(rig).length === 3, "three exits");
        const [sl, tp, trail] = openExits(rig);
        assert.deepEqual(
          [sl!.origType, tp!.origType, trail!.origType],
          EXIT_TYPES,
        );
        for (const o of [sl!, tp!, trail!]) {
          assert.equal(o.reduceOnly, true, o.origType);
          assert.equal(o.side, exitSide, o.origType);
          assert.equal(o.origQty, qty, o.origType);
        }
        assert.equal(tp!.workingType, "CONTRACT_PRICE");
        assert.equal(sl!.workingType, "MARK_PRICE");
        near(Number(tp!.stopPrice), avg * (1 + c.dir * c.tpBps / 1e4), "TP");
        near(Number(sl!.stopPrice), avg * (1 - c.dir * c.slBps / 1e4), "SL");
        near(
          Number(trail!.activatePrice),
          avg * (1 + c.dir * c.trailing.activationBps / 1e4),
          "trailing activation",
        );
        assert.equal(Number(trail!.priceRate), c.trailing.callbackPct);
        // armed right after the fill (sim ms; ~1 s measured at this speed)
        const filledAt = engineOrder(rig, entryId).updateTime;
        for (const o of [sl!, tp!, trail!]) {
          assert.ok(
            o.time! - filledAt <= 10_000,
            `${o.origType} armed ${o.time! - filledAt} ms after the fill`,
          );
        }
      },
    );

    let exitTime = 0;
    await t.step(
      `${c.exitType} fills; its siblings are cancelled`,
      async () => {
        const exitIds = new Map(
          openExits(rig).map((o) => [o.origType, o.clientOrderId]),
        );
        const isExitFill = (e: OrderUpdateEvent) =>
          e.execType === "TRADE" && EXIT_TYPES.includes(e.origType);
        await waitFor(
          () => orderEvents(events).some(isExitFill),
          `the ${c.exitType} fill`,
        );
        const fills = orderEvents(events).filter(isExitFill);
        assert.deepEqual(
          [...new Set(fills.map((e) => e.origType))],
          [c.exitType],
          "only the intended exit fills",
        );
        const filled = engineOrder(rig, exitIds.get(c.exitType)!);
        assert.equal(filled.status, "FILLED");
        assert.equal(filled.executedQty, qty);
        assert.equal(amountOf(rig), 0);
        exitTime = filled.updateTime;
        const [lo, hi] = c.fillWithin;
        const px = Number(filled.avgPrice);
        assert.ok(px >= lo && px <= hi, `exit filled at ${px}`);
        assert.ok(
          exitTime >= liveOpen(4) && exitTime < liveOpen(5),
          `exit at ${exitTime - liveOpen(4)} ms into bar 4`,
        );
        await waitFor(
          () => rig.openOrders().length === 0,
          "siblings cancelled",
        );
        for (const [type, id] of exitIds) {
          if (type === c.exitType) continue;
          const o = engineOrder(rig, id);
          assert.equal(o.status, "CANCELED", type);
          assert.equal(Number(o.executedQty), 0, type);
          // sim ms: ~1 s measured (a few real ms at this speed); 10 s = 55 real ms
          assert.ok(
            o.updateTime - exitTime <= 10_000,
            `${type} outlived the position by ${o.updateTime - exitTime} ms`,
          );
        }
      },
    );

    await t.step("a signal inside the cooldown is blocked", async () => {
      await waitFor(
        () => rig.decisions.some((r) => r.barOpenTime === liveOpen(6)),
        "the decision on bar 6",
      );
      const d = rig.decisions.find((r) => r.barOpenTime === liveOpen(6))!;
      assert.equal(d.decision.side, long ? "long" : "short");
      assert.equal(d.action, "blocked");
      assert.equal(d.detail, "cooldown");
      assert.ok(d.timeMs - exitTime < COOLDOWN_MS);
      assert.equal(entryIds(events).length, 1, "no entry on the exchange");
      assert.equal(rig.openOrders().length, 0);
    });

    await t.step(
      "the next signal after the cooldown enters again",
      async () => {
        await waitFor(() => entryIds(events).length >= 2, "the next entry");
        const o = engineOrder(rig, entryIds(events)[1]!);
        assert.equal(o.side, entrySide);
        assert.equal(o.timeInForce, "IOC");
        assert.ok(
          o.time! - exitTime >= COOLDOWN_MS,
          `next entry ${o.time! - exitTime} ms after the exit`,
        );
        assert.ok(o.time! >= liveOpen(9), `next entry at ${o.time}`);
        // the journal row follows the order's reply
        await waitFor(
          () => rig.decisions.some((r) => r.barOpenTime === liveOpen(8)),
          "the decision on bar 8",
        );
        const d = rig.decisions.find((r) => r.barOpenTime === liveOpen(8))!;
        assert.equal(d.action, "entry_placed");
        await waitFor(
          () => openExits(rig).length === 3,
          "the next position's exits",
        );
        assert.equal(
          Math.abs(amountOf(rig)),
          Number(engineOrder(rig, o.clientOrderId).executedQty),
        );
      },
    );
  } finally {
    await rig.close();
  }
}

Deno.test("LiveSession take-profit cycle on a scripted market: TP fills, SL and trailing cancelled", async (t) => {
  await runCycle(t, {
    dir: 1,
    // up 70 bp: crosses the TP (+50 bp), not the trailing activation (+150 bp)
    exit: moveBar(100.2, 100.9),
    exitType: "TAKE_PROFIT_MARKET",
    // sold at the bid once the last price reached the TP (100.71) on the way to 100.9
    fillWithin: [100.69, 100.9],
    tpBps: 50,
    slBps: 50,
    trailing: { activationBps: 150, callbackPct: 0.5 },
  });
});

Deno.test("LiveSession stop-loss cycle on a scripted market: a short's mark-price SL fills, TP and trailing cancelled", async (t) => {
  await runCycle(t, {
    dir: -1,
    // a short from 99.8; up 80 bp crosses the SL (+50 bp on the mark ≈ last + 1 bp)
    exit: moveBar(99.8, 100.6),
    exitType: "STOP_MARKET",
    // bought at the ask once the mark reached the SL (100.30) on the way to 100.6
    fillWithin: [100.2, 100.61],
    tpBps: 50,
    slBps: 50,
    trailing: { activationBps: 150, callbackPct: 0.5 },
  });
});

Deno.test("LiveSession trailing cycle on a scripted market: activation then callback fills the trailing stop", async (t) => {
  await runCycle(t, {
    dir: 1,
    // up 50 bp (activation +20 bp, TP +100 bp not reached), back to the entry:
    // the 0.2 % callback from the high fires long before the SL (-100 bp)
    exit: { open: 100.2, high: 100.7, low: 100.2, close: 100.2, volume: 10 },
    exitType: "TRAILING_STOP_MARKET",
    // sold on the way down from 100.7, 0.2 % off the high, above the entry (100.2)
    fillWithin: [100.21, 100.7 * 0.998],
    tpBps: 100,
    slBps: 100,
    trailing: { activationBps: 20, callbackPct: 0.2 },
  });
});
