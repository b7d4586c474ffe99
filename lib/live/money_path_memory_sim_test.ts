/**
 * The money path on the simulator: the order manager's memory of orders stays bounded
 * over many round trips (fill keys and client ids; see `lib/order/order_memory.ts`), and
 * what it forgets is never needed: a late duplicate report of an order within the window
 * (the stream's updates after the reply, the reply after the stream's) is not applied
 * twice, under the money-path faults that reorder them.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { manualMarket, S, startMoneyRig } from "./_money_rig.ts";
import { portEvents } from "./trading_port.ts";
import { armMoneyFault, type MoneyFault } from "../sim/money_faults.ts";
import { openSocket } from "../sim/_test_util.ts";
import { parseUserEvent } from "../exchange/trading/user_events.ts";
import {
  clientOrderId,
  type OrderRecord,
  type UserEvent,
} from "../order/mod.ts";

/** The port events of user-stream messages. */
function streamEvents(messages: readonly string[]): UserEvent[] {
  return messages.flatMap((m) => {
    const e = parseUserEvent(m);
    return e === undefined ? [] : portEvents(e);
  });
}

const ROUNDS = 24;
const RETENTION_MS = 60_000;
const KEPT = 4;
/** Simulated time between round trips: a key outlives about three of them. */
const STEP_MS = RETENTION_MS / 3;
const FAULTS: readonly (MoneyFault | undefined)[] = [
  undefined,
  "slow_reply",
  "same_ms_fills",
  "no_avg_price",
  "lost_reply",
];

Deno.test("money path: the memory of orders stays bounded over many round trips, and a late duplicate report is never applied twice", async () => {
  await using rig = await startMoneyRig(
    { fillRetentionMs: RETENTION_MS, fillKeysKept: KEPT },
    {},
    S,
    { transport: { timeoutMs: 5_000 } },
  );
  const key = await rig.sim.clients.v1.client.createListenKey();
  const ws = await openSocket(`${rig.sim.sim.wsUrl}/ws/${key}`);
  const fed = new Set<number>();
  /** Feeds the stream's messages [from, to) not fed yet; their records. */
  const feed = async (from: number, to: number): Promise<OrderRecord[]> => {
    const out: OrderRecord[] = [];
    for (let i = from; i < to; i++) {
      if (fed.has(i)) continue;
      fed.add(i);
      for (const ev of streamEvents([ws.messages[i]!])) {
        out.push(...await rig.mgr.onEvent(ev));
      }
    }
    return out;
  };
  const what = () =>
    rig.records.map((r) => `${r.action} ${r.detail}`).join("; ");
  const marks: number[] = [];
  const sizes: { fillKeys: number; usedIds: number }[] = [];
  let firstBar = 0;
  let lateFills = 0;
  let earlyFeeds = 0;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const fault = FAULTS[i % FAULTS.length];
      const start = ws.messages.length;
      if (fault === "slow_reply") {
        armMoneyFault(rig.sim.sim.faults, fault, S, 2_000, 400);
      } else if (fault) armMoneyFault(rig.sim.sim.faults, fault, S);
      const bar = rig.sim.clock.now() - 60_000;
      if (i === 0) firstBar = bar;
      const direction = i % 2 === 0 ? "long" : "short";
      const entry = rig.enter(direction, bar);
      if (fault === "slow_reply") {
        // the reply after the stream: the fill's updates reach the manager first (the
        // entry's FILLED update, then its position update)
        const id = clientOrderId(S, bar, direction, "entry");
        const filled = await ws.waitFor(
          (m) => m.includes(id) && m.includes('"X":"FILLED"'),
          5_000,
          start,
        );
        await ws.waitFor(
          (m) => m.includes('"e":"ACCOUNT_UPDATE"'),
          5_000,
          ws.messages.indexOf(filled),
        );
        const records = await feed(start, ws.messages.length);
        ok(records.some((r) => r.action === "position_changed"), what());
        earlyFeeds++;
      }
      const records = await entry;
      ok(
        records.some((r) => r.action === "entry_placed"),
        `round ${i}: ${what()}`,
      );
      ok(rig.amount() !== 0, `round ${i}: the entry filled`);
      equal(
        Number(rig.mgr.status(S).amount).toFixed(3),
        rig.amount().toFixed(3),
        `round ${i} after the entry: ${what()}`,
      );
      rig.sim.clock.advance(1_000);
      const closed = await rig.mgr.closeAll();
      equal(rig.amount(), 0, `round ${i}: closed`);
      deepEqual(rig.exits(), [], `round ${i}: no exit left`);
      // this round's fills are all on the stream (the close's is the last), so each is
      // fed exactly one round late, within the window
      const close = closed.find((r) => r.action === "market_close");
      ok(close?.clientOrderId, what());
      await ws.waitFor(
        (m) => m.includes(close.clientOrderId!) && m.includes('"X":"FILLED"'),
        5_000,
        start,
      );
      // the stream after the reply: the previous round's updates arrive only now, after
      // this round's orders (and the pruning at the end of each locked operation)
      marks.push(ws.messages.length);
      const late = await feed(marks[i - 2] ?? 0, marks[i - 1] ?? 0);
      lateFills += late.filter((r) =>
        r.action === "position_changed" && r.detail === "fill"
      ).length;
      // invariant: a late duplicate within the window adds nothing
      equal(rig.mgr.status(S).amount, "0", `round ${i}: ${what()}`);
      equal(lateFills, 0, `round ${i}: a late report counted again`);
      sizes.push(rig.mgr.memory(S));
      rig.sim.clock.advance(STEP_MS);
    }
    await new Promise((r) => setTimeout(r, 50));
    const late = await feed(0, ws.messages.length);
    equal(
      late.filter((r) => r.action === "position_changed" && r.detail === "fill")
        .length,
      0,
    );
    equal(rig.mgr.status(S).amount, "0");
  } finally {
    await ws.close();
  }
  ok(earlyFeeds >= 4);
  // every round trip adds two fill keys (entry, close) and five client ids (entry,
  // three exits, close); memory is bounded by the newest kept, the keys reported within
  // the retention and the current round's ids
  const maxKeys = Math.max(...sizes.map((s) => s.fillKeys));
  const maxIds = Math.max(...sizes.map((s) => s.usedIds));
  ok(
    maxKeys <= KEPT + 8,
    `fill keys per round: ${sizes.map((s) => s.fillKeys)}`,
  );
  ok(maxIds <= 6, `used ids per round: ${sizes.map((s) => s.usedIds)}`);
  // and a signal for an old bar is still a duplicate after its ids were compacted
  const again = await rig.enter("long", firstBar);
  deepEqual(again.map((r) => `${r.action} ${r.detail}`), [
    "entry_skipped duplicate_signal",
  ]);
});

