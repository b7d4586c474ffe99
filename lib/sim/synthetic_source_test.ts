import { deepEqual, equal, notDeepEqual, ok } from "node:assert/strict";
import { emptyBar } from "./bar_ring.ts";
import { Market, type Publisher } from "./market.ts";
import { syntheticSource } from "./synthetic_source.ts";

const QUIET: Publisher = { wants: () => false, publish: () => {} };
const START = Date.UTC(2026, 0, 5, 0, 0);

function runBars(seed: number, symbols: string[], minutes: number): Market {
  const source = syntheticSource(symbols, seed);
  const market = new Market(symbols.map((s) => source.feed(s)), QUIET, minutes);
  market.start(START);
  return market;
}

function closes(market: Market, symbol: string): number[][] {
  const m = market.symbol(symbol)!;
  const out: number[][] = [];
  const b = emptyBar();
  for (let i = 0; i < m.bars.size; i++) {
    m.bars.read(i, b);
    out.push([b.openTime, b.open, b.high, b.low, b.close, b.volume, b.trades]);
  }
  return out;
}

Deno.test("syntheticSource() is deterministic per seed", async (t) => {
  await t.step("same seed, same bars and trades", () => {
    const a = runBars(7, ["BTCUSDT", "ETHUSDT"], 60);
    const b = runBars(7, ["BTCUSDT", "ETHUSDT"], 60);
    deepEqual(closes(a, "BTCUSDT"), closes(b, "BTCUSDT"));
    deepEqual(closes(a, "ETHUSDT"), closes(b, "ETHUSDT"));
    deepEqual(
      a.symbol("BTCUSDT")!.aggTrades({ limit: 50 }),
      b.symbol("BTCUSDT")!.aggTrades({ limit: 50 }),
    );
  });
  await t.step("a symbol's path does not depend on the other symbols", () => {
    const a = runBars(7, ["BTCUSDT", "ETHUSDT"], 30);
    const b = runBars(7, ["BTCUSDT"], 30);
    deepEqual(closes(a, "BTCUSDT"), closes(b, "BTCUSDT"));
  });
  await t.step("another seed, other bars", () => {
    notDeepEqual(
      closes(runBars(7, ["BTCUSDT"], 30), "BTCUSDT"),
      closes(runBars(8, ["BTCUSDT"], 30), "BTCUSDT"),
    );
  });
  await t.step(
    "bars are sane: one per minute, high/low bound open/close, volume > 0",
    () => {
      const bars = closes(runBars(3, ["SOLUSDT"], 120), "SOLUSDT");
      equal(bars.length, 120);
      for (let i = 0; i < bars.length; i++) {
        const [t0, o, h, l, c, v] = bars[i]!;
        equal(t0, START - (120 - i) * 60_000);
        ok(
          h! >= Math.max(o!, c!) && Math.min(o!, c!) >= l! && l! > 0,
          `bar ${i}`,
        );
        ok(v! > 0, `bar ${i} volume`);
      }
    },
  );
});

/** Bars with |log return| > 2 × Rogers–Satchell vol and volume > 2 × mean volume, both over the previous 30 bars. */
function signalBars(bars: number[][]): number {
  let count = 0;
  for (let i = 31; i < bars.length; i++) {
    let rs = 0, vol = 0;
    for (let j = i - 30; j < i; j++) {
      const [, o, h, l, c, v] = bars[j]!;
      rs += Math.log(h! / c!) * Math.log(h! / o!) +
        Math.log(l! / c!) * Math.log(l! / o!);
      vol += v!;
    }
    const sigma = Math.sqrt(rs / 30);
    const ret = Math.log(bars[i]![4]! / bars[i - 1]![4]!);
    if (Math.abs(ret) > 2 * sigma && bars[i]![5]! > 2 * (vol / 30)) count++;
  }
  return count;
}

Deno.test("syntheticSource() makes a momentum/volume signal fire regularly", () => {
  let total = 0;
  for (const symbol of ["BTCUSDT", "ETHUSDT", "SOLUSDT"]) {
    const n = signalBars(closes(runBars(1, [symbol], 6 * 60), symbol));
    ok(n >= 1, `${symbol}: ${n} signal bars in 6 h`);
    ok(n <= 60, `${symbol}: ${n} signal bars in 6 h is not rare`);
    total += n;
  }
  ok(total >= 5, `only ${total} signal bars over 18 symbol-hours`);
});
