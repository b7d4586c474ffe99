/**
 * The simulator's account and order engine: a pure, synchronous state machine for
 * orders, matching against a top-of-book snapshot, positions, margin, conditional orders,
 * funding and liquidation, replying in Aster's REST shapes and queuing user-data events.
 * The shapes (`RawOrder`, `RawOrderTradeUpdate`, ...) are the client's: import them from
 * lib/exchange/trading/wire.ts.
 *
 * @example
 * ```ts
 * import { Engine } from "./mod.ts";
 * const engine = new Engine({
 *   symbols: [{ symbol: "BTCUSDT", tickSize: "0.1", minPrice: "0.1", maxPrice: "1000000",
 *     stepSize: "0.001", minQty: "0.001", maxQty: "1000" }],
 *   accounts: [{ id: "key", walletBalance: "1000" }],
 * });
 * const reply = engine.newOrder("key", { symbol: "BTCUSDT", side: "BUY", type: "LIMIT",
 *   timeInForce: "GTC", quantity: "0.010", price: "100.0" }, Date.now());
 * ```
 *
 * @module
 */

export {
  type AccountSpec,
  Engine,
  type EngineEvent,
  type EngineOptions,
  type MarketUpdate,
} from "./engine.ts";
export type { EngineErrorBody, EngineReply } from "./errors.ts";
export type { Params } from "./order_params.ts";
export {
  ENGINE_ROUTES,
  type EngineCall,
  type EngineRoute,
  findEngineRoute,
} from "./routes.ts";
export {
  compileSymbol,
  type EngineSymbolSpec,
  type LeverageBracket,
  symbolSpecFromExchangeInfo,
} from "./spec.ts";
