import { equal, throws } from "node:assert/strict";
import {
  fundingLines,
  isNumberText,
  klineLines,
  PageFormatError,
} from "./page_lines.ts";

const M = 60_000;
const row = (t: number, close = "101.5") => [
  t,
  "100.0",
  "102.0",
  "99.5",
  close,
  "12.345",
  t + M - 1,
  "1250.1",
  42,
  "6.1",
  "620.3",
  "0",
];

Deno.test("klineLines writes the exchange's strings in the file's columns", () => {
  const page = klineLines("klines", [row(0), row(M), row(2 * M)], -1, 2 * M);
  equal(
    page.text,
    "0,100.0,102.0,99.5,101.5,12.345,1250.1,42,6.1,620.3\n" +
      "60000,100.0,102.0,99.5,101.5,12.345,1250.1,42,6.1,620.3\n",
  );
  equal(page.rows, 2);
  equal(page.lastTime, M);
  const mark = klineLines("mark", [row(M)], 0, Infinity);
  equal(mark.text, "60000,100.0,102.0,99.5,101.5\n");
  const none = klineLines("index", [row(0)], 0, Infinity);
  equal(none.rows, 0, "rows at or before `after` are skipped");
  equal(none.text, "");
});

Deno.test("klineLines refuses rows that would corrupt the CSV", () => {
  const bad: [string, unknown][] = [
    ["comma", [row(0, "1,5")]],
    ["newline", [row(0, "1\n2")]],
    ["space", [row(0, " 15")]],
    ["empty", [row(0, "")]],
    ["number not string", [row(0).map((v, i) => i === 4 ? 101.5 : v)]],
    ["off-grid time", [row(30_000)]],
    ["descending", [row(M), row(0)]],
    ["duplicate", [row(M), row(M)]],
    ["short row", [[0, "1", "2"]]],
    ["not an array", { code: -1 }],
  ];
  for (const [what, page] of bad) {
    throws(
      () => klineLines("klines", page, -1, Infinity),
      PageFormatError,
      what,
    );
  }
});

Deno.test("fundingLines keeps rates in (after, before)", () => {
  const rows = [
    { symbol: "X", fundingRate: "0.0001", fundingTime: 100 },
    { symbol: "X", fundingRate: "-0.00025", fundingTime: 200 },
    { symbol: "X", fundingRate: "0.0003", fundingTime: 300 },
  ];
  const page = fundingLines(rows, 100, 300);
  equal(page.text, "200,-0.00025\n");
  equal(page.lastTime, 200);
  throws(
    () => fundingLines([{ fundingRate: "1e", fundingTime: 5 }], 0, 10),
    PageFormatError,
  );
});

Deno.test("isNumberText accepts plain decimals only", () => {
  for (
    const ok of [
      "0",
      "-1",
      "100000.0",
      "0.00010000",
      "-0.5",
      "12345678901234567890",
    ]
  ) {
    equal(isNumberText(ok), true, ok);
  }
  for (
    const bad of [
      "",
      "-",
      ".5",
      "5.",
      "1.2.3",
      "1e5",
      " 1",
      "1 ",
      "1,2",
      "+1",
      "0x10",
      "NaN",
      "Infinity",
      "1\n",
      5,
      null,
      "1".repeat(41),
    ]
  ) {
    equal(isNumberText(bad), false, String(bad));
  }
});
