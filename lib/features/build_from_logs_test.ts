import { deepEqual, equal, throws } from "node:assert/strict";
import {
  b,
  BOOK_HEADER,
  k,
  KLINE_HEADER,
  m,
  MARK_HEADER,
  memoryParts,
  parseTable,
  T0,
} from "./_testing.ts";
import { BarWindows } from "./bar_windows.ts";
import {
  buildFeaturesFromLogs,
  type LogBuildOptions,
} from "./build_from_logs.ts";
import type { BuildReport } from "./build_report.ts";
import { FeatureInputError } from "./csv_source.ts";
import { featureColumns } from "./feature_table.ts";
import { memorySink, memorySource } from "./io.ts";
import {
  avgVolSeries,
  consecutiveRuns,
  retBpsSeries,
  rsVarSeries,
  rsVolSeries,
} from "./series.ts";

interface Logs {
  kline: string[];
  book: string[];
  mark: string[];
}

function build(
  logs: Logs,
  options: Partial<LogBuildOptions> = {},
  chunk = 7,
): { rows: Record<string, string>[]; text: string; report: BuildReport } {
  const out = memorySink();
  const report = buildFeaturesFromLogs(
    {
      kline: {
        name: "kline.csv",
        source: memorySource(
          [KLINE_HEADER, ...logs.kline, ""].join("\n"),
          chunk,
        ),
      },
      bookTicker: {
        name: "bookTicker.csv",
        source: memorySource([BOOK_HEADER, ...logs.book, ""].join("\n"), chunk),
      },
      markPrice: {
        name: "markPrice.csv",
        source: memorySource([MARK_HEADER, ...logs.mark, ""].join("\n"), chunk),
      },
    },
    out,
    memoryParts(),
    { windows: [1, 2], latenessMs: 5000, ...options },
  );
  return { rows: parseTable(out.text()), text: out.text(), report };
}

const rs = (o: number, h: number, l: number, c: number): number =>
  Math.log(h / c) * Math.log(h / o) + Math.log(l / c) * Math.log(l / o);
const bp = (x: number): string => String(x * 10000);

// The hand-made case: symbol AAA has bars at minutes 0, 1, 2, 4, 5 (3 missing),
// BBB at minutes 0, 1 and no book or mark. BBB rows come first in the files.
const HAND: Logs = {
  kline: [
    k(500, "BBB", 0, 10, 11, 9, 10.5, 100),
    k(1000, "AAA", 0, 100, 100, 100, 100, 1),
    k(30_000, "AAA", 0, 100, 102, 99, 101, 5),
    k(30_000, "AAA", 0, 100, 101, 99, 100, 3), // tie: later row wins
    k(59_000, "AAA", 0, 100, 102, 98, 101, 6),
    k(59_000, "AAA", 0, 100, 103, 98, 101.5, 7), // tie at the end: this one
    k(65_000, "BBB", 1, 10.5, 10.6, 10.4, 10.45, 50),
    k(119_000, "AAA", 1, 101.5, 104, 101, 103, 8), // largest ts of minute 1
    k(118_000, "AAA", 1, 101.5, 103, 101, 102, 7), // out of order, older
    k(120_500, "AAA", 0, 1, 1, 1, 1, 1), // late: bar 0 already emitted
    "1700000210000,AAA,1700000160000,x,103,103,100,abc,4,0,1,0,false", // malformed
    k(179_500, "AAA", 2, 103, 103, 100, 100, 4),
    k(180_500, "AAA", 2, 103, 103, 99, 99.5, 4.5, true), // closing snapshot
    k(250_000, "AAA", 4, 99.5, 100, 99, 99.8, 3),
    k(310_000, "AAA", 5, 99.8, 100.5, 99.8, 100.2, 2),
  ],
  book: [
    b(20_000, "AAA", 99.9, 100.1),
    b(58_000, "AAA", 100.9, 101.1),
    b(60_000, "AAA", 50, 200), // at the bar's end: not part of bar 0
    b(61_000, "AAA", 101, 101.2),
    b(61_000, "AAA", 101.05, 101.25), // tie: later row wins
    b(59_500, "AAA", 101.4, 101.6), // out of order, still before bar 0's end
    `${T0 + 62_000},AAA,1,2,3`, // malformed: 5 fields
    b(299_999, "AAA", 99.7, 99.9),
    b(300_000, "AAA", 99.8, 100), // exactly 60000 ms old at bar 5's end
  ],
  mark: [
    m(10_000, "AAA", 100.05, "0.0001"),
    m(55_000, "AAA", 101, "0.00012"),
    m(100_000, "AAA", 102, ""), // funding not known
    m(290_000, "AAA", 99.85, "-0.00005"),
  ],
};

