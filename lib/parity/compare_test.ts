import { deepEqual, equal } from "node:assert/strict";
import type { Fill } from "../live/fill_log.ts";
import { clientOrderId } from "../order/client_ids.ts";
import { compareTrades, paperTrades, type ParityTrade } from "./compare.ts";

const T = 1_748_217_600_000;
const fill = (
  t: number,
  side: string,
  type: string,
  qty: string,
  price: string,
  pnl = 0,
): Fill => ({
  timeMs: T + t,
  symbol: "BTCUSDT",
  side,
  type,
  clientOrderId: "x",
  qty,
  price,
  realizedPnl: pnl,
  commission: 0.01,
});

Deno.test("paperTrades() rebuilds trades from fills; compareTrades() matches them", () => {
  const fills = [
    fill(60_150, "BUY", "LIMIT", "0.001", "100"), // signal bar 0, entry at its close
    fill(60_160, "BUY", "LIMIT", "0.001", "100"), // a second partial fill of the IOC
    fill(300_500, "SELL", "TAKE_PROFIT_MARKET", "0.002", "100.4", 0.0008),
    fill(600_100, "SELL", "LIMIT", "0.001", "101"), // a short
    fill(700_000, "BUY", "MARKET", "0.001", "101.5", -0.0005),
  ];
  const paper = paperTrades(fills);
  equal(paper.length, 2);
  deepEqual(
    paper.map((p) => [p.side, p.entryBar - T, p.exitBar - T, p.reason, p.qty]),
    [[1, 0, 300_000, "tp", 0.002], [-1, 540_000, 660_000, "end", 0.001]],
  );
  equal(Math.abs(paper[0]!.pnl - (0.0008 - 0.03)) < 1e-12, true);
  const bt: ParityTrade[] = [
    { ...paper[0]!, pnl: paper[0]!.pnl + 1e-6 },
    { ...paper[1]!, exitBar: paper[1]!.exitBar + 60_000 }, // "end" exits match anyway
    { ...paper[1]!, entryBar: T + 900_000 }, // a backtest-only entry
  ];
  const r = compareTrades(paper, bt);
  equal(r.entries_matched, 2);
  equal(r.exits_matched, 2);
  equal(r.entries_backtest, 3);
  equal(r.divergences.length, 1);
  equal(r.divergences[0]!.kind, "backtest_only");
  // a late entry fill still belongs to the signal bar its client order id names
  const late = paperTrades([
    {
      ...fill(200_000, "BUY", "LIMIT", "0.001", "100"),
      clientOrderId: clientOrderId("BTCUSDT", T + 60_000, "long", "entry"),
    },
    fill(400_000, "SELL", "STOP_MARKET", "0.001", "99.7"),
  ]);
  equal(late[0]!.entryBar, T + 60_000);
  equal(late[0]!.reason, "sl");
  const moved = compareTrades(paper, [
    { ...paper[0]!, reason: "sl" },
    paper[1]!,
  ]);
  equal(moved.exits_matched, 1);
  equal(moved.divergences[0]!.kind, "exit_differs");
});

Deno.test("paperTrades() adds each funding payment to the trade open at its time", () => {
  const fills = [
    fill(60_150, "BUY", "LIMIT", "0.001", "100"),
    fill(300_000, "SELL", "STOP_MARKET", "0.001", "99.8", -0.0002),
    fill(400_000, "SELL", "LIMIT", "0.001", "100"),
    fill(500_000, "BUY", "MARKET", "0.001", "100"),
  ];
  const pay = (t: number, amount: number, symbol = "BTCUSDT") => ({
    symbol,
    timeMs: T + t,
    amount,
  });
  const trades = paperTrades(fills, [
    pay(60_150, 1), // at the entry fill: settled before it
    pay(300_000, -0.5), // at the closing fill: settled before it, so while open
    pay(350_000, 7), // flat
    pay(450_000, 0.25),
    pay(450_000, 9, "ETHUSDT"), // another symbol
  ]);
  deepEqual(trades.map((t) => t.funding), [-0.5, 0.25]);
  equal(Math.abs(trades[0]!.pnl - (-0.0002 - 0.02 - 0.5)) < 1e-12, true);
});

Deno.test("paperTrades() reports a position its fills never close as an `open` trade, never drops it", () => {
  const fills = [
    fill(60_150, "BUY", "LIMIT", "0.001", "100"),
    fill(300_500, "SELL", "STOP_MARKET", "0.001", "99.8", -0.0002),
    fill(600_100, "SELL", "LIMIT", "0.001", "101"), // a short, no closing fill
  ];
  const funding = [
    { symbol: "BTCUSDT", timeMs: T + 700_000, amount: 0.002 },
    { symbol: "ETHUSDT", timeMs: T + 700_000, amount: 5 },
  ];
  const paper = paperTrades(fills, funding);
  deepEqual(
    paper.map((p) => [p.side, p.entryBar - T, p.reason]),
    [[1, 0, "sl"], [-1, 540_000, "open"]],
  );
  equal(Number.isNaN(paper[1]!.exitBar), true);
  equal(Math.abs(paper[1]!.pnl - (-0.01 + 0.002)) < 1e-12, true);
  // against a backtest that closed it at the end: matched entry, differing exit
  const r = compareTrades(paper, [
    paper[0]!,
    { ...paper[1]!, reason: "end", exitBar: T + 900_000 },
  ]);
  equal(r.entries_matched, 2);
  equal(r.exits_matched, 1);
  equal(r.closed_at_end_paper, 0);
  equal(r.closed_at_end_backtest, 1);
  equal(r.divergences[0]!.kind, "exit_differs");
});
