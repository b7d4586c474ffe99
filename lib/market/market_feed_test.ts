import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import type { KlineEvent } from "../exchange/events.ts";
import type {
  MarketEventSink,
  StreamStatus,
} from "../exchange/market_stream.ts";
import { MarketRestClient } from "../exchange/market_rest_client.ts";
import { RestTransport } from "../exchange/rest_transport.ts";
import { ManualClock, type Simulator, startSimulator } from "../sim/mod.ts";
import { followClock } from "../time/clock.ts";
import { MarketFeed, UnknownSymbolError } from "./market_feed.ts";
import type { BarClosedInfo } from "./symbol_cache.ts";

const START = Date.UTC(2026, 0, 5, 12, 0, 0);
const SYMBOLS = ["BTCUSDT", "ETHUSDT"];

interface Harness {
  clock: ManualClock;
  sim: Simulator;
  feed: MarketFeed;
  closed: [string, KlineEvent, BarClosedInfo][];
  statuses: StreamStatus[];
}

interface SetupOptions {
  symbols?: string[];
  backfillPageBars?: number;
  /** Silence budget of markPrice in sim ms; generous by default so a loaded machine does not reconnect. */
  markPriceBudgetMs?: number;
  wrapSink?: (caches: MarketEventSink) => MarketEventSink;
  backfillRetries?: number;
  /** The feed's local clock ahead of the exchange by this much, ms. */
  localAheadMs?: number;
  /** Give the feed the exchange's clock. */
  exchangeClock?: boolean;
}

async function setup(options: SetupOptions = {}): Promise<Harness> {
  const {
    symbols = SYMBOLS,
    backfillPageBars = 1500,
    markPriceBudgetMs = 60_000,
    wrapSink,
    backfillRetries,
    localAheadMs = 0,
    exchangeClock = false,
  } = options;
  const clock = new ManualClock(START);
  const sim = await startSimulator({
    symbols: SYMBOLS,
    seed: 3,
    clock,
    historyMinutes: 20,
    port: 0,
  });
  const closed: [string, KlineEvent, BarClosedInfo][] = [];
  const statuses: StreamStatus[] = [];
  const rest = new MarketRestClient(
    new RestTransport({
      baseUrl: sim.restUrl,
      clock: followClock(clock, 1000),
    }),
    () => clock.now(),
  );
  const feed = new MarketFeed({
    symbols,
    rest,
    now: () => clock.now() + localAheadMs,
    ...(exchangeClock ? { exchangeNow: () => clock.now() } : {}),
    historyBars: 100,
    backfillPageBars,
    backfillRetryMs: 10,
    ...(wrapSink ? { wrapSink } : {}),
    ...(backfillRetries !== undefined ? { backfillRetries } : {}),
    onBarClosed: (s, bar, info) => void closed.push([s, bar, info]),
    onStatus: (s) => void statuses.push(s),
    stream: {
      wsUrl: sim.wsUrl,
      watchdogIntervalMs: 10,
      reconnectBaseMs: 10,
      reconnectMaxMs: 50,
      silenceBudgetMs: { markPrice: markPriceBudgetMs },
    },
  });
  return { clock, sim, feed, closed, statuses };
}

async function until(
  cond: () => boolean,
  what: string,
  ms = 5000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Advances the sim clock in steps, letting the stream deliver between them. */
async function run(h: Harness, ms: number, step = 500): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    h.clock.advance(Math.min(step, ms - done));
    await new Promise((r) => setTimeout(r, 2));
  }
}

function openTimes(bars: readonly KlineEvent[]): number[] {
  return bars.map((b) => b.openTime);
}

Deno.test("MarketFeed.start() rejects a symbol the exchange does not list", async () => {
  const h = await setup({ symbols: ["BTCUSDT", "DOGEUSDT"] });
  const error = await h.feed.start().catch((e) => e);
  ok(error instanceof UnknownSymbolError);
  deepEqual(error.symbols, ["DOGEUSDT"]);
  ok(error.message.includes("DOGEUSDT"));
  await h.feed.close();
  await h.sim.close();
});

