import { equal, ok } from "node:assert/strict";
import { actions, BAR, btcInfo, rig, S, signal } from "./_test_helpers.ts";
import type { ExchangePort, PlaceResult } from "./port.ts";
import { OrderManager } from "./order_manager.ts";
import { entryQuantity, orderFilters, OrderSizeError } from "./filters.ts";
import { parseSymbolInfo } from "../exchange/exchange_info.ts";

Deno.test("OrderManager ignores a position update older than a fill it applied", async (t) => {
  await t.step(
    "a late flat ACCOUNT_UPDATE does not cancel the exits of the new position",
    async () => {
      const r = rig({ cooldownMs: 0 });
      await signal(r, "long", BAR);
      const fill = r.fake.takeEvents().find((e) => e.kind === "order")!;
      equal(r.mgr.status(S).amount, "0.5");
      // an ACCOUNT_UPDATE (e.g. a funding fee) from before the fill, delivered late
      await r.mgr.onEvent({
        kind: "position",
        position: {
          symbol: S,
          amount: "0",
          entryPrice: "0",
          updateTime: fill.time - 5,
        },
        time: fill.time - 5,
      });
      equal(r.mgr.status(S).amount, "0.5");
      equal(r.fake.open(S).length, 3);
      equal(r.mgr.blocked(S), "position_open");
    },
  );
});

Deno.test("OrderManager counts fills per order, not per client id", async (t) => {
  await t.step(
    "two auto-deleverage orders with the same client id both move the position",
    async () => {
      const r = rig();
      await signal(r, "long", BAR);
      const t0 = r.fake.takeEvents()[0]!.time;
      const adl = (orderId: number, time: number) =>
        r.mgr.onEvent({
          kind: "order",
          time,
          order: {
            symbol: S,
            clientOrderId: "adl_autoclose",
            orderId,
            side: "SELL",
            type: "LIMIT",
            status: "FILLED",
            quantity: "0.2",
            executedQty: "0.2",
            avgPrice: "100",
            stopPrice: "0",
            reduceOnly: true,
            updateTime: time,
          },
        });
      await adl(90_001, t0 + 10);
      equal(r.mgr.status(S).amount, "0.3");
      await adl(90_002, t0 + 20);
      equal(r.mgr.status(S).amount, "0.1");
    },
  );
});

Deno.test("OrderManager closes at market when an exit is refused for good", async (t) => {
  for (
    const [code, message] of [
      [-1111, "Precision is over the maximum defined for this asset."],
      [-4164, "Order's notional must be no smaller than 5.0"],
      [-4005, "Quantity greater than max quantity."],
    ] as const
  ) {
    await t.step(
      `${code} on the stop: the position does not stay naked`,
      async () => {
        const r = rig();
        r.fake.failNextPlace("none"); // entry
        r.fake.failNextPlace({ code, message }); // sl, placed first
        const recs = await signal(r, "long", BAR);
        ok(actions(recs).includes("exit_rejected"));
        ok(actions(recs).includes("market_close"), actions(recs).join(","));
        equal(r.fake.positionAmount(S), "0");
        await r.pump();
        equal(r.fake.open(S).length, 0);
      },
    );
  }
  await t.step(
    "a transient refusal (-1001) is retried, not closed",
    async () => {
      const r = rig();
      r.fake.failNextPlace("none");
      r.fake.failNextPlace({ code: -1001, message: "Internal error" });
      const recs = await signal(r, "long", BAR);
      ok(!actions(recs).includes("market_close"));
      equal(r.fake.positionAmount(S), "0.5");
    },
  );
});

