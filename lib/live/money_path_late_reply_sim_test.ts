/**
 * The money path on the simulator (issue 11): an entry whose placement reply is late or
 * lost while the exchange already filled it. Invariant (`OrderManager.onSignal`): the
 * symbol's lock is free while the entry's call is in flight, so the fill the user stream
 * brings arms the stop-loss at once, not after the reply (a transport timeout, 10 s
 * live); the reply applied later only adds what the stream did not bring.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  exitTypes,
  type MoneyRig,
  portWith,
  S,
  startMoneyRig,
} from "./_money_rig.ts";
import { portEvents } from "./trading_port.ts";
import { armMoneyFault } from "../sim/money_faults.ts";
import type { SimFaults } from "../sim/faults.ts";
import { openSocket } from "../sim/_test_util.ts";
import { parseUserEvent } from "../exchange/trading/user_events.ts";
import { waitUntil } from "../exchange/trading/_sim_rig.ts";
import type { UserEvent } from "../order/mod.ts";

/** The manager holds the engine's position, priced, with one exit of each kind, full size. */
function assertInLine(rig: MoneyRig, what: string): void {
  const amount = rig.amount();
  ok(amount > 0, what);
  equal(
    Number(rig.mgr.status(S).amount).toFixed(3),
    amount.toFixed(3),
    `amount ${what}`,
  );
  deepEqual(exitTypes(rig), [
    "STOP_MARKET",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
  ], what);
  for (const o of rig.exits()) {
    equal(Number(o.origQty).toFixed(3), amount.toFixed(3), o.origType);
  }
}

/**
 * After the late reply: in line, still after a reconcile, never closed at market, one
 * stop-loss placed in all.
 */
async function assertSettled(rig: MoneyRig): Promise<void> {
  assertInLine(rig, "after the reply");
  await rig.mgr.reconcile();
  assertInLine(rig, "after a reconcile");
  ok(!rig.actions().includes("market_close"));
  equal(
    rig.records.filter((r) =>
      r.action === "exit_placed" && r.detail === "STOP_MARKET"
    ).length,
    1,
    "one stop-loss placed",
  );
}

/** The port events of the user-stream messages received so far. */
function streamEvents(messages: readonly string[]): UserEvent[] {
  return messages.flatMap((m) => {
    const e = parseUserEvent(m);
    return e === undefined ? [] : portEvents(e);
  });
}

type Kind = "order" | "position";

const CASES: readonly [string, (f: SimFaults) => void, readonly Kind[]][] = [
  // `deno task sim --faults slow_reply`: the reply comes 3 s late (client timeout 5 s)
  ["the reply 3 s late", (f) => armMoneyFault(f, "slow_reply", S), [
    "order",
    "position",
  ]],
  // the reply never comes: the client's 5 s timeout, then queries by client order id
  [
    "the reply lost (client timeout)",
    (f) => f.loseNextOrderReply(1, { mode: "timeout" }),
    ["order", "position"],
  ],
  // only the position update arrives before the late reply (the order update is lost
  // with a stream drop): the reply's fill must not be counted on top of it
  [
    "the reply 3 s late, only the position update before it",
    (f) => armMoneyFault(f, "slow_reply", S),
    ["position"],
  ],
];

Deno.test("money path: a fill seen on the stream gets its stop while the entry's reply is outstanding", async (t) => {
  for (const [what, arm, kinds] of CASES) {
    await t.step(what, async () => {
      await using rig = await startMoneyRig({}, {}, S, {
        transport: { timeoutMs: 5_000 },
      });
      const key = await rig.sim.clients.v1.client.createListenKey();
      const ws = await openSocket(`${rig.sim.sim.wsUrl}/ws/${key}`);
      try {
        arm(rig.sim.sim.faults);
        let replied = false;
        const entry = rig.enter("long").finally(() => replied = true);
        // the exchange filled the entry: its updates are on the stream
        await ws.waitFor((m) =>
          m.includes('"X":"FILLED"') && m.includes('"R":false')
        );
        await ws.waitFor((m) => m.includes('"e":"ACCOUNT_UPDATE"'));
        const seen = performance.now();
        ok(!replied, "the entry's reply is still outstanding");
        ok(rig.amount() > 0, "the engine holds the position");
        for (const ev of streamEvents(ws.messages)) {
          if (kinds.includes(ev.kind)) void rig.mgr.onEvent(ev);
        }
        // invariant: a reduce-only stop on the exchange within 1 s of the known fill,
        // while the entry's reply is still outstanding
        await waitUntil(
          () =>
            rig.exits().some((o) =>
              o.origType === "STOP_MARKET" && o.reduceOnly
            ),
          `the stop-loss while the entry's reply is outstanding: ${
            rig.records.map((r) => `${r.action} ${r.detail}`).join("; ")
          }`,
          1_000,
        );
        ok(performance.now() - seen <= 1_000);
        ok(!replied, "the stop came before the entry's reply");
        // the pending entry still blocks another entry
        equal(rig.mgr.blocked(S), "entry_open");
        const records = await entry;
        // the entry was sent once, never again
        equal(
          records.filter((r) => r.action === "entry_placed").length,
          1,
          records.map((r) => `${r.action} ${r.detail}`).join("; "),
        );
        equal(rig.mgr.status(S).entry, "none");
        // the late reply added nothing the stream had brought: one position, one set
        await assertSettled(rig);
      } finally {
        await ws.close();
      }
    });
  }
});

