import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  b,
  BOOK_HEADER,
  k,
  KLINE_HEADER,
  m as markRow,
  MARK_HEADER,
  memoryParts,
  parseTable,
  T0,
} from "./_testing.ts";
import { buildFeaturesFromLogs, type PartStore } from "./build_from_logs.ts";
import { type ByteSink, memorySink, memorySource } from "./io.ts";
import {
  checkSecondSeries,
  F_ASK,
  F_BID,
  F_LAST,
  F_MARK,
  F_T,
  parseSecondSeries,
  SECOND_STRIDE,
  type SecondSeries,
  SecondSeriesError,
} from "./second_series.ts";

/** A binary in-memory sink. */
function bytesSink(): ByteSink & { bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return {
    writeSync(data: Uint8Array): number {
      parts.push(data.slice());
      return data.length;
    },
    close(): void {},
    bytes(): Uint8Array {
      const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    },
  };
}

function bytesParts(): PartStore {
  const parts = new Map<number, ReturnType<typeof bytesSink>>();
  return {
    create(id) {
      const s = bytesSink();
      parts.set(id, s);
      return s;
    },
    open(id) {
      return memorySource(parts.get(id)!.bytes(), 5);
    },
  };
}

function build(
  kline: string[],
  book: string[],
  mark: string[],
): { table: Record<string, string>[]; series: SecondSeries } {
  const out = memorySink();
  const sec = bytesSink();
  const src = (name: string, header: string, rows: string[]) => ({
    name,
    source: memorySource([header, ...rows, ""].join("\n"), 11),
  });
  buildFeaturesFromLogs(
    {
      kline: src("kline.csv", KLINE_HEADER, kline),
      bookTicker: src("bookTicker.csv", BOOK_HEADER, book),
      markPrice: src("markPrice.csv", MARK_HEADER, mark),
    },
    out,
    memoryParts(),
    { windows: [1], latenessMs: 5000 },
    { out: sec, parts: bytesParts(), tableName: "t.csv" },
  );
  return {
    table: parseTable(out.text()),
    series: parseSecondSeries(sec.bytes(), "t.csv.1s"),
  };
}

/** Records as plain rows: [t - T0, p1, p2, p3, last, mark, bid, ask]. */
function rows(r: Float64Array): number[][] {
  const out: number[][] = [];
  for (let o = 0; o < r.length; o += SECOND_STRIDE) {
    const row = Array.from(r.subarray(o, o + SECOND_STRIDE));
    row[F_T] = row[F_T]! - T0;
    out.push(row);
  }
  return out;
}

