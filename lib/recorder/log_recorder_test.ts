import { deepEqual, equal, rejects } from "node:assert/strict";
import type {
  AggTradeEvent,
  BookTickerEvent,
  DepthEvent,
  KlineEvent,
  MarkPriceEvent,
} from "../exchange/events.ts";
import { virtualClock } from "../time/clock.ts";
import { AggTradeTally as AggTradeAccumulator } from "../market/agg_trade_tally.ts";
import { LogFileError } from "./csv_log_writer.ts";
import {
  LogRecorder,
  runRecorder,
  type SnapshotSource,
} from "./log_recorder.ts";
import { headerLine, LOG_KINDS } from "./schema.ts";

const KLINE: KlineEvent = {
  kind: "kline",
  symbol: "BTCUSDT",
  eventTime: 1700000001000,
  interval: "1m",
  openTime: 1700000000000 - 20_000,
  closeTime: 1700000039999,
  open: "100.10",
  high: "101.0",
  low: "99.5",
  close: "100.5",
  volume: "12.345",
  quoteVolume: "1234.5",
  trades: 7,
  takerBuyVolume: "6.000",
  takerBuyQuoteVolume: "600",
  isClosed: false,
};
const BOOK: BookTickerEvent = {
  kind: "bookTicker",
  symbol: "BTCUSDT",
  eventTime: 1700000000500,
  transactionTime: 1700000000499,
  updateId: 9,
  bidPrice: "100.4",
  bidQty: "1.000",
  askPrice: "100.5",
  askQty: "2.500",
};
const MARK: MarkPriceEvent = {
  kind: "markPrice",
  symbol: "BTCUSDT",
  eventTime: 1700000000000,
  markPrice: "100.45000000",
  indexPrice: "100.40000000",
  estimatedSettlePrice: "100.41",
  fundingRate: "0.00010000",
  nextFundingTime: 1700006400000,
};
const DEPTH: DepthEvent = {
  kind: "depth",
  symbol: "BTCUSDT",
  eventTime: 1700000000900,
  transactionTime: 1700000000899,
  lastUpdateId: 77,
  bids: [["100.4", "1"], ["100.3", "2"], ["100.2", "3"], ["100.1", "4"], [
    "100.0",
    "5",
  ]],
  asks: [["100.5", "1"], ["100.6", "2"], ["100.7", "3"]],
};

function trade(
  aggId: number,
  price: string,
  qty: string,
  buyerIsMaker: boolean,
): AggTradeEvent {
  return {
    kind: "aggTrade",
    symbol: "BTCUSDT",
    eventTime: 0,
    aggId,
    price,
    qty,
    firstTradeId: aggId,
    lastTradeId: aggId,
    tradeTime: 0,
    buyerIsMaker,
  };
}

function fakeSource(acc: AggTradeAccumulator): SnapshotSource {
  return {
    latest: (symbol) =>
      symbol === "BTCUSDT"
        ? { kline: KLINE, bookTicker: BOOK, markPrice: MARK, depth: DEPTH }
        : {},
    takeAggTrades: (symbol) =>
      symbol === "BTCUSDT" ? acc.take() : new AggTradeAccumulator().take(),
  };
}

