import { deepEqual, equal, match } from "node:assert/strict";
import { parseTable } from "./_testing.ts";
import { buildFeaturesFromOhlcv } from "./build_from_ohlcv.ts";
import { memorySink, memorySource } from "./io.ts";

const H = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % H); // an hour start

function run(ohlcv: string[], funding?: string[], mark?: string[]) {
  const out = memorySink();
  const src = (name: string, rows: string[]) => ({
    name,
    source: memorySource(rows.join("\n") + "\n", 5),
  });
  const report = buildFeaturesFromOhlcv(
    {
      ohlcv: src("o.csv", ["open_time,open,high,low,close,volume", ...ohlcv]),
      ...(funding
        ? { funding: src("f.csv", ["funding_time,funding_rate", ...funding]) }
        : {}),
      ...(mark
        ? { mark: src("m.csv", ["open_time,open,high,low,close", ...mark]) }
        : {}),
    },
    out,
    { symbol: "BTCUSDT", windows: [2] },
  );
  return { rows: parseTable(out.text()), report };
}

function bar(minute: number, c: number, v = 1): string {
  return `${T0 + minute * 60_000},${c},${c + 1},${c - 1},${c},${v}`;
}

Deno.test("buildFeaturesFromOhlcv() joins funding and mark as of the bar's end", async (t) => {
  const bars = [-2, -1, 0, 1, 59, 60, 121].map((mi) => bar(mi, 100 + mi));
  const funding = [`${T0 - 8 * H},0.0001`, `${T0 + 30_000},0.0003`];
  const mark = [
    `${T0 - 2 * H},1,1,1,90`,
    `${T0 - H},1,1,1,95`, // closes at T0
    `${T0},1,1,1,99`, // closes at T0 + 1h
    // no kline for T0 + 1h: a gap, so the last value grows stale
  ];
  const { rows, report } = run(bars, funding, mark);
  await t.step("funding applies from its funding time on", () => {
    deepEqual(rows.map((r) => r["funding_bps"]), [
      "1",
      "1",
      ...Array(5).fill(String(0.0003 * 10000)), // from 30 s into bar 0 on
    ]);
  });
  await t.step(
    "mark is the close of the last mark kline closed by the bar's end",
    () => {
      deepEqual(rows.map((r) => r["mark_price"]), [
        "90", // bar -2 ends at T0 - 60 s: kline T0-2h closed at T0-1h
        "95", // bar -1 ends at T0
        "95",
        "95",
        "99", // bar 59 ends at T0 + 1h
        "99", // 1 min old
        "", // closed 62 min before the end: older than max(staleness, 1h)
      ]);
    },
  );
  await t.step("book columns are empty, bar columns are filled", () => {
    equal(
      rows.every((r) =>
        r["spread_bps"] === "" && r["open_loss_long_bps"] === ""
      ),
      true,
    );
    deepEqual(rows.map((r) => r["ret_bps"] === ""), [
      true,
      false,
      false,
      false,
      true,
      false,
      true, // after the gap
    ]);
    equal(rows[3]!["avg_vol_2m"], "1");
    equal(report.bars, 7);
  });
});

Deno.test("buildFeaturesFromOhlcv() handles duplicates, disorder and no side files", async (t) => {
  const { rows, report } = run([
    bar(0, 100),
    bar(1, 101),
    bar(1, 102), // same open_time: the later row wins
    bar(0, 99), // older than the bar held: out of order, a bad row
    "x,1,1,1,1,1",
    bar(2, 103),
  ]);
  await t.step("rows", () => {
    deepEqual(rows.map((r) => r["close"]), ["100", "102", "103"]);
    equal(
      rows.every((r) => r["funding_bps"] === "" && r["mark_price"] === ""),
      true,
    );
  });
  await t.step("report", () => {
    equal(report.late, 0);
    equal(report.malformed, 2);
    equal(report.barRows, 6);
    deepEqual(report.malformedExamples, [
      `o.csv:5: open_time ${T0} is before ${
        T0 + 60_000
      } (rows must be ascending)`,
      'o.csv:6: field open_time "x" is not a number',
    ]);
  });
});

Deno.test("buildFeaturesFromOhlcv() skips and names implausible bars", () => {
  const { rows, report } = run([
    bar(0, 100),
    `${T0 + 60_000},100,99,98,100,1`, // high below open
    `${T0 + 120_000},100,101,99,100,-5`, // negative volume
    `${T0 + 180_000},0,101,0,100,1`, // zero price
    `${T0 + 240_000},1e308,1e308,1e308,1e308,1`, // absurd price
    `${(T0 + 300_000) / 1000},100,101,99,100,1`, // seconds
    bar(6, 106),
  ]);
  deepEqual(rows.map((r) => r["close"]), ["100", "106"]);
  equal(report.malformed, 5);
  equal(report.barRows, 7);
  for (
    const [i, re] of [
      /high 99 is below/,
      /volume -5/,
      /open 0 /,
      /1e\+308/,
      /epoch milliseconds/,
    ].entries()
  ) {
    match(report.malformedExamples[i]!, re);
  }
  // no absurd return: the bar after a gap has no ret_bps at all
  equal(rows[1]!["ret_bps"], "");
});

Deno.test("buildFeaturesFromOhlcv() with 1m mark klines uses the mark close of the bar itself", () => {
  const bars = [0, 1, 2, 4].map((mi) => bar(mi, 100 + mi));
  const mark = [0, 1, 2, 3, 4].map((mi) =>
    `${T0 + mi * 60_000},1,1,1,${200 + mi}`
  );
  const { rows } = run(bars, undefined, mark);
  deepEqual(rows.map((r) => r["mark_price"]), ["200", "201", "202", "204"]);
  // Without the bar's own mark kline, the previous one is still within the staleness limit.
  const gap = run(bars, undefined, mark.filter((_, i) => i !== 4)).rows;
  deepEqual(gap.map((r) => r["mark_price"]), ["200", "201", "202", "203"]);
});
