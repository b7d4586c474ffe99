import { deepEqual, equal, ok, throws } from "node:assert/strict";
import type { UserEvent } from "../exchange/trading/mod.ts";
import { FillLog, FILLS_KEPT } from "./fill_log.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 7);

/** A trade of order `orderId` at `timeMs`: pnl 1 per fill, fee 0.1. */
function trade(
  orderId: number,
  timeMs: number,
  tradeId = orderId,
  pnl = "1",
): UserEvent {
  return {
    kind: "orderUpdate",
    eventTime: timeMs,
    transactionTime: timeMs,
    symbol: "BTCUSDT",
    clientOrderId: `c${orderId}`,
    orderId,
    side: "SELL",
    orderType: "MARKET",
    origType: "MARKET",
    timeInForce: "GTC",
    origQty: "0.001",
    price: "0",
    avgPrice: "100000",
    stopPrice: "0",
    execType: "TRADE",
    status: "FILLED",
    lastFilledQty: "0.001",
    filledQty: "0.001",
    lastFilledPrice: "100000",
    commission: "0.1",
    commissionAsset: "USDT",
    tradeId,
    maker: false,
    reduceOnly: true,
    closePosition: false,
    positionSide: "BOTH",
    workingType: "CONTRACT_PRICE",
    realizedPnl: pnl,
  } as UserEvent;
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

Deno.test("FillLog holds the newest fills only, but its totals (since start, per UTC day) count every fill", () => {
  const log = new FillLog(3);
  // two fills on day 0, three on day 1
  log.onEvent(trade(1, T0 + 1_000));
  log.onEvent(trade(2, T0 + 2_000));
  log.onEvent(trade(3, T0 + DAY + 1_000));
  log.onEvent(trade(4, T0 + DAY + 2_000));
  log.onEvent(trade(5, T0 + DAY + 3_000));
  deepEqual(log.fills.map((f) => f.orderId), [3, 4, 5]);
  const t = log.totals();
  equal(t.fills, 5);
  ok(close(t.realizedPnl, 5) && close(t.fees, 0.5) && close(t.net, 4.5));
  equal(log.dayTotals(T0).fills, 2);
  ok(close(log.dayTotals(T0).realizedPnl, 2));
  equal(log.dayTotals(T0 + DAY).fills, 3);
  equal(log.dayTotals(T0 + 2 * DAY).fills, 0);
  // a duplicate of a trade held is dropped
  log.onEvent(trade(5, T0 + DAY + 3_000));
  equal(log.totals().fills, 5);
  const text = log.format();
  ok(text.includes("(2 earlier fills not shown)"), text);
  ok(text.includes("5 fills; realized PnL 5.0000, fees 0.5000"), text);
  throws(() => new FillLog(0), RangeError);
});

Deno.test("FillLog keeps the totals of the newest UTC days only", () => {
  const log = new FillLog();
  for (let d = 0; d < 5; d++) log.onEvent(trade(d + 1, T0 + d * DAY + 1));
  equal(log.dayTotals(T0).fills, 0);
  equal(log.dayTotals(T0 + DAY).fills, 0);
  equal(log.dayTotals(T0 + 2 * DAY).fills, 1);
  equal(log.dayTotals(T0 + 4 * DAY).fills, 1);
  equal(log.totals().fills, 5);
});

Deno.test("FillLog: months of fills stay bounded (the newest FILLS_KEPT held), totals exact", () => {
  const log = new FillLog();
  const n = FILLS_KEPT * 4;
  for (let i = 1; i <= n; i++) log.onEvent(trade(i, T0 + i * 60_000));
  equal(log.fills.length, FILLS_KEPT);
  equal(log.fills[0]!.orderId, n - FILLS_KEPT + 1);
  equal(log.totals().fills, n);
  ok(close(log.totals().realizedPnl, n));
});
