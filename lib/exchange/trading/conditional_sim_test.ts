import { equal, ok } from "node:assert/strict";
import {
  type Harness,
  SCHEMES,
  type SimRig,
  startSimRig,
  startStream,
  tickDown,
  tickUp,
  waitUntil,
} from "./_sim_rig.ts";
import type { OrderRequest } from "./order_request.ts";
import type { OrderUpdateEvent } from "./user_events.ts";

const TICK = 0.1;
/** Sim seconds to wait for a trigger at most (the seeded walk crosses in minutes). */
const MAX_STEPS = 1800;

/** Says, per market event, whether the order should have fired by now. */
type Model = (kind: "trade" | "mark", price: number) => boolean;

/** Follows the market and the engine one sim second at a time. */
class Watcher {
  #rig: SimRig;
  #h: Harness;
  #accountId: string;
  #model: Model | undefined;
  #step = 0;
  #modelStep = -1;
  last = NaN;
  readonly off: () => void;

  constructor(rig: SimRig, h: Harness, accountId: string) {
    this.#rig = rig;
    this.#h = h;
    this.#accountId = accountId;
    const market = rig.sim.market.symbol("BTCUSDT")!;
    this.off = rig.sim.market.addListener({
      onTrade: (m, _time, price) => {
        if (m !== market) return;
        this.last = price;
        this.#see("trade", price);
      },
      onTick: () => this.#see("mark", market.feed.markPrice),
    });
  }

  get mark(): number {
    return this.#rig.sim.market.symbol("BTCUSDT")!.feed.markPrice;
  }

  /**
   * Advances until the engine no longer holds `orderId` as NEW; returns the step it fired
   * in and the step the model says it should have.
   */
  async run(
    orderId: number,
    model: Model,
  ): Promise<{ fired: number; expected: number }> {
    this.#model = model;
    this.#modelStep = -1;
    for (this.#step = 1; this.#step <= MAX_STEPS; this.#step++) {
      this.#rig.clock.advance(1000);
      if (this.#h.keys.busy) await this.#h.keys.idle();
      const reply = this.#rig.sim.trading.engine.queryOrder(this.#accountId, {
        symbol: "BTCUSDT",
        orderId: String(orderId),
      });
      if ((reply.body as { status: string }).status !== "NEW") {
        this.#model = undefined;
        return { fired: this.#step, expected: this.#modelStep };
      }
    }
    throw new Error(`order ${orderId} did not fire within ${MAX_STEPS} s`);
  }

  #see(kind: "trade" | "mark", price: number): void {
    if (this.#model && this.#modelStep < 0 && this.#model(kind, price)) {
      this.#modelStep = this.#step;
    }
  }
}

for (const scheme of SCHEMES) {
  Deno.test(`TradingClient (${scheme}) conditional orders fire on the simulator and close the position`, async (t) => {
    await using rig = await startSimRig();
    const { client, accountId } = rig.clients[scheme];
    await using h = await startStream(rig, rig.clients[scheme].client);
    const watch = new Watcher(rig, h, accountId);

    const openLong = async () => {
      const r = await client.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: "0.010",
      });
      equal(r.status, "placed", JSON.stringify(r));
      equal((await client.positionRisk("BTCUSDT"))[0]!.positionAmt, "0.010");
    };

    const fireAndCheck = async (req: OrderRequest, model: Model) => {
      const r = await client.placeOrder(req);
      ok(r.status === "placed", JSON.stringify(r));
      equal(r.order.status, "NEW");
      const { fired, expected } = await watch.run(r.order.orderId, model);
      equal(fired, expected, "fired in the second its reference crossed");
      await waitUntil(
        () =>
          h.events.some((e) =>
            e.kind === "orderUpdate" && e.orderId === r.order.orderId &&
            e.status === "FILLED"
          ),
        "the fill on the user stream",
      );
      const fill = h.events.find((e): e is OrderUpdateEvent =>
        e.kind === "orderUpdate" && e.orderId === r.order.orderId &&
        e.execType === "TRADE"
      )!;
      equal(fill.origType, req.type);
      equal(fill.orderType, "MARKET");
      equal(fill.side, "SELL");
      equal(fill.filledQty, "0.010");
      const flat = h.events.some((e) =>
        e.kind === "accountUpdate" &&
        e.transactionTime === fill.transactionTime &&
        e.positions.some((p) =>
          p.symbol === "BTCUSDT" && Number(p.positionAmt) === 0
        )
      );
      ok(flat, "ACCOUNT_UPDATE reports the closed position");
      equal(Number((await client.positionRisk("BTCUSDT"))[0]!.positionAmt), 0);
      const q = await client.queryOrder("BTCUSDT", {
        orderId: r.order.orderId,
      });
      equal(q.status, "FILLED");
      equal(q.origType, req.type);
      return fill;
    };

    try {
      await t.step("STOP_MARKET on MARK_PRICE, closePosition", async () => {
        await openLong();
        const stop = Number(tickDown(watch.mark * (1 - 0.0004), TICK));
        const fill = await fireAndCheck({
          symbol: "BTCUSDT",
          side: "SELL",
          type: "STOP_MARKET",
          stopPrice: stop.toFixed(1),
          closePosition: true,
          workingType: "MARK_PRICE",
        }, (kind, price) => kind === "mark" && price <= stop);
        equal(fill.closePosition, true);
        equal(fill.workingType, "MARK_PRICE");
      });

      await t.step(
        "TAKE_PROFIT_MARKET on CONTRACT_PRICE, reduceOnly",
        async () => {
          await openLong();
          const stop = Number(tickUp(watch.last * (1 + 0.0004), TICK));
          const fill = await fireAndCheck({
            symbol: "BTCUSDT",
            side: "SELL",
            type: "TAKE_PROFIT_MARKET",
            stopPrice: stop.toFixed(1),
            quantity: "0.010",
            reduceOnly: true,
            workingType: "CONTRACT_PRICE",
          }, (kind, price) => kind === "trade" && price >= stop);
          equal(fill.reduceOnly, true);
          equal(fill.workingType, "CONTRACT_PRICE");
        },
      );

      await t.step(
        "TRAILING_STOP_MARKET: activation, then a 0.2 % callback",
        async () => {
          await openLong();
          const activation = Number(tickUp(watch.last * (1 + 0.0002), TICK));
          let peak = watch.last;
          let active = false;
          await fireAndCheck({
            symbol: "BTCUSDT",
            side: "SELL",
            type: "TRAILING_STOP_MARKET",
            quantity: "0.010",
            callbackRate: "0.2",
            activationPrice: activation.toFixed(1),
            reduceOnly: true,
          }, (kind, price) => {
            if (kind !== "trade") return false;
            peak = Math.max(peak, price);
            active ||= peak >= activation;
            return active && price <= peak * (1 - 0.002);
          });
          ok(active);
        },
      );
    } finally {
      watch.off();
    }
  });
}
