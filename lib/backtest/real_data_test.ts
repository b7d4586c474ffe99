import { equal, ok } from "node:assert/strict";
import type { FeatureTable, SymbolFeatures } from "./feature_table.ts";
import { parseFeatureTable } from "./feature_table.ts";
import { expandGrid, signalKeyOf, simParamsOf } from "./grid.ts";
import { runGrid } from "./grid_runner.ts";
import { M, N_METRICS } from "./metrics.ts";
import { buildSignals } from "./signals.ts";
import { newSimRecord, simulate } from "./simulate.ts";
import { featureTableCsvLines } from "./synthetic_table.ts";
import { BINANCE_1M } from "../../tests/fixtures/real_data.ts";

const KLINES = BINANCE_1M.BTCUSDT;
const WINDOWS = [10, 30];

/** Features of an OHLCV file with the feature builder's formulas (blocker inputs empty). */
async function btcFeatures(): Promise<FeatureTable> {
  const lines = (await Deno.readTextFile(KLINES)).trim().split("\n").slice(1);
  const n = lines.length;
  const col = () => new Float64Array(n);
  const ts = col(), open = col(), high = col(), low = col(), close = col();
  const vol = col(), ret = col(), rsVar = col();
  const empty = col().fill(NaN);
  lines.forEach((line, i) => {
    const [t, o, h, l, c, v] = line.split(",").map(Number);
    ts[i] = t!;
    open[i] = o!;
    high[i] = h!;
    low[i] = l!;
    close[i] = c!;
    vol[i] = v!;
    ret[i] = i > 0 && t! - ts[i - 1]! === 60_000
      ? (c! / close[i - 1]! - 1) * 10000
      : NaN;
    rsVar[i] = Math.log(h! / c!) * Math.log(h! / o!) +
      Math.log(l! / c!) * Math.log(l! / o!);
  });
  const rsVol = new Map<number, Float64Array>();
  const avgVol = new Map<number, Float64Array>();
  for (const w of WINDOWS) {
    const rv = col().fill(NaN), av = col().fill(NaN);
    for (let i = w; i < n; i++) {
      if (ts[i]! - ts[i - w]! !== w * 60_000) continue;
      let s = 0, sv = 0;
      for (let j = i - w; j < i; j++) {
        s += rsVar[j]!;
        sv += vol[j]!;
      }
      rv[i] = Math.sqrt(s / w) * 10000;
      av[i] = sv / w;
    }
    rsVol.set(w, rv);
    avgVol.set(w, av);
  }
  const f: SymbolFeatures = {
    symbol: "BTCUSDT",
    bars: n,
    ts,
    open,
    high,
    low,
    close,
    vol,
    ret,
    spread: empty,
    funding: empty,
    openLossLong: empty,
    openLossShort: empty,
    mark: empty,
    rsVol,
    avgVol,
  };
  // Round trip through the CSV format, as the feature builder would write it.
  const table = { symbols: [f], rsWindows: WINDOWS, volWindows: WINDOWS };
  return parseFeatureTable([...featureTableCsvLines(table)].join("\n"));
}

Deno.test("runGrid() on real BTCUSDT 1m bars keeps the accounting invariants", async (t) => {
  const table = await btcFeatures();
  const f = table.symbols[0]!;
  const configs = expandGrid({
    k: [1.5, 3],
    n: [1, 2],
    T: [10, 30],
    V: [30],
    "max_spread_bps": [5],
    "max_funding_bps": [10],
    "sl_stop": [NaN, 0.003],
    "tp_stop": [NaN, 0.006],
    "sl_trail": [0, 1],
    fees: [0.0005],
    slippage: [0.0002],
    "init_cash": [100],
  });
  const grid = await runGrid(table, configs, { workers: 0, blockers: false });
  let totalTrades = 0, stopExits = 0;

  for (let c = 0; c < configs.count; c++) {
    const row = grid.metrics.subarray(c * N_METRICS, (c + 1) * N_METRICS);
    const rec = newSimRecord(f.bars);
    const signals = buildSignals(f, signalKeyOf(configs, c), {
      blockers: false,
    });
    const again = simulate(
      { close: f.close, open: f.open, high: f.high, low: f.low, signals },
      simParamsOf(configs, c),
      { record: rec },
    );
    const init = 100;
    await t.step(`config ${c}`, () => {
      // The recording run reproduces the grid's metric row bit for bit.
      equal(again.join(), row.join());
      equal(rec.trades.length, row[M.nTrades]);
      // final value = init cash + sum of trade PnL (open trade marked at the last close)
      const pnl = rec.trades.reduce((a, x) => a + x.pnl, 0);
      const fv = row[M.finalValue]!;
      ok(Math.abs(fv - (init + pnl)) <= 1e-9 * fv, `${fv} vs ${init + pnl}`);
      ok(Math.abs(rec.value[f.bars - 1]! - fv) <= 1e-9 * fv);
      // no overlapping trades; a reversal shares its bar
      for (let i = 1; i < rec.trades.length; i++) {
        ok(rec.trades[i]!.entryIdx >= rec.trades[i - 1]!.exitIdx);
      }
      for (const tr of rec.trades) {
        ok(tr.exitIdx >= tr.entryIdx);
        if (
          tr.exitReason === "sl" || tr.exitReason === "tsl" ||
          tr.exitReason === "tp"
        ) {
          const i = tr.exitIdx;
          ok(tr.exitIdx > tr.entryIdx, "no stop on the entry bar");
          ok(
            tr.exitPrice === f.open[i] ||
              (tr.exitPrice >= f.low[i]! && tr.exitPrice <= f.high[i]!),
            `stop exit ${tr.exitPrice} outside bar ${i}`,
          );
          stopExits++;
        }
      }
      totalTrades += rec.trades.length;
    });
  }
  await t.step("the grid traded and stopped out", () => {
    ok(totalTrades > 1000, `${totalTrades} trades`);
    ok(stopExits > 100, `${stopExits} stop exits`);
  });
});
