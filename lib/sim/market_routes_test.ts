import { deepEqual, equal, ok } from "node:assert/strict";
import type {
  RawAggTrade,
  RawBookTicker,
  RawDepth,
  RawExchangeInfo,
  RawFundingRate,
  RawKlineRow,
  RawPremiumIndex,
} from "../exchange/wire.ts";
import { ManualClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";

const START = Date.UTC(2026, 0, 5, 9, 30, 15);

async function get(
  base: string,
  path: string,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${base}${path}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* HTML */ }
  return { status: res.status, body, headers: res.headers };
}

Deno.test("market REST endpoints answer like the exchange", async (t) => {
  const clock = new ManualClock(START);
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT", "ETHUSDT"],
    historyMinutes: 600,
  });
  const api = (path: string) => get(sim.restUrl, path);
  const minute = Math.floor(START / 60_000) * 60_000;

  await t.step("ping and time, on v1 and v3", async () => {
    deepEqual((await api("/fapi/v1/ping")).body, {});
    deepEqual((await api("/fapi/v1/time")).body, { serverTime: START });
    deepEqual((await api("/fapi/v3/time")).body, { serverTime: START });
  });

  await t.step(
    "exchangeInfo lists symbols with filters and rate limits",
    async () => {
      const info = (await api("/fapi/v1/exchangeInfo")).body as RawExchangeInfo;
      deepEqual(info.symbols.map((s) => s.symbol), ["BTCUSDT", "ETHUSDT"]);
      deepEqual(info.rateLimits.map((r) => [r.rateLimitType, r.limit]), [
        ["REQUEST_WEIGHT", 2400],
        ["ORDERS", 1200],
      ]);
      const btc = info.symbols[0]!;
      const f = (type: string) =>
        btc.filters.find((x) => x.filterType === type)!;
      equal(f("PRICE_FILTER")["tickSize"], "0.1");
      equal(f("LOT_SIZE")["stepSize"], "0.001");
      equal(f("MIN_NOTIONAL")["minNotional"], "5");
      ok(
        f("MARKET_LOT_SIZE") && f("MAX_NUM_ORDERS") &&
          f("MAX_NUM_ALGO_ORDERS") && f("PERCENT_PRICE"),
      );
      const eth = info.symbols[1]!;
      equal(
        eth.filters.find((x) => x.filterType === "MIN_NOTIONAL")!["notional"],
        "5",
      );
    },
  );

  await t.step("klines: default limit, newest open bar included", async () => {
    const rows = (await api("/fapi/v1/klines?symbol=BTCUSDT&interval=1m"))
      .body as RawKlineRow[];
    equal(rows.length, 500);
    equal(rows.at(-1)![0], minute);
    equal(rows.at(-1)![6], minute + 59_999);
    for (let i = 1; i < rows.length; i++) {
      equal(rows[i]![0] - rows[i - 1]![0], 60_000);
    }
    equal(rows[0]!.length, 12);
    equal(typeof rows[0]![1], "string");
  });

  await t.step("klines: startTime, endTime and limit", async () => {
    const from = minute - 100 * 60_000;
    const a = (await api(
      `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${from}&limit=3`,
    ))
      .body as RawKlineRow[];
    deepEqual(a.map((r) => r[0]), [from, from + 60_000, from + 120_000]);
    const b = (await api(
      `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&endTime=${from}&limit=2`,
    ))
      .body as RawKlineRow[];
    deepEqual(b.map((r) => r[0]), [from - 60_000, from]);
    const c = (await api(
      `/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${from}&endTime=${
        from + 240_000
      }`,
    )).body as RawKlineRow[];
    equal(c.length, 5);
  });

  await t.step("klines: 1h bars aggregate the 1m bars", async () => {
    const hour = Math.floor(minute / 3_600_000) * 3_600_000 - 3_600_000;
    const h = (await api(
      `/fapi/v1/klines?symbol=ETHUSDT&interval=1h&startTime=${hour}&limit=1`,
    ))
      .body as RawKlineRow[];
    const m = (await api(
      `/fapi/v1/klines?symbol=ETHUSDT&interval=1m&startTime=${hour}&limit=60`,
    ))
      .body as RawKlineRow[];
    equal(h.length, 1);
    equal(h[0]![0], hour);
    equal(h[0]![6], hour + 3_599_999);
    equal(h[0]![1], m[0]![1]);
    equal(h[0]![4], m[59]![4]);
    equal(Number(h[0]![2]), Math.max(...m.map((r) => Number(r[2]))));
    equal(Number(h[0]![3]), Math.min(...m.map((r) => Number(r[3]))));
    equal(h[0]![8], m.reduce((s, r) => s + r[8], 0));
  });

  await t.step("klines: errors", async () => {
    const cases: [string, number, number][] = [
      ["/fapi/v1/klines?interval=1m", 400, -1102],
      ["/fapi/v1/klines?symbol=NOPEUSDT&interval=1m", 400, -1121],
      ["/fapi/v1/klines?symbol=BTCUSDT", 400, -1102],
      ["/fapi/v1/klines?symbol=BTCUSDT&interval=7m", 400, -1120],
      ["/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=abc", 400, -1100],
      ["/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1501", 400, -1130],
    ];
    for (const [path, status, code] of cases) {
      const r = await api(path);
      equal(r.status, status, path);
      equal((r.body as { code: number }).code, code, path);
      equal(typeof (r.body as { msg: string }).msg, "string");
    }
    equal(
      ((await api("/fapi/v1/klines?symbol=XX&interval=1m")).body as {
        msg: string;
      }).msg,
      "Invalid symbol.",
    );
  });

  await t.step("bookTicker: one symbol or all", async () => {
    const one = (await api("/fapi/v1/ticker/bookTicker?symbol=BTCUSDT"))
      .body as RawBookTicker;
    equal(one.symbol, "BTCUSDT");
    ok(Number(one.askPrice) > Number(one.bidPrice));
    ok(Number(one.bidQty) > 0);
    equal(one.time, START);
    const all = (await api("/fapi/v1/ticker/bookTicker"))
      .body as RawBookTicker[];
    deepEqual(all.map((b) => b.symbol), ["BTCUSDT", "ETHUSDT"]);
  });

  await t.step("ticker/price: the last trade price", async () => {
    const one = (await api("/fapi/v1/ticker/price?symbol=BTCUSDT")).body as {
      symbol: string;
      price: string;
      time: number;
    };
    const last = (await api("/fapi/v1/aggTrades?symbol=BTCUSDT&limit=1"))
      .body as RawAggTrade[];
    deepEqual(one, { symbol: "BTCUSDT", price: last[0]!.p, time: START });
    equal(((await api("/fapi/v3/ticker/price")).body as unknown[]).length, 2);
  });

  await t.step(
    "premiumIndex: mark near mid, funding on the 8 h schedule",
    async () => {
      const p = (await api("/fapi/v1/premiumIndex?symbol=ETHUSDT"))
        .body as RawPremiumIndex;
      const book = (await api("/fapi/v1/ticker/bookTicker?symbol=ETHUSDT"))
        .body as RawBookTicker;
      const mid = (Number(book.bidPrice) + Number(book.askPrice)) / 2;
      ok(Math.abs(Number(p.markPrice) / mid - 1) < 0.002);
      equal(p.nextFundingTime % (8 * 3_600_000), 0);
      ok(
        p.nextFundingTime > START && p.nextFundingTime - START <= 8 * 3_600_000,
      );
      equal(((await api("/fapi/v1/premiumIndex")).body as unknown[]).length, 2);
    },
  );

  await t.step("fundingRate: past settlements on 8 h boundaries", async () => {
    const rows = (await api("/fapi/v1/fundingRate?symbol=BTCUSDT"))
      .body as RawFundingRate[];
    ok(rows.length >= 1);
    for (const r of rows) {
      equal(r.fundingTime % (8 * 3_600_000), 0);
      ok(r.fundingTime <= START);
      ok(Math.abs(Number(r.fundingRate)) < 0.01);
    }
  });

  await t.step("fundingInfo: 8 h intervals", async () => {
    const rows = (await api("/fapi/v1/fundingInfo")).body as {
      symbol: string;
      fundingIntervalHours: number;
    }[];
    deepEqual(rows.map((r) => [r.symbol, r.fundingIntervalHours]), [
      ["BTCUSDT", 8],
      ["ETHUSDT", 8],
    ]);
  });

  await t.step("aggTrades: limit, fromId, time window", async () => {
    const last = (await api("/fapi/v1/aggTrades?symbol=BTCUSDT&limit=5"))
      .body as RawAggTrade[];
    equal(last.length, 5);
    for (let i = 1; i < 5; i++) equal(last[i]!.a, last[i - 1]!.a + 1);
    ok(last.at(-1)!.T <= START);
    const from = (await api(
      `/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=${last[1]!.a}&limit=2`,
    ))
      .body as RawAggTrade[];
    deepEqual(from, last.slice(1, 3));
    const s = START - 60_000;
    const win = (await api(
      `/fapi/v1/aggTrades?symbol=BTCUSDT&startTime=${s}&endTime=${START}&limit=1000`,
    ))
      .body as RawAggTrade[];
    ok(win.length > 0 && win.every((x) => x.T >= s && x.T <= START));
    const bad = await api(
      `/fapi/v1/aggTrades?symbol=BTCUSDT&startTime=${
        s - 3_600_000
      }&endTime=${s}`,
    );
    equal(bad.status, 400);
    equal((bad.body as { code: number }).code, -1127);
  });

  await t.step("depth: allowed limits only, sorted levels", async () => {
    for (const limit of [5, 100, 1000]) {
      const d = (await api(`/fapi/v1/depth?symbol=BTCUSDT&limit=${limit}`))
        .body as RawDepth;
      equal(d.bids.length, limit);
      equal(d.asks.length, limit);
      for (let i = 1; i < limit; i++) {
        ok(Number(d.bids[i]![0]) < Number(d.bids[i - 1]![0]));
        ok(Number(d.asks[i]![0]) > Number(d.asks[i - 1]![0]));
      }
      ok(Number(d.asks[0]![0]) > Number(d.bids[0]![0]));
    }
    const bad = await api("/fapi/v1/depth?symbol=BTCUSDT&limit=7");
    equal(bad.status, 400);
    equal((bad.body as { code: number }).code, -1130);
  });

  await t.step("unknown paths are 404", async () => {
    equal((await api("/fapi/v1/nothing")).status, 404);
    equal((await api("/other")).status, 404);
  });
});

