import { deepEqual, equal } from "node:assert/strict";
import { expandGrid } from "./grid.ts";
import { N_METRICS } from "./metrics.ts";
import {
  csvNumber,
  equityCsvLines,
  jsonNumber,
  rankedCsvLines,
  rankedJson,
  tradeCsvLines,
} from "./outputs.ts";
import { parseFeatureTable } from "./feature_table.ts";
import { newSimRecord, simulate } from "./simulate.ts";

Deno.test("csvNumber() and jsonNumber() keep NaN and infinities readable", () => {
  deepEqual(
    [NaN, Infinity, -Infinity, 0.1 + 0.2].map(csvNumber),
    ["", "inf", "-inf", "0.30000000000000004"],
  );
  deepEqual([NaN, Infinity, 2].map(jsonNumber), [null, "inf", 2]);
});

Deno.test("output renderers write ranked rows, trades and equity", async (t) => {
  const configs = expandGrid({
    k: [1],
    n: [1],
    T: [10],
    V: [10],
    "max_spread_bps": [5],
    "max_funding_bps": [10],
    "sl_stop": [NaN, 0.02],
    "tp_stop": [0.05],
    "sl_trail": [0],
    fees: [0],
    slippage: [0],
    "init_cash": [100],
  });
  const rows = new Float64Array(2 * N_METRICS).fill(NaN);
  rows[3] = 1.5; // sharpe of config 0
  const scope = { scope: "AAA", order: Int32Array.from([1, 0]), rows };
  await t.step("ranked.csv", () => {
    const lines = [...rankedCsvLines([scope], configs)];
    equal(lines.length, 3);
    equal(
      lines[1]!.split(",").slice(0, 15).join(","),
      "AAA,1,1,1,1,10,10,5,10,0.02,0.05,false,0,0,100",
    );
    equal(lines[2]!.split(",")[9], "none");
    equal(lines[2]!.split(",")[18], "1.5");
  });
  await t.step("ranked.json", () => {
    const doc = rankedJson([scope], configs, { "rank_by": "sharpe" }, 1);
    const list = (doc.rankings as Record<string, unknown[]>)["AAA"]!;
    equal(list.length, 1);
    deepEqual(
      (list[0] as { params: { sl_stop: number } }).params.sl_stop,
      0.02,
    );
  });
  await t.step("trades and equity CSVs", () => {
    const header =
      "ts,symbol,open,high,low,close,vol1m,ret_bps,spread_bps,funding_bps,mark_price,open_loss_long_bps,open_loss_short_bps,rs_var_1m,rs_vol_10m_bps,avg_vol_10m";
    const f = parseFeatureTable(
      [
        header,
        "60000,AAA,100,100,100,100,1,,,,,,,,,",
        "120000,AAA,100,101,97,98,1,,,,,,,,,",
      ].join("\n"),
    ).symbols[0]!;
    const rec = newSimRecord(2);
    simulate({
      close: f.close,
      open: f.open,
      high: f.high,
      low: f.low,
      signals: Int8Array.from([1, 0]),
    }, {
      slStop: 0.02,
      tpStop: NaN,
      slTrail: false,
      fees: 0,
      slippage: 0,
      initCash: 100,
    }, { record: rec });
    const trades = [...tradeCsvLines(rec, f)];
    equal(trades[1], "0,long,closed,0,60000,100,1,120000,98,1,0,0,-2,-0.02,sl");
    deepEqual([...equityCsvLines(rec, f)], [
      "ts,close,position,value",
      "60000,100,1,100",
      "120000,98,0,98",
    ]);
  });
});