Deno.test("LogRecorder writes the five logs with exact exchange strings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const acc = new AggTradeAccumulator();
    acc.add(trade(10, "100.5", "1.5", false));
    acc.add(trade(11, "100.4", "0.5", true));
    const rec = await LogRecorder.open(dir);
    rec.snapshot(1700000001000, ["BTCUSDT", "ETHUSDT"], fakeSource(acc));
    rec.snapshot(1700000002000, ["BTCUSDT"], fakeSource(acc));
    deepEqual(rec.rowCounts(), {
      kline: 2,
      bookTicker: 2,
      markPrice: 2,
      aggTrade_1s: 3,
      depth5: 2,
    });
    await rec.close();
    const kline = await Deno.readTextFile(`${dir}/kline.csv`);
    equal(
      kline.split("\n")[1],
      "1700000001000,BTCUSDT,1699999980000,1700000039999,100.10,101.0,99.5,100.5,12.345,1234.5,7,6.000,false",
    );
    const book = await Deno.readTextFile(`${dir}/bookTicker.csv`);
    equal(
      book.split("\n")[1],
      "1700000001000,BTCUSDT,1700000000500,100.4,1.000,100.5,2.500",
    );
    const mark = await Deno.readTextFile(`${dir}/markPrice.csv`);
    equal(
      mark.split("\n")[1],
      "1700000001000,BTCUSDT,1700000000000,100.45000000,100.40000000,0.00010000,1700006400000",
    );
    const agg = (await Deno.readTextFile(`${dir}/aggTrade_1s.csv`)).split("\n");
    // vwap = (100.5*1.5 + 100.4*0.5) / 2
    equal(
      agg[1],
      `1700000001000,BTCUSDT,2,2,1.5,0.5,${
        (100.5 * 1.5 + 100.4 * 0.5) / 2
      },100.4,10,11`,
    );
    equal(agg[2], "1700000001000,ETHUSDT,0,0,0,0,,,,");
    equal(agg[3], "1700000002000,BTCUSDT,0,0,0,0,,,,");
    const depth = (await Deno.readTextFile(`${dir}/depth5.csv`)).split("\n");
    equal(depth[0]!.split(",").length, 23);
    equal(
      depth[1],
      "1700000001000,BTCUSDT,1700000000900,100.4,100.3,100.2,100.1,100.0,1,2,3,4,5,100.5,100.6,100.7,,,1,2,3,,",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LogRecorder appends on restart and deletes logs on request", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const src = fakeSource(new AggTradeAccumulator());
    for (let i = 0; i < 2; i++) {
      const rec = await LogRecorder.open(dir);
      rec.snapshot(1000 + i, ["BTCUSDT"], src);
      await rec.close();
    }
    await t.step("one header, both rows", async () => {
      for (const kind of LOG_KINDS) {
        const lines = (await Deno.readTextFile(`${dir}/${kind}.csv`)).split(
          "\n",
        );
        equal(lines[0] + "\n", headerLine(kind));
        equal(lines.length, 4); // header, 2 rows, trailing ""
        equal(lines.filter((l) => l.startsWith("ts,")).length, 1);
      }
    });
    await t.step("deleteLogs starts fresh", async () => {
      const rec = await LogRecorder.open(dir, { deleteLogs: true });
      await rec.close();
      equal(await Deno.readTextFile(`${dir}/kline.csv`), headerLine("kline"));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LogRecorder.open() fails clearly on an unwritable directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    await rejects(LogRecorder.open(`${dir}/file/logs`), LogFileError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runRecorder() snapshots on whole seconds until the end time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rec = await LogRecorder.open(dir);
    const clock = virtualClock(1_700_000_000_300);
    const seen: number[] = [];
    await runRecorder(
      rec,
      fakeSource(new AggTradeAccumulator()),
      ["BTCUSDT"],
      clock,
      {
        until: 1_700_000_005_000,
        onSnapshot: (ts) => seen.push(ts),
      },
    );
    deepEqual(seen, [1, 2, 3, 4, 5].map((i) => 1_700_000_000_000 + i * 1000));
    equal(rec.bufferedBytes, 0);
    await rec.close();
    const lines = (await Deno.readTextFile(`${dir}/markPrice.csv`)).trimEnd()
      .split("\n");
    equal(lines.length, 6);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LogRecorder writes no row from a stream silent for longer than staleAfterMs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // receive times (local ms): the book went silent at 1000, everything at 3000
    const recv = {
      kline: 3000,
      bookTicker: 1000,
      markPrice: 3000,
      depth: 3000,
    };
    const source = (): SnapshotSource => ({
      ...fakeSource(new AggTradeAccumulator()),
      ages: (_symbol, nowMs) => ({
        kline: { sinceReceiveMs: nowMs - recv.kline },
        bookTicker: { sinceReceiveMs: nowMs - recv.bookTicker },
        markPrice: { sinceReceiveMs: nowMs - recv.markPrice },
        aggTrade: { sinceReceiveMs: Infinity }, // no trade yet
        depth: { sinceReceiveMs: nowMs - recv.depth },
      }),
    });
    const rec = await LogRecorder.open(dir, { staleAfterMs: 5000 });
    rec.snapshot(5000, ["BTCUSDT"], source()); // book 4 s old: written
    rec.snapshot(7000, ["BTCUSDT"], source()); // book 6 s old: skipped
    rec.snapshot(9000, ["BTCUSDT"], source()); // every stream > 5 s: nothing at all
    deepEqual(rec.rowCounts(), {
      kline: 2,
      bookTicker: 1,
      markPrice: 2,
      aggTrade_1s: 2,
      depth5: 2,
    });
    equal(rec.staleRowsSkipped, 1 + 5);
    await rec.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