Deno.test("buildFeaturesFromLogs() computes every column of a hand-made case", async (t) => {
  const { rows, report, text } = build(HAND);
  const a = rows.filter((r) => r["symbol"] === "AAA");
  await t.step("header, sorting by symbol then open time, gaps", () => {
    equal(text.split("\n")[0], featureColumns([1, 2]).join(","));
    deepEqual(
      rows.map((r) => `${r["symbol"]}:${(Number(r["ts"]) - T0) / 60_000}`),
      ["AAA:0", "AAA:1", "AAA:2", "AAA:4", "AAA:5", "BBB:0", "BBB:1"],
    );
  });
  await t.step(
    "bars take the last snapshot by ts, ties to the later row",
    () => {
      deepEqual(
        a.map((r) => [r["open"], r["high"], r["low"], r["close"], r["vol1m"]]),
        [
          ["100", "103", "98", "101.5", "7"],
          ["101.5", "104", "101", "103", "8"],
          ["103", "103", "99", "99.5", "4.5"],
          ["99.5", "100", "99", "99.8", "3"],
          ["99.8", "100.5", "99.8", "100.2", "2"],
        ],
      );
    },
  );
  await t.step("ret_bps and rs_var_1m", () => {
    deepEqual(a.map((r) => r["ret_bps"]), [
      "",
      bp(103 / 101.5 - 1),
      bp(99.5 / 103 - 1),
      "",
      bp(100.2 / 99.8 - 1),
    ]);
    deepEqual(a.map((r) => r["rs_var_1m"]), [
      String(rs(100, 103, 98, 101.5)),
      String(rs(101.5, 104, 101, 103)),
      String(rs(103, 103, 99, 99.5)),
      String(rs(99.5, 100, 99, 99.8)),
      String(rs(99.8, 100.5, 99.8, 100.2)),
    ]);
  });
  await t.step(
    "rolling windows use the bars before, empty across the gap",
    () => {
      const r0 = rs(100, 103, 98, 101.5);
      const r1 = rs(101.5, 104, 101, 103);
      deepEqual(a.map((r) => r["rs_vol_1m_bps"]), [
        "",
        String(Math.sqrt(r0 / 1) * 10000),
        String(Math.sqrt(r1 / 1) * 10000),
        "",
        String(Math.sqrt(rs(99.5, 100, 99, 99.8) / 1) * 10000),
      ]);
      deepEqual(a.map((r) => r["rs_vol_2m_bps"]), [
        "",
        "",
        String(Math.sqrt((r0 + r1) / 2) * 10000),
        "",
        "",
      ]);
      deepEqual(a.map((r) => r["avg_vol_1m"]), ["", "7", "8", "", "3"]);
      deepEqual(a.map((r) => r["avg_vol_2m"]), [
        "",
        "",
        String((7 + 8) / 2),
        "",
        "",
      ]);
    },
  );
  await t.step("book as of the bar's end: ts < end, ties, staleness", () => {
    const spread = (bid: number, ask: number): string =>
      String((ask - bid) / ((ask + bid) / 2) * 10000);
    deepEqual(a.map((r) => r["spread_bps"]), [
      spread(101.4, 101.6), // the out-of-order row at 59.5 s
      spread(101.05, 101.25), // the later of the two rows at 61 s
      "", // last row 119 s old
      spread(99.7, 99.9), // 299.999 s, not the row at exactly 300 s
      spread(99.8, 100), // exactly 60 s old: still used
    ]);
  });
  await t.step("mark, funding and opening losses, staleness", () => {
    deepEqual(a.map((r) => r["mark_price"]), ["101", "102", "", "99.85", ""]);
    deepEqual(a.map((r) => r["funding_bps"]), [
      String(0.00012 * 10000),
      "",
      "",
      String(-0.00005 * 10000),
      "",
    ]);
    deepEqual(a.map((r) => r["open_loss_long_bps"]), [
      String((101.6 - 101) / 101 * 10000),
      String((101.25 - 102) / 102 * 10000),
      "",
      String((99.9 - 99.85) / 99.85 * 10000),
      "",
    ]);
    deepEqual(a.map((r) => r["open_loss_short_bps"]), [
      String((101 - 101.4) / 101 * 10000),
      String((102 - 101.05) / 102 * 10000),
      "",
      String((99.85 - 99.7) / 99.85 * 10000),
      "",
    ]);
  });
  await t.step("a symbol without book or mark has those columns empty", () => {
    const bbb = rows.filter((r) => r["symbol"] === "BBB");
    deepEqual(bbb.map((r) => `${r["spread_bps"]}${r["mark_price"]}`), ["", ""]);
    deepEqual(bbb.map((r) => r["ret_bps"]), ["", bp(10.45 / 10.5 - 1)]);
  });
  await t.step("malformed and late rows are counted with file and line", () => {
    equal(report.malformed, 2);
    deepEqual(report.malformedExamples.toSorted(), [
      "bookTicker.csv:8: 5 fields, expected 7",
      'kline.csv:12: field close "abc" is not a number',
    ]);
    equal(report.late, 1);
    equal(report.lateExamples[0]?.startsWith("kline.csv:11: AAA"), true);
    equal(report.bars, 7);
    deepEqual(report.symbols, ["AAA", "BBB"]);
  });
});

