/**
 * The public market-data REST endpoints of Aster (`/fapi/v1/...`), parsed into typed
 * values. Built on {@linkcode RestTransport}, so it shares its rate limiter and ban state
 * with any other client using the same transport.
 *
 * @module
 */
import type {
  AggTradeEvent,
  BookTickerEvent,
  DepthEvent,
  KlineEvent,
} from "./events.ts";
import {
  type ExchangeInfo,
  parseExchangeInfo,
  requestWeightPerMinute,
} from "./exchange_info.ts";
import {
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
import type {
  CallOptions,
  RestRequest,
  RestTransport,
} from "./rest_transport.ts";
import type { Params } from "./sign/params.ts";

/** Query of {@linkcode MarketRestClient.klines}. */
export interface KlinesQuery extends CallOptions {
  /** @default {"1m"} */
  interval?: string;
  startTime?: number;
  endTime?: number;
  /** 1..1500. @default {500} */
  limit?: number;
  /** Rows closing before this time are marked closed. @default {transport clock now} */
  nowMs?: number;
}

/** A kline series: trade prices, mark prices or index prices (`pair`). */
export type KlineSeries = "klines" | "markPriceKlines" | "indexPriceKlines";

/** Query of {@linkcode MarketRestClient.klinePage}. */
export interface KlinePageQuery extends CallOptions {
  /** @default {"1m"} */
  interval?: string;
  startTime?: number;
  endTime?: number;
  /** 1..1500. @default {500} */
  limit?: number;
}

/**
 * The request weight of a klines page of `limit` rows, the same for all three series
 * (protocol §3.1: [1,100) → 1, [100,500) → 2, [500,1000] → 5, > 1000 → 10).
 */
export function klinesWeight(limit: number): number {
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

/** Query of {@linkcode MarketRestClient.fundingRate}. */
export interface FundingRateQuery extends CallOptions {
  startTime?: number;
  endTime?: number;
  /** 1..1000. @default {100} */
  limit?: number;
}

/** Query of {@linkcode MarketRestClient.aggTrades}. */
export interface AggTradesQuery extends CallOptions {
  fromId?: number;
  startTime?: number;
  endTime?: number;
  /** 1..1000. @default {500} */
  limit?: number;
}

/** Query of {@linkcode MarketRestClient.depth}. */
export interface DepthQuery extends CallOptions {
  /** One of 5, 10, 20, 50, 100, 500, 1000. @default {5} */
  limit?: 5 | 10 | 20 | 50 | 100 | 500 | 1000;
}

/** Market-data REST calls. */
export class MarketRestClient {
  /** The transport the calls go through. */
  readonly transport: RestTransport;
  #now: () => number;

  /**
   * @param transport the shared REST transport
   * @param now local clock used to mark REST klines closed. @default {Date.now}
   */
  constructor(transport: RestTransport, now: () => number = Date.now) {
    this.transport = transport;
    this.#now = now;
  }

  /** `GET /fapi/v1/time`: the server time in epoch ms. */
  async serverTime(options: CallOptions = {}): Promise<number> {
    return parseServerTime(await this.#get("time", options));
  }

  /**
   * `GET /fapi/v1/exchangeInfo`, parsed. Also sets the transport's weight limit from the
   * `REQUEST_WEIGHT` rate limit.
   */
  async exchangeInfo(options: CallOptions = {}): Promise<ExchangeInfo> {
    const info = parseExchangeInfo(await this.#get("exchangeInfo", options));
    const limit = requestWeightPerMinute(info);
    if (limit !== undefined && limit > 0) this.transport.setWeightLimit(limit);
    return info;
  }

  /** `GET /fapi/v1/klines`, oldest first; the last row may be the open bar. */
  klines(symbol: string, query: KlinesQuery = {}): Promise<KlineEvent[]> {
    return this.#parsedKlines("klines", symbol, query);
  }

  /** `GET /fapi/v1/markPriceKlines`: mark-price bars (volume fields zero), oldest first. */
  markPriceKlines(
    symbol: string,
    query: KlinesQuery = {},
  ): Promise<KlineEvent[]> {
    return this.#parsedKlines("markPriceKlines", symbol, query);
  }

  /** `GET /fapi/v1/indexPriceKlines?pair=`: index-price bars, oldest first. */
  indexPriceKlines(
    pair: string,
    query: KlinesQuery = {},
  ): Promise<KlineEvent[]> {
    return this.#parsedKlines("indexPriceKlines", pair, query);
  }

  /**
   * One page of a kline series as the raw JSON rows (`[openTime, "open", …]`), for callers
   * that stream many pages to disk and check the rows themselves. The weight follows
   * `limit` ({@linkcode klinesWeight}).
   *
   * @param symbol the symbol (the `pair` of index klines)
   */
  async klinePage(
    series: KlineSeries,
    symbol: string,
    query: KlinePageQuery = {},
  ): Promise<unknown> {
    return await this.transport.request(
      klinePageRequest(series, symbol, query),
    );
  }

  /**
   * {@linkcode klinePage} as the response's JSON text, unparsed, for callers that scan it
   * themselves (`parseBody` of `rest_transport.ts` gives what `klinePage` returns).
   */
  async klinePageText(
    series: KlineSeries,
    symbol: string,
    query: KlinePageQuery = {},
  ): Promise<string> {
    return await this.transport.request({
      ...klinePageRequest(series, symbol, query),
      raw: true,
    }) as string;
  }

  async #parsedKlines(
    series: KlineSeries,
    symbol: string,
    query: KlinesQuery,
  ): Promise<KlineEvent[]> {
    const raw = await this.klinePage(series, symbol, query);
    return parseKlines(
      raw,
      symbol,
      query.interval ?? "1m",
      query.nowMs ?? this.#now(),
    );
  }

  /** `GET /fapi/v1/ticker/bookTicker?symbol=`. */
  async bookTicker(
    symbol: string,
    options: CallOptions = {},
  ): Promise<BookTickerEvent> {
    return parseBookTicker(
      await this.#get("ticker/bookTicker", options, { symbol }),
    );
  }

  /** `GET /fapi/v1/premiumIndex?symbol=`: mark, index and current funding rate. */
  async premiumIndex(
    symbol: string,
    options: CallOptions = {},
  ): Promise<PremiumIndex> {
    return parsePremiumIndex(
      await this.#get("premiumIndex", options, { symbol }),
    );
  }

  /** `GET /fapi/v1/fundingRate`: settled funding rates, ascending. */
  async fundingRate(
    symbol: string,
    query: FundingRateQuery = {},
  ): Promise<FundingRate[]> {
    const { startTime, endTime, limit } = query;
    return parseFundingRates(
      await this.#get("fundingRate", query, {
        symbol,
        startTime,
        endTime,
        limit,
      }),
    );
  }

  /** `GET /fapi/v1/aggTrades`, ascending by id. */
  async aggTrades(
    symbol: string,
    query: AggTradesQuery = {},
  ): Promise<AggTradeEvent[]> {
    const { fromId, startTime, endTime, limit } = query;
    return parseAggTrades(
      await this.#get("aggTrades", query, {
        symbol,
        fromId,
        startTime,
        endTime,
        limit,
      }, 20),
      symbol,
    );
  }

  /** `GET /fapi/v1/depth`: a top-N book snapshot. */
  async depth(symbol: string, query: DepthQuery = {}): Promise<DepthEvent> {
    const limit = query.limit ?? 5;
    const weight = limit <= 50
      ? 2
      : limit === 100
      ? 5
      : limit === 500
      ? 10
      : 20;
    return parseDepth(
      await this.#get("depth", query, { symbol, limit }, weight),
      symbol,
    );
  }

  /** `GET /fapi/v1/<endpoint>` with the call options of `options` (its query fields dropped). */
  #get(
    endpoint: string,
    options: CallOptions,
    params?: Params,
    weight = 1,
  ): Promise<unknown> {
    return this.transport.request({
      ...callOptions(options),
      method: "GET",
      path: `/fapi/v1/${endpoint}`,
      ...(params === undefined ? {} : { params }),
      weight,
    });
  }
}

/** The request of one kline page; the weight follows `limit`. */
function klinePageRequest(
  series: KlineSeries,
  symbol: string,
  query: KlinePageQuery,
): RestRequest {
  const { interval = "1m", startTime, endTime, limit = 500 } = query;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1500)) {
    throw new RangeError(
      `Cannot fetch ${series}: limit ${limit} not in 1..1500`,
    );
  }
  return {
    ...callOptions(query),
    method: "GET",
    path: `/fapi/v1/${series}`,
    params: {
      [series === "indexPriceKlines" ? "pair" : "symbol"]: symbol,
      interval,
      startTime,
      endTime,
      limit,
    },
    weight: klinesWeight(limit),
  };
}

function callOptions(o: CallOptions): CallOptions {
  const out: CallOptions = {};
  if (o.signal) out.signal = o.signal;
  if (o.timeoutMs !== undefined) out.timeoutMs = o.timeoutMs;
  return out;
}