Deno.test("money path: a resting order's key is kept while the order is open, so its next fill (a cumulative quantity) is not counted again after the prune", async () => {
  // every non-live key past 1 s could go: only the order's openness keeps it
  await using rig = await startMoneyRig({
    fillRetentionMs: 1_000,
    fillKeysKept: 0,
    orderNotional: 1_000,
  });
  ok((await rig.enter("long")).some((r) => r.action === "entry_placed"));
  const held = rig.amount();
  const step = 0.001;
  const lots = Math.round(held / step);
  ok(lots >= 8, `the entry holds ${held}`);
  equal(rig.exits().length, 3);
  // a manual GTC SELL limit of the account, partly filled twice: its trades on the engine
  // (MARKET stand-ins move the engine's position), and the stream's reports of the
  // resting order, each ORDER_TRADE_UPDATE before its ACCOUNT_UPDATE (same ms)
  const q1 = 3 * step;
  const q2 = (lots - 6) * step; // before the fix: held − q1 − (q1 + q2) = 0, "flat"
  const report = (cum: number, status: "PARTIALLY_FILLED") => {
    const time = rig.sim.clock.now();
    const order = {
      kind: "order" as const,
      time,
      order: {
        symbol: S,
        clientOrderId: "web_1",
        orderId: 990_001,
        side: "SELL" as const,
        type: "LIMIT" as const,
        status,
        quantity: (held / 2 + q2).toFixed(3),
        executedQty: cum.toFixed(3),
        avgPrice: "0",
        stopPrice: "0",
        reduceOnly: false,
        updateTime: time,
      },
    };
    const position = {
      kind: "position" as const,
      time,
      position: {
        symbol: S,
        amount: rig.amount().toFixed(3),
        entryPrice: "0",
        updateTime: time,
      },
    };
    return { order, position };
  };
  rig.sim.clock.advance(1_000);
  manualMarket(rig, "SELL", q1.toFixed(3));
  const first = report(q1, "PARTIALLY_FILLED");
  await rig.mgr.onEvent(first.order);
  await rig.mgr.onEvent(first.position);
  equal(Number(rig.mgr.status(S).amount).toFixed(3), rig.amount().toFixed(3));
  // the order rests past the retention; a reconcile (a locked operation) prunes
  rig.sim.clock.advance(5_000);
  await rig.mgr.reconcile();
  const from = rig.records.length;
  rig.sim.clock.advance(1_000);
  manualMarket(rig, "SELL", q2.toFixed(3));
  const second = report(q1 + q2, "PARTIALLY_FILLED");
  await rig.mgr.onEvent(second.order);
  // invariant: the order's report moves the position by its growth only (q2)
  equal(
    Number(rig.mgr.status(S).amount).toFixed(3),
    rig.amount().toFixed(3),
    rig.actions(from).join(","),
  );
  // not believed flat: no close recorded, and the position's exits stay on the exchange
  // (resized to it), not all cancelled
  const what = rig.records.slice(from).map((r) => `${r.action} ${r.detail}`)
    .join("; ");
  ok(!rig.actions(from).includes("position_closed"), what);
  equal(rig.exits().length, 3, what);
  await rig.mgr.onEvent(second.position);
  equal(Number(rig.mgr.status(S).amount).toFixed(3), rig.amount().toFixed(3));
  ok(rig.exits().length > 0, "the position keeps its exits");
});

Deno.test("money path: two positions adopted within one bar do not make that bar's signal a duplicate (adopted keys raise only the exit-id floor)", async () => {
  await using rig = await startMoneyRig();
  const bar = Math.floor(rig.sim.clock.now() / 60_000) * 60_000;
  for (let i = 0; i < 2; i++) {
    rig.sim.clock.advance(10_000);
    // a manual trade the manager does not see on the stream: the reconcile adopts it
    manualMarket(rig, "BUY", "0.002");
    const from = rig.records.length;
    await rig.mgr.reconcile();
    ok(rig.mgr.status(S).amount !== "0", rig.actions(from).join(","));
    await rig.mgr.closeAll();
    equal(rig.amount(), 0);
  }
  // the bar's signal at its close: no entry of that bar was ever sent
  rig.sim.clock.advance(bar + 61_000 - rig.sim.clock.now());
  const records = await rig.enter("long", bar);
  ok(
    records.some((r) => r.action === "entry_placed"),
    records.map((r) => `${r.action} ${r.detail}`).join("; "),
  );
  // and that bar's signal again is the duplicate (once its position is closed)
  await rig.mgr.closeAll();
  deepEqual(
    (await rig.enter("long", bar)).map((r) => `${r.action} ${r.detail}`),
    ["entry_skipped duplicate_signal"],
  );
});
