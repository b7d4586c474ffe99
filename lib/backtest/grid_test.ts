import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  configRecord,
  expandGrid,
  gridSize,
  type GridSpec,
  parseGridJson,
  parseGridList,
  signalGroups,
  signalKeyOf,
  simParamsOf,
  validateGrid,
} from "./grid.ts";

const SPEC: GridSpec = {
  k: [2, 1],
  n: [1],
  T: [30, 10],
  V: [10],
  "max_spread_bps": [3],
  "max_funding_bps": [5],
  "sl_stop": [0.01, NaN],
  "tp_stop": [0.02],
  "sl_trail": [1, 0],
  fees: [0.001],
  slippage: [0],
  "init_cash": [100],
};
const CTX = { rsWindows: [10, 30, 60], volWindows: [10, 30] };

Deno.test("parseGridList() and parseGridJson() read value lists", async (t) => {
  await t.step("numbers, none for stops, booleans for sl_trail", () => {
    deepEqual(parseGridList("k", "1, 2.5,3"), [1, 2.5, 3]);
    deepEqual(parseGridList("sl_stop", "none,0.01"), [NaN, 0.01]);
    deepEqual(parseGridList("sl_trail", "false,true,on"), [0, 1, 1]);
  });
  await t.step("bad words", () => {
    throws(() => parseGridList("k", "1,x"), /k value "x" is not a number/);
    throws(() => parseGridList("k", "none"), /k cannot be "none"/);
    throws(() => parseGridList("sl_trail", "maybe"), /not true or false/);
  });
  await t.step("JSON grid", () => {
    deepEqual(
      parseGridJson({
        k: [1, 2],
        "sl_stop": [null, 0.02],
        "sl_trail": [false, true],
        n: 3,
      }),
      { k: [1, 2], sl_stop: [NaN, 0.02], sl_trail: [0, 1], n: [3] },
    );
    throws(() => parseGridJson({ kk: [1] }), /unknown parameter "kk"/);
    throws(() => parseGridJson([1]), /expected a JSON object/);
  });
});

Deno.test("validateGrid() refuses empty and invalid grids", async (t) => {
  await t.step("a valid grid passes", () => validateGrid(SPEC, CTX));
  const bad = (patch: Partial<GridSpec>, re: RegExp) =>
    throws(() => validateGrid({ ...SPEC, ...patch }, CTX), re);
  await t.step("empty list", () => bad({ k: [] }, /k has no values/));
  await t.step(
    "negative stop",
    () => bad({ sl_stop: [-0.01] }, /sl_stop=-0.01 must be a fraction >= 0/),
  );
  await t.step("window not in the table", () => {
    bad(
      { T: [15] },
      /T=15 is not a window of the feature table \(it has rs_vol windows 10,30,60\)/,
    );
    bad({ V: [60] }, /V=60 is not a window/);
  });
  await t.step("costs", () => {
    bad({ fees: [-0.001] }, /fees=-0.001 must be in \[0, 1\)/);
    bad({ init_cash: [0] }, /init_cash=0 must be > 0/);
    bad({ k: [-1] }, /k=-1 must be a number >= 0/);
  });
});

Deno.test("expandGrid() builds the canonical cartesian product", async (t) => {
  const table = expandGrid(SPEC);
  await t.step("size and order: sorted lists, NaN (off) first", () => {
    equal(table.count, 16);
    equal(gridSize(SPEC), 16);
    deepEqual(configRecord(table, 0), {
      k: 1,
      n: 1,
      T: 10,
      V: 10,
      "max_spread_bps": 3,
      "max_funding_bps": 5,
      "sl_stop": null,
      "tp_stop": 0.02,
      "sl_trail": false,
      fees: 0.001,
      slippage: 0,
      "init_cash": 100,
    });
    deepEqual(signalKeyOf(table, 15), {
      k: 2,
      n: 1,
      t: 30,
      v: 10,
      maxSpreadBps: 3,
      maxFundingBps: 5,
    });
    const p = simParamsOf(table, 15);
    equal(p.slStop, 0.01);
    equal(p.slTrail, true);
  });
  await t.step("duplicates collapse", () => {
    equal(expandGrid({ ...SPEC, k: [1, 1, 2] }).count, 16);
  });
  await t.step("signal groups share the six signal parameters", () => {
    const groups = signalGroups(table);
    equal(groups.length, 4);
    for (const g of groups) {
      equal(g.length, 4);
      ok(
        g.every((c) => signalKeyOf(table, c).t === signalKeyOf(table, g[0]!).t),
      );
    }
  });
});