Deno.test("MarketFeed seeds from REST and follows every stream", async (t) => {
  const h = await setup();
  const { feed, sim, clock } = h;
  await feed.start();
  await t.step(
    "seeded history equals the simulator's closed bars, silently",
    () => {
      for (const s of SYMBOLS) {
        const bars = feed.caches.get(s).closedBars();
        deepEqual(openTimes(bars), sim.closedKlines(s).map((r) => r[0]));
        ok(feed.caches.latest(s).bookTicker);
        ok(feed.caches.latest(s).markPrice);
        ok(feed.caches.latest(s).depth);
      }
      equal(h.closed.length, 0);
      equal(feed.symbolInfo("btcusdt")?.symbol, "BTCUSDT");
    },
  );
  await t.step("all five streams update the caches", async () => {
    await until(() => feed.stream?.connected === true, "connected");
    await run(h, 3000);
    await until(() => {
      const a = feed.caches.ages("BTCUSDT", clock.now());
      return a.aggTrade.sinceReceiveMs < 2000 &&
        a.kline.sinceReceiveMs < 2000 &&
        a.bookTicker.sinceReceiveMs < 2000 &&
        a.markPrice.sinceReceiveMs < 2000 &&
        a.depth.sinceReceiveMs < 2000;
    }, "fresh inputs");
    const tally = feed.caches.takeAggTrades("BTCUSDT");
    ok(tally.trades > 0 && tally.volume > 0);
    equal(tally.buyVolume + tally.sellVolume, tally.volume);
    ok(tally.lastAggId >= tally.firstAggId);
    equal(feed.caches.takeAggTrades("BTCUSDT").trades, 0);
  });
  await t.step("each closed bar is announced once, in order", async () => {
    await run(h, 125_000, 1000);
    await until(
      () => h.closed.filter((c) => c[0] === "BTCUSDT").length >= 2,
      "2 bars",
    );
    for (const s of SYMBOLS) {
      const mine = h.closed.filter((c) => c[0] === s);
      const expected = sim.closedKlines(s).slice(-mine.length);
      deepEqual(openTimes(mine.map((c) => c[1])), expected.map((r) => r[0]));
      deepEqual(mine.map((c) => c[1].close), expected.map((r) => r[4]));
      ok(mine.every((c) => c[2].gapBars === 0 && c[2].source === "stream"));
    }
  });
  await feed.close();
  await sim.close();
});

Deno.test("MarketFeed backfills missed klines after the simulator drops the socket", async () => {
  // 2-row pages: the 3 missed bars take 2 pages.
  const h = await setup({ backfillPageBars: 2 });
  const { feed, sim } = h;
  await feed.start();
  await until(() => feed.stream?.connected === true, "connected");
  await run(h, 2000);
  const before = h.closed.length;
  sim.faults.dropConnections();
  h.clock.advance(185_000); // three bars close while nobody listens
  await until(
    () => h.statuses.some((s) => s.kind === "reconnected"),
    "reconnected",
  );
  await until(
    () => h.closed.length >= before + 6,
    "backfilled bars of both symbols",
  );
  await run(h, 2000);
  for (const s of SYMBOLS) {
    const got = h.closed.filter((c) => c[0] === s);
    const expected = sim.closedKlines(s).slice(-got.length);
    deepEqual(openTimes(got.map((c) => c[1])), expected.map((r) => r[0]));
    deepEqual(got.map((c) => c[1].close), expected.map((r) => r[4]));
    ok(got.every((c) => c[2].gapBars === 0), "no gap left");
    ok(got.some((c) => c[2].source === "rest"), "came from the backfill");
    deepEqual(
      openTimes(feed.caches.get(s).closedBars()),
      sim.closedKlines(s).map((r) => r[0]),
    );
  }
  deepEqual(h.statuses.map((s) => s.kind).slice(0, 3), [
    "connected",
    "disconnected",
    "reconnected",
  ]);
  await feed.close();
  await sim.close();
});

