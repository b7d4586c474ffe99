/**
 * Recorder throughput: CSV rows per second written by LogRecorder (format + buffer +
 * write), for 10 symbols snapshotted 20,000 times (1,000,000 rows). Target: 200,000 rows/s.
 *
 * Run: deno task bench:recorder
 */
import type {
  AggTradeEvent,
  DepthEvent,
  KlineEvent,
} from "../lib/exchange/events.ts";
import { AggTradeTally as AggTradeAccumulator } from "../lib/market/mod.ts";
import { LogRecorder, type SnapshotSource } from "../lib/recorder/mod.ts";

const SYMBOLS = Array.from({ length: 10 }, (_, i) => `SYM${i}USDT`);
const SNAPSHOTS = 20_000;

function source(): SnapshotSource {
  const acc = new Map(SYMBOLS.map((s) => [s, new AggTradeAccumulator()]));
  let id = 0;
  return {
    latest(symbol) {
      const t = 1_700_000_000_000 + id;
      const kline: KlineEvent = {
        kind: "kline",
        symbol,
        eventTime: t,
        interval: "1m",
        openTime: t - (t % 60000),
        closeTime: t - (t % 60000) + 59999,
        open: "64000.1",
        high: "64010.5",
        low: "63990.2",
        close: (64000 + (id % 100) / 10).toFixed(1),
        volume: "12.345",
        quoteVolume: "790123.4",
        trades: 120,
        takerBuyVolume: "6.001",
        takerBuyQuoteVolume: "384000.1",
        isClosed: false,
      };
      const depth: DepthEvent = {
        kind: "depth",
        symbol,
        eventTime: t,
        transactionTime: t,
        lastUpdateId: id,
        bids: [["64000.0", "1.2"], ["63999.9", "0.5"], ["63999.8", "2"], [
          "63999.7",
          "3",
        ], [
          "63999.6",
          "4",
        ]],
        asks: [["64000.1", "0.7"], ["64000.2", "1"], ["64000.3", "2"], [
          "64000.4",
          "3",
        ], [
          "64000.5",
          "5",
        ]],
      };
      const trade: AggTradeEvent = {
        kind: "aggTrade",
        symbol,
        eventTime: t,
        aggId: ++id,
        price: "64000.1",
        qty: "0.010",
        firstTradeId: id,
        lastTradeId: id,
        tradeTime: t,
        buyerIsMaker: id % 2 === 0,
      };
      acc.get(symbol)!.add(trade);
      return {
        kline,
        depth,
        bookTicker: {
          kind: "bookTicker",
          symbol,
          eventTime: t,
          transactionTime: t,
          updateId: id,
          bidPrice: "64000.0",
          bidQty: "1.2",
          askPrice: "64000.1",
          askQty: "0.7",
        },
        markPrice: {
          kind: "markPrice",
          symbol,
          eventTime: t,
          markPrice: "64000.05000000",
          indexPrice: "63999.90000000",
          estimatedSettlePrice: "64000.00",
          fundingRate: "0.00010000",
          nextFundingTime: 1_700_006_400_000,
        },
      };
    },
    takeAggTrades: (symbol) => acc.get(symbol)!.take(),
  };
}

const dir = await Deno.makeTempDir({ prefix: "recorder_bench_" });
try {
  const rec = await LogRecorder.open(dir);
  const src = source();
  const start = performance.now();
  for (let i = 0; i < SNAPSHOTS; i++) {
    rec.snapshot(1_700_000_000_000 + i * 1000, SYMBOLS, src);
    if (rec.bufferedBytes > 1 << 20) await rec.flush();
  }
  await rec.close();
  const seconds = (performance.now() - start) / 1000;
  const rows = Object.values(rec.rowCounts()).reduce((a, b) => a + b, 0);
  let bytes = 0;
  for await (const e of Deno.readDir(dir)) {
    bytes += (await Deno.stat(`${dir}/${e.name}`)).size;
  }
  const rate = rows / seconds;
  const line = `recorder: ${rows} rows (${(bytes / 1e6).toFixed(1)} MB) in ${
    seconds.toFixed(2)
  } s = ${Math.round(rate).toLocaleString("en-US")} rows/s (target 200,000)`;
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
} finally {
  await Deno.remove(dir, { recursive: true });
}