Deno.test("REST weight accounting follows the exchange", async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 10, 0, 0));
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT"],
    historyMinutes: 10,
  });
  const api = (path: string) => get(sim.restUrl, path);

  await t.step(
    "X-MBX-USED-WEIGHT-1M adds the endpoint weights within a sim minute",
    async () => {
      equal(
        (await api("/fapi/v1/time")).headers.get("x-mbx-used-weight-1m"),
        "1",
      );
      equal(
        (await api("/fapi/v1/depth?symbol=BTCUSDT&limit=1000")).headers.get(
          "x-mbx-used-weight-1m",
        ),
        "21",
      );
      equal(
        (await api("/fapi/v1/klines?symbol=BTCUSDT&interval=1m&limit=1000"))
          .headers.get("x-mbx-used-weight-1m"),
        "26",
      );
      equal(
        (await api("/fapi/v1/aggTrades?symbol=BTCUSDT")).headers.get(
          "x-mbx-used-weight-1m",
        ),
        "46",
      );
      equal(
        (await api("/fapi/v1/ticker/bookTicker")).headers.get(
          "x-mbx-used-weight-1m",
        ),
        "48",
      );
      clock.advance(60_000);
      equal(
        (await api("/fapi/v1/ping")).headers.get("x-mbx-used-weight-1m"),
        "1",
      );
    },
  );

  await t.step(
    "over 2400 → 429 -1003 with Retry-After until the next minute",
    async () => {
      for (let i = 0; i < 119; i++) {
        await (await fetch(
          `${sim.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`,
        )).body?.cancel();
      }
      const r = await api("/fapi/v1/depth?symbol=BTCUSDT&limit=1000");
      equal(r.status, 429);
      equal((r.body as { code: number }).code, -1003);
      equal(r.headers.get("retry-after"), "60");
      equal(r.headers.get("x-mbx-used-weight-1m"), "2401");
    },
  );

  await t.step("repeated 429s → 418 ban that outlasts the minute", async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) last = (await api("/fapi/v1/time")).status;
    equal(last, 418);
    const r = await api("/fapi/v1/time");
    equal(r.status, 418);
    ok(/banned until/.test((r.body as { msg: string }).msg));
    ok(Number(r.headers.get("retry-after")) > 60);
    clock.advance(60_000);
    equal((await api("/fapi/v1/time")).status, 418);
    clock.advance(120_000);
    equal((await api("/fapi/v1/time")).status, 200);
  });
});