Deno.test("MarketFeed recovers from a silent stream and malformed payloads", async (t) => {
  const h = await setup({ markPriceBudgetMs: 5000 });
  const { feed, sim, clock } = h;
  await feed.start();
  await until(() => feed.stream?.connected === true, "connected");
  await run(h, 2000);
  await t.step(
    "a silent stream is detected and the connection replaced",
    async () => {
      sim.faults.silence();
      await run(h, 6000);
      await until(
        () => (feed.stream?.stats.silences ?? 0) >= 1,
        "silence detected",
      );
      sim.faults.resume();
      const mark = feed.caches.latest("BTCUSDT").markPrice!.eventTime;
      await until(() => feed.stream?.connected === true, "reconnected");
      await run(h, 2000);
      await until(
        () => feed.caches.latest("BTCUSDT").markPrice!.eventTime > mark,
        "mark prices again",
      );
      ok(
        h.statuses.some((s) =>
          s.kind === "disconnected" && s.reason.includes("silent")
        ),
      );
    },
  );
  await t.step(
    "malformed payloads are counted and the stream goes on",
    async () => {
      const bad = feed.stream!.stats.malformed;
      sim.faults.sendMalformed(6);
      await run(h, 2000);
      await until(
        () => feed.stream!.stats.malformed > bad,
        "malformed counted",
      );
      const book = feed.caches.latest("ETHUSDT").bookTicker!.eventTime;
      await run(h, 2000);
      await until(
        () => feed.caches.latest("ETHUSDT").bookTicker!.eventTime > book,
        "books",
      );
      ok(
        feed.caches.ages("ETHUSDT", clock.now()).bookTicker.sinceReceiveMs <
          3000,
      );
    },
  );
  await feed.close();
  await sim.close();
});

Deno.test("new MarketFeed() rejects bad backfill retry options", async (t) => {
  const rest = new MarketRestClient(
    new RestTransport({ baseUrl: "http://127.0.0.1:1" }),
  );
  await t.step("negative or fractional retries", () => {
    throws(
      () => new MarketFeed({ symbols: SYMBOLS, rest, backfillRetries: -1 }),
      RangeError,
    );
    throws(
      () => new MarketFeed({ symbols: SYMBOLS, rest, backfillRetries: 1.5 }),
      RangeError,
    );
  });
  await t.step("a negative or infinite retry wait", () => {
    throws(
      () => new MarketFeed({ symbols: SYMBOLS, rest, backfillRetryMs: -1 }),
      RangeError,
    );
    throws(
      () =>
        new MarketFeed({ symbols: SYMBOLS, rest, backfillRetryMs: Infinity }),
      RangeError,
    );
  });
});

Deno.test("MarketFeed.start() fails fast while the IP is banned", async () => {
  const h = await setup();
  h.sim.faults.failNext(1, { status: 418, retryAfterSec: 60 });
  await rejects(h.feed.start(), { name: "BannedError" });
  await h.feed.close();
  await h.sim.close();
});

/** A sink that drops every event while `mute` is set, and the next closed kline of `dropClosedOf`. */
function filter(): {
  wrap: (caches: MarketEventSink) => MarketEventSink;
  mute: boolean;
  dropClosedOf: string | undefined;
  dropped: KlineEvent[];
} {
  const f = {
    mute: false,
    dropClosedOf: undefined as string | undefined,
    dropped: [] as KlineEvent[],
    wrap: (caches: MarketEventSink): MarketEventSink => ({
      onEvent(event, recvMs) {
        if (f.mute) return;
        if (
          event.kind === "kline" && event.isClosed &&
          event.symbol === f.dropClosedOf
        ) {
          f.dropClosedOf = undefined;
          f.dropped.push(event);
          return;
        }
        caches.onEvent(event, recvMs);
      },
    }),
  };
  return f;
}

function assertContiguous(h: Harness, symbol: string): void {
  const got = h.closed.filter((c) => c[0] === symbol);
  const expected = h.sim.closedKlines(symbol).slice(-got.length);
  deepEqual(openTimes(got.map((c) => c[1])), expected.map((r) => r[0]));
  deepEqual(got.map((c) => c[1].close), expected.map((r) => r[4]));
  deepEqual(
    got.filter((c) => c[2].gapBars !== 0).map((c) => c[2]),
    [],
    "no gap reaches the callback",
  );
  deepEqual(
    openTimes(h.feed.caches.get(symbol).closedBars()),
    h.sim.closedKlines(symbol).map((r) => r[0]),
  );
}

