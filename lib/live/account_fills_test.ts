import { deepEqual, equal, ok } from "node:assert/strict";
import { SCHEMES, startSimRig } from "../exchange/trading/_sim_rig.ts";
import { accountFills } from "./account_fills.ts";
import type { Fill } from "./fill_log.ts";

for (const scheme of SCHEMES) {
  Deno.test(`GET /userTrades lists every fill; accountFills() rebuilds the ones the stream missed (${scheme})`, async () => {
    await using rig = await startSimRig({ symbols: ["BTCUSDT"] });
    const { client } = rig.clients[scheme];
    rig.clock.advance(1_000);
    const start = rig.clock.now();
    const open = await client.placeOrder({
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.002",
      newClientOrderId: "entry-a",
    });
    ok(open.status === "placed", JSON.stringify(open));
    rig.clock.advance(60_000);
    const close = await client.placeOrder({
      symbol: "BTCUSDT",
      side: "SELL",
      type: "MARKET",
      quantity: "0.002",
      reduceOnly: true,
      newClientOrderId: "close-b",
    });
    ok(close.status === "placed", JSON.stringify(close));
    const end = rig.clock.now();
    const trades = await client.userTrades({
      symbol: "BTCUSDT",
      startTime: start,
      endTime: end,
    });
    equal(trades.length >= 2, true, JSON.stringify(trades));
    deepEqual(
      trades.map((t) => t.side),
      [...trades.map((t) => t.side)].sort(), // BUY fills before SELL fills
    );
    ok(trades.every((t, i) => i === 0 || t.id > trades[i - 1]!.id));
    // the same fills as the income history: realized PnL and commission per trade
    const income = await client.income({ symbol: "BTCUSDT", limit: 1000 });
    const fees = income.filter((r) => r.incomeType === "COMMISSION")
      .reduce((a, r) => a + Number(r.income), 0);
    const realized = income.filter((r) => r.incomeType === "REALIZED_PNL")
      .reduce((a, r) => a + Number(r.income), 0);
    ok(
      Math.abs(trades.reduce((a, t) => a + Number(t.commission), 0) + fees) <
        1e-9,
    );
    ok(
      Math.abs(
        trades.reduce((a, t) => a + Number(t.realizedPnl), 0) - realized,
      ) <
        1e-9,
    );
    equal(
      trades.reduce((a, t) => a + Number(t.qty), 0).toFixed(3),
      "0.004",
    );
    // fromId pages; a window after the fills is empty
    const later = await client.userTrades({
      symbol: "BTCUSDT",
      fromId: trades[1]!.id,
    });
    deepEqual(later.map((t) => t.id), trades.slice(1).map((t) => t.id));
    deepEqual(
      await client.userTrades({ symbol: "BTCUSDT", startTime: end + 1 }),
      [],
    );
    // the stream delivered only the first fill: the rest come from the exchange, with
    // their order's client id and type
    const first = trades[0]!;
    const seen: Fill = {
      timeMs: first.time,
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      clientOrderId: "entry-a",
      qty: first.qty,
      price: first.price,
      realizedPnl: 0,
      commission: Number(first.commission),
      orderId: first.orderId,
      tradeId: first.id,
    };
    const r = await accountFills(client, ["BTCUSDT"], start, end, [seen]);
    equal(r.fills.length, trades.length);
    equal(r.missedByStream, trades.length - 1);
    equal(r.fills[0], seen);
    const last = r.fills[r.fills.length - 1]!;
    deepEqual(
      [last.side, last.type, last.clientOrderId, last.tradeId],
      ["SELL", "MARKET", "close-b", trades[trades.length - 1]!.id],
    );
    equal(last.realizedPnl, Number(trades[trades.length - 1]!.realizedPnl));
  });
}
