import { equal, throws } from "node:assert/strict";
import { parseDateFlag } from "./date_flag.ts";
import { UsageError } from "./usage_error.ts";

Deno.test("parseDateFlag reads UTC dates and date-times", () => {
  equal(parseDateFlag("from", "2025-01-01"), Date.UTC(2025, 0, 1));
  equal(parseDateFlag("from", "2025-03-04T02:41"), Date.UTC(2025, 2, 4, 2, 41));
  equal(
    parseDateFlag("to", "2025-03-04T02:41:05Z"),
    Date.UTC(2025, 2, 4, 2, 41, 5),
  );
});

Deno.test("parseDateFlag names the flag and value of a bad date", () => {
  for (
    const bad of [
      "2025-02-30",
      "2025-13-01",
      "yesterday",
      "2025-1-1",
      "2025-01-01T24:00",
    ]
  ) {
    throws(
      () => parseDateFlag("from", bad),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          `Invalid --from "${bad}": expected a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM`,
    );
  }
});
