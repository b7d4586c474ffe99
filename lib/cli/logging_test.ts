import { equal, match } from "node:assert/strict";
import { getLogger, resetSync } from "@logtape/logtape";
import { setupLogging } from "./logging.ts";

Deno.test("setupLogging() writes text or JSON lines at the chosen level", async (t) => {
  const lines: string[] = [];
  try {
    await t.step("text", () => {
      setupLogging({ level: "info", write: (l) => lines.push(l) });
      getLogger(["aster", "test"]).debug("hidden");
      getLogger(["aster", "test"]).info("Placed {id}", { id: 7 });
      equal(lines.length, 1);
      match(lines[0]!, /\[INF\] aster·test: Placed 7/);
    });
    await t.step("json", () => {
      lines.length = 0;
      setupLogging({
        json: true,
        level: "warning",
        write: (l) => lines.push(l),
      });
      getLogger(["aster", "test"]).info("hidden");
      getLogger(["aster", "test"]).warn("Stale {symbol}", {
        symbol: "BTCUSDT",
      });
      equal(lines.length, 1);
      const rec = JSON.parse(lines[0]!);
      equal(rec.level, "WARN");
      equal(rec.properties.symbol, "BTCUSDT");
    });
  } finally {
    resetSync();
  }
});