Deno.test("money path: the kill switch does not wait for an entry in flight, and closes its late fill", async () => {
  // any margin trips it (threshold far above the account's safety multiple)
  await using rig = await startMoneyRig({ killThreshold: 1e12 }, {}, S, {
    transport: { timeoutMs: 5_000 },
  });
  armMoneyFault(rig.sim.sim.faults, "slow_reply", S);
  let replied = false;
  const entry = rig.enter("long").finally(() => replied = true);
  await waitUntil(() => rig.amount() > 0, "the entry's fill on the engine");
  // the margin check runs while the entry's reply is outstanding
  const { records } = await rig.mgr.checkMargin();
  ok(!replied, "the kill switch did not wait for the entry's reply");
  ok(records.some((r) => r.action === "kill_switch_triggered"));
  await entry;
  // invariant: the late reply's fill meets the tripped switch: closed at market
  equal(rig.amount(), 0, rig.actions().join(","));
  deepEqual(rig.exits(), []);
  equal(rig.mgr.blocked(S), "kill_switch");
});

Deno.test("money path: with the user stream down, a reconcile protects the fill of an entry whose reply is outstanding", async () => {
  // the user stream is down (reconnecting, listen key expired): the REST snapshot is the
  // only way the manager learns of the fill while the entry's reply is 3 s late
  await using rig = await startMoneyRig({}, {}, S, {
    transport: { timeoutMs: 5_000 },
  });
  armMoneyFault(rig.sim.sim.faults, "slow_reply", S);
  let replied = false;
  const entry = rig.enter("long").finally(() => replied = true);
  await waitUntil(() => rig.amount() > 0, "the engine's position", 2_000);
  const t0 = rig.sim.clock.now();
  await rig.mgr.reconcile();
  ok(!replied, "the entry's reply is still outstanding");
  // invariant: a position the exchange reports while the local view is flat and an entry
  // is in flight is that entry's fill: it is protected at once (stop-loss first), not
  // skipped until the reply
  ok(
    rig.exits().some((o) => o.origType === "STOP_MARKET" && o.reduceOnly),
    rig.records.map((r) => `${r.action} ${r.detail}`).join("; "),
  );
  ok(rig.sim.clock.now() - t0 <= 2_000);
  equal(rig.mgr.blocked(S), "entry_open");
  ok(!rig.actions().includes("position_adopted"), "the entry's own fill");
  await entry;
  // the late reply adds nothing the snapshot held
  await assertSettled(rig);
});

Deno.test("money path: a late entry reply stamped after the stream's snapshot of its fill is not counted twice", async () => {
  // the reply's updateTime is the order's last update (an IOC's end), the
  // ACCOUNT_UPDATE's the trade: the reply may be stamped 1 ms after the snapshot
  await using rig = await startMoneyRig(
    {
      wrapPort: (inner) =>
        portWith(inner, {
          placeOrder: async (spec) => {
            const r = await inner.placeOrder(spec);
            return r.kind === "placed" && spec.type === "LIMIT"
              ? {
                ...r,
                order: { ...r.order, updateTime: r.order.updateTime + 1 },
              }
              : r;
          },
        }),
    },
    {},
    S,
    { transport: { timeoutMs: 5_000 } },
  );
  const key = await rig.sim.clients.v1.client.createListenKey();
  const ws = await openSocket(`${rig.sim.sim.wsUrl}/ws/${key}`);
  try {
    armMoneyFault(rig.sim.sim.faults, "slow_reply", S);
    const entry = rig.enter("long");
    await ws.waitFor((m) => m.includes('"e":"ACCOUNT_UPDATE"'));
    // only the position update reaches the manager before the reply
    for (const ev of streamEvents(ws.messages)) {
      if (ev.kind === "position") await rig.mgr.onEvent(ev);
    }
    ok(rig.exits().some((o) => o.origType === "STOP_MARKET"));
    await entry;
    // invariant: a reply that adds a fill after a snapshot applied while it was in flight
    // is checked against the exchange's position (timestamps of a reply and a snapshot
    // need not be comparable): the position and the exits are the fill's, once
    assertInLine(rig, "after the reply");
  } finally {
    await ws.close();
  }
});

