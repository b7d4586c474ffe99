/**
 * Raw JSON shapes of Aster's (Binance USDⓈ-M compatible) market-data protocol, exactly as
 * they travel on the wire. Decimal values are strings; ids and times are numbers.
 *
 * The client parses these into the domain events of `events.ts`; the simulator builds them.
 * One definition of the protocol, shared by both (../shared/aster-protocol.md §3-§4).
 *
 * @module
 */

/** `GET /fapi/v1/time` body. */
export interface RawServerTime {
  serverTime: number;
}

/** One filter of `exchangeInfo.symbols[].filters`; fields depend on `filterType`. */
export interface RawSymbolFilter {
  filterType: string;
  [field: string]: string | number | undefined;
}

/** One symbol of `exchangeInfo.symbols`. Only the fields the toolkit reads are listed. */
export interface RawSymbolInfo {
  symbol: string;
  pair: string;
  contractType: string;
  status: string;
  baseAsset: string;
  quoteAsset: string;
  marginAsset: string;
  pricePrecision: number;
  quantityPrecision: number;
  maintMarginPercent?: string;
  requiredMarginPercent?: string;
  triggerProtect?: string;
  marketTakeBound?: string;
  liquidationFee?: string;
  filters: RawSymbolFilter[];
  orderTypes?: string[];
  OrderType?: string[];
  timeInForce?: string[];
  [extra: string]: unknown;
}

/** One entry of `exchangeInfo.rateLimits`. */
export interface RawRateLimit {
  rateLimitType: string;
  interval: string;
  intervalNum: number;
  limit: number;
}

/** `GET /fapi/v1/exchangeInfo` body. */
export interface RawExchangeInfo {
  timezone: string;
  serverTime: number;
  rateLimits: RawRateLimit[];
  exchangeFilters: unknown[];
  assets: {
    asset: string;
    marginAvailable: boolean;
    autoAssetExchange: string;
  }[];
  symbols: RawSymbolInfo[];
}

/**
 * One REST kline row: `[openTime, open, high, low, close, volume, closeTime, quoteVolume,
 * trades, takerBuyBase, takerBuyQuote, ignore]`.
 */
export type RawKlineRow = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
];

/** `GET /fapi/v1/ticker/bookTicker?symbol=` body. */
export interface RawBookTicker {
  symbol: string;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
  time: number;
  lastUpdateId?: number;
}

/** `GET /fapi/v1/premiumIndex?symbol=` body. */
export interface RawPremiumIndex {
  symbol: string;
  markPrice: string;
  indexPrice: string;
  estimatedSettlePrice: string;
  lastFundingRate: string;
  interestRate: string;
  nextFundingTime: number;
  time: number;
}

/** One row of `GET /fapi/v1/fundingRate`. */
export interface RawFundingRate {
  symbol: string;
  fundingRate: string;
  fundingTime: number;
}

/** One row of `GET /fapi/v1/aggTrades`. */
export interface RawAggTrade {
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
}

/** `GET /fapi/v1/depth` body. */
export interface RawDepth {
  lastUpdateId: number;
  E: number;
  T: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** `{code,msg}` error body of every failed REST call. */
export interface RawErrorBody {
  code: number | string;
  msg: string;
}

/** WS `<sym>@kline_<interval>` payload. */
export interface RawKlineStreamEvent {
  e: "kline";
  E: number;
  s: string;
  k: {
    t: number;
    T: number;
    s: string;
    i: string;
    f: number;
    L: number;
    o: string;
    c: string;
    h: string;
    l: string;
    v: string;
    n: number;
    x: boolean;
    q: string;
    V: string;
    Q: string;
    B: string;
  };
}

/** WS `<sym>@bookTicker` payload. */
export interface RawBookTickerStreamEvent {
  e: "bookTicker";
  u: number;
  E: number;
  T: number;
  s: string;
  b: string;
  B: string;
  a: string;
  A: string;
}

/** WS `<sym>@markPrice[@1s]` payload. */
export interface RawMarkPriceStreamEvent {
  e: "markPriceUpdate";
  E: number;
  s: string;
  p: string;
  i: string;
  P: string;
  r: string;
  T: number;
}

/** WS `<sym>@aggTrade` payload. */
export interface RawAggTradeStreamEvent {
  e: "aggTrade";
  E: number;
  s: string;
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
}

/** WS `<sym>@depth<N>[@100ms]` payload: a full top-N snapshot each time. */
export interface RawDepthStreamEvent {
  e: "depthUpdate";
  E: number;
  T: number;
  s: string;
  U: number;
  u: number;
  pu: number;
  b: [string, string][];
  a: [string, string][];
}

/** Combined-stream envelope: `{"stream":"<name>","data":<payload>}`. */
export interface RawCombinedMessage<T = unknown> {
  stream: string;
  data: T;
}
