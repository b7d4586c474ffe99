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
import type { CallOptions, RestTransport } from "./rest_transport.ts";
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
  async klines(symbol: string, query: KlinesQuery = {}): Promise<KlineEvent[]> {
    const { interval = "1m", startTime, endTime, limit = 500, nowMs } = query;
    if (!(limit >= 1 && limit <= 1500)) {
      throw new RangeError(
        `Cannot fetch klines: limit ${limit} not in 1..1500`,
      );
    }
    const weight = limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
    const raw = await this.#get("klines", query, {
      symbol,
      interval,
      startTime,
      endTime,
      limit,
    }, weight);
    return parseKlines(raw, symbol, interval, nowMs ?? this.#now());
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

function callOptions(o: CallOptions): CallOptions {
  const out: CallOptions = {};
  if (o.signal) out.signal = o.signal;
  if (o.timeoutMs !== undefined) out.timeoutMs = o.timeoutMs;
  return out;
}
