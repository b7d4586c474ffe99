import { deepEqual, equal } from "node:assert/strict";
import { formatSpan, SeriesScanner } from "./series_scan.ts";

const M = 60_000;
const enc = new TextEncoder();

function scan(text: string, step = M, chunk = 7) {
  const s = new SeriesScanner("open_time,close", step);
  const bytes = enc.encode(text);
  for (let i = 0; i < bytes.length; i += chunk) {
    s.push(bytes.subarray(i, i + chunk));
  }
  return s.finish();
}

Deno.test("SeriesScanner finds gaps, duplicates, disorder and a cut last line", () => {
  const t0 = Date.UTC(2025, 2, 4, 1, 58);
  const lines = [t0, t0 + M, t0 + 43 * M, t0 + 43 * M, t0 + 42 * M, t0 + 44 * M]
    .map((t) => `${t},1.5\n`).join("");
  const r = scan(`open_time,close\n${lines}${t0 + 45 * M},1.`);
  equal(r.headerOk, true);
  equal(r.rows, 4);
  equal(r.first, t0);
  equal(r.last, t0 + 44 * M);
  deepEqual(r.gaps, [{ from: t0 + 2 * M, to: t0 + 43 * M, bars: 41 }]);
  equal(r.missingBars, 41);
  equal(r.duplicates, 1);
  equal(r.outOfOrder, 1);
  equal(r.firstProblemLine, 5);
  equal(r.partialTailBytes, `${t0 + 45 * M},1.`.length);
  equal(formatSpan(r.gaps[0]!.from, r.gaps[0]!.to), "2025-03-04 02:00–02:41");
});

Deno.test("SeriesScanner: another header, malformed lines, funding without gap checks", () => {
  equal(scan("open_time,open\n0,1\n").headerOk, false);
  const r = scan("open_time,close\n0,1\nabc,2\n30000,3\n120000,4\n");
  equal(r.malformed, 2, "a word and an off-grid time");
  equal(r.rows, 2);
  const f = scan("open_time,close\n1,1\n28800000,2\n", 0);
  equal(f.gapCount, 0);
  equal(f.rows, 2);
});
