import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import {
  SCHEMES,
  startSimRig,
  startStream,
  tickDown,
  waitUntil,
} from "./_sim_rig.ts";
import type { AccountUpdateEvent } from "./user_events.ts";

const MINUTE = 60_000;

for (const scheme of SCHEMES) {
  Deno.test(`UserStream (${scheme}) on the simulator: fills, keepalive, drop and reconcile`, async (t) => {
    await using rig = await startSimRig();
    const { client, accountId } = rig.clients[scheme];
    await using h = await startStream(rig, rig.clients[scheme].client);
    const { stream, events } = h;
    let fundingMark = NaN;

    await t.step("start creates the key the simulator knows", () => {
      ok(stream.connected);
      equal(stream.listenKey, rig.sim.trading.listenKeyOf(accountId));
      equal(h.keys.calls.create, 1);
    });

    await t.step(
      "a fill: ORDER_TRADE_UPDATE and ACCOUNT_UPDATE with one T",
      async () => {
        const id = `fill-${scheme}`;
        const result = await client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          quantity: "0.004",
          newClientOrderId: id,
        });
        equal(result.status, "placed");
        await waitUntil(
          () => events.some((e) => e.kind === "accountUpdate"),
          "ACCOUNT_UPDATE",
        );
        const mine = events.flatMap((e) =>
          e.kind === "orderUpdate" && e.clientOrderId === id ? [e] : []
        );
        deepEqual(mine.map((e) => [e.execType, e.status]), [
          ["NEW", "NEW"],
          ["TRADE", "FILLED"],
        ]);
        const trade = mine[1]!;
        equal(trade.orderType, "MARKET");
        equal(trade.filledQty, "0.004");
        ok(result.status === "placed");
        equal(Number(trade.avgPrice), Number(result.order.avgPrice));
        const account = events.find((e): e is AccountUpdateEvent =>
          e.kind === "accountUpdate"
        )!;
        equal(account.transactionTime, trade.transactionTime);
        equal(account.reason, "ORDER");
        equal(account.positions[0]?.symbol, "BTCUSDT");
        equal(account.positions[0]?.positionAmt, "0.004");
        equal(
          Number(account.positions[0]?.entryPrice),
          Number(result.order.avgPrice),
        );
        const wallet = (await client.balance()).find((b) =>
          b.asset === "USDT"
        )!;
        equal(
          Number(
            account.balances.find((b) => b.asset === "USDT")!.walletBalance,
          ),
          Number(wallet.balance),
        );
      },
    );

    await t.step(
      "keepalive on the sim clock keeps the key past 60 minutes",
      async () => {
        const key = stream.listenKey;
        // 07:55 → 08:00: the funding tick; its mark settles the funding fee.
        await h.advance(5 * MINUTE);
        fundingMark = rig.sim.market.symbol("BTCUSDT")!.feed.markPrice;
        await h.advance(90 * MINUTE);
        equal(h.keys.calls.keepAlive, 3);
        equal(stream.stats.keepAlives, 3);
        equal(stream.listenKey, key);
        equal(rig.sim.trading.listenKeyOf(accountId), key);
        equal(stream.stats.keysCreated, 1);
        ok(stream.connected);
        ok(!events.some((e) => e.kind === "listenKeyExpired"));
      },
    );

    await t.step(
      "the 08:00 funding arrives as ACCOUNT_UPDATE FUNDING_FEE",
      async () => {
        await waitUntil(
          () =>
            events.some((e) =>
              e.kind === "accountUpdate" && e.reason === "FUNDING_FEE"
            ),
          "FUNDING_FEE",
        );
        const funding = events.find((e): e is AccountUpdateEvent =>
          e.kind === "accountUpdate" && e.reason === "FUNDING_FEE"
        )!;
        equal(funding.eventTime, Date.UTC(2026, 0, 7, 8));
        const [row] = await (await fetch(
          `${rig.sim.restUrl}/fapi/v1/fundingRate?symbol=BTCUSDT&limit=1`,
        )).json() as { fundingRate: string; fundingTime: number }[];
        equal(row!.fundingTime, funding.eventTime);
        const rate = Number(row!.fundingRate);
        notEqual(rate, 0);
        // A long of 0.004 pays 0.004 × mark × rate (receives when rate < 0).
        const expected = -0.004 * fundingMark * rate;
        const usdt = funding.balances.find((b) => b.asset === "USDT")!;
        ok(
          Math.abs(Number(usdt.balanceChange) - expected) < 1e-7,
          `${usdt.balanceChange} vs ${expected}`,
        );
        const before = events.findLast((e): e is AccountUpdateEvent =>
          e.kind === "accountUpdate" && e.reason === "ORDER"
        )!.balances.find((b) => b.asset === "USDT")!;
        ok(
          Math.abs(
            Number(usdt.walletBalance) -
              (Number(before.walletBalance) + Number(usdt.balanceChange)),
          ) < 1e-9,
        );
        const wallet = (await client.balance()).find((b) =>
          b.asset === "USDT"
        )!;
        equal(Number(wallet.balance), Number(usdt.walletBalance));
      },
    );

    await t.step(
      "a dropped stream reconnects; reconcile sees the gap",
      async () => {
        const before = h.timers.pending;
        rig.sim.faults.dropUserStreams();
        await waitUntil(() => h.timers.pending > before, "a reconnect timer");
        ok(!stream.connected);
        // Happens while the stream is down.
        const { bidPrice } = await (await fetch(
          `${rig.sim.restUrl}/fapi/v1/ticker/bookTicker?symbol=BTCUSDT`,
        )).json() as { bidPrice: string };
        const gap = await client.placeOrder({
          symbol: "BTCUSDT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTC",
          quantity: "0.002",
          price: tickDown(Number(bidPrice) * 0.97, 0.1),
          newClientOrderId: `gap-${scheme}`,
        });
        equal(gap.status, "placed", JSON.stringify(gap));
        const seen = events.length;
        await h.advance(1000, 1000);
        await waitUntil(() => h.reconnects.length === 1, "onReconnected");
        ok(stream.connected);
        equal(stream.stats.reconnects, 1);
        const { info, seen: view } = h.reconnects[0]!;
        ok(info.gapMs >= 375 && info.gapMs <= 1000, `gap ${info.gapMs}`);
        deepEqual(view.openOrders.map((o) => o.clientOrderId), [
          `gap-${scheme}`,
        ]);
        deepEqual(view.positions.map((p) => [p.symbol, p.positionAmt]), [[
          "BTCUSDT",
          "0.004",
        ]]);
        // The gap order's NEW was never pushed to the stream.
        ok(
          !events.slice(seen).some((e) =>
            e.kind === "orderUpdate" && e.clientOrderId === `gap-${scheme}`
          ),
        );
      },
    );

    await t.step("events flow again after the reconnect", async () => {
      await client.cancelAllOrders("BTCUSDT");
      await waitUntil(
        () =>
          events.some((e) =>
            e.kind === "orderUpdate" && e.clientOrderId === `gap-${scheme}` &&
            e.execType === "CANCELED"
          ),
        "the cancel event",
      );
    });

    await t.step("close closes the socket and the key", async () => {
      await stream.close();
      ok(!stream.connected);
      equal(rig.sim.trading.listenKeyOf(accountId), undefined);
      equal(h.keys.calls.close, 1);
    });
  });

  Deno.test(`UserStream (${scheme}) recreates an expired listen key`, async (t) => {
    await using rig = await startSimRig();
    const { accountId } = rig.clients[scheme];
    // No keepalive within the key's 60 minutes.
    await using h = await startStream(
      rig,
      rig.clients[scheme].client,
      120 * MINUTE,
    );
    const first = h.stream.listenKey;
    ok(first);

    await t.step("listenKeyExpired at 60 minutes, then a new key", async () => {
      await h.advance(60 * MINUTE);
      await waitUntil(
        () => h.events.some((e) => e.kind === "listenKeyExpired"),
        "listenKeyExpired",
      );
      await waitUntil(() => !h.stream.connected, "the disconnect");
      await h.advance(1000, 1000);
      await waitUntil(() => h.reconnects.length === 1, "onReconnected");
      const second = h.stream.listenKey;
      ok(second);
      notEqual(second, first);
      equal(rig.sim.trading.listenKeyOf(accountId), second);
      equal(h.stream.stats.keysCreated, 2);
      equal(h.reconnects[0]!.info.reason, "listen key expired");
      ok(h.stream.connected);
      equal(rig.sim.trading.userStreams, 1);
    });
  });
}
