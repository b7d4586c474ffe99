/**
 * The money path on the simulator (issue 11, the review's lower-severity findings): a
 * stop-loss refused as reduce-only (`-2022`), a first stop-loss whose outcome is unknown,
 * a reconcile snapshot older than a late entry fill, a local clock step. Each test states
 * the invariant it holds (see `OrderManager#sync`).
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  exitTypes,
  manualMarket,
  type MoneyRig,
  portWith,
  S,
  startMoneyRig,
} from "./_money_rig.ts";
import { armMoneyFault } from "../sim/money_faults.ts";
import type { ExchangePort } from "../order/mod.ts";

Deno.test("money path: a stop-loss refused as reduce-only (-2022) while the position is open is placed again", async () => {
  await using rig = await startMoneyRig({ noTrailing: true });
  // a transient -2022 on the stop (the exchange momentarily sees no position)
  rig.sim.sim.faults.rejectNextOrders(1, { type: "STOP_MARKET", code: -2022 });
  await rig.enter("long");
  ok(rig.amount() > 0);
  ok(rig.actions().includes("exit_rejected"), rig.actions().join(","));
  // invariant: the position is read over REST and, still open, protected at once
  deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
  deepEqual(rig.mgr.unprotected(), []);
  ok(!rig.actions().includes("market_close"));
});

Deno.test("money path: a stop-loss refused as reduce-only (-2022) on a flat exchange cleans up", async () => {
  await using rig = await startMoneyRig({ noTrailing: true });
  const start = rig.sim.clock.now();
  // the manager believes in a position the exchange no longer holds (a stale update)
  await rig.mgr.onEvent({
    kind: "position",
    position: {
      symbol: S,
      amount: "0.001",
      entryPrice: "100000",
      updateTime: rig.sim.clock.now(),
    },
    time: rig.sim.clock.now(),
  });
  equal(rig.amount(), 0);
  ok(rig.actions().includes("exit_rejected"), rig.actions().join(","));
  // invariant: the exchange's flat answer, older than the update the manager applied,
  // is refused while the back-off lasts (it could be a lagging read) and taken once it
  // persists through the back-off (250 + 500 + 1000 ms, the manual clock): nothing left
  const actions = rig.actions().join(",");
  equal(
    rig.actions().filter((a) => a === "error").length,
    3,
    `one refused read per back-off step: ${actions}`,
  );
  ok(rig.sim.clock.now() - start >= 1_750, actions);
  equal(rig.actions().at(-1), "position_closed", actions);
  equal(rig.mgr.status(S).amount, "0");
  deepEqual(rig.mgr.unprotected(), []);
  deepEqual(rig.exits(), []);
  equal(rig.mgr.blocked(S), undefined);
});

/**
 * A port wrapper whose next `n` position reads lag: the pre-fill row (amount 0, stamped
 * 500 ms before the row the exchange holds).
 */