Deno.test("buildFeaturesFromLogs() handles bad and empty input", async (t) => {
  await t.step("--strict makes a malformed row fatal", () => {
    throws(
      () => build(HAND, { strict: true }),
      (e: unknown) =>
        e instanceof FeatureInputError &&
        /bookTicker\.csv:8: 5 fields, expected 7/.test(e.message),
    );
  });
  await t.step("a missing column names the file and the column", () => {
    throws(
      () =>
        buildFeaturesFromLogs(
          {
            kline: { name: "k.csv", source: memorySource(KLINE_HEADER + "\n") },
            bookTicker: {
              name: "b.csv",
              source: memorySource("ts,symbol,bid_price\n"),
            },
            markPrice: { name: "m.csv", source: memorySource(MARK_HEADER) },
          },
          memorySink(),
          memoryParts(),
          { windows: [10] },
        ),
      /Cannot read b\.csv: missing column ask_price/,
    );
  });
  await t.step("quotes are rejected as malformed", () => {
    const { report } = build({
      kline: [`${T0},"AAA",${T0},0,1,1,1,1,1,0,1,0,false`],
      book: [],
      mark: [],
    });
    deepEqual(report.malformedExamples, [
      "kline.csv:2: quoted fields are not supported",
    ]);
  });
  await t.step("empty logs give a header-only table", () => {
    const { text, report } = build({ kline: [], book: [], mark: [] });
    equal(text, featureColumns([1, 2]).join(",") + "\n");
    equal(report.bars, 0);
  });
});

/** Synthetic logs: 2 symbols, `minutes` minutes, a row per second with jitter, late rows. */
function synthetic(minutes: number): Logs & { ts: number[][] } {
  let s = 3;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const logs = {
    kline: [] as string[],
    book: [] as string[],
    mark: [] as string[],
  };
  const ts: number[][] = [[], [], []];
  const push = (file: 0 | 1 | 2, t: number, line: string): void => {
    [logs.kline, logs.book, logs.mark][file]!.push(line);
    ts[file]!.push(t);
  };
  const price = [100, 20];
  for (let minute = 0; minute < minutes; minute++) {
    if (minute === 7) continue; // a gap in every file
    for (const [i, sym] of ["XX", "YY"].entries()) {
      const o = price[i]!;
      let h = o, l = o, v = 0;
      for (let sec = 0; sec < 60; sec += 4) {
        const rel = minute * 60_000 + sec * 1000 + Math.floor(rand() * 900);
        const p = Math.round(price[i]! * (1 + (rand() - 0.5) * 0.002) * 100) /
          100;
        price[i] = p;
        h = Math.max(h, p);
        l = Math.min(l, p);
        v = Math.round((v + rand() * 3) * 1000) / 1000;
        push(0, T0 + rel, k(rel, sym, minute, o, h, l, p, v));
        if (sec === 56) {
          push(
            0,
            T0 + rel + 4000,
            k(rel + 4000, sym, minute, o, h, l, p, v, true),
          );
        }
        const late = rand() < 0.1 ? 2500 : 0; // written 2.5 s later in the file
        const bookRel = rel + 10 + (sec === 56 && i === 0 ? 3000 : 0);
        const line = b(bookRel, sym, p - 0.01, p + 0.01 + (sec % 3) / 100);
        push(1, T0 + bookRel + late, line);
        if (sec % 20 === 0 || (minute === 12 && i === 1)) {
          push(
            2,
            T0 + rel + 20,
            m(rel + 20, sym, p + 0.005, sec % 40 ? "0.0001" : "-0.0002"),
          );
        }
      }
    }
  }
  // Rows are written in arrival order (by the time they were written, not their ts).
  for (
    const [f, lines] of [[0, logs.kline], [1, logs.book], [
      2,
      logs.mark,
    ]] as const
  ) {
    const order = lines.map((_, j) => j).sort((x, y) =>
      ts[f]![x]! - ts[f]![y]! || x - y
    );
    const sorted = order.map((j) => lines[j]!);
    lines.splice(0, lines.length, ...sorted);
  }
  return { ...logs, ts };
}

