import { deepEqual, equal, ok } from "node:assert/strict";
import type {
  RawExchangeInfo,
  RawFundingRate,
  RawKlineRow,
} from "../exchange/wire.ts";
import { ManualClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";

const START = Date.UTC(2025, 2, 1, 12, 0, 0);
const LISTED = Date.UTC(2025, 0, 10, 6, 30);
const GAP: [number, number] = [
  Date.UTC(2025, 1, 4, 2, 0),
  Date.UTC(2025, 1, 4, 2, 41),
];
const M = 60_000;

async function api(base: string, path: string): Promise<{
  status: number;
  body: unknown;
  weight: string | null;
}> {
  const res = await fetch(base + path);
  return {
    status: res.status,
    body: await res.json(),
    weight: res.headers.get("x-mbx-used-weight-1m"),
  };
}

Deno.test("the simulator serves months of history with the exchange's paging", async (t) => {
  const clock = new ManualClock(START);
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT", "ETHUSDT"],
    historyMinutes: 120,
    listedAt: { BTCUSDT: LISTED, ETHUSDT: LISTED - 86_400_000 },
    historyGaps: [GAP],
  });
  const get = (path: string) => api(sim.restUrl, path);
  const seam = START - 120 * M;

  await t.step("exchangeInfo reports the listing as onboardDate", async () => {
    const info = (await get("/fapi/v1/exchangeInfo")).body as RawExchangeInfo;
    deepEqual(
      info.symbols.map((s) => [s.symbol, s.onboardDate]),
      [["BTCUSDT", LISTED], ["ETHUSDT", LISTED - 86_400_000]],
    );
  });

  await t.step("a range before the listing starts at the listing", async () => {
    const rows = (await get(
      `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${
        Date.UTC(2024, 0, 1)
      }&limit=1500`,
    )).body as RawKlineRow[];
    equal(rows.length, 1500);
    equal(rows[0]![0], LISTED);
    for (let i = 1; i < rows.length; i++) {
      equal(rows[i]![0] - rows[i - 1]![0], M);
      equal(rows[i]![1], rows[i - 1]![4], "each bar opens at the last close");
    }
    for (const r of rows) {
      ok(+r[3] <= Math.min(+r[1], +r[4]) && +r[2] >= Math.max(+r[1], +r[4]));
      ok(+r[5] > 0 && r[8] > 0);
      equal(r[6], r[0] + M - 1);
    }
  });

  await t.step(
    "endTime bounds a page; a maintenance gap has no bars",
    async () => {
      const from = GAP[0] - 10 * M;
      const rows = (await get(
        `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${from}&endTime=${
          GAP[1] + 9 * M
        }&limit=1500`,
      )).body as RawKlineRow[];
      equal(rows.length, 20);
      equal(rows[9]![0], GAP[0] - M);
      equal(rows[10]![0], GAP[1]);
      // startTime + limit counts bars, not minutes: the page runs past the gap.
      const page = (await get(
        `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${from}&limit=20`,
      )).body as RawKlineRow[];
      equal(page.length, 20);
      equal(page.at(-1)![0], GAP[1] + 9 * M);
    },
  );

  await t.step("history joins the live bars without a jump", async () => {
    const rows = (await get(
      `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${
        seam - 5 * M
      }&limit=10`,
    )).body as RawKlineRow[];
    deepEqual(
      rows.map((r) => r[0]),
      [...Array(10)].map((_, i) => seam + (i - 5) * M),
    );
    ok(Math.abs(+rows[4]![4] - +rows[5]![1]) <= 0.1 + 1e-9);
    const live = sim.closedKlines("BTCUSDT");
    deepEqual(rows.slice(5), live.slice(0, 5));
  });

  await t.step("newest rows without startTime; 1h aggregation", async () => {
    const end = Date.UTC(2025, 1, 1);
    const rows = (await get(
      `/fapi/v3/klines?symbol=ETHUSDT&interval=1h&endTime=${end}&limit=3`,
    )).body as RawKlineRow[];
    deepEqual(rows.map((r) => r[0]), [
      end - 2 * 3_600_000,
      end - 3_600_000,
      end,
    ]);
    const m = (await get(
      `/fapi/v1/klines?symbol=ETHUSDT&interval=1m&startTime=${end}&limit=60`,
    )).body as RawKlineRow[];
    equal(rows[2]![1], m[0]![1]);
    equal(rows[2]![4], m[59]![4]);
  });

  await t.step(
    "mark and index klines: same layout, volumes zeroed",
    async () => {
      const from = Date.UTC(2025, 1, 1);
      const mark = await get(
        `/fapi/v1/markPriceKlines?symbol=BTCUSDT&interval=1m&startTime=${from}&limit=1500`,
      );
      const rows = mark.body as RawKlineRow[];
      equal(rows.length, 1500);
      const r = rows[0]!;
      equal(r.length, 12);
      deepEqual([r[5], r[7], r[9], r[10]], ["0", "0", "0", "0"]);
      equal(r[8], 60);
      const trade = (await get(
        `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${from}&limit=1`,
      )).body as RawKlineRow[];
      ok(Math.abs(+r[4] / +trade[0]![4] - 1) < 0.001, "mark near last price");
      const index = (await get(
        `/fapi/v3/indexPriceKlines?pair=BTCUSDT&interval=1m&startTime=${from}&limit=2`,
      )).body as RawKlineRow[];
      deepEqual(index.map((x) => x[0]), [from, from + M]);
      const missing = await get(
        "/fapi/v1/indexPriceKlines?symbol=BTCUSDT&interval=1m",
      );
      equal(missing.status, 400);
      equal((missing.body as { code: number }).code, -1102);
      // Live mark bars: the mark sampled every tick, one bar per closed minute.
      const live = (await get(
        `/fapi/v1/markPriceKlines?symbol=BTCUSDT&interval=1m&startTime=${seam}&limit=3`,
      )).body as RawKlineRow[];
      deepEqual(live.map((x) => x[0]), [seam, seam + M, seam + 2 * M]);
    },
  );

  await t.step(
    "fundingRate: 8 h settlements from the listing, paged by 1000",
    async () => {
      const rows = (await get(
        `/fapi/v1/fundingRate?symbol=BTCUSDT&startTime=0&limit=1000`,
      )).body as RawFundingRate[];
      equal(rows[0]!.fundingTime, Date.UTC(2025, 0, 10, 8));
      for (let i = 1; i < rows.length; i++) {
        equal(rows[i]!.fundingTime - rows[i - 1]!.fundingTime, 8 * 3_600_000);
      }
      ok(rows.length < 1000 && rows.at(-1)!.fundingTime <= START);
      const page = (await get(
        `/fapi/v1/fundingRate?symbol=BTCUSDT&startTime=0&limit=5`,
      )).body as RawFundingRate[];
      deepEqual(page, rows.slice(0, 5));
      const newest = (await get(`/fapi/v1/fundingRate?symbol=BTCUSDT&limit=3`))
        .body as RawFundingRate[];
      deepEqual(newest, rows.slice(-3));
    },
  );

  await t.step(
    "weights: 10 for a 1500-row page of any kline kind",
    async () => {
      clock.advance(60_000);
      for (const path of ["klines", "markPriceKlines", "indexPriceKlines"]) {
        const key = path === "indexPriceKlines" ? "pair" : "symbol";
        const before = Number((await get("/fapi/v1/ping")).weight);
        const r = await get(
          `/fapi/v1/${path}?${key}=BTCUSDT&interval=1m&startTime=${LISTED}&limit=1500`,
        );
        equal(Number(r.weight) - before, 10, path);
      }
    },
  );
});

Deno.test("the synthetic history is the same for any live start", async () => {
  const bars = async (start: number) => {
    await using sim = await startSimulator({
      clock: new ManualClock(start),
      symbols: ["BTCUSDT"],
      historyMinutes: 10,
      listedAt: LISTED,
    });
    return (await api(
      sim.restUrl,
      `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${LISTED}&limit=100`,
    )).body;
  };
  deepEqual(await bars(START), await bars(START + 86_400_000 * 3));
});
