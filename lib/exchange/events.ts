/**
 * Typed market events: what the client hands to the rest of the toolkit after parsing and
 * validating a WebSocket payload or a REST snapshot.
 *
 * Prices and quantities stay the exact decimal strings the exchange sent (the recorder
 * writes them verbatim; order code feeds them to decimal.js; analytics call `Number()`).
 * Times are epoch milliseconds from the exchange.
 *
 * @module
 */

/** A 1m (or other interval) kline, open or closed. */
export interface KlineEvent {
  readonly kind: "kline";
  readonly symbol: string;
  /** Exchange event time (for REST rows: the close time or the server time). */
  readonly eventTime: number;
  readonly interval: string;
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly quoteVolume: string;
  readonly trades: number;
  readonly takerBuyVolume: string;
  readonly takerBuyQuoteVolume: string;
  readonly isClosed: boolean;
}

/** Best bid and offer. */
export interface BookTickerEvent {
  readonly kind: "bookTicker";
  readonly symbol: string;
  readonly eventTime: number;
  readonly transactionTime: number;
  readonly updateId: number;
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
}

/** Mark price, index price and the current funding rate. */
export interface MarkPriceEvent {
  readonly kind: "markPrice";
  readonly symbol: string;
  readonly eventTime: number;
  readonly markPrice: string;
  readonly indexPrice: string;
  readonly estimatedSettlePrice: string;
  readonly fundingRate: string;
  readonly nextFundingTime: number;
}

/** One aggregate trade. */
export interface AggTradeEvent {
  readonly kind: "aggTrade";
  readonly symbol: string;
  readonly eventTime: number;
  readonly aggId: number;
  readonly price: string;
  readonly qty: string;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly tradeTime: number;
  /** True when the buyer was the maker, i.e. the seller was the aggressor. */
  readonly buyerIsMaker: boolean;
}

/** A price level `[price, quantity]`, both exact decimal strings. */
export type Level = readonly [price: string, qty: string];

/** A partial-book snapshot (top N levels), replacing the previous one. */
export interface DepthEvent {
  readonly kind: "depth";
  readonly symbol: string;
  readonly eventTime: number;
  readonly transactionTime: number;
  readonly lastUpdateId: number;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/** Any market event. */
export type MarketEvent =
  | KlineEvent
  | BookTickerEvent
  | MarkPriceEvent
  | AggTradeEvent
  | DepthEvent;

/** The stream kinds the toolkit subscribes to, with their Aster stream-name suffix. */
export const STREAM_SUFFIXES = {
  kline: "@kline_1m",
  bookTicker: "@bookTicker",
  markPrice: "@markPrice@1s",
  aggTrade: "@aggTrade",
  depth: "@depth5@100ms",
} as const;

/** A market stream kind. */
export type StreamKind = keyof typeof STREAM_SUFFIXES;

/** The combined-stream name of `kind` for `symbol` (lowercase, as Aster expects). */
export function streamName(symbol: string, kind: StreamKind): string {
  return symbol.toLowerCase() + STREAM_SUFFIXES[kind];
}
