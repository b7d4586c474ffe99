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
import { exitTypes, type MoneyRig, S, startMoneyRig } from "./_money_rig.ts";
import { portEvents } from "./trading_port.ts";
import { armMoneyFault } from "../sim/money_faults.ts";
import type { SimFaults } from "../sim/faults.ts";
import { openSocket } from "../sim/_test_util.ts";
import { parseUserEvent } from "../exchange/trading/user_events.ts";
import { waitUntil } from "../exchange/trading/_sim_rig.ts";

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
        for (const m of ws.messages) {
          const e = parseUserEvent(m);
          if (e === undefined) continue;
          for (const ev of portEvents(e)) {
            if (kinds.includes(ev.kind)) void rig.mgr.onEvent(ev);
          }
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
