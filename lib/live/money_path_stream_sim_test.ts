/**
 * The money path on the simulator with its user stream (issue 11): the faults that
 * change what the stream carries — an entry filled as two trades in one millisecond
 * (`same_ms_fills`) and a fill without its average price (`no_avg_price`, REST reply and
 * stream `ap`). The stream's events are parsed by the project's parser and fed to the
 * order manager in the order the simulator sent them.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { type MoneyRig, S, startMoneyRig } from "./_money_rig.ts";
import { portEvents } from "./trading_port.ts";
import { armMoneyFault } from "../sim/money_faults.ts";
import { openSocket, type TestSocket } from "../sim/_test_util.ts";
import {
  parseUserEvent,
  type UserEvent,
} from "../exchange/trading/user_events.ts";

type OrderUpdate = Extract<UserEvent, { kind: "orderUpdate" }>;

/** The user stream of the rig's account. */
async function userStream(rig: MoneyRig): Promise<TestSocket> {
  const key = await rig.sim.clients.v1.client.createListenKey();
  return await openSocket(`${rig.sim.sim.wsUrl}/ws/${key}`);
}

/** Waits for the entry's final ORDER_TRADE_UPDATE; every parsed event so far. */
async function entryEvents(ws: TestSocket): Promise<UserEvent[]> {
  await ws.waitFor((m) =>
    m.includes('"X":"FILLED"') && m.includes('"R":false')
  );
  return ws.messages.map((m) => parseUserEvent(m)).filter((e) =>
    e !== undefined
  );
}

/** The engine's entry price of the position. */
function enginePrice(rig: MoneyRig): number {
  const rows = rig.sim.sim.trading.engine.positionRisk(rig.accountId, {
    symbol: S,
  }).body as { entryPrice: string }[];
  return Number(rows[0]!.entryPrice);
}

/** The position, its entry price and every exit are the engine's (SL 25 bp off). */
function assertInLine(rig: MoneyRig, what: string): void {
  const amount = rig.amount();
  const status = rig.mgr.status(S);
  equal(Number(status.amount).toFixed(3), amount.toFixed(3), `amount ${what}`);
  const entry = enginePrice(rig);
  equal(Number(status.entryPrice), entry, `entry price ${what}`);
  const exits = rig.exits();
  equal(exits.length, 3, what);
  for (const o of exits) {
    equal(
      Number(o.origQty).toFixed(3),
      amount.toFixed(3),
      `${o.origType} ${what}`,
    );
  }
  const sl = exits.find((o) => o.origType === "STOP_MARKET")!;
  ok(
    Math.abs(Number(sl.stopPrice) - entry * (1 - 25 / 1e4)) <= 0.1 + 1e-9,
    `SL ${sl.stopPrice} for entry ${entry} ${what}`,
  );
}

Deno.test("money path: an entry filled as two trades in one millisecond is sized and priced in full", async (t) => {
  for (const lost of [false, true]) {
    await t.step(
      lost
        ? "reply lost (the entry resolved by a query), then the stream"
        : "the reply, then the stream (first trade's ACCOUNT_UPDATE last)",
      async () => {
        await using rig = await startMoneyRig({ orderNotional: 1000 });
        const ws = await userStream(rig);
        try {
          armMoneyFault(rig.sim.sim.faults, "same_ms_fills", S);
          if (lost) armMoneyFault(rig.sim.sim.faults, "lost_reply", S);
          await rig.enter("long");
          const events = await entryEvents(ws);
          const trades = events.filter((e): e is OrderUpdate =>
            e.kind === "orderUpdate" && e.execType === "TRADE" &&
            !e.reduceOnly
          );
          // the fault: two trades of one order with one timestamp, the first partial
          equal(trades.length, 2, JSON.stringify(trades));
          equal(trades[0]!.orderId, trades[1]!.orderId);
          equal(trades[0]!.transactionTime, trades[1]!.transactionTime);
          ok(Number(trades[0]!.filledQty) < Number(trades[1]!.filledQty));
          equal(
            Number(trades[1]!.filledQty).toFixed(3),
            rig.amount().toFixed(3),
          );
          // every event in the stream's order; after each one the manager holds the
          // whole position, its entry price and full-size exits
          for (const e of events) {
            for (const ev of portEvents(e)) {
              await rig.mgr.onEvent(ev);
              if (!lost) assertInLine(rig, `after ${e.kind}`);
            }
          }
          assertInLine(rig, "after the stream");
          await rig.mgr.reconcile();
          assertInLine(rig, "after reconcile");
          ok(!rig.actions().includes("market_close"));
        } finally {
          await ws.close();
        }
      },
    );
  }
});

Deno.test("money path: a fill without avgPrice in the reply and the stream still gets its exits", async () => {
  await using rig = await startMoneyRig();
  const ws = await userStream(rig);
  try {
    armMoneyFault(rig.sim.sim.faults, "no_avg_price", S);
    await rig.enter("long");
    const events = await entryEvents(ws);
    const fills = events.filter((e): e is OrderUpdate =>
      e.kind === "orderUpdate" && !e.reduceOnly
    );
    ok(fills.length > 0);
    // the stream's updates of the entry carry no `ap` (parsed as 0); the exits' do
    deepEqual(fills.map((e) => e.avgPrice), fills.map(() => "0"));
    const raw = ws.messages.filter((m) => m.includes("ORDER_TRADE_UPDATE"));
    ok(!raw.some((m) => m.includes('"R":false') && m.includes('"ap":')));
    for (const e of events) {
      for (const ev of portEvents(e)) await rig.mgr.onEvent(ev);
    }
    assertInLine(rig, "after the stream");
    // only the entry lost it: the exits' updates carry `ap`
    ok(raw.some((m) => m.includes('"R":true') && m.includes('"ap":')));
  } finally {
    await ws.close();
  }
});
