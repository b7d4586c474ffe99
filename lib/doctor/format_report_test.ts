import { equal, match } from "node:assert/strict";
import { formatReport } from "./format_report.ts";

Deno.test("formatReport() prints an aligned pass/fail table", async (t) => {
  await t.step("columns line up and the summary counts failures", () => {
    const text = formatReport({
      ok: false,
      clockOffsetMs: 3,
      results: [
        {
          check: "clock offset",
          subject: "-",
          status: "pass",
          detail: "offset +3 ms",
        },
        {
          check: "position mode",
          subject: "-",
          status: "fail",
          detail: "hedge mode",
        },
        {
          check: "leverage/margin",
          subject: "BTCUSDT",
          status: "warn",
          detail: "20x",
        },
      ],
    });
    const lines = text.split("\n");
    equal(lines[0], "RESULT  CHECK            SUBJECT  DETAIL");
    equal(lines[2], "FAIL    position mode    -        hedge mode");
    equal(lines[3], "WARN    leverage/margin  BTCUSDT  20x");
    match(text, /preflight FAILED: 1 of 3 checks failed/);
  });
  await t.step("a passing report says so", () => {
    match(
      formatReport({ ok: true, clockOffsetMs: 0, results: [] }),
      /preflight passed \(0 checks, 0 warnings\)/,
    );
  });
});
