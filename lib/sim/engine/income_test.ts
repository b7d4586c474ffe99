import { deepEqual, equal } from "node:assert/strict";
import { IncomeLog } from "./income.ts";

Deno.test("IncomeLog.query() filters, pages and bounds like GET /income", () => {
  const log = new IncomeLog(5);
  log.record("BTCUSDT", "COMMISSION", -100, 1, "7");
  log.record("BTCUSDT", "REALIZED_PNL", 0, 1, "7"); // zero: not written
  log.record("BTCUSDT", "FUNDING_FEE", -250, 10);
  log.record("ETHUSDT", "FUNDING_FEE", 300, 10);
  log.record("BTCUSDT", "FUNDING_FEE", 50, 20);
  const body = (p: Record<string, string>) =>
    log.query(p).body as { income: string; time: number; symbol: string }[];
  deepEqual(
    body({ symbol: "BTCUSDT", incomeType: "FUNDING_FEE" }).map((r) => [
      r.time,
      r.income,
    ]),
    [[10, "-0.00000250"], [20, "0.00000050"]],
  );
  // startTime: the first `limit` from it; none: the last `limit`
  deepEqual(body({ startTime: "5", limit: "1" }).map((r) => r.symbol), [
    "BTCUSDT",
  ]);
  deepEqual(body({ limit: "1" }).map((r) => r.time), [20]);
  deepEqual(body({ endTime: "10" }).map((r) => r.time), [1, 10, 10]);
  equal(log.query({ incomeType: "BONUS" }).status, 400);
  equal(log.query({ limit: "1001" }).status, 400);
  equal(log.query({ startTime: "-1" }).status, 400);
  // beyond the bound the oldest rows go
  for (let i = 0; i < 5; i++) log.record("BTCUSDT", "COMMISSION", -1, 30 + i);
  equal(body({ limit: "1000" }).length, 5);
  equal(body({ limit: "1000" })[0]!.time, 30);
});