Deno.test("OrderManager resolves a placed entry whose final state never arrived", async (t) => {
  await t.step(
    "user stream down: reconcile resolves it instead of blocking the symbol forever",
    async () => {
      const r = rig();
      // the reply (e.g. found by a resolving query) still says NEW, unfilled
      const fake = r.fake;
      const port: ExchangePort = {
        async placeOrder(spec): Promise<PlaceResult> {
          const res = await fake.placeOrder(spec);
          if (res.kind !== "placed" || spec.type !== "LIMIT") return res;
          return {
            kind: "placed",
            order: { ...res.order, status: "NEW", executedQty: "0" },
          };
        },
        cancelOrder: (s, id) => fake.cancelOrder(s, id),
        cancelAll: (s) => fake.cancelAll(s),
        queryOrder: (s, id) => fake.queryOrder(s, id),
        openOrders: (s) => fake.openOrders(s),
        positionRisk: (s) => fake.positionRisk(s),
        account: () => fake.account(),
        setLeverage: (s, l) => fake.setLeverage(s, l),
        setMarginType: (s, m) => fake.setMarginType(s, m),
      };
      const mgr = new OrderManager(port, {
        symbols: [btcInfo()],
        orderNotional: 50,
        tpBps: 40,
        slBps: 25,
        cooldownMs: 0,
        clock: () => 1_700_000_000_000,
      });
      await mgr.onSignal({
        symbol: S,
        direction: "long",
        barOpenTime: BAR,
        bid: "99.9",
        ask: "100.0",
      });
      equal(mgr.status(S).entry, "pending");
      r.fake.takeEvents(); // the user stream is down: every event is lost
      await mgr.reconcile();
      equal(mgr.status(S).entry, "none");
      equal(mgr.status(S).amount, "0.5");
      equal(r.fake.open(S).length, 2);
      r.fake.setPrice(S, { bid: "100.4", ask: "100.5" }); // TP fires
      r.fake.takeEvents();
      await mgr.reconcile();
      equal(r.fake.open(S).length, 0);
      equal(mgr.blocked(S), undefined);
    },
  );
});

Deno.test("entryQuantity() keeps the position closable by its market-type exits", async (t) => {
  await t.step("refused above MARKET_LOT_SIZE maxQty", () => {
    const f = orderFilters(btcInfo({ marketMaxQty: "0.3" }));
    let err: unknown;
    try {
      entryQuantity(f, 50, "100");
    } catch (e) {
      err = e;
    }
    ok(err instanceof OrderSizeError, String(err));
    equal(err.reason, "above_max_qty");
    equal(entryQuantity(f, 30, "100"), "0.3");
  });
  await t.step("a multiple of the MARKET_LOT_SIZE step and minQty", () => {
    const f = orderFilters(parseSymbolInfo({
      symbol: "XUSDT",
      status: "TRADING",
      baseAsset: "X",
      quoteAsset: "USDT",
      marginAsset: "USDT",
      contractType: "PERPETUAL",
      pricePrecision: 1,
      quantityPrecision: 3,
      filters: [
        {
          filterType: "PRICE_FILTER",
          tickSize: "0.1",
          minPrice: "0.1",
          maxPrice: "1e6",
        },
        {
          filterType: "LOT_SIZE",
          stepSize: "0.001",
          minQty: "0.001",
          maxQty: "100",
        },
        {
          filterType: "MARKET_LOT_SIZE",
          stepSize: "0.01",
          minQty: "0.05",
          maxQty: "50",
        },
        { filterType: "MIN_NOTIONAL", notional: "1" },
      ],
    }));
    equal(entryQuantity(f, 10.05, "100"), "0.11");
    equal(entryQuantity(f, 1, "100"), "0.05");
  });
});

Deno.test("OrderManager protects a position the kill switch cannot close", async (t) => {
  await t.step(
    "the market close fails: the exits are armed until the next attempt",
    async () => {
      const r = rig();
      r.fake.setAccount({ totalMarginBalance: "1", totalMaintMargin: "1" });
      await r.mgr.checkMargin();
      equal(r.mgr.blocked(S), "kill_switch");
      // a position appears while tripped (an entry that was in flight, a manual order)
      r.fake.setPosition(S, "0.5", "100");
      // the close and its three retries
      for (let i = 0; i < 4; i++) {
        r.fake.failNextPlace({ code: -1001, message: "Internal error" });
      }
      const recs = await r.mgr.reconcile();
      ok(actions(recs).includes("market_close_failed"));
      equal(r.fake.positionAmount(S), "0.5");
      equal(r.fake.open(S).length, 3);
      // the next check closes it and cancels the exits
      const { records } = await r.mgr.checkMargin();
      ok(actions(records).includes("market_close"));
      equal(r.fake.positionAmount(S), "0");
      equal(r.fake.open(S).length, 0);
    },
  );
});

