/**
 * The exchange boundary: wire types, typed market events and their parsers, the REST
 * transport (rate limits, bans, signer port) with the market-data REST client, and the
 * market WebSocket stream.
 *
 * @module
 */
export * from "./events.ts";
export type * from "./wire.ts";
export {
  BannedError,
  ExchangeError,
  type ExchangeErrorOptions,
  NetworkError,
  TimeoutError,
} from "./errors.ts";
export {
  type CallOptions,
  DEFAULT_REST_URL,
  errorFromBody,
  type RestRequest,
  RestTransport,
  type RestTransportOptions,
} from "./rest_transport.ts";
export {
  type ExchangeInfo,
  parseExchangeInfo,
  parseSymbolInfo,
  type RateLimit,
  requestWeightPerMinute,
  SYMBOL_STATUSES,
  type SymbolInfo,
  type SymbolStatus,
} from "./exchange_info.ts";
export {
  type FundingRate,
  parseAggTrades,
  parseBookTicker,
  parseDepth,
  parseFundingRates,
  parseKlines,
  parsePremiumIndex,
  parseServerTime,
  type PremiumIndex,
} from "./rest_parsers.ts";
export {
  type AggTradesQuery,
  type DepthQuery,
  type FundingRateQuery,
  type KlinePageQuery,
  type KlineSeries,
  type KlinesQuery,
  klinesWeight,
  MarketRestClient,
} from "./market_rest_client.ts";
export {
  parseAggTradePayload,
  parseBookTickerPayload,
  parseDepthPayload,
  parseKlinePayload,
  parseMarkPricePayload,
  parseStreamMessage,
} from "./stream_parser.ts";
export {
  DEFAULT_SILENCE_BUDGET_MS,
  DEFAULT_WS_URL,
  type MarketEventSink,
  MarketStream,
  type MarketStreamOptions,
  STREAM_KINDS,
  type StreamStats,
  type StreamStatus,
} from "./market_stream.ts";
