import { equal, ok, throws } from "node:assert/strict";
import { FundingSchedule } from "./funding_schedule.ts";

const H8 = 8 * 3_600_000;
const T = Date.UTC(2025, 4, 26);

async function schedule(text: string): Promise<FundingSchedule> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, text);
    return new FundingSchedule(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("FundingSchedule: each settlement charges the event of its time (the feature table's as-of rule)", async () => {
  const s = await schedule(
    `funding_time,funding_rate\n${T},0.0001\n${T + H8 + 3},-0.0002\n${
      T + 2 * H8
    },0.0003\n`,
  );
  equal(s.settlementRate(T), 0.0001);
  // floored or with the exchange's few ms, the event belongs to its settlement
  equal(s.settlementRate(T + H8), -0.0002);
  equal(s.settlementRate(T + 2 * H8), 0.0003);
  // past the file: the last rate; before it: unknown
  equal(s.settlementRate(T + 5 * H8), 0.0003);
  ok(Number.isNaN(s.settlementRate(T - H8)));
});

Deno.test("FundingSchedule refuses malformed files, naming the line", async () => {
  const bad = async (text: string, what: string) => {
    const path = await Deno.makeTempFile({ suffix: ".csv" });
    try {
      await Deno.writeTextFile(path, text);
      throws(() => new FundingSchedule(path), (e: Error) => {
        ok(e instanceof SyntaxError && e.message.includes(what), e.message);
        return true;
      });
    } finally {
      await Deno.remove(path);
    }
  };
  await bad("time,rate\n1,0.1\n", "missing columns funding_time, funding_rate");
  await bad("funding_time,funding_rate\n", "has no rows");
  await bad("funding_time,funding_rate\n1,abc\n", ":2: invalid values");
  await bad(
    "funding_time,funding_rate\n2,0.1\n1,0.1\n",
    "not after the previous row",
  );
});