Deno.test("MarketFeed backfills bars closed between the REST seed and the stream", async () => {
  const f = filter();
  const h = await setup({ wrapSink: f.wrap });
  const { feed } = h;
  f.mute = true; // the stream is not listening yet
  await feed.start();
  await until(() => feed.stream?.connected === true, "connected");
  await run(h, 150_000, 1000); // two bars close after the seed, before the stream
  f.mute = false;
  await run(h, 62_000, 1000); // the stream's first closed bar leaves a hole
  await until(
    () => SYMBOLS.every((s) => h.closed.filter((c) => c[0] === s).length >= 3),
    "3 bars of each symbol",
  );
  for (const s of SYMBOLS) {
    assertContiguous(h, s);
    const mine = h.closed.filter((c) => c[0] === s).map((c) => c[2].source);
    deepEqual(mine.slice(0, 2), ["rest", "rest"], "the missed bars");
    equal(feed.caches.get(s).holding, false);
  }
  equal(h.statuses.filter((s) => s.kind === "disconnected").length, 0);
  await feed.close();
  await h.sim.close();
});

Deno.test("MarketFeed backfills a closed kline the stream skipped", async () => {
  const f = filter();
  const h = await setup({ wrapSink: f.wrap });
  const { feed } = h;
  await feed.start();
  await until(() => feed.stream?.connected === true, "connected");
  await run(h, 2000);
  f.dropClosedOf = "BTCUSDT";
  await run(h, 125_000, 1000);
  await until(() => f.dropped.length === 1, "a dropped closed kline");
  await until(
    () => h.closed.filter((c) => c[0] === "BTCUSDT").length >= 2,
    "2 BTCUSDT bars",
  );
  await run(h, 2000);
  for (const s of SYMBOLS) assertContiguous(h, s);
  const btc = h.closed.filter((c) => c[0] === "BTCUSDT");
  const skipped = btc.find((c) => c[1].openTime === f.dropped[0]!.openTime);
  equal(skipped?.[2].source, "rest", "the skipped bar came over REST");
  ok(
    h.closed.filter((c) => c[0] === "ETHUSDT").every((c) =>
      c[2].source === "stream"
    ),
  );
  equal(h.statuses.filter((s) => s.kind === "disconnected").length, 0);
  await feed.close();
  await h.sim.close();
});

Deno.test("MarketFeed releases the held bars with their gap when the backfill keeps failing", async () => {
  const f = filter();
  const h = await setup({
    symbols: ["BTCUSDT"],
    wrapSink: f.wrap,
    backfillRetries: 2,
  });
  const { feed, sim } = h;
  await feed.start();
  await until(() => feed.stream?.connected === true, "connected");
  await run(h, 2000);
  f.dropClosedOf = "BTCUSDT";
  await run(h, 60_000, 1000);
  await until(() => f.dropped.length === 1, "a dropped closed kline");
  sim.faults.failNext(3, { status: 500 }); // every attempt: the first and 2 retries
  await run(h, 60_000, 1000); // the next closed bar reveals the hole
  await until(() => h.closed.length >= 1, "the held bar released");
  deepEqual(h.closed.map((c) => [c[1].openTime, c[2]]), [
    [f.dropped[0]!.openTime + 60_000, { source: "stream", gapBars: 1 }],
  ]);
  equal(feed.caches.get("BTCUSDT").holding, false);
  const res = await fetch(`${sim.restUrl}/fapi/v1/time`);
  await res.body?.cancel();
  equal(res.status, 200, "all 3 armed failures were used by the 3 attempts");
  await run(h, 60_000, 1000); // later bars flow again
  await until(() => h.closed.length >= 2, "the next bar");
  deepEqual(h.closed[1]![2], { source: "stream", gapBars: 0 });
  await feed.close();
  await sim.close();
});

Deno.test("MarketFeed judges a REST kline closed on the exchange's clock, not the local one", async (t) => {
  for (const exchangeClock of [false, true]) {
    await t.step(
      exchangeClock
        ? "with the exchange clock: the open bar stays open"
        : "local clock 30 s ahead alone: the open bar looks closed",
      async () => {
        const h = await setup({ localAheadMs: 30_000, exchangeClock });
        try {
          h.clock.advance(40_000); // 12:00:40 on the exchange, 12:01:10 locally
          await h.feed.start();
          const last = h.feed.caches.get("BTCUSDT").lastClosedBar!;
          equal(
            last.openTime,
            exchangeClock ? START - 60_000 : START,
            new Date(last.openTime).toISOString(),
          );
        } finally {
          await h.feed.close();
          await h.sim.close();
        }
      },
    );
  }
});