Deno.test("OrderManager kill switch does not wait for another symbol's entry", async (t) => {
  await t.step(
    "an entry in flight on BTCUSDT: ETHUSDT is closed at once, BTCUSDT after its fill",
    async () => {
      const r = rig();
      const fake = r.fake;
      fake.setPrice("ETHUSDT", { bid: "99.9", ask: "100.0" });
      let release = () => {};
      const gate = new Promise<void>((res) => release = res);
      const port: ExchangePort = {
        async placeOrder(spec): Promise<PlaceResult> {
          if (spec.symbol === S && spec.type === "LIMIT") await gate;
          return await fake.placeOrder(spec);
        },
        cancelOrder: (s, id) => fake.cancelOrder(s, id),
        cancelAll: (s) => fake.cancelAll(s),
        queryOrder: (s, id) => fake.queryOrder(s, id),
        openOrders: (s) => fake.openOrders(s),
        positionRisk: (s) => fake.positionRisk(s),
        account: () => fake.account(),
        setLeverage: (s, l) => fake.setLeverage(s, l),
        setMarginType: (s, m) => fake.setMarginType(s, m),
      };
      const mgr = new OrderManager(port, {
        symbols: [btcInfo(), btcInfo({ symbol: "ETHUSDT" })],
        orderNotional: 50,
        tpBps: 40,
        slBps: 25,
        clock: () => 1_700_000_000_000,
      });
      const sig = (symbol: string) =>
        mgr.onSignal({
          symbol,
          direction: "long",
          barOpenTime: BAR,
          bid: "99.9",
          ask: "100.0",
        });
      await sig("ETHUSDT");
      equal(fake.positionAmount("ETHUSDT"), "0.5");
      const inFlight = sig(S);
      fake.setAccount({ totalMarginBalance: "1", totalMaintMargin: "1" });
      const check = mgr.checkMargin();
      await new Promise((res) => setTimeout(res, 20));
      equal(fake.positionAmount("ETHUSDT"), "0");
      release();
      await inFlight;
      await check;
      equal(fake.positionAmount(S), "0");
      equal(fake.open().length, 0);
      equal(mgr.blocked(S), "kill_switch");
    },
  );
});

Deno.test("OrderManager prices the exits of a flipped position from the new fill", async (t) => {
  await t.step(
    "long 0.5 @ 100, a SELL 0.8 @ 110 flips it: the short's stop is above 110",
    async () => {
      const r = rig();
      await signal(r, "long", BAR);
      const t0 = r.fake.takeEvents()[0]!.time;
      const before = r.fake.placed.length;
      // the exchange holds what the manual order left (a -2022 makes the manager read it)
      r.fake.setPosition(S, "-0.3", "110");
      await r.mgr.onEvent({
        kind: "order",
        time: t0 + 10,
        order: {
          symbol: S,
          clientOrderId: "manual-1",
          orderId: 80_001,
          side: "SELL",
          type: "MARKET",
          status: "FILLED",
          quantity: "0.8",
          executedQty: "0.8",
          avgPrice: "110",
          stopPrice: "0",
          reduceOnly: false,
          updateTime: t0 + 10,
        },
      });
      equal(r.mgr.status(S).amount, "-0.3");
      equal(r.mgr.status(S).entryPrice, "110");
      const sl = r.fake.placed.slice(before).find((o) =>
        o.type === "STOP_MARKET"
      );
      equal(sl?.side, "BUY");
      equal(sl?.stopPrice, "110.3");
    },
  );
});

Deno.test("OrderManager counts only reduce-only orders as exits", async (t) => {
  await t.step(
    "a non-reduce-only stop does not stand in for the position's stop-loss",
    async () => {
      const r = rig();
      r.fake.setPosition(S, "0.5", "100");
      r.fake.addOpenOrder({
        symbol: S,
        side: "SELL",
        type: "STOP_MARKET",
        quantity: "0.5",
        stopPrice: "99.7",
        workingType: "MARK_PRICE",
        reduceOnly: false,
        clientOrderId: "manual-stop",
      });
      await r.mgr.reconcile();
      const mine = r.fake.open(S).filter((o) => o.reduceOnly);
      equal(mine.length, 3);
      ok(mine.some((o) => o.type === "STOP_MARKET"));
    },
  );
});
