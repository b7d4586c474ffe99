/**
 * Per-symbol market caches fed by exchange events (latest kline and closed-bar history,
 * book ticker, mark price/funding, recent aggregate trades, depth), the ages of those
 * inputs, and the feed that wires REST seeding, the stream and gap backfills.
 *
 * @module
 */
export { type AggTradeSummary, AggTradeTally } from "./agg_trade_tally.ts";
export { Ring } from "./ring.ts";
export {
  type BarClosedHandler,
  type BarClosedInfo,
  type InputAge,
  type InputAges,
  type Received,
  SymbolCache,
  type SymbolCacheOptions,
} from "./symbol_cache.ts";
export {
  MarketCaches,
  type MarketCachesOptions,
  type MarketSnapshot,
} from "./market_caches.ts";
export {
  MarketFeed,
  type MarketFeedOptions,
  UnknownSymbolError,
} from "./market_feed.ts";
