import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ManualClock, startSimulator } from "../sim/mod.ts";
import { followClock } from "../time/clock.ts";
import { BannedError, ExchangeError, TimeoutError } from "./errors.ts";
import { MarketRestClient } from "./market_rest_client.ts";
import { RestTransport } from "./rest_transport.ts";

const START = Date.UTC(2026, 0, 5, 12, 0, 0);

async function setup() {
  const clock = new ManualClock(START);
  const sim = await startSimulator({
    symbols: ["BTCUSDT", "ETHUSDT"],
    seed: 7,
    clock,
    historyMinutes: 30,
    port: 0,
  });
  // Back-off waits take 1/1000 of their sim duration in real time.
  const transport = new RestTransport({
    baseUrl: sim.restUrl,
    clock: followClock(clock, 1000),
  });
  const client = new MarketRestClient(transport, () => clock.now());
  return { clock, sim, transport, client };
}

Deno.test("MarketRestClient reads every market endpoint of the simulator", async (t) => {
  const { clock, sim, client, transport } = await setup();
  clock.advance(90_000); // some trades and one more closed bar
  await t.step("serverTime", async () => {
    equal(await client.serverTime(), clock.now());
  });
  await t.step("exchangeInfo sets the weight limit", async () => {
    const info = await client.exchangeInfo();
    deepEqual(info.symbols.map((s) => s.symbol).sort(), ["BTCUSDT", "ETHUSDT"]);
    const btc = info.symbols.find((s) => s.symbol === "BTCUSDT")!;
    equal(btc.status, "TRADING");
    ok(Number(btc.tickSize) > 0 && Number(btc.stepSize) > 0);
    ok(btc.minNotional !== undefined);
    equal(btc.onboardDate, START - 30 * 60_000, "the first bar it has");
    const limit = info.rateLimits.find((r) =>
      r.rateLimitType === "REQUEST_WEIGHT"
    );
    equal(transport.weightLimit, limit?.limit ?? 2400);
  });
  await t.step("klines match the simulator's closed bars", async () => {
    const bars = await client.klines("BTCUSDT", { limit: 1000 });
    const closed = sim.closedKlines("BTCUSDT");
    const restClosed = bars.filter((b) => b.isClosed);
    equal(restClosed.length, closed.length);
    equal(restClosed.at(-1)!.openTime, closed.at(-1)![0]);
    equal(restClosed.at(-1)!.close, closed.at(-1)![4]);
    equal(bars.at(-1)!.isClosed, false, "the open bar comes last");
    for (let i = 1; i < bars.length; i++) {
      equal(bars[i]!.openTime - bars[i - 1]!.openTime, 60_000);
    }
  });
  await t.step("klines from a start time", async () => {
    const from = START - 5 * 60_000;
    const bars = await client.klines("ETHUSDT", { startTime: from, limit: 3 });
    deepEqual(bars.map((b) => b.openTime), [
      from,
      from + 60_000,
      from + 120_000,
    ]);
  });
  await t.step("bookTicker, premiumIndex, depth", async () => {
    const b = await client.bookTicker("BTCUSDT");
    ok(Number(b.bidPrice) < Number(b.askPrice));
    const p = await client.premiumIndex("BTCUSDT");
    equal(p.symbol, "BTCUSDT");
    ok(Number(p.markPrice) > 0);
    ok(p.nextFundingTime > clock.now());
    const d = await client.depth("ETHUSDT", { limit: 5 });
    equal(d.bids.length, 5);
    equal(d.asks.length, 5);
    ok(Number(d.bids[0]![0]) < Number(d.asks[0]![0]));
  });
  await t.step("aggTrades and fundingRate", async () => {
    const trades = await client.aggTrades("BTCUSDT", { limit: 50 });
    ok(trades.length > 0, "trades after 90 s of market");
    for (let i = 1; i < trades.length; i++) {
      ok(trades[i]!.aggId > trades[i - 1]!.aggId);
    }
    const rates = await client.fundingRate("BTCUSDT", { limit: 10 });
    for (const r of rates) ok(Number.isFinite(Number(r.fundingRate)));
  });
  await t.step(
    "mark and index klines, and raw pages with their weight",
    async () => {
      const mark = await client.markPriceKlines("BTCUSDT", { limit: 5 });
      const index = await client.indexPriceKlines("BTCUSDT", { limit: 5 });
      const trade = await client.klines("BTCUSDT", { limit: 5 });
      deepEqual(mark.map((b) => b.openTime), trade.map((b) => b.openTime));
      deepEqual(index.map((b) => b.openTime), trade.map((b) => b.openTime));
      for (const [i, b] of mark.entries()) {
        equal(b.volume, "0");
        ok(Math.abs(Number(b.close) / Number(trade[i]!.close) - 1) < 0.01);
      }
      const before = transport.usedWeight;
      const page = await client.klinePage("indexPriceKlines", "ETHUSDT", {
        startTime: START - 20 * 60_000,
        limit: 1500,
      }) as unknown[][];
      equal(page[0]![0], START - 20 * 60_000);
      equal(transport.usedWeight - before, 10);
      const query = { startTime: START - 20 * 60_000, limit: 1500 };
      const text = await client.klinePageText(
        "indexPriceKlines",
        "ETHUSDT",
        query,
      );
      equal(transport.usedWeight - before, 20);
      deepEqual(
        JSON.parse(text),
        await client.klinePage("indexPriceKlines", "ETHUSDT", query),
      );
      await rejects(
        client.klinePageText("klines", "BTCUSDT", { limit: 0 }),
        RangeError,
      );
      await rejects(
        client.klinePage("klines", "BTCUSDT", { limit: 1501 }),
        RangeError,
      );
    },
  );
  await t.step(
    "an unknown symbol is an ExchangeError with the venue code",
    async () => {
      const error = await client.bookTicker("NOPEUSDT").catch((e) => e);
      ok(error instanceof ExchangeError);
      equal(error.status, 400);
      equal(error.code, -1121);
    },
  );
  await sim.close();
});

Deno.test("MarketRestClient handles the simulator's REST faults", async (t) => {
  const { sim, client, transport } = await setup();
  await t.step("429 with Retry-After: retried, then succeeds", async () => {
    sim.faults.failNext(2, { status: 429, retryAfterSec: 1 });
    const time = await client.serverTime();
    ok(time > 0);
  });
  await t.step("HTML 502 page: ExchangeError with a text snippet", async () => {
    sim.faults.failNext(1, { status: 502, html: true });
    const error = await client.serverTime().catch((e) => e);
    ok(error instanceof ExchangeError);
    equal(error.status, 502);
    equal(error.code, 0);
    ok(error.msg.includes("502"), error.msg);
  });
  await t.step("slow response: TimeoutError", async () => {
    sim.faults.delayResponses(300);
    await rejects(client.serverTime({ timeoutMs: 50 }), TimeoutError);
    sim.faults.delayResponses(0);
  });
  await t.step("418: banned, later calls fail without a request", async () => {
    sim.faults.failNext(1, { status: 418, retryAfterSec: 120 });
    const first = await client.depth("BTCUSDT").catch((e) => e);
    ok(first instanceof BannedError);
    ok(transport.bannedUntil > 0);
    const second = await client.serverTime().catch((e) => e);
    ok(second instanceof BannedError);
    equal(second.until, first.until);
  });
  await sim.close();
});
