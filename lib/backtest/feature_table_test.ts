import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { FeatureTableParser, parseFeatureTable } from "./feature_table.ts";

const HEADER =
  "ts,symbol,open,high,low,close,vol1m,ret_bps,spread_bps,funding_bps,mark_price,open_loss_long_bps,open_loss_short_bps,rs_var_1m,rs_vol_10m_bps,rs_vol_30m_bps,avg_vol_10m";
const ROWS = [
  "60000,AAA,1,2,0.5,1.5,10,,1.2,0.1,1.5,2,3,0.0001,,,",
  "120000,AAA,1.5,1.6,1.4,1.55,11,333.33333333333337,1.1,-0.1,1.55,2,3,0.0001,12.5,,9.5",
  "60000,BBB,10,11,9,10.5,5,,,,,,,,7,8,6",
];
const TEXT = [HEADER, ...ROWS].join("\n") + "\n";

Deno.test("parseFeatureTable() reads per-symbol typed arrays", async (t) => {
  await t.step("columns, windows, NaN for empty fields", () => {
    const table = parseFeatureTable(TEXT);
    deepEqual(table.rsWindows, [10, 30]);
    deepEqual(table.volWindows, [10]);
    equal(table.symbols.length, 2);
    const [a, b] = table.symbols;
    equal(a!.symbol, "AAA");
    equal(a!.bars, 2);
    deepEqual(Array.from(a!.ts), [60000, 120000]);
    deepEqual(Array.from(a!.close), [1.5, 1.55]);
    equal(a!.ret[1], 333.33333333333337);
    ok(Number.isNaN(a!.ret[0]!));
    equal(a!.rsVol.get(10)![1], 12.5);
    ok(Number.isNaN(a!.rsVol.get(30)![1]!));
    equal(a!.avgVol.get(10)![1], 9.5);
    equal(b!.symbol, "BBB");
    ok(Number.isNaN(b!.spread[0]!));
    equal(b!.openLossShort.length, 1);
  });

  await t.step("any chunking and CRLF line ends give the same table", () => {
    const p = new FeatureTableParser({ shared: true });
    const crlf = TEXT.replaceAll("\n", "\r\n");
    for (let i = 0; i < crlf.length; i += 7) p.push(crlf.slice(i, i + 7));
    const table = p.finish();
    deepEqual(Array.from(table.symbols[0]!.close), [1.5, 1.55]);
    equal(table.symbols[1]!.vol[0], 5);
    ok(table.symbols[0]!.close.buffer instanceof SharedArrayBuffer);
  });

  await t.step("no final newline", () => {
    equal(parseFeatureTable(TEXT.trimEnd()).symbols[1]!.bars, 1);
  });
});

Deno.test("parseFeatureTable() rejects bad tables with the line", async (t) => {
  const bad = (text: string, re: RegExp) =>
    throws(() => parseFeatureTable(text), re);
  await t.step("empty file or no rows", () => {
    bad("", /empty/);
    bad(HEADER + "\n", /no rows/);
  });
  await t.step("missing columns or windows", () => {
    bad("ts,symbol,close\n1,A,1\n", /missing column\(s\) open, high/);
    bad(
      HEADER.replace(",avg_vol_10m", "") + "\n",
      /rs_vol_<T>m_bps and one avg_vol_<V>m/,
    );
  });
  await t.step("wrong field count, bad numbers", () => {
    bad(`${HEADER}\n60000,AAA,1,2\n`, /line 2 has 4 fields, expected 17/);
    bad(`${HEADER}\n${ROWS[0]},9\n`, /line 2 has more than 17 fields/);
    bad(
      `${HEADER}\n${ROWS[0]!.replace("1.2", "abc")}\n`,
      /line 2, column spread_bps: "abc" is not a number/,
    );
  });
  await t.step("ordering and prices", () => {
    bad(`${HEADER}\n${ROWS[1]}\n${ROWS[0]}\n`, /line 3: ts 60000 is not after/);
    bad(`${HEADER}\n${ROWS[0]}\n${ROWS[2]}\n${ROWS[1]}\n`, /AAA appears again/);
    bad(
      `${HEADER}\n${ROWS[0]!.replace(",1.5,10,", ",,10,")}\n`,
      /close must be a positive number/,
    );
    bad(`${HEADER}\n${ROWS[0]!.replace("AAA", "")}\n`, /empty symbol/);
  });
});