Deno.test("the per-second file follows the replay's trade path, carries quotes and ties to its table", () => {
  const { table, series } = build(
    [
      k(1_200, "AAA", 0, 100, 100, 100, 100), // a new bar: its open
      k(2_300, "AAA", 0, 100, 101, 99, 100.5), // both extremes: the farther (low) first
      k(3_400, "AAA", 0, 100, 101, 99, 100.5, 2), // unchanged, traded: a trade at the close
      k(4_400, "AAA", 0, 100, 101, 99, 100.5, 2), // unchanged, no volume: no trade
      k(59_500, "AAA", 0, 100, 102, 99, 101), // new high then the close
      k(63_000, "AAA", 0, 100, 102, 98, 98.5), // late (after the bar's end): last second of bar 0
      k(62_000, "AAA", 1, 98.5, 99, 98.5, 99),
      k(62_400, "AAA", 1, 98.5, 99.5, 98.2, 99.4), // five points in second 62: extremes kept
      k(65_000, "BBB", 1, 10, 10, 10, 10),
    ],
    [b(1_500, "AAA", 99.9, 100.1), b(62_500, "AAA", 98.9, 99.1)],
    [
      markRow(1_100, "AAA", 100.05, "0.0001"),
      markRow(2_900, "AAA", 100.2, "0.0001"),
      markRow(61_000, "AAA", 98.7, "0.0001"),
    ],
  );
  const aaa = rows(series.records.get("AAA")!);
  const N = NaN;
  deepEqual(aaa, [
    [1_000, N, N, N, 100, 100.05, 99.9, 100.1, 1.5, 2.5], // the book row of the same second
    [2_000, N, 99, 101, 100.5, 100.2, 99.9, 100.1, 1.5, 2.5],
    [3_000, N, N, N, 100.5, 100.2, 99.9, 100.1, 1.5, 2.5],
    [59_000, N, N, 102, 101, 100.2, 99.9, 100.1, 1.5, 2.5],
    [59_999, N, N, 98, 98.5, 100.2, 99.9, 100.1, 1.5, 2.5], // the late snapshot: the bar's last ms
    [61_000, N, N, N, N, 98.7, 99.9, 100.1, 1.5, 2.5],
    [62_000, N, 98.2, 99.5, 99.4, 98.7, 98.9, 99.1, 1.5, 2.5], // 98.5 99, then 98.2 99.5 99.4: extremes in order
  ]);
  const h = series.header;
  equal(h.table, "t.csv");
  deepEqual(h.symbols.map((s) => s.symbol), ["AAA", "BBB"]);
  const aaaBars = table.filter((r) => r.symbol === "AAA");
  equal(h.symbols[0]!.bars, aaaBars.length);
  equal(h.symbols[0]!.first_bar, T0);
  equal(h.symbols[0]!.last_bar, T0 + 60_000);
  equal(h.symbols[1]!.bars, 1);
  equal(rows(series.records.get("BBB")!).length, 1);
  // the last price of each bar's last record is the table's close
  equal(aaa[4]![F_LAST], Number(aaaBars[0]!.close));
  equal(aaa[6]![F_LAST], Number(aaaBars[1]!.close));
  equal(aaa[1]![F_MARK], 100.2);
  equal(aaa[5]![F_BID], 99.9);
  equal(aaa[6]![F_ASK], 99.1);
});

Deno.test("a per-second file that does not match its table is refused in one line", () => {
  const { series } = build(
    [k(1_200, "AAA", 0, 100, 100, 100, 100), k(61_200, "AAA", 1, 1, 1, 1, 1)],
    [],
    [],
  );
  const ts = new Float64Array([T0, T0 + 60_000]);
  checkSecondSeries(series, [{ symbol: "AAA", bars: 2, ts }], "x.1s", "x");
  throws(
    () =>
      checkSecondSeries(
        series,
        [{
          symbol: "AAA",
          bars: 3,
          ts: new Float64Array([T0, T0 + 6e4, T0 + 12e4]),
        }],
        "x.1s",
        "x",
      ),
    (e: Error) =>
      e instanceof SecondSeriesError &&
      e.message.startsWith("Invalid per-second file x.1s: AAA 2 bars") &&
      !e.message.includes("\n"),
  );
  throws(
    () =>
      checkSecondSeries(series, [{ symbol: "ZZZ", bars: 2, ts }], "x.1s", "x"),
    /no ZZZ in it/,
  );
});

Deno.test("a truncated or foreign per-second file is refused", () => {
  const sec = bytesSink();
  const out = memorySink();
  buildFeaturesFromLogs(
    {
      kline: {
        name: "k",
        source: memorySource(
          [KLINE_HEADER, k(1_200, "AAA", 0, 1, 1, 1, 1), ""].join("\n"),
        ),
      },
      bookTicker: { name: "b", source: memorySource(BOOK_HEADER + "\n") },
      markPrice: { name: "m", source: memorySource(MARK_HEADER + "\n") },
    },
    out,
    memoryParts(),
    { windows: [1] },
    { out: sec, parts: bytesParts(), tableName: "t.csv" },
  );
  const bytes = sec.bytes();
  ok(parseSecondSeries(bytes, "f").records.get("AAA")!.length === 10);
  throws(
    () => parseSecondSeries(bytes.subarray(0, bytes.length - 80), "f"),
    /Invalid per-second file f: truncated/,
  );
  throws(
    () => parseSecondSeries(new TextEncoder().encode("a,b\n1,2\n"), "f"),
    /Invalid per-second file f: /,
  );
});