function laggingReads(): {
  wrap: (inner: ExchangePort) => ExchangePort;
  next: (n: number) => void;
} {
  let lag = 0;
  return {
    wrap: (inner) =>
      portWith(inner, {
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
    next: (n) => lag = n,
  };
}

/** A port wrapper whose next `n` position reads fail (HTTP 503). */
function failingReads(): {
  wrap: (inner: ExchangePort) => ExchangePort;
  next: (n: number) => void;
} {
  let fail = 0;
  return {
    wrap: (inner) =>
      portWith(inner, {
        positionRisk: (symbol) =>
          fail-- > 0
            ? Promise.reject(new Error("HTTP 503"))
            : inner.positionRisk(symbol),
      }),
    next: (n) => fail = n,
  };
}

/** Opens a long of `qty` on the engine by hand (not through the manager). */
function manualLong(rig: MoneyRig, qty: string): string {
  manualMarket(rig, "BUY", qty);
  const rows = rig.sim.sim.trading.engine.positionRisk(rig.accountId, {
    symbol: S,
  }).body as { entryPrice: string }[];
  return rows[0]!.entryPrice;
}

Deno.test("money path: a first stop-loss with an unknown outcome is resolved and placed at once", async () => {
  await using rig = await startMoneyRig({ noTrailing: true });
  const entryPrice = manualLong(rig, "0.001");
  // the stop's placement fails (503, it never reached the engine), and so do the
  // client's three resolving queries and the manager's first query
  rig.sim.sim.faults.failNext(5, { status: 503 });
  const t0 = rig.sim.clock.now();
  await rig.mgr.onEvent({
    kind: "position",
    position: { symbol: S, amount: "0.001", entryPrice, updateTime: t0 },
    time: t0,
  });
  ok(rig.actions().includes("exit_unknown"), rig.actions().join(","));
  // invariant: resolved by its client id without waiting for a reconcile, and placed
  // again once the exchange says it does not hold it
  ok(exitTypes(rig).includes("STOP_MARKET"), rig.actions().join(","));
  equal(rig.exits().filter((o) => o.origType === "STOP_MARKET").length, 1);
  ok(rig.sim.clock.now() - t0 <= 2_000, "within the alarm's 2 s");
  deepEqual(rig.mgr.unprotected(), []);
});

Deno.test("money path: a reconcile snapshot older than a late entry fill never resets the position", async () => {
  // between the reconcile's position snapshot and its locked part, the entry whose
  // outcome was unknown reaches the exchange and fills (it arrived late)
  let lateEntry: (() => void) | undefined;
  await using rig = await startMoneyRig({
    noTrailing: true,
    wrapPort: (inner) =>
      portWith(inner, {
        positionRisk: async (symbol) => {
          const rows = await inner.positionRisk(symbol);
          lateEntry?.();
          lateEntry = undefined;
          return rows;
        },
      }),
  });
  // the entry's placement and every query about it fail: its outcome stays unknown
  rig.sim.sim.faults.failNext(5, { status: 503 });
  await rig.enter("long");
  equal(rig.mgr.status(S).entry, "unknown", rig.actions().join(","));
  equal(rig.amount(), 0, "it never reached the engine");
  const rec = rig.records.find((r) => r.action === "entry_unknown")!;
  lateEntry = () => {
    const r = rig.sim.sim.trading.engine.newOrder(rig.accountId, {
      symbol: S,
      side: "BUY",
      type: "LIMIT",
      timeInForce: "IOC",
      price: String(rec.data!["price"]),
      quantity: String(rec.data!["quantity"]),
      newClientOrderId: rec.clientOrderId!,
    }, rig.sim.clock.now());
    equal(r.status, 200, JSON.stringify(r.body));
  };
  await rig.mgr.reconcile();
  ok(rig.amount() > 0, "the late entry filled after the snapshot");
  // invariant: the older snapshot does not undo the fill: the manager holds the
  // position and it has its stop-loss, without waiting for the next reconcile
  equal(
    Number(rig.mgr.status(S).amount).toFixed(3),
    rig.amount().toFixed(3),
    rig.actions().join(","),
  );
  deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
  equal(rig.mgr.status(S).entry, "none");
});

for (const scheme of ["v1", "v3"] as const) {
  Deno.test(`money path: a local clock step over 5 s while running is followed, not refused for good (${scheme})`, async () => {
    // the live bot's time-sync limits: 5 s offset, 1 s jump; V3: the nonce is bounded by
    // the local clock as the live session bounds it
    await using rig = await startMoneyRig(
      {
        noTrailing: true,
        orderNotional: 1000,
        scheme,
      },
      {},
      S,
      {},
      {
        maxOffsetMs: 5_000,
        maxJumpMs: 1_000,
      },
    );
    await rig.sync.start();
    await rig.enter("long");
    deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
    // the local clock steps 12 s back (a VM resume): every signed request is refused
    // (V1 -1021 outside the 5 s recvWindow, V3 outside the ±10 s nonce window)
    rig.sim.sim.faults.skewMs(12_000);
    // a manual partial close (e.g. from the web UI): the exits need a resize
    manualMarket(rig, "SELL", "0.004", { reduceOnly: "true" });
    // invariant: within a few reconciles the offset is re-measured (a step is confirmed by
    // a second measurement) and signed requests work again
    let ok2 = false;
    const errors: string[] = [];
    for (let i = 0; i < 4 && !ok2; i++) {
      rig.sim.clock.advance(5_000);
      try {
        await rig.mgr.reconcile();
        ok2 = true;
      } catch (e) {
        errors.push(String(e));
      }
    }
    ok(ok2, errors.join("\n"));
    ok(Math.abs(rig.sync.offsetMs - 12_000) < 1_000, `${rig.sync.offsetMs}`);
    deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
    equal(
      Number(rig.mgr.status(S).amount).toFixed(3),
      rig.amount().toFixed(3),
    );
    for (const o of rig.exits()) {
      equal(Number(o.origQty).toFixed(3), rig.amount().toFixed(3), o.origType);
    }
  });
}

Deno.test("money path: a fill without avgPrice and a failed position read is still protected", async () => {
  const failing = failingReads();
  await using rig = await startMoneyRig({
    noTrailing: true,
    wrapPort: failing.wrap,
  });
  // the entry's reply has no avgPrice, and the position read that would bring it fails
  armMoneyFault(rig.sim.sim.faults, "no_avg_price", S);
  failing.next(1);
  await rig.enter("long");
  ok(rig.amount() > 0);
  // invariant: the exits are priced from the entry's limit (a buy fills at or below it:
  // the stop is never looser than asked) rather than left off the exchange
  deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
  const limit = Number(
    rig.records.find((r) => r.action === "entry_placed")!.data!["price"],
  );
  const sl = rig.exits().find((o) => o.origType === "STOP_MARKET")!;
  ok(
    Math.abs(Number(sl.stopPrice) - limit * (1 - 25 / 1e4)) <= 0.1 + 1e-9,
    `SL ${sl.stopPrice} for limit ${limit}`,
  );
  deepEqual(rig.mgr.unprotected(), []);
});

Deno.test("money path: a stop-loss whose placement never reached the exchange is sent again at once", async () => {
  // the live client's resolve delays: 250, 500, 1000, 2000, 4000 ms of queries
  await using rig = await startMoneyRig({ noTrailing: true }, {}, S, {
    resolveDelaysMs: [250, 500, 1_000, 2_000, 4_000],
  });
  const entryPrice = manualLong(rig, "0.001");
  // a gateway 503 before the engine: the stop was never placed
  rig.sim.sim.faults.failNext(1, { status: 503 });
  const t0 = performance.now();
  const t = rig.sim.clock.now();
  await rig.mgr.onEvent({
    kind: "position",
    position: { symbol: S, amount: "0.001", entryPrice, updateTime: t },
    time: t,
  });
  const ms = performance.now() - t0;
  // invariant: a reduce-only order's resolution ends at the first "not found" and the
  // stop is sent again, well within the 2 s alarm (not after 7.75 s of queries)
  equal(rig.exits().filter((o) => o.origType === "STOP_MARKET").length, 1);
  ok(ms < 2_000, `the stop-loss took ${Math.round(ms)} ms`);
  ok(rig.actions().includes("exit_unknown"), rig.actions().join(","));
});

Deno.test("money path: a transient -2022 on the stop-loss with a lagging position read keeps the position", async () => {
  // the moment the exchange's order service does not see the position yet (-2022) is
  // when a position read served by a lagging replica shows it flat too: one read returns
  // the pre-fill row (amount 0, stamped before the fill)
  const lagging = laggingReads();
  await using rig = await startMoneyRig({
    noTrailing: true,
    wrapPort: lagging.wrap,
  });
  rig.sim.sim.faults.rejectNextOrders(1, { type: "STOP_MARKET", code: -2022 });
  lagging.next(1);
  await rig.enter("long");
  ok(rig.amount() > 0);
  ok(rig.actions().includes("exit_rejected"), rig.actions().join(","));
  // invariant: a position read older than the last applied fill never undoes that fill
  // (a reduce-only refusal cannot mean the fill did not happen): the manager keeps the
  // position, protects it, and blocks another entry on top of it
  equal(
    Number(rig.mgr.status(S).amount).toFixed(3),
    rig.amount().toFixed(3),
    rig.actions().join(","),
  );
  ok(!rig.actions().includes("position_closed"), rig.actions().join(","));
  deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
  equal(rig.mgr.blocked(S), "position_open");
  const before = rig.amount();
  const again = await rig.enter("long", rig.sim.clock.now());
  deepEqual(again.map((r) => r.action), ["entry_skipped"]);
  equal(rig.amount(), before, "no second entry on top of the position");
});

Deno.test("money path: a take-profit refused as reduce-only (-2022) while the stop-loss is live is paused, not read and retried under the lock", async () => {
  let reads = 0;
  await using rig = await startMoneyRig({
    noTrailing: true,
    wrapPort: (inner) =>
      portWith(inner, {
        positionRisk: (symbol) => {
          reads++;
          return inner.positionRisk(symbol);
        },
      }),
  });
  // every take-profit is refused as reduce-only; the stop-loss is accepted
  rig.sim.sim.faults.rejectNextOrders(1_000, {
    type: "TAKE_PROFIT_MARKET",
    code: -2022,
  });
  const t0 = rig.sim.clock.now();
  await rig.enter("long");
  const tpTries = () =>
    rig.records.filter((r) =>
      r.action === "exit_rejected" && r.data?.["purpose"] === "tp"
    ).length;
  // invariant: with the stop-loss live, a -2022 on the take-profit (or trailing stop)
  // pauses that exit like a crossed one: no position read, no back-off under the
  // symbol's lock, the position and its stop stay
  deepEqual(exitTypes(rig), ["STOP_MARKET"]);
  equal(tpTries(), 1, rig.actions().join(","));
  equal(reads, 0, "no position read");
  equal(rig.sim.clock.now() - t0, 0, "no back-off");
  ok(!rig.actions().includes("position_closed"));
  // the reconciles within the pause do not try it again; after it, once per pause
  for (let i = 0; i < 4; i++) {
    rig.sim.clock.advance(1_000);
    await rig.mgr.reconcile();
  }
  equal(tpTries(), 1, rig.actions().join(","));
  rig.sim.clock.advance(1_500);
  await rig.mgr.reconcile();
  equal(tpTries(), 2, rig.actions().join(","));
  deepEqual(exitTypes(rig), ["STOP_MARKET"]);
  deepEqual(rig.mgr.unprotected(), []);
  equal(Number(rig.mgr.status(S).amount).toFixed(3), rig.amount().toFixed(3));
});

Deno.test("money path: an entry's limit price never prices the exits of a later position", async () => {
  const failing = failingReads();
  await using rig = await startMoneyRig({
    noTrailing: true,
    wrapPort: failing.wrap,
  });
  // an entry without avgPrice and a failed read: its exits are priced from its limit
  armMoneyFault(rig.sim.sim.faults, "no_avg_price", S);
  failing.next(1);
  await rig.enter("long");
  deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
  // closed on the exchange (e.g. from the web UI); only the position update arrives
  manualMarket(rig, "SELL", String(rig.amount()), { reduceOnly: "true" });
  let t = rig.sim.clock.now();
  await rig.mgr.onEvent({
    kind: "position",
    position: { symbol: S, amount: "0", entryPrice: "0", updateTime: t },
    time: t,
  });
  deepEqual(rig.exits(), []);
  // a later position whose entry price is unknown (no price in the update, reads fail)
  rig.sim.clock.advance(60_000);
  manualMarket(rig, "BUY", "0.001");
  failing.next(1_000);
  const from = rig.records.length;
  t = rig.sim.clock.now();
  await rig.mgr.onEvent({
    kind: "position",
    position: { symbol: S, amount: "0.001", entryPrice: "0", updateTime: t },
    time: t,
  });
  // invariant: the previous entry's limit is not this position's price: no exits priced
  // from it (the unprotected alarm covers the position until a read brings its price)
  deepEqual(rig.exits(), [], rig.actions(from).join(","));
  ok(
    rig.records.slice(from).some((r) =>
      r.detail === "no entry price for exits"
    ),
  );
  failing.next(0);
  rig.sim.clock.advance(1_000);
  await rig.mgr.reconcile();
  deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
});

Deno.test("money path: a transient -2022 with a lagging read keeps a position learnt from a position update", async () => {
  // the position is known from an ACCOUNT_UPDATE only (its order update lost, a manual
  // or ADL position): no fill of it was applied
  const lagging = laggingReads();
  await using rig = await startMoneyRig({
    noTrailing: true,
    wrapPort: lagging.wrap,
  });
  const entryPrice = manualLong(rig, "0.001");
  rig.sim.sim.faults.rejectNextOrders(1, { type: "STOP_MARKET", code: -2022 });
  lagging.next(1);
  const t = rig.sim.clock.now();
  await rig.mgr.onEvent({
    kind: "position",
    position: { symbol: S, amount: "0.001", entryPrice, updateTime: t },
    time: t,
  });
  // invariant: a read older than the newest applied snapshot does not undo it while the
  // back-off lasts: the position is kept and protected, entries stay blocked
  equal(rig.mgr.status(S).amount, "0.001", rig.actions().join(","));
  ok(!rig.actions().includes("position_closed"), rig.actions().join(","));
  deepEqual(exitTypes(rig), ["STOP_MARKET", "TAKE_PROFIT_MARKET"]);
  equal(rig.mgr.blocked(S), "position_open");
});
