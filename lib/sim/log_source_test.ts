import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import type {
  RawAggTrade,
  RawBookTicker,
  RawDepth,
  RawPremiumIndex,
} from "../exchange/wire.ts";
import { ManualClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";

const T0 = Date.UTC(2026, 1, 3, 7, 0, 0);
const SECONDS = 180;

interface Expected {
  bars: { t: number; o: number; h: number; l: number; c: number; v: number }[];
  lastBook: string[];
  lastMark: string[];
  lastDepth: string[];
  lastPrice: number;
}

/** Writes three minutes of recorder logs for BTCUSDT (plus noise rows of another symbol). */
async function writeLogs(dir: string): Promise<Expected> {
  const kline = [
    "ts,symbol,open_time,close_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,is_closed",
  ];
  const book = ["ts,symbol,event_time,bid_price,bid_qty,ask_price,ask_qty"];
  const mark = [
    "ts,symbol,event_time,mark_price,index_price,funding_rate,next_funding_time",
  ];
  const agg = [
    "ts,symbol,trades,volume,buy_volume,sell_volume,vwap,last_price,first_agg_id,last_agg_id",
  ];
  const lv = (p: string) => [1, 2, 3, 4, 5].map((i) => `${p}_${i}`).join(",");
  const depth = [
    `ts,symbol,event_time,${lv("bid_px")},${lv("bid_qty")},${lv("ask_px")},${
      lv("ask_qty")
    }`,
  ];
  const exp: Expected = {
    bars: [],
    lastBook: [],
    lastMark: [],
    lastDepth: [],
    lastPrice: 0,
  };
  let bar = { t: -1, o: 0, h: 0, l: 0, c: 0, v: 0, q: 0, n: 0, tb: 0 };
  for (let s = 0; s < SECONDS; s++) {
    const ts = T0 + s * 1000 + 200;
    const price = Math.round((65000 + 40 * Math.sin(s / 9) + s * 0.3) * 10) /
      10;
    const buy = 0.01 + (s % 7) * 0.002, sell = 0.004 + (s % 5) * 0.003;
    const openTime = Math.floor(ts / 60_000) * 60_000;
    if (openTime !== bar.t) {
      if (bar.t >= 0) {
        // The closed kline arrives after the minute, with trades no snapshot saw.
        const c = Math.round((bar.c + 0.2) * 10) / 10;
        const h = Math.max(bar.h, c);
        const v = Math.round((bar.v + 0.5) * 1000) / 1000;
        kline.push(
          `${ts},BTCUSDT,${bar.t},${bar.t + 59_999},${bar.o.toFixed(1)},${
            h.toFixed(1)
          },${bar.l.toFixed(1)},${c.toFixed(1)},${v.toFixed(3)},${
            bar.q.toFixed(4)
          },${bar.n + 1},${bar.tb.toFixed(3)},true`,
        );
        exp.bars.push({ t: bar.t, o: bar.o, h, l: bar.l, c, v });
      }
      bar = {
        t: openTime,
        o: price,
        h: price,
        l: price,
        c: price,
        v: 0,
        q: 0,
        n: 0,
        tb: 0,
      };
    }
    bar.h = Math.max(bar.h, price);
    bar.l = Math.min(bar.l, price);
    bar.c = price;
    bar.v = Math.round((bar.v + buy + sell) * 1000) / 1000;
    bar.q += (buy + sell) * price;
    bar.n += 3;
    bar.tb += buy;
    agg.push(
      `${ts},BTCUSDT,3,${(buy + sell).toFixed(3)},${buy.toFixed(3)},${
        sell.toFixed(3)
      },${price},${price.toFixed(1)},${s * 3 + 1},${s * 3 + 3}`,
    );
    kline.push(
      `${ts},BTCUSDT,${openTime},${openTime + 59_999},${bar.o.toFixed(1)},${
        bar.h.toFixed(1)
      },${bar.l.toFixed(1)},${bar.c.toFixed(1)},${bar.v.toFixed(3)},${
        bar.q.toFixed(4)
      },${bar.n},${bar.tb.toFixed(3)},false`,
    );
    kline.push(
      `${ts},XRPUSDT,${openTime},${
        openTime + 59_999
      },2.5,2.5,2.5,2.5,10,25,1,5,false`,
    );
    exp.lastBook = [
      (price - 0.1).toFixed(1),
      "1.234",
      price.toFixed(1),
      "0.567",
    ];
    book.push(`${ts},BTCUSDT,${ts - 5},${exp.lastBook.join(",")}`);
    exp.lastMark = [
      (price + 1.5).toFixed(8),
      (price + 0.5).toFixed(8),
      "0.00012000",
      String(T0 + 3_600_000),
    ];
    mark.push(`${ts},BTCUSDT,${ts - 5},${exp.lastMark.join(",")}`);
    const bids = [1, 2, 3, 4, 5].map((i) => (price - 0.1 * i).toFixed(1));
    const asks = [0, 1, 2, 3, 4].map((i) => (price + 0.1 * i).toFixed(1));
    const qty = ["1.234", "2.000", "0.500", "3.100", "0.010"];
    exp.lastDepth = [...bids, ...qty, ...asks, "0.567", ...qty.slice(1)];
    depth.push(`${ts},BTCUSDT,${ts - 5},${exp.lastDepth.join(",")}`);
    exp.lastPrice = price;
  }
  const write = (name: string, lines: string[]) =>
    Deno.writeTextFile(join(dir, name), lines.join("\n") + "\n");
  await Promise.all([
    write("kline.csv", kline),
    write("bookTicker.csv", book),
    write("markPrice.csv", mark),
    write("aggTrade_1s.csv", agg),
    write("depth5.csv", depth),
  ]);
  return exp;
}

Deno.test("startSimulator() replays the recorder's logs in ts order", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const exp = await writeLogs(dir);
    const clock = new ManualClock(T0);
    await using sim = await startSimulator({
      clock,
      symbols: ["BTCUSDT"],
      historyMinutes: 0,
      source: { kind: "logs", logDir: dir },
    });
    const api = async <T>(path: string): Promise<T> =>
      (await (await fetch(`${sim.restUrl}${path}`)).json()) as T;

    await t.step("the clock starts at the logs' first minute", () => {
      equal(sim.clock.now(), T0);
    });

    await t.step("closed bars are the recorded kline snapshots", () => {
      clock.advance(SECONDS * 1000);
      const bars = sim.closedKlines("BTCUSDT");
      equal(bars.length, 3);
      deepEqual(
        bars.slice(0, 2).map((
          b,
        ) => [
          b[0],
          Number(b[1]),
          Number(b[2]),
          Number(b[3]),
          Number(b[4]),
          Number(b[5]),
        ]),
        exp.bars.map((b) => [b.t, b.o, b.h, b.l, b.c, b.v]),
      );
    });

    await t.step(
      "book, mark, depth and trades are the last recorded rows",
      async () => {
        const bt = await api<RawBookTicker>(
          "/fapi/v1/ticker/bookTicker?symbol=BTCUSDT",
        );
        deepEqual(
          [bt.bidPrice, bt.bidQty, bt.askPrice, bt.askQty].map(Number),
          exp.lastBook.map(Number),
        );
        const pi = await api<RawPremiumIndex>(
          "/fapi/v1/premiumIndex?symbol=BTCUSDT",
        );
        deepEqual(
          [
            pi.markPrice,
            pi.indexPrice,
            pi.lastFundingRate,
            String(pi.nextFundingTime),
          ].map(Number),
          exp.lastMark.map(Number),
        );
        const d = await api<RawDepth>("/fapi/v1/depth?symbol=BTCUSDT&limit=5");
        deepEqual(
          [
            ...d.bids.map((x) => x[0]),
            ...d.bids.map((x) => x[1]),
            ...d.asks.map((x) => x[0]),
            ...d.asks.map((x) => x[1]),
          ]
            .map(Number),
          exp.lastDepth.map(Number),
        );
        const tr = await api<RawAggTrade[]>(
          "/fapi/v1/aggTrades?symbol=BTCUSDT&limit=1",
        );
        equal(Number(tr[0]!.p), exp.lastPrice);
        ok(tr[0]!.T < clock.now());
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startSimulator() rejects a log directory without logs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await rejects(
      startSimulator({ source: { kind: "logs", logDir: dir } }),
      RangeError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startSimulator() ends each replayed bar at its last kline snapshot, late ones included", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const head =
      "ts,symbol,open_time,close_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,is_closed";
    const row = (ts: number, open: number, k: string) =>
      `${T0 + ts},BTCUSDT,${T0 + open},${T0 + open + 59_999},${k},0,false`;
    const A = 0, B = 60_000;
    await Deno.writeTextFile(
      join(dir, "kline.csv"),
      [
        head,
        row(1_000, A, "100.0,100.5,99.8,100.2,1.234,0,5,0.600"),
        row(2_000, A, "100.0,100.5,99.8,100.2,1.234,0,5,0.600"),
        row(3_000, A, "100.0,101.0,99.5,99.9,2.000,0,9,1.000"),
        // The bar's last snapshot, recorded 8 s after its end.
        row(68_000, A, "100.0,101.2,99.5,101.1,2.500,0,12,1.200"),
        row(69_000, B, "101.0,101.0,101.0,101.0,0.001,0,1,0.000"),
        row(70_000, B, "101.0,101.0,101.0,101.0,0.001,0,1,0.000"),
        // Too late for the feature builder (its bar is final): ignored.
        row(71_000, A, "100.0,109.0,99.5,109.0,9.000,0,20,1.200"),
        row(100_000, B, "101.0,102.0,100.9,101.5,0.500,0,4,0.200"),
        row(121_000, 120_000, "101.5,101.5,101.5,101.5,0.010,0,1,0.010"),
      ].join("\n") + "\n",
    );
    const clock = new ManualClock(T0);
    await using sim = await startSimulator({
      clock,
      symbols: ["BTCUSDT"],
      historyMinutes: 0,
      source: { kind: "logs", logDir: dir },
    });
    const trades: number[][] = [];
    sim.market.addListener({
      onTrade: (_m, time, price, qty) => trades.push([time, price, qty]),
    });
    clock.advance(150_000);
    const expected = [
      [T0 + A, 100, 101.2, 99.5, 101.1, 2.5],
      [T0 + B, 101, 102, 100.9, 101.5, 0.5],
    ];

    await t.step("closed bars are the last snapshots", () => {
      deepEqual(
        sim.closedKlines("BTCUSDT").map((k) =>
          [k[0], k[1], k[2], k[3], k[4], k[5]].map(Number)
        ),
        expected,
      );
    });

    await t.step("the trades of each minute make up its bar", () => {
      for (const [open, o, h, l, c, v] of expected) {
        const bar = trades.filter((x) =>
          x[0]! >= open! && x[0]! < open! + 60_000
        );
        ok(bar.length >= 4);
        const prices = bar.map((x) => x[1]!);
        deepEqual(
          [
            prices[0],
            Math.max(...prices),
            Math.min(...prices),
            prices.at(-1),
            Number(bar.reduce((s, x) => s + x[2]!, 0).toFixed(3)),
          ],
          [o, h, l, c, v],
        );
        ok(bar.every((x, i) => i === 0 || x[0]! >= bar[i - 1]![0]!));
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
