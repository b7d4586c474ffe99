import { deepEqual, equal, throws } from "node:assert/strict";
import { BarWindows } from "./bar_windows.ts";
import {
  avgVolSeries,
  consecutiveRuns,
  retBpsSeries,
  rsVarSeries,
  rsVolSeries,
} from "./series.ts";

const T0 = 1_700_000_040_000;

/** Random 1m bars with gaps and a few invalid (NaN) bars. */
function randomBars(n: number, seed: number) {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const cols = {
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let t = T0;
  let p = 100;
  for (let i = 0; i < n; i++) {
    t += rand() < 0.03 ? 60_000 * (2 + Math.floor(rand() * 5)) : 60_000;
    const o = p;
    p = Math.round(p * (1 + (rand() - 0.5) * 0.004) * 100) / 100;
    cols.openTime[i] = t;
    cols.open[i] = o;
    cols.high[i] = Math.max(o, p) + Math.round(rand() * 20) / 100;
    cols.low[i] = Math.min(o, p) - Math.round(rand() * 20) / 100;
    cols.close[i] = rand() < 0.01 ? NaN : p;
    cols.volume[i] = Math.round(rand() * 1e6) / 1000;
  }
  return cols;
}

Deno.test("BarWindows gives the batch series' values bit for bit", async (t) => {
  const rsW = [1, 3, 10, 30, 60];
  const volW = [2, 10, 45];
  const b = randomBars(3000, 42);
  const runs = consecutiveRuns(b.openTime);
  const ret = retBpsSeries(runs, b.close);
  const rs = rsVarSeries(b.open, b.high, b.low, b.close);
  const vols = rsW.map((w) => rsVolSeries(runs, rs, w));
  const avgs = volW.map((w) => avgVolSeries(runs, b.volume, w));
  const live = new BarWindows(rsW, volW);
  let checked = 0;
  await t.step("every bar, every column", () => {
    for (let i = 0; i < b.openTime.length; i++) {
      live.push(
        b.openTime[i]!,
        b.open[i]!,
        b.high[i]!,
        b.low[i]!,
        b.close[i]!,
        b.volume[i]!,
      );
      equal(Object.is(live.retBps, ret[i]), true, `ret ${i}`);
      equal(Object.is(live.rsVar, rs[i]), true, `rsVar ${i}`);
      rsW.forEach((_, j) =>
        equal(Object.is(live.rsVolBps[j], vols[j]![i]), true, `rsVol ${j} ${i}`)
      );
      volW.forEach((_, j) =>
        equal(Object.is(live.avgVol[j], avgs[j]![i]), true, `avgVol ${j} ${i}`)
      );
      if (Number.isFinite(vols[3]![i]!)) checked++;
    }
  });
  await t.step("the data exercised full windows", () => {
    equal(checked > 100, true);
  });
});

Deno.test("BarWindows windows cover the bars before, and gaps restart them", async (t) => {
  const w = new BarWindows([2], [2]);
  const rs = (o: number, h: number, l: number, c: number): number =>
    Math.log(h / c) * Math.log(h / o) + Math.log(l / c) * Math.log(l / o);
  await t.step("first two bars have no full window", () => {
    w.push(T0, 100, 102, 99, 101, 10);
    equal(Number.isNaN(w.retBps), true);
    equal(Number.isNaN(w.rsVolBps[0]!), true);
    w.push(T0 + 60_000, 101, 103, 100, 102, 20);
    equal(w.retBps, (102 / 101 - 1) * 10000);
    equal(Number.isNaN(w.avgVol[0]!), true);
  });
  await t.step("third bar uses bars one and two, not itself", () => {
    w.push(T0 + 120_000, 102, 150, 50, 102, 1000);
    equal(w.avgVol[0], (10 + 20) / 2);
    equal(
      w.rsVolBps[0],
      Math.sqrt((rs(100, 102, 99, 101) + rs(101, 103, 100, 102)) / 2) * 10000,
    );
  });
  await t.step("a missing minute empties every window and the return", () => {
    w.push(T0 + 240_000, 102, 103, 101, 102.5, 5);
    equal(Number.isNaN(w.retBps), true);
    deepEqual([...w.rsVolBps, ...w.avgVol].map(Number.isNaN), [true, true]);
    w.push(T0 + 300_000, 102.5, 103, 101, 102, 7);
    equal(Number.isNaN(w.avgVol[0]!), true);
    w.push(T0 + 360_000, 102, 103, 101, 102, 9);
    equal(w.avgVol[0], (5 + 7) / 2);
  });
  await t.step("bars must move forward; windows must be positive", () => {
    throws(() => w.push(T0, 1, 1, 1, 1, 1), RangeError);
    throws(() => new BarWindows([0]), RangeError);
  });
});
