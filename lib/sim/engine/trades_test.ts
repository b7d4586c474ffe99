import { deepEqual, equal } from "node:assert/strict";
import type { RawUserTrade } from "../../exchange/trading/wire.ts";
import { TradeLog } from "./trades.ts";

const row = (id: number, symbol: string, time: number): RawUserTrade => ({
  buyer: true,
  commission: "0.01000000",
  commissionAsset: "USDT",
  id,
  maker: false,
  orderId: 100 + id,
  price: "100.0",
  qty: "0.001",
  quoteQty: "0.1000",
  realizedPnl: "0.00000000",
  side: "BUY",
  positionSide: "BOTH",
  symbol,
  time,
});

Deno.test("TradeLog.query() filters, pages and bounds like GET /userTrades", () => {
  const log = new TradeLog(4);
  log.record(row(1, "BTCUSDT", 10));
  log.record(row(2, "ETHUSDT", 10));
  log.record(row(3, "BTCUSDT", 20));
  log.record(row(4, "BTCUSDT", 30));
  const ids = (p: Record<string, string>) =>
    (log.query(p).body as RawUserTrade[]).map((r) => r.id);
  deepEqual(ids({ symbol: "BTCUSDT" }), [1, 3, 4]);
  deepEqual(ids({ symbol: "BTCUSDT", startTime: "15", limit: "1" }), [3]);
  deepEqual(ids({ symbol: "BTCUSDT", fromId: "3" }), [3, 4]);
  deepEqual(ids({ symbol: "BTCUSDT", limit: "1" }), [4]); // the last ones
  deepEqual(ids({ symbol: "BTCUSDT", endTime: "20" }), [1, 3]);
  deepEqual(ids({ symbol: "BTCUSDT", orderId: "103" }), [3]);
  equal(log.query({}).status, 400); // symbol is mandatory
  equal(log.query({ symbol: "BTCUSDT", limit: "0" }).status, 400);
  equal(log.query({ symbol: "BTCUSDT", fromId: "x" }).status, 400);
  // beyond the bound the oldest rows go
  log.record(row(5, "BTCUSDT", 40));
  deepEqual(ids({ symbol: "BTCUSDT" }), [3, 4, 5]);
});