Deno.test("money path: closeAll() during an entry in flight closes the entry's fill too", async (t) => {
  for (const sameTick of [false, true]) {
    await t.step(
      sameTick ? "closeAll() in the same tick as the signal" : "after the fill",
      async () => {
        await using rig = await startMoneyRig({}, {}, S, {
          transport: { timeoutMs: 5_000 },
        });
        armMoneyFault(rig.sim.sim.faults, "slow_reply", S);
        const entry = rig.enter("long");
        if (!sameTick) {
          await waitUntil(
            () => rig.amount() > 0,
            "the entry's fill on the engine",
          );
        }
        // e.g. a shutdown that should leave nothing open, while the entry's reply is late
        const closed = await rig.mgr.closeAll();
        // invariant: closeAll() closes every position, also the one an entry in flight
        // opens: it waits for the entry's reply, then flattens
        equal(
          rig.amount(),
          0,
          closed.map((r) => `${r.action} ${r.detail}`).join("; "),
        );
        deepEqual(rig.exits(), []);
        ok(closed.some((r) => r.action === "position_closed"));
        await entry;
        equal(rig.amount(), 0);
        deepEqual(rig.exits(), []);
        equal(rig.mgr.status(S).amount, "0");
      },
    );
  }
});

Deno.test("money path: two position updates of one millisecond that disagree are settled by the exchange's position", async () => {
  // a fill split into two trades of one millisecond: the stream's updates arrive
  // newest first (a lagging stream racing a REST read of the same millisecond)
  await using rig = await startMoneyRig({ orderNotional: 300 }, {}, S, {
    transport: { timeoutMs: 5_000 },
  });
  const key = await rig.sim.clients.v1.client.createListenKey();
  const ws = await openSocket(`${rig.sim.sim.wsUrl}/ws/${key}`);
  try {
    rig.sim.sim.faults.splitNextFills(1);
    armMoneyFault(rig.sim.sim.faults, "slow_reply", S, 2_000, 1_500);
    const entry = rig.enter("long");
    await ws.waitFor((m) =>
      m.includes('"X":"FILLED"') && m.includes('"R":false')
    );
    await waitUntil(
      () =>
        ws.messages.filter((m) => m.includes('"e":"ACCOUNT_UPDATE"')).length >=
          2,
      "both trades' position updates",
    );
    const events = streamEvents(ws.messages);
    const positions = events.filter((e) => e.kind === "position");
    equal(positions.length, 2, "one position update per trade");
    equal(positions[0]!.time, positions[1]!.time, "of one millisecond");
    for (const ev of [...events].reverse()) await rig.mgr.onEvent(ev);
    // invariant: a snapshot of the same millisecond as the last one that disagrees with
    // it does not simply win: the exchange's position decides before the exits are sized
    equal(
      Number(rig.mgr.status(S).amount).toFixed(3),
      rig.amount().toFixed(3),
      rig.records.map((r) => `${r.action} ${r.detail}`).join("; "),
    );
    await entry;
    assertInLine(rig, "after the reply");
  } finally {
    await ws.close();
  }
});

