/**
 * End to end on the simulator: an entry larger than the touch fills partially (the OHLCV
 * replay's book holds at most 2 × 1000 USD per level at the top, see
 * `lib/sim/ohlcv_source.ts`; the entry asks for 5000 USD), the IOC remainder expires, and
 * the exits are sized to the FILLED quantity, so the take-profit closes the position
 * exactly.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { OrderUpdateEvent, UserEvent } from "../exchange/trading/mod.ts";
import {
  amountOf,
  engineOrder,
  flatBar,
  moveBar,
  SCRIPT_START_MS,
  startScriptedRig,
  waitFor,
} from "./_test_rig.ts";

const HISTORY = 30;
const MINUTE = 60_000;

Deno.test("LiveSession sizes the exits to a partially filled entry", async (t) => {
  const events: OrderUpdateEvent[] = [];
  const rig = await startScriptedRig(
    Array.from({ length: HISTORY }, () => flatBar(100)),
    [
      flatBar(100),
      flatBar(100),
      moveBar(100, 100.2, 100), // 2: signal → BUY 5000 USD at 100.2
      flatBar(100.2),
      flatBar(100.2),
      moveBar(100.2, 100.9), // 5: crosses the TP (+50 bp)
      flatBar(100.9),
      flatBar(100.9),
      flatBar(100.9),
    ],
    {
      speed: 180,
      config: {
        params: {
          k: 0,
          n: 2,
          t: 5,
          v: 5,
          maxSpreadBps: 1000,
          maxFundingBps: 1000,
        },
        orderNotional: 5000,
        entryLimits: {
          maxPriceDeviationBps: 0,
          maxUpsize: 0.1,
          maxPositionNotional: 6000,
        },
        tpBps: 50,
        slBps: 50,
        trailing: { activationBps: 150, callbackPct: 0.5 },
        cooldownMs: 600_000,
      },
      deps: {
        onUserEvent: (e: UserEvent) => {
          if (e.kind === "orderUpdate") events.push(e);
        },
      },
    },
  );
  try {
    let entryId = "";
    let filled = "";
    await t.step(
      "the IOC entry fills partially and its remainder expires",
      async () => {
        await waitFor(
          () =>
            events.some((e) =>
              e.origType === "LIMIT" && e.status === "EXPIRED"
            ),
          "the entry's expiry",
        );
        entryId = events.find((e) => e.origType === "LIMIT")!.clientOrderId;
        const o = engineOrder(rig, entryId);
        assert.equal(o.timeInForce, "IOC");
        assert.equal(o.side, "BUY");
        assert.equal(o.status, "EXPIRED");
        assert.ok(
          o.time! >= SCRIPT_START_MS + (HISTORY + 3) * MINUTE,
          "after the signal bar",
        );
        // the whole order notional: 5000 USD at the touch
        assert.ok(Number(o.origQty) * Number(o.price) >= 5000);
        assert.ok(
          Number(o.executedQty) > 0 &&
            Number(o.executedQty) < Number(o.origQty),
          `executed ${o.executedQty} of ${o.origQty}`,
        );
        filled = o.executedQty;
        const mine = events.filter((e) => e.clientOrderId === entryId);
        assert.ok(
          mine.some((e) =>
            e.execType === "TRADE" && e.status === "PARTIALLY_FILLED"
          ),
        );
        assert.equal(mine.at(-1)!.status, "EXPIRED");
        assert.equal(Number(mine.at(-1)!.filledQty), Number(filled));
        await waitFor(() => amountOf(rig) !== 0, "the position");
        assert.equal(amountOf(rig), Number(filled));
      },
    );

    await t.step(
      "TP, SL and trailing are sized to the filled quantity",
      async () => {
        await waitFor(
          () => rig.openOrders().filter((o) => o.reduceOnly).length === 3,
          "three exits",
        );
        const exits = rig.openOrders();
        assert.deepEqual(exits.map((o) => o.origType).sort(), [
          "STOP_MARKET",
          "TAKE_PROFIT_MARKET",
          "TRAILING_STOP_MARKET",
        ]);
        for (const o of exits) {
          assert.equal(o.reduceOnly, true, o.origType);
          assert.equal(o.side, "SELL", o.origType);
          assert.equal(Number(o.origQty), Number(filled), o.origType);
        }
        assert.equal(
          rig.records.filter((r) => r.action === "exit_cancelled").length,
          0,
          "no exit had to be replaced",
        );
      },
    );

    await t.step(
      "the take-profit closes exactly the filled quantity",
      async () => {
        await waitFor(
          () =>
            events.some((e) =>
              e.origType === "TAKE_PROFIT_MARKET" && e.status === "FILLED"
            ),
          "the take-profit fill",
        );
        const tp = events.find((e) =>
          e.origType === "TAKE_PROFIT_MARKET" && e.status === "FILLED"
        )!;
        assert.equal(Number(tp.filledQty), Number(filled));
        assert.equal(amountOf(rig), 0);
        await waitFor(
          () => rig.openOrders().length === 0,
          "siblings cancelled",
        );
        // one entry only: the unfilled remainder was not re-sent
        assert.equal(
          new Set(
            events.filter((e) => e.origType === "LIMIT").map((e) =>
              e.clientOrderId
            ),
          ).size,
          1,
        );
      },
    );
  } finally {
    await rig.close();
  }
});