Deno.test("buildFeaturesFromLogs() never looks ahead", async (t) => {
  const minutes = 20;
  const logs = synthetic(minutes);
  const full = build(logs, { windows: [2, 5] }, 1 << 12).rows;
  const tsOf = (line: string): number =>
    Number(line.slice(0, line.indexOf(",")));
  await t.step("the full run has bars of both symbols and some joins", () => {
    equal(full.length, 2 * (minutes - 1));
    equal(
      full.some((r) => r["spread_bps"] !== "" && r["mark_price"] !== ""),
      true,
    );
  });
  for (let cut = 1; cut <= minutes; cut++) {
    await t.step(`truncating the logs at minute ${cut}`, () => {
      const end = T0 + cut * 60_000;
      const keep = (lines: string[]): string[] =>
        lines.filter((l) => tsOf(l) < end);
      const part = build(
        {
          kline: keep(logs.kline),
          book: keep(logs.book),
          mark: keep(logs.mark),
        },
        { windows: [2, 5] },
        1 << 12,
      ).rows;
      deepEqual(part, full.filter((r) => Number(r["ts"]) < end));
    });
  }
});

Deno.test("the builder and the live BarWindows/series paths give the same values", async (t) => {
  const logs = synthetic(40);
  const windows = [1, 3, 10];
  const { rows } = build(logs, { windows }, 1 << 12);
  for (const sym of ["XX", "YY"]) {
    await t.step(sym, () => {
      const r = rows.filter((x) => x["symbol"] === sym);
      const col = (name: string): Float64Array =>
        Float64Array.from(r, (x) => Number(x[name]));
      const openTime = col("ts");
      const [o, h, l, c, v] = ["open", "high", "low", "close", "vol1m"].map(
        col,
      ) as [
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      const runs = consecutiveRuns(openTime);
      const batch: Record<string, Float64Array> = {
        "ret_bps": retBpsSeries(runs, c),
        "rs_var_1m": rsVarSeries(o, h, l, c),
      };
      for (const w of windows) {
        batch[`rs_vol_${w}m_bps`] = rsVolSeries(runs, batch["rs_var_1m"]!, w);
        batch[`avg_vol_${w}m`] = avgVolSeries(runs, v, w);
      }
      const live = new BarWindows(windows);
      const fmt = (x: number): string => (Number.isFinite(x) ? String(x) : "");
      for (let i = 0; i < r.length; i++) {
        live.push(openTime[i]!, o[i]!, h[i]!, l[i]!, c[i]!, v[i]!);
        const liveValues: Record<string, number> = {
          "ret_bps": live.retBps,
          "rs_var_1m": live.rsVar,
        };
        windows.forEach((w, j) => {
          liveValues[`rs_vol_${w}m_bps`] = live.rsVolBps[j]!;
          liveValues[`avg_vol_${w}m`] = live.avgVol[j]!;
        });
        for (const [name, series] of Object.entries(batch)) {
          equal(r[i]![name], fmt(series[i]!), `${name} batch ${i}`);
          equal(r[i]![name], fmt(liveValues[name]!), `${name} live ${i}`);
        }
      }
      equal(r.filter((x) => x["rs_vol_10m_bps"] !== "").length > 10, true);
    });
  }
});

Deno.test("buildFeaturesFromLogs() measures staleness by the exchange's event time", () => {
  // An outage: the recorder kept writing the frozen quote every second (fresh ts, the
  // exchange's event time stuck at 5 s); by the end of bar 1 it is 115 s old, so unused.
  const kline = [
    k(1_000, "AAA", 0, 100, 101, 99, 100, 1),
    k(61_000, "AAA", 1, 100, 101, 99, 100, 1),
    k(121_000, "AAA", 2, 100, 101, 99, 100, 1),
  ];
  const frozen: string[] = [], marks: string[] = [];
  for (let rel = 5_000; rel < 120_000; rel += 1_000) {
    frozen.push(b(rel, "AAA", 99.9, 100.1, rel - 5_000));
    marks.push(m(rel, "AAA", 100, "0.0001", rel - 5_000));
  }
  const { rows } = build({ kline, book: frozen, mark: marks }, {
    windows: [1],
    latenessMs: 0,
  });
  deepEqual(rows.map((r) => r["spread_bps"] === ""), [false, true, true]);
  deepEqual(rows.map((r) => r["mark_price"]), ["100", "", ""]);
});
