import { deepEqual, equal, throws } from "node:assert/strict";
import {
  avgVolSeries,
  consecutiveRuns,
  retBpsSeries,
  rsVarSeries,
  rsVolSeries,
} from "../features/series.ts";
import { checkStrategyParams } from "./params.ts";
import { type Bar, klineBar, SignalWindows } from "./signal_windows.ts";
import { ASTER_BTC_1M } from "../../tests/fixtures/real_data.ts";

const P = checkStrategyParams({
  k: 1,
  n: 1,
  t: 3,
  v: 2,
  maxSpreadBps: 5,
  maxFundingBps: 10,
});
const QUOTE = { bid: 99.99, ask: 100.01, mark: 100, fundingRate: 0 };

function bar(i: number, close: number, volume = 10, base = 0): Bar {
  return {
    openTime: base + i * 60_000,
    open: 100,
    high: Math.max(100, close) + 0.5,
    low: Math.min(100, close) - 0.5,
    close,
    volume,
  };
}

Deno.test("SignalWindows gives no signal until both windows are full", async (t) => {
  await t.step("T = 3 needs three bars before the current one", () => {
    const w = new SignalWindows(P);
    for (let i = 0; i < 3; i++) {
      w.push(bar(i, 100));
      equal(w.ready, false);
      equal(w.evaluate(QUOTE).side, "none");
      equal(w.evaluate(QUOTE).reason, "warming_up");
    }
    w.push(bar(3, 101, 100)); // +100 bp, volume 100 > 10
    equal(w.ready, true);
    equal(w.evaluate(QUOTE).side, "long");
  });
  await t.step("a gap breaks the windows until they refill", () => {
    const w = new SignalWindows(P);
    for (let i = 0; i < 5; i++) w.push(bar(i, 100));
    equal(w.ready, true);
    w.push(bar(7, 101, 100)); // two minutes missing
    equal(w.ready, false);
    equal(w.evaluate(QUOTE).reason, "warming_up");
    for (let i = 8; i < 10; i++) {
      w.push(bar(i, 100));
      equal(w.evaluate(QUOTE).side, "none");
    }
    w.push(bar(10, 100));
    equal(w.ready, true);
    w.push(bar(11, 101, 100));
    equal(w.evaluate(QUOTE).side, "long");
  });
  await t.step("duplicates, older and unclosed bars are ignored", () => {
    const w = new SignalWindows(P);
    equal(w.push(bar(1, 100)), true);
    equal(w.push(bar(1, 100)), false);
    equal(w.push(bar(0, 100)), false);
    equal(w.push({ ...bar(2, 100), isClosed: false }), false);
    equal(w.count, 1);
  });
  await t.step("bad bars are refused", () => {
    const w = new SignalWindows(P);
    throws(() => w.push({ ...bar(0, 100), low: 0 }), RangeError);
    throws(() => w.push({ ...bar(0, 100), volume: NaN }), RangeError);
  });
});

Deno.test("SignalWindows.seedFromHistory() lets a restarted bot trade at once", async (t) => {
  await t.step(
    "history fills the windows; the next live bar can signal",
    () => {
      const w = new SignalWindows(P);
      const history = [0, 1, 2, 3].map((i) => bar(i, 100));
      history.push({ ...bar(4, 100), isClosed: false }); // the open bar from REST
      equal(w.seedFromHistory(history), 4);
      w.push(bar(4, 99, 100)); // the live close of that bar
      equal(w.evaluate(QUOTE).side, "short");
    },
  );
  await t.step("klineBar() converts exchange strings", () => {
    const b = klineBar({
      kind: "kline",
      symbol: "BTCUSDT",
      eventTime: 1,
      interval: "1m",
      openTime: 60_000,
      closeTime: 119_999,
      open: "1.5",
      high: "2",
      low: "1",
      close: "1.75",
      volume: "3.25",
      quoteVolume: "0",
      trades: 1,
      takerBuyVolume: "0",
      takerBuyQuoteVolume: "0",
      isClosed: true,
    });
    deepEqual(b, {
      openTime: 60_000,
      open: 1.5,
      high: 2,
      low: 1,
      close: 1.75,
      volume: 3.25,
      isClosed: true,
    });
  });
});

async function realBars(): Promise<Bar[]> {
  const text = await Deno.readTextFile(ASTER_BTC_1M);
  const rows = text.trim().split("\n").slice(1);
  return rows.map((line) => {
    const [t, o, h, l, c, v] = line.split(",").map(Number);
    return {
      openTime: t!,
      open: o!,
      high: h!,
      low: l!,
      close: c!,
      volume: v!,
    };
  });
}

Deno.test("SignalWindows gives the feature builder's numbers on real bars", async (t) => {
  const all = await realBars();
  // drop a few minutes to exercise a gap
  const bars = all.filter((_, i) => i < 200 || i >= 203);
  const params = checkStrategyParams({ ...P, t: 30, v: 15 });
  const open = Float64Array.from(bars, (b) => b.open);
  const high = Float64Array.from(bars, (b) => b.high);
  const low = Float64Array.from(bars, (b) => b.low);
  const close = Float64Array.from(bars, (b) => b.close);
  const vol = Float64Array.from(bars, (b) => b.volume);
  const runs = consecutiveRuns(Float64Array.from(bars, (b) => b.openTime));
  const ret = retBpsSeries(runs, close);
  const rs = rsVolSeries(runs, rsVarSeries(open, high, low, close), 30);
  const av = avgVolSeries(runs, vol, 15);
  await t.step("every bar's ret, rs_vol and avg_vol are identical", () => {
    const w = new SignalWindows(params);
    let ready = 0;
    for (let i = 0; i < bars.length; i++) {
      w.push(bars[i]!);
      const f = w.features();
      deepEqual(
        [f.retBps, f.rsVolBps, f.avgVolume, f.volume],
        [ret[i], rs[i], av[i], vol[i]],
        `bar ${i}`,
      );
      if (w.ready) ready++;
    }
    // 30 warm-up bars at the start and after the gap
    equal(ready, bars.length - 60);
  });
});
