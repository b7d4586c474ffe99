/**
 * Matching benchmark: orders per second through the simulator's account and order engine
 * (`lib/sim/engine`), each order validated from string params, matched against a top-5
 * book, settled into the position and wallet, with its user-data events built.
 *
 * Mixes: taker (MARKET and crossing LIMIT IOC/FOK/GTX: fill or expire at placement) and
 * maker (LIMIT GTC placed, then filled by the next market update).
 *
 * Run: `deno task bench:matching`
 *
 * @module
 */
import { Engine, type MarketUpdate } from "../lib/sim/engine/mod.ts";

const TARGET = 50_000;
const RUNS = 5;
const RUN_SECONDS = 0.4;

function makeEngine(): Engine {
  return new Engine({
    symbols: [{
      symbol: "BTCUSDT",
      tickSize: "0.1",
      minPrice: "0.1",
      maxPrice: "1000000",
      stepSize: "0.001",
      minQty: "0.001",
      maxQty: "1000",
      minNotional: "5",
      maxLeverage: 125,
      maintMarginRate: "0.004",
    }],
    accounts: [{ id: "bench", walletBalance: "50000000" }],
    makerRate: "0.0001",
    takerRate: "0.00035",
  });
}

function levels(
  from: number,
  step: number,
): [string, string][] {
  return Array.from({ length: 5 }, (_, i) => [
    (from + i * step).toFixed(1),
    "0.250",
  ]);
}

const BOOK: MarketUpdate = {
  bids: levels(64999.9, -0.1),
  asks: levels(65000.1, 0.1),
  lastPrice: "65000.0",
  markPrice: "65000.0",
};
const THROUGH: MarketUpdate = { // trades through resting bids at 64999.0 and asks at 65001.0
  bids: levels(65001.5, -0.1),
  asks: levels(64998.5, 0.1),
  lastPrice: "65000.0",
  markPrice: "65000.0",
};

function order(
  side: string,
  type: string,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    symbol: "BTCUSDT",
    side,
    type,
    newOrderRespType: "RESULT",
    ...extra,
  };
}
const TAKER = [
  order("BUY", "MARKET", { quantity: "0.400" }), // two levels
  order("SELL", "MARKET", { quantity: "0.400" }),
  order("BUY", "LIMIT", {
    timeInForce: "IOC",
    quantity: "0.600",
    price: "65000.2",
  }), // fill 0.5, expire 0.1
  order("SELL", "LIMIT", {
    timeInForce: "IOC",
    quantity: "0.600",
    price: "64999.8",
  }),
  order("BUY", "LIMIT", {
    timeInForce: "FOK",
    quantity: "5.000",
    price: "65000.3",
  }), // expires
  order("SELL", "LIMIT", {
    timeInForce: "GTX",
    quantity: "0.100",
    price: "64999.9",
  }), // crosses: expires
];
const MAKER = [
  order("BUY", "LIMIT", {
    timeInForce: "GTC",
    quantity: "0.100",
    price: "64999.0",
  }),
  order("SELL", "LIMIT", {
    timeInForce: "GTC",
    quantity: "0.100",
    price: "65001.0",
  }),
];

/** Runs `step(i)` (which processes `perStep` orders) repeatedly; median orders/s. */
function rate(perStep: number, step: (i: number) => void): number {
  for (let i = 0; i < 5000; i++) step(i); // warm-up
  const rates: number[] = [];
  let i = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    let orders = 0;
    let elapsed = 0;
    while (elapsed < RUN_SECONDS * 1000) {
      for (let k = 0; k < 100; k++) step(i++);
      orders += 100 * perStep;
      elapsed = performance.now() - start;
    }
    rates.push(orders / (elapsed / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

let now = 1_700_000_000_000;
let events = 0;
let failures = 0;

const taker = makeEngine();
taker.onMarket("BTCUSDT", BOOK, now);
const takerRate = rate(TAKER.length, () => {
  now++;
  for (const params of TAKER) {
    const status = taker.newOrder("bench", params, now).status;
    if (status !== (params.timeInForce === "FOK" ? 400 : 200)) failures++;
  }
  taker.onMarket("BTCUSDT", BOOK, now); // refill the consumed levels
  events += taker.drainEvents("bench").length;
});

const maker = makeEngine();
maker.onMarket("BTCUSDT", BOOK, now);
const makerRate = rate(MAKER.length, () => {
  now++;
  for (const params of MAKER) {
    if (maker.newOrder("bench", params, now).status !== 200) failures++;
  }
  maker.onMarket("BTCUSDT", THROUGH, now); // fills both as maker
  maker.onMarket("BTCUSDT", BOOK, now);
  events += maker.drainEvents("bench").length;
});

// Spread and fees cost the taker about 40 USDT per round; the wallet must outlast the runs.
if (failures > 0) {
  throw new Error(`Cannot benchmark: ${failures} orders were rejected`);
}
const open = (maker.openOrders("bench", {}).body as unknown[]).length;
if (open !== 0) {
  throw new Error(`Cannot benchmark: ${open} maker orders did not fill`);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(10);
const out = [
  `matching_bench: median of ${RUNS} runs of ${RUN_SECONDS} s; ${
    events.toLocaleString("en-US")
  } user-data events built`,
  `taker orders/s (MARKET, LIMIT IOC/FOK/GTX: place + fill/expire, book refresh per ${TAKER.length}): ${
    fmt(takerRate)
  }  target ${TARGET.toLocaleString("en-US")} ${
    takerRate >= TARGET ? "OK" : "MISSED"
  }`,
  `maker orders/s (LIMIT GTC place + fill on the next market update): ${
    fmt(makerRate)
  }  target ${TARGET.toLocaleString("en-US")} ${
    makerRate >= TARGET ? "OK" : "MISSED"
  }`,
];
Deno.stdout.writeSync(new TextEncoder().encode(out.join("\n") + "\n"));