Deno.test("money path: an entry whose outcome is unknown, resolved after the stream's snapshot of its fill, is not counted twice", async () => {
  // the reply is lost for good (every query of the client failed): the manager resolves
  // the entry by its client id; that order's updateTime is 1 ms after the trade's
  // position update the stream brought meanwhile
  await using rig = await startMoneyRig(
    {
      wrapPort: (inner) =>
        portWith(inner, {
          placeOrder: async (spec) => {
            const r = await inner.placeOrder(spec);
            return spec.type === "LIMIT"
              ? { kind: "unknown", message: "lost" }
              : r;
          },
          queryOrder: async (symbol, id) => {
            const o = await inner.queryOrder(symbol, id);
            return o && o.type === "LIMIT"
              ? { ...o, updateTime: o.updateTime + 1 }
              : o;
          },
        }),
    },
    {},
    S,
    { transport: { timeoutMs: 5_000 } },
  );
  const key = await rig.sim.clients.v1.client.createListenKey();
  const ws = await openSocket(`${rig.sim.sim.wsUrl}/ws/${key}`);
  try {
    armMoneyFault(rig.sim.sim.faults, "slow_reply", S, 2_000, 1_000);
    const entry = rig.enter("long");
    await ws.waitFor((m) => m.includes('"e":"ACCOUNT_UPDATE"'));
    for (const ev of streamEvents(ws.messages)) {
      if (ev.kind === "position") await rig.mgr.onEvent(ev);
    }
    const records = await entry;
    ok(records.some((r) => r.action === "entry_unknown"));
    ok(records.some((r) => r.action === "entry_resolved"));
    // invariant: a fill is counted once: a resolution that adds a fill after a snapshot
    // applied while the entry was out is checked against the exchange's position
    assertInLine(rig, "after the resolution");
  } finally {
    await ws.close();
  }
});

Deno.test("money path: the position read that checks a late entry reply never flattens a position on a lagging row", async () => {
  // the B case (the reply stamped 1 ms after the stream's snapshot of its fill) and the
  // read that settles it served by a lagging replica: the pre-fill row, flat
  let lag = 0;
  await using rig = await startMoneyRig(
    {
      wrapPort: (inner) =>
        portWith(inner, {
          placeOrder: async (spec) => {
            const r = await inner.placeOrder(spec);
            if (r.kind !== "placed" || spec.type !== "LIMIT") return r;
            lag = 1;
            return {
              ...r,
              order: { ...r.order, updateTime: r.order.updateTime + 1 },
            };
          },
          positionRisk: async (symbol) => {
            const rows = await inner.positionRisk(symbol);
            if (lag-- <= 0) return rows;
            return rows.map((r) => ({
              ...r,
              amount: "0",
              entryPrice: "0",
              updateTime: r.updateTime - 500,
            }));
          },
        }),
    },
    {},
    S,
    { transport: { timeoutMs: 5_000 } },
  );
  const key = await rig.sim.clients.v1.client.createListenKey();
  const ws = await openSocket(`${rig.sim.sim.wsUrl}/ws/${key}`);
  try {
    armMoneyFault(rig.sim.sim.faults, "slow_reply", S);
    const entry = rig.enter("long");
    await ws.waitFor((m) => m.includes('"e":"ACCOUNT_UPDATE"'));
    for (const ev of streamEvents(ws.messages)) {
      if (ev.kind === "position") await rig.mgr.onEvent(ev);
    }
    await entry;
    // invariant: a read stamped before the newest applied position update that shows
    // less never undoes it: the manager keeps a position (reduce-only exits at worst
    // larger than it), its stop stays, and the reconcile's snapshot settles the size
    ok(Number(rig.mgr.status(S).amount) > 0, rig.actions().join(","));
    ok(!rig.actions().includes("position_closed"), rig.actions().join(","));
    ok(rig.exits().some((o) => o.origType === "STOP_MARKET"));
    await rig.mgr.reconcile();
    assertInLine(rig, "after a reconcile");
  } finally {
    await ws.close();
  }
});

Deno.test("money path: with the user stream down, a tripped kill switch closes an in-flight entry's fill at the next reconcile", async () => {
  // any margin trips it (threshold far above the account's safety multiple)
  await using rig = await startMoneyRig({ killThreshold: 1e12 }, {}, S, {
    transport: { timeoutMs: 5_000 },
  });
  armMoneyFault(rig.sim.sim.faults, "slow_reply", S);
  let replied = false;
  const entry = rig.enter("long").finally(() => replied = true);
  await waitUntil(() => rig.amount() > 0, "the entry's fill on the engine");
  // the stream is down: at the trip the manager knows of no position to close
  await rig.mgr.checkMargin();
  ok(rig.amount() > 0);
  await rig.mgr.reconcile();
  ok(!replied, "the entry's reply is still outstanding");
  // invariant: the exchange's position while an entry is in flight is applied by the
  // reconcile, and the tripped switch closes it there, not after the reply
  equal(rig.amount(), 0, rig.actions().join(","));
  await entry;
  equal(rig.amount(), 0);
  deepEqual(rig.exits(), []);
  equal(rig.mgr.blocked(S), "kill_switch");
});
