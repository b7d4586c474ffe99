import { deepEqual, throws } from "node:assert/strict";
import { parseFeatureTable } from "./feature_table.ts";
import { buildSignals, type SignalKey } from "./signals.ts";

const HEADER =
  "ts,symbol,open,high,low,close,vol1m,ret_bps,spread_bps,funding_bps,mark_price,open_loss_long_bps,open_loss_short_bps,rs_var_1m,rs_vol_10m_bps,avg_vol_10m";
// ret, vol, spread, funding, olLong, olShort, rs_vol, avg_vol per bar
const BARS: number[][] = [
  [25, 30, 1, 0, 2, 2, 10, 10], // long: 25 > 2*10, 30 > 2*10
  [-25, 30, 1, 0, 2, 2, 10, 10], // short
  [15, 30, 1, 0, 2, 2, 10, 10], // return too small
  [25, 15, 1, 0, 2, 2, 10, 10], // volume too small
  [25, 30, 4, 0, 2, 2, 10, 10], // spread 4 > 3
  [25, 30, 1, -6, 2, 2, 10, 10], // |funding| 6 > 5
  [25, 30, 1, 0, 6, 2, 10, 10], // long opening loss 6 > min(10, max(5, 2)) = 5
  [-25, 30, 1, 0, 6, 2, 10, 10], // the short side is not affected
  [-25, 30, 2.9, 0, 2, 5.7, 10, 10], // short opening loss 5.7 <= 5.8
  [NaN, 30, 1, 0, 2, 2, 10, 10], // empty return
  [25, 30, NaN, 0, 2, 2, 10, 10], // empty spread fails the blocker
  [25, 30, 1, 0, 2, 2, NaN, 10], // empty rs_vol
  [20, 30, 1, 0, 2, 2, 10, 10], // equality is not an entry
  [25, 30, -1, 0, -2, 2, 10, 10], // a crossed book (older tables: negative spread)
];

function table() {
  const s = (x: number) => (Number.isNaN(x) ? "" : String(x));
  const rows = BARS.map(([r, v, sp, fu, ol, os, rs, av], i) =>
    `${(i + 1) * 60000},AAA,100,101,99,100,${s(v!)},${s(r!)},${s(sp!)},${
      s(fu!)
    },100,${s(ol!)},${s(os!)},0,${s(rs!)},${s(av!)}`
  );
  return parseFeatureTable([HEADER, ...rows].join("\n")).symbols[0]!;
}

const KEY: SignalKey = {
  k: 2,
  n: 2,
  t: 10,
  v: 10,
  maxSpreadBps: 3,
  maxFundingBps: 5,
};

Deno.test("buildSignals() applies thresholds and blockers", async (t) => {
  const f = table();
  await t.step("each blocker alone flips the signal", () => {
    deepEqual(
      Array.from(buildSignals(f, KEY)),
      [1, -1, 0, 0, 0, 0, 0, -1, -1, 0, 0, 0, 0, 0],
    );
  });
  await t.step(
    "--blockers off ignores spread, funding and opening loss",
    () => {
      deepEqual(
        Array.from(buildSignals(f, KEY, { blockers: false })),
        [1, -1, 0, 0, 1, 1, 1, -1, -1, 0, 1, 0, 0, 1],
      );
    },
  );
  await t.step("long and short on one bar cancel (negative k)", () => {
    const sig = buildSignals(f, { ...KEY, k: -3 }, { blockers: false });
    deepEqual(Array.from(sig).slice(0, 3), [0, 0, 0]);
  });
  await t.step("a window missing from the table is an error", () => {
    throws(() => buildSignals(f, { ...KEY, t: 30 }), /rs_vol_30m_bps/);
  });
});
