import { equal, ok, rejects } from "node:assert/strict";
import type { RawKlineRow } from "../exchange/wire.ts";
import { ManualClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";
import { ASTER_BTC_1M, BINANCE_1M } from "../../tests/fixtures/real_data.ts";

const BINANCE_BTC = BINANCE_1M.BTCUSDT;
const BINANCE_ETH = BINANCE_1M.ETHUSDT;
const ASTER_BTC = ASTER_BTC_1M;

async function fileRows(path: string, n: number): Promise<string[][]> {
  // Reads only the head of the file.
  const file = await Deno.open(path);
  const buf = new Uint8Array(256 * 1024);
  const got = (await file.read(buf)) ?? 0;
  file.close();
  return new TextDecoder().decode(buf.subarray(0, got)).split("\n").slice(
    1,
    n + 1,
  ).map((l) => l.split(","));
}

function assertSameBars(
  actual: readonly RawKlineRow[],
  expected: string[][],
  what: string,
): void {
  equal(actual.length, expected.length, `${what}: bar count`);
  for (let i = 0; i < expected.length; i++) {
    const [t, o, h, l, c, v] = expected[i]!;
    const k = actual[i]!;
    const at = `${what} bar ${i} (${t})`;
    equal(k[0], Number(t), at);
    equal(Number(k[1]), Number(o), `${at} open ${k[1]} vs ${o}`);
    equal(Number(k[2]), Number(h), `${at} high ${k[2]} vs ${h}`);
    equal(Number(k[3]), Number(l), `${at} low ${k[3]} vs ${l}`);
    equal(Number(k[4]), Number(c), `${at} close ${k[4]} vs ${c}`);
    ok(
      Math.abs(Number(k[5]) - Number(v)) <= 1e-9 * Math.max(1, Number(v)),
      `${at} volume ${k[5]} vs ${v}`,
    );
  }
}

Deno.test("startSimulator() with an OHLCV source reproduces the real file's bars", async (t) => {
  const expectedBtc = await fileRows(BINANCE_BTC, 100);
  const expectedEth = await fileRows(BINANCE_ETH, 100);
  const first = Number(expectedBtc[0]![0]);
  const clock = new ManualClock(first + 60 * 60_000);
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT", "ETHUSDT"],
    historyMinutes: 60,
    source: {
      kind: "ohlcv",
      files: { BTCUSDT: BINANCE_BTC, ETHUSDT: BINANCE_ETH },
    },
  });

  await t.step("history bars before the start come from the file", () => {
    assertSameBars(
      sim.closedKlines("BTCUSDT"),
      expectedBtc.slice(0, 60),
      "BTC history",
    );
  });

  await t.step("bars closed while the clock runs come from the file", () => {
    for (let i = 0; i < 40; i++) clock.advance(60_000);
    assertSameBars(
      sim.closedKlines("BTCUSDT"),
      expectedBtc.slice(0, 100),
      "BTC",
    );
    assertSameBars(
      sim.closedKlines("ETHUSDT"),
      expectedEth.slice(0, 100),
      "ETH",
    );
  });

  await t.step("REST klines serve the same bars", async () => {
    const res = await fetch(
      `${sim.restUrl}/fapi/v1/klines?symbol=ETHUSDT&interval=1m&startTime=${first}&limit=100`,
    );
    const rows = (await res.json()) as RawKlineRow[];
    assertSameBars(rows, expectedEth.slice(0, 100), "REST ETH");
  });

  await t.step(
    "trades stay inside the bar and the book around the last trade",
    async () => {
      const trades = (await (await fetch(
        `${sim.restUrl}/fapi/v1/aggTrades?symbol=BTCUSDT&limit=24`,
      )).json()) as { p: string; T: number }[];
      const last = expectedBtc[99]!;
      for (const tr of trades) {
        ok(tr.T >= Number(last[0]) && tr.T < Number(last[0]) + 60_000);
        ok(Number(tr.p) <= Number(last[2]) && Number(tr.p) >= Number(last[3]));
      }
      const book = (await (await fetch(
        `${sim.restUrl}/fapi/v1/ticker/bookTicker?symbol=BTCUSDT`,
      )).json()) as { bidPrice: string; askPrice: string };
      ok(Number(book.askPrice) > Number(book.bidPrice));
      ok(Math.abs(Number(book.bidPrice) - Number(last[4])) <= 0.2);
    },
  );
});

Deno.test("startSimulator() replays an Aster file with a timestamp header", async (t) => {
  const expected = await fileRows(ASTER_BTC, 30);
  const first = Number(expected[0]![0]);
  const clock = new ManualClock(first + 10 * 60_000);
  await using sim = await startSimulator({
    clock,
    symbols: ["BTCUSDT"],
    historyMinutes: 10,
    source: { kind: "ohlcv", files: { BTCUSDT: ASTER_BTC } },
  });
  await t.step("the clock starts at the file's start plus the history", () => {
    equal(sim.clock.now(), first + 10 * 60_000);
  });
  await t.step("bars match", () => {
    clock.advance(20 * 60_000);
    assertSameBars(sim.closedKlines("BTCUSDT"), expected, "Aster BTC");
  });
});

Deno.test("startSimulator() rejects bad OHLCV inputs", async (t) => {
  await t.step("a listed symbol without a file", async () => {
    await rejects(
      startSimulator({
        symbols: ["ETHUSDT"],
        source: { kind: "ohlcv", files: { BTCUSDT: ASTER_BTC } },
      }),
      RangeError,
    );
  });
  await t.step("a file with the wrong header", async () => {
    const path = await Deno.makeTempFile({ suffix: ".csv" });
    try {
      await Deno.writeTextFile(path, "time,o,h,l,c,v\n1,2,3,1,2,5\n");
      await rejects(
        startSimulator({
          symbols: ["BTCUSDT"],
          source: { kind: "ohlcv", files: { BTCUSDT: path } },
        }),
        SyntaxError,
      );
    } finally {
      await Deno.remove(path);
    }
  });
});
