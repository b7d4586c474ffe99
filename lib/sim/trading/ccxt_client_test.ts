/**
 * An independent client talks to the simulator: ccxt's Binance USDⓈ-M class (a dev-only
 * test dependency), its URLs pointed at the simulator, with V1 HMAC auth, loads the markets,
 * reads the book, places and cancels an order. If it disagreed with the simulator, one of
 * them would be wrong about the protocol.
 */
import { equal, ok } from "node:assert/strict";
import ccxt from "ccxt";
import { ManualClock, startSimulator } from "../mod.ts";
import { demoAccounts, generateDemoCredentials } from "./demo_accounts.ts";

Deno.test("ccxt binanceusdm loads markets, reads the book, places and cancels an order on the simulator", async (t) => {
  const demo = generateDemoCredentials();
  const clock = new ManualClock(Date.now() - (Date.now() % 60_000));
  await using sim = await startSimulator({
    symbols: ["BTCUSDT", "ETHUSDT"],
    clock,
    historyMinutes: 30,
    accounts: demoAccounts(demo, "10000"),
  });
  clock.advance(5_000);
  const base = sim.restUrl;
  const exchange = new ccxt.binanceusdm({
    apiKey: demo.apiKey,
    secret: demo.secretKey,
    enableRateLimit: false,
    options: {
      fetchMarkets: ["linear"],
      fetchCurrencies: false,
      adjustForTimeDifference: false,
      // ccxt's default timestamp is the local clock; the simulator checks the sim clock.
      recvWindow: 60_000,
    },
  });
  // Point every USDⓈ-M endpoint family at the simulator.
  const api = exchange.urls["api"] as Record<string, string>;
  for (const key of Object.keys(api)) {
    const m = /^fapi(Public|Private|Data)?(V\d)?$/.exec(key);
    if (!m) continue;
    const version = m[2]?.toLowerCase() ?? "v1";
    api[key] = `${base}/fapi/${version}`;
  }
  exchange.milliseconds = () => clock.now();

  await t.step("load markets with their filters", async () => {
    const markets = await exchange.loadMarkets();
    const btc = markets["BTC/USDT:USDT"];
    ok(btc, "BTC/USDT:USDT is listed");
    equal(btc.id, "BTCUSDT");
    equal(btc.precision.price, 0.1);
    equal(btc.limits.cost?.min, 5);
  });

  let bid = 0;
  await t.step("read the order book", async () => {
    const book = await exchange.fetchOrderBook("BTC/USDT:USDT", 5);
    equal(book.bids.length, 5);
    equal(book.asks.length, 5);
    bid = book.bids[0]![0]!;
    ok(bid > 0 && bid < book.asks[0]![0]!, "bid below ask");
  });

  await t.step("place a resting limit order and cancel it", async () => {
    const price = Math.round((bid * 0.99) * 10) / 10;
    const order = await exchange.createOrder(
      "BTC/USDT:USDT",
      "limit",
      "buy",
      0.002,
      price,
      {
        timeInForce: "GTC",
      },
    );
    equal(order.status, "open");
    equal(order.price, price);
    const open = await exchange.fetchOpenOrders("BTC/USDT:USDT");
    equal(open.length, 1);
    equal(open[0]!.id, order.id);
    const canceled = await exchange.cancelOrder(order.id!, "BTC/USDT:USDT");
    equal(canceled.status, "canceled");
    equal((await exchange.fetchOpenOrders("BTC/USDT:USDT")).length, 0);
  });

  await t.step(
    "load the leverage brackets (GET /fapi/v1/leverageBracket, as fetchPositions does)",
    async () => {
      const all = await exchange.loadLeverageBrackets(true) as Record<
        string,
        [number, number][]
      >;
      const btc = all["BTC/USDT:USDT"];
      ok(btc && btc.length >= 1, JSON.stringify(all));
      // [notionalFloor, maintMarginRatio] per bracket, floors ascending from 0
      equal(btc[0]![0], 0);
      ok(btc[0]![1] > 0 && btc[0]![1] < 1);
    },
  );
});
