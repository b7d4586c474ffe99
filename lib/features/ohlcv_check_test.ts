import { equal, match } from "node:assert/strict";
import { ohlcvProblem } from "./ohlcv_check.ts";

const T = 1_748_217_600_000;

Deno.test("ohlcvProblem() accepts real bars and names what is wrong with bad ones", async (t) => {
  await t.step("a real bar passes", () => {
    equal(ohlcvProblem(T, 107187.4, 107194.2, 107165.0, 107194.2, 22.67), null);
    equal(ohlcvProblem(T, 1, 1, 1, 1, 0), null);
  });
  await t.step("each bad input is named", () => {
    const cases: [number[], RegExp][] = [
      [[T, 10, 9, 11, 10, 1], /high 9 is below/],
      [[T, 10, 11, 10.5, 10, 1], /low 10\.5 is above/],
      [[T, 10, 12, 9, 11, -1], /volume -1 is negative/],
      [[T, 0, 12, 0, 11, 1], /open 0 is not a price/],
      [[T, 1e308, 1e308, 1e308, 1e308, 1], /open 1e\+308 is not a price/],
      [[T / 1000, 10, 12, 9, 11, 1], /not in epoch milliseconds/],
      [[T + 1000, 10, 12, 9, 11, 1], /not a minute start/],
    ];
    for (const [v, re] of cases) {
      match(
        ohlcvProblem(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!) ?? "",
        re,
        v.join(),
      );
    }
  });
});
