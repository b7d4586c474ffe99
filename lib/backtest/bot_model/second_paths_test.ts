import { deepEqual, equal } from "node:assert/strict";
import { SECOND_STRIDE } from "../../features/second_series.ts";
import {
  EXIT_BAR,
  EXIT_REASON,
  EXIT_TIME,
  EXIT_Y,
  SecondPaths,
  walkSecondExits,
} from "./second_paths.ts";

const T0 = 1_748_217_600_000;
const N = NaN;

/** Records from rows [second, p1, p2, p3, last, mark, bid, ask] (quantities 0). */
function records(rows: number[][]): Float64Array {
  const r = new Float64Array(rows.length * SECOND_STRIDE);
  rows.forEach((row, i) => {
    r.set([T0 + row[0]! * 1000, ...row.slice(1)], i * SECOND_STRIDE);
  });
  return r;
}

const bars = (n: number) =>
  new Float64Array(Array.from({ length: n }, (_, i) => T0 + i * 60_000));

function walk(
  sp: SecondPaths,
  s: number,
  tp: number,
  sl: number,
  act = Infinity,
  cb = 0,
  peak0 = 100,
) {
  const out = new Float64Array(4);
  walkSecondExits(
    sp,
    s,
    1,
    s * tp,
    s * sl,
    act === Infinity ? Infinity : s * act,
    s > 0 ? 1 - cb : 1 + cb,
    s * peak0,
    out,
  );
  return {
    bar: out[EXIT_BAR],
    price: s * out[EXIT_Y]!,
    reason: ["tp", "sl", "trail", "end"][out[EXIT_REASON]!],
    second: (out[EXIT_TIME]! - T0) / 1000,
  };
}

Deno.test("exits on the per-second path: TP on trades (at the touch before the second's book row), SL on the mark (at its second's touch)", () => {
  const sp = new SecondPaths(
    records([
      [10, N, N, N, 100, 100, 99.9, 100.1], // bar 0 (entry bar)
      [61, N, N, N, 100.2, 100.1, 100.1, 100.3], // bar 1
      [62, N, 100.5, 100.1, 100.3, 99.7, 100.2, 100.4], // a trade at 100.5, the mark at 99.7
      [125, N, N, N, 99, 99.6, 98.9, 99.1], // bar 2
    ]),
    bars(3),
  );
  deepEqual(sp.bookAt(0), [99.9, 100.1, 0, 0]);
  deepEqual(Array.from(sp.start), [0, 1, 3, 4]);
  // long: the trade at 100.5 reaches the TP before the mark reaches the SL; it sells at
  // the bid before second 62's book row (second 61's)
  deepEqual(walk(sp, 1, 100.4, 99.75), {
    bar: 1,
    price: 100.1,
    reason: "tp",
    second: 62,
  });
  // long with a TP out of reach: the mark (99.7) fires the SL, filled at the bid
  deepEqual(walk(sp, 1, 101, 99.75), {
    bar: 1,
    price: 100.2,
    reason: "sl",
    second: 62,
  });
  // the trade prices never fire a stop: only the mark does (bar 2's trade at 99 does not)
  deepEqual(walk(sp, 1, 101, 99.65), {
    bar: 2,
    price: 98.9,
    reason: "sl",
    second: 125,
  });
  // short: TP at 99.05 by bar 2's trade at 99, bought at the ask before its book row
  deepEqual(walk(sp, -1, 99.05, 101), {
    bar: 2,
    price: 100.4,
    reason: "tp",
    second: 125,
  });
  // nothing fires: open at the end
  equal(walk(sp, 1, 200, 50).reason, "end");
});

Deno.test("the trailing stop starts at the last price at placement, activates, then trails", () => {
  const sp = new SecondPaths(
    records([
      [61, N, N, N, 100.3, 100, 100.2, 100.4],
      [62, N, N, 101, 100.9, 100, 100.8, 101], // activates at 101 (>= 100.8)
      [63, N, N, N, 100.6, 100, 100.5, 100.7], // 100.6 > 101 * 0.995 = 100.495
      [64, N, N, N, 100.4, 100, 100.3, 100.5], // fires
    ]),
    bars(2),
  );
  deepEqual(walk(sp, 1, 200, 50, 100.8, 0.005), {
    bar: 1,
    price: 100.5,
    reason: "trail",
    second: 64,
  });
  // not activated: no trailing exit
  equal(walk(sp, 1, 200, 50, 101.5, 0.005).reason, "end");
});

Deno.test("skipping whole bars by their extremes gives the second-by-second walk's exits", () => {
  // random walks: the O(1) bar skip must never change an exit
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let trial = 0; trial < 300; trial++) {
    const nBars = 30, rows: number[][] = [];
    let px = 100, mark = 100;
    for (let sec = 0; sec < nBars * 60; sec++) {
      if (rnd() < 0.3) continue; // seconds without rows
      const pts = [N, N, N, N];
      const k = Math.floor(rnd() * 5);
      for (let q = 4 - k; q < 4; q++) {
        px = Math.round((px + (rnd() - 0.5) * 0.4) * 10) / 10;
        pts[q] = px;
      }
      mark = Math.round((mark * 0.7 + px * 0.3) * 100) / 100;
      rows.push([sec, ...pts, mark, px - 0.1, px + 0.1]);
    }
    const sp = new SecondPaths(records(rows), bars(nBars));
    // the same data with no bar boundaries to skip by (one bar holding every second)
    const s = rnd() < 0.5 ? 1 : -1;
    const tp = 100 + s * (0.5 + rnd() * 2), sl = 100 - s * (0.5 + rnd() * 2);
    const trail = rnd() < 0.6;
    const act = trail ? 100 + s * rnd() * 1.5 : Infinity;
    const cb = 0.001 + rnd() * 0.01;
    const got = walk(sp, s, tp, sl, act, cb);
    const naive = naiveWalk(rows, s, tp, sl, act, cb);
    equal(got.second, naive.second, `trial ${trial}`);
    equal(got.reason, naive.reason, `trial ${trial}`);
    if (got.reason !== "end") equal(got.price, naive.price, `trial ${trial}`);
  }
});

/** Every second from bar 1 on, as the simulator checks them. */
function naiveWalk(
  rows: number[][],
  s: number,
  tp: number,
  sl: number,
  act: number,
  cb: number,
) {
  let peak = s * 100, active = act < Infinity && peak >= s * act;
  const fire = (s > 0 ? 1 - cb : 1 + cb) * (1 + s * 1e-12);
  let prev = rows[0]!;
  for (const row of rows) {
    const before = prev;
    prev = row;
    if (row[0]! < 60) continue;
    let reason = "";
    for (let q = 1; q <= 4 && reason === ""; q++) {
      const p = row[q]!;
      if (Number.isNaN(p)) continue;
      const y = s * p;
      if (y >= s * tp) reason = "tp";
      else if (act < Infinity) {
        if (y > peak) peak = y;
        if (peak >= s * act) active = true;
        if (active && y <= peak * fire) reason = "trail";
      }
    }
    if (reason === "" && s * row[5]! <= s * sl) reason = "sl";
    if (reason !== "") {
      const book = reason === "sl" ? row : before;
      return { reason, second: row[0]!, price: s > 0 ? book[6]! : book[7]! };
    }
  }
  return { reason: "end", second: NaN, price: NaN };
}
