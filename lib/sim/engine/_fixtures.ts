/**
 * Test fixtures: a two-symbol engine with hand-picked filters and a helper for market
 * snapshots. Private to the engine's tests.
 *
 * @module
 */

import { Engine, type EngineOptions, type MarketUpdate } from "./engine.ts";
import type { EngineErrorBody, EngineReply } from "./errors.ts";
import type { EngineSymbolSpec } from "./spec.ts";
import type { RawOrder } from "../../exchange/trading/wire.ts";

/** BTCUSDT: tick 0.1, step 0.001, min notional 5, maint 1 %, max leverage 50. */
export const BTC: EngineSymbolSpec = {
  symbol: "BTCUSDT",
  tickSize: "0.1",
  minPrice: "0.1",
  maxPrice: "100000",
  stepSize: "0.001",
  minQty: "0.001",
  maxQty: "100",
  marketStepSize: "0.001",
  marketMinQty: "0.001",
  marketMaxQty: "50",
  minNotional: "5",
  multiplierUp: "1.05",
  multiplierDown: "0.95",
  maxNumOrders: 3,
  maxNumAlgoOrders: 2,
  maintMarginRate: "0.01",
  maxLeverage: 50,
  triggerProtect: "0.05",
};

/** ETHUSDT: tick 0.5 and step 0.5 at one decimal, so -4014 / -4023 are reachable. */
export const ETH: EngineSymbolSpec = {
  symbol: "ETHUSDT",
  tickSize: "0.5",
  minPrice: "0.5",
  maxPrice: "100000",
  stepSize: "0.5",
  minQty: "0.5",
  maxQty: "1000",
  pricePrecision: 1,
  quantityPrecision: 1,
};

/** Creates an engine with alice (1000 USDT) and bob (20 USDT); maker 0.0002, taker 0.0005. */
export function makeEngine(options: Partial<EngineOptions> = {}): Engine {
  return new Engine({
    symbols: [BTC, ETH],
    accounts: [
      { id: "alice", walletBalance: "1000" },
      { id: "bob", walletBalance: "20" },
    ],
    makerRate: "0.0002",
    takerRate: "0.0005",
    ...options,
  });
}

/** The default book around 100: bids 99.9×1, 99.8×2, 99.7×3; asks 100.1×1, 100.2×2, 100.3×3. */
export function book(
  last = "100.0",
  mark = "100.0",
): MarketUpdate {
  return {
    bids: [["99.9", "1"], ["99.8", "2"], ["99.7", "3"]],
    asks: [["100.1", "1"], ["100.2", "2"], ["100.3", "3"]],
    lastPrice: last,
    markPrice: mark,
  };
}

/** The error body of a reply (throws when the reply succeeded). */
export function errorOf(reply: EngineReply<unknown>): EngineErrorBody {
  if (reply.status === 200) {
    throw new TypeError(
      `Cannot read error: reply succeeded ${JSON.stringify(reply.body)}`,
    );
  }
  return reply.body as EngineErrorBody;
}

/** The order body of a successful reply (throws on an error reply). */
export function orderOf(reply: EngineReply<RawOrder>): RawOrder {
  if (reply.status !== 200) {
    throw new TypeError(`Cannot read order: ${JSON.stringify(reply.body)}`);
  }
  return reply.body as RawOrder;
}

/** A successful body of any reply. */
export function bodyOf<T>(reply: EngineReply<T>): T {
  if (reply.status !== 200) {
    throw new TypeError(`Cannot read body: ${JSON.stringify(reply.body)}`);
  }
  return reply.body as T;
}
