import { deepEqual, equal, throws } from "node:assert/strict";
import { CsvSource, FeatureInputError } from "./csv_source.ts";
import { memorySource } from "./io.ts";

function lines(text: string, chunk: number, buffer = 16): string[][] {
  const csv = new CsvSource("t.csv", memorySource(text, chunk), buffer);
  const out: string[][] = [[...csv.columns]];
  while (csv.next()) {
    const row: string[] = [];
    for (let i = 0; i < csv.fieldCount; i++) row.push(csv.text(i));
    out.push([`${csv.line}`, ...row]);
  }
  return out;
}

Deno.test("CsvSource splits lines and fields across chunk boundaries", async (t) => {
  const text =
    "a,b,c\r\n1,22,333\n\n4444,,6\r\nlonger-than-the-buffer-line,x,y\n7,8,9";
  const expected = [
    ["a", "b", "c"],
    ["2", "1", "22", "333"],
    ["4", "4444", "", "6"],
    ["5", "longer-than-the-buffer-line", "x", "y"],
    ["6", "7", "8", "9"],
  ];
  for (const chunk of [1, 2, 3, 5, 64]) {
    await t.step(`chunks of ${chunk} bytes`, () => {
      deepEqual(lines(text, chunk), expected);
    });
  }
  await t.step("numbers, shapes and quotes", () => {
    const csv = new CsvSource(
      "t.csv",
      memorySource('ts,x\n12,3.5\n1,"q"\n1,2,3\n'),
    );
    equal(csv.column("x"), 1);
    csv.next();
    equal(csv.number(0) + csv.number(1), 15.5);
    equal(csv.wellFormed(), true);
    csv.next();
    equal(csv.shapeProblem(), "quoted fields are not supported");
    csv.next();
    equal(csv.shapeProblem(), "3 fields, expected 2");
    equal(csv.next(), false);
    equal(csv.rows, 3);
  });
  await t.step("a missing column or header is an error naming both", () => {
    const csv = new CsvSource("k.csv", memorySource("ts,x\n"));
    throws(() => csv.column("close"), FeatureInputError);
    throws(() => csv.column("close"), /k\.csv: missing column close/);
    const empty = new CsvSource("e.csv", memorySource(""));
    deepEqual(empty.columns, []);
    throws(() => empty.column("ts"), /e\.csv: no header line/);
    throws(() => new CsvSource("q.csv", memorySource('"ts",x\n')), /quoted/);
  });
});
