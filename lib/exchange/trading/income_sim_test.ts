import { equal, ok } from "node:assert/strict";
import { SCHEMES, startSimRig } from "./_sim_rig.ts";

const FIXTURE = new URL(
  "../../../tests/fixtures/real/binance_um/klines_1m/BTCUSDT_1m_2025-05-26_2025-05-27.csv",
  import.meta.url,
).pathname;
const DAY = Date.UTC(2025, 4, 26); // the fixture's first bar
const EIGHT = DAY + 8 * 3_600_000;
const QTY = 0.002;

for (const scheme of SCHEMES) {
  Deno.test(`OHLCV replay with a funding file: a position held across 08:00 pays that rate (${scheme})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "income_sim_" });
    try {
      // the 08:00 event carries the exchange's few ms; 1.5 bp is not the default 1 bp
      const funding = `${dir}/BTCUSDT_funding.csv`;
      await Deno.writeTextFile(
        funding,
        `funding_time,funding_rate\n${DAY},0.0001\n${EIGHT + 3},0.00015\n${
          EIGHT + 28_800_000
        },-0.0002\n`,
      );
      const closes = new Map(
        (await Deno.readTextFile(FIXTURE)).trim().split("\n").slice(1).map(
          (l) => {
            const c = l.split(",");
            return [Number(c[0]), Number(c[4])] as const;
          },
        ),
      );
      await using rig = await startSimRig({
        symbols: ["BTCUSDT"],
        startTime: EIGHT - 5 * 60_000,
        historyMinutes: 475,
        source: {
          kind: "ohlcv",
          files: { BTCUSDT: FIXTURE },
          funding: { BTCUSDT: funding },
        },
      });
      const { client } = rig.clients[scheme];
      rig.clock.advance(1_000);
      const premium = await (await fetch(
        `${rig.sim.restUrl}/fapi/v1/premiumIndex?symbol=BTCUSDT`,
      )).json() as { lastFundingRate: string; nextFundingTime: number };
      // the predicted rate of the next settlement is the one it will charge
      equal(Number(premium.lastFundingRate), 0.00015);
      equal(premium.nextFundingTime, EIGHT);
      const r = await client.placeOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: String(QTY),
      });
      ok(r.status === "placed", JSON.stringify(r));
      for (let t = rig.clock.now(); t < EIGHT + 60_000; t += 5_000) {
        rig.clock.advance(5_000);
        await new Promise((res) => setTimeout(res, 0));
      }
      const rows = await client.income({
        symbol: "BTCUSDT",
        incomeType: "FUNDING_FEE",
      });
      equal(rows.length, 1, JSON.stringify(rows));
      equal(rows[0]!.time, EIGHT);
      // a long pays amount × mark × rate; the mark is the last price, the 07:59 close
      const mark = closes.get(EIGHT - 60_000)!;
      const expected = -QTY * mark * 0.00015;
      ok(
        Math.abs(Number(rows[0]!.income) - expected) < 2e-8,
        `${rows[0]!.income} vs ${expected}`,
      );
      // the income history adds up to the wallet's change: PnL, fees and funding
      const all = await client.income({ limit: 1000 });
      const types = new Set(all.map((x) => x.incomeType));
      ok(
        types.has("COMMISSION") && types.has("FUNDING_FEE"),
        [...types].join(),
      );
      const sum = all.reduce((a, x) => a + Number(x.income), 0);
      const [usdt] = (await client.balance()).filter((b) => b.asset === "USDT");
      ok(
        Math.abs(Number(usdt!.balance) - 10_000 - sum) < 1e-7,
        `${usdt!.balance} vs 10000 + ${sum}`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("OHLCV replay refuses a funding file that starts after the first settlement", async () => {
  const dir = await Deno.makeTempDir({ prefix: "income_sim_" });
  try {
    const funding = `${dir}/late.csv`;
    await Deno.writeTextFile(
      funding,
      `funding_time,funding_rate\n${EIGHT + 28_800_000},0.0001\n`,
    );
    let message = "";
    try {
      await using _rig = await startSimRig({
        symbols: ["BTCUSDT"],
        startTime: EIGHT - 5 * 60_000,
        historyMinutes: 475,
        source: {
          kind: "ohlcv",
          files: { BTCUSDT: FIXTURE },
          funding: { BTCUSDT: funding },
        },
      });
    } catch (error) {
      ok(error instanceof SyntaxError, String(error));
      message = error.message;
    }
    ok(message.includes("no event before the first settlement"), message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
