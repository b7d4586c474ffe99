/**
 * Pure parsers of the market-data REST bodies (raw JSON of `wire.ts`) into the typed
 * events of `events.ts`. Each validates every field it reads and throws a TypeError,
 * RangeError or SyntaxError naming the field.
 *
 * @module
 */
import type {
  AggTradeEvent,
  BookTickerEvent,
  DepthEvent,
  KlineEvent,
  MarkPriceEvent,
} from "./events.ts";
import {
  arr,
  bool,
  dec,
  int,
  levels,
  nonNeg,
  obj,
  str,
  strictDecimal,
} from "./_validate.ts";

/** Parses `GET /fapi/v1/time` into epoch ms. */
export function parseServerTime(raw: unknown): number {
  return int(obj(raw, "serverTime body").serverTime, "serverTime");
}

/**
 * Parses `GET /fapi/v1/klines` rows. A row counts as closed when its close time is before
 * `nowMs` (the venue returns the still-open bar last).
 *
 * @param raw the JSON body
 * @param symbol the requested symbol
 * @param interval the requested interval, e.g. "1m"
 * @param nowMs the server (or local) time of the response
 */
export function parseKlines(
  raw: unknown,
  symbol: string,
  interval: string,
  nowMs: number,
): KlineEvent[] {
  const rows = arr(raw, "klines");
  const out = new Array<KlineEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const what = `klines[${i}]`;
    const r = arr(rows[i], what);
    if (r.length < 11) {
      throw new TypeError(`Cannot parse ${what}: ${r.length} fields, want 12`);
    }
    const openTime = int(r[0], `${what} openTime`);
    const closeTime = int(r[6], `${what} closeTime`);
    if (closeTime < openTime) {
      throw new RangeError(`Cannot parse ${what}: closeTime < openTime`);
    }
    const isClosed = closeTime < nowMs;
    out[i] = {
      kind: "kline",
      symbol,
      eventTime: isClosed ? closeTime : nowMs,
      interval,
      openTime,
      closeTime,
      open: strictDecimal(r[1], `${what} open`, "positive"),
      high: strictDecimal(r[2], `${what} high`, "positive"),
      low: strictDecimal(r[3], `${what} low`, "positive"),
      close: strictDecimal(r[4], `${what} close`, "positive"),
      volume: strictDecimal(r[5], `${what} volume`, "nonNegative"),
      quoteVolume: strictDecimal(r[7], `${what} quoteVolume`, "nonNegative"),
      trades: int(r[8], `${what} trades`),
      takerBuyVolume: strictDecimal(
        r[9],
        `${what} takerBuyBase`,
        "nonNegative",
      ),
      takerBuyQuoteVolume: strictDecimal(
        r[10],
        `${what} takerBuyQuote`,
        "nonNegative",
      ),
      isClosed,
    };
  }
  return out;
}

/** Parses `GET /fapi/v1/ticker/bookTicker?symbol=`. */
export function parseBookTicker(raw: unknown): BookTickerEvent {
  const o = obj(raw, "bookTicker");
  const time = int(o.time, "bookTicker.time");
  return {
    kind: "bookTicker",
    symbol: str(o.symbol, "bookTicker.symbol"),
    eventTime: time,
    transactionTime: time,
    updateId: o.lastUpdateId === undefined
      ? 0
      : int(o.lastUpdateId, "bookTicker.lastUpdateId"),
    bidPrice: strictDecimal(o.bidPrice, "bookTicker.bidPrice", "positive"),
    bidQty: strictDecimal(o.bidQty, "bookTicker.bidQty", "nonNegative"),
    askPrice: strictDecimal(o.askPrice, "bookTicker.askPrice", "positive"),
    askQty: strictDecimal(o.askQty, "bookTicker.askQty", "nonNegative"),
  };
}

/** `GET /fapi/v1/premiumIndex` as a mark-price event plus the interest rate. */
export interface PremiumIndex extends MarkPriceEvent {
  readonly interestRate: string;
}

/** Parses `GET /fapi/v1/premiumIndex?symbol=`. */
export function parsePremiumIndex(raw: unknown): PremiumIndex {
  const o = obj(raw, "premiumIndex");
  return {
    kind: "markPrice",
    symbol: str(o.symbol, "premiumIndex.symbol"),
    eventTime: int(o.time, "premiumIndex.time"),
    markPrice: strictDecimal(o.markPrice, "premiumIndex.markPrice", "positive"),
    indexPrice: nonNeg(o.indexPrice, "premiumIndex.indexPrice"),
    estimatedSettlePrice: nonNeg(
      o.estimatedSettlePrice,
      "premiumIndex.estimatedSettlePrice",
    ),
    fundingRate: dec(o.lastFundingRate, "premiumIndex.lastFundingRate"),
    nextFundingTime: int(o.nextFundingTime, "premiumIndex.nextFundingTime"),
    interestRate: dec(o.interestRate, "premiumIndex.interestRate"),
  };
}

/** One settled funding rate. */
export interface FundingRate {
  readonly symbol: string;
  /** Rate per funding interval, as a fraction (exact decimal string). */
  readonly fundingRate: string;
  readonly fundingTime: number;
}

/** Parses `GET /fapi/v1/fundingRate` (ascending by time). */
export function parseFundingRates(raw: unknown): FundingRate[] {
  return arr(raw, "fundingRate").map((row, i) => {
    const o = obj(row, `fundingRate[${i}]`);
    return {
      symbol: str(o.symbol, `fundingRate[${i}].symbol`),
      fundingRate: dec(o.fundingRate, `fundingRate[${i}].fundingRate`),
      fundingTime: int(o.fundingTime, `fundingRate[${i}].fundingTime`),
    };
  });
}

/** Parses `GET /fapi/v1/aggTrades` rows for `symbol` (event time = trade time). */
export function parseAggTrades(raw: unknown, symbol: string): AggTradeEvent[] {
  return arr(raw, "aggTrades").map((row, i) => {
    const what = `aggTrades[${i}]`;
    const o = obj(row, what);
    const tradeTime = int(o.T, `${what}.T`);
    return {
      kind: "aggTrade",
      symbol,
      eventTime: tradeTime,
      aggId: int(o.a, `${what}.a`),
      price: strictDecimal(o.p, `${what}.p`, "positive"),
      qty: strictDecimal(o.q, `${what}.q`, "nonNegative"),
      firstTradeId: int(o.f, `${what}.f`),
      lastTradeId: int(o.l, `${what}.l`),
      tradeTime,
      buyerIsMaker: bool(o.m, `${what}.m`),
    };
  });
}

/** Parses `GET /fapi/v1/depth` for `symbol`. */
export function parseDepth(raw: unknown, symbol: string): DepthEvent {
  const o = obj(raw, "depth");
  const eventTime = int(o.E, "depth.E");
  return {
    kind: "depth",
    symbol,
    eventTime,
    transactionTime: o.T === undefined ? eventTime : int(o.T, "depth.T"),
    lastUpdateId: int(o.lastUpdateId, "depth.lastUpdateId"),
    bids: levels(o.bids, "depth.bids"),
    asks: levels(o.asks, "depth.asks"),
  };
}
