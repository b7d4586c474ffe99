/**
 * `GET /fapi/v1/exchangeInfo` parsed into typed symbol rules. Filter values stay the
 * exchange's exact decimal strings (order code feeds them to decimal.js).
 *
 * @module
 */
import { arr, dec, int, nonNeg, type Obj, obj, str } from "./_validate.ts";

/** Symbol trading status values. */
export const SYMBOL_STATUSES = [
  "PENDING_TRADING",
  "TRADING",
  "PRE_SETTLE",
  "SETTLING",
  "CLOSE",
] as const;

/** A symbol's trading status. */
export type SymbolStatus = typeof SYMBOL_STATUSES[number];

/** One symbol's rules. Optional filters the venue did not send are `undefined`. */
export interface SymbolInfo {
  readonly symbol: string;
  readonly status: SymbolStatus;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly marginAsset: string;
  readonly contractType: string;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  /** PRICE_FILTER; "0" disables a check. */
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  /** LOT_SIZE. */
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  /** MARKET_LOT_SIZE (MARKET orders). */
  readonly marketStepSize: string | undefined;
  readonly marketMinQty: string | undefined;
  readonly marketMaxQty: string | undefined;
  /** MIN_NOTIONAL (`notional` or `minNotional`). */
  readonly minNotional: string | undefined;
  /** PERCENT_PRICE. */
  readonly multiplierUp: string | undefined;
  readonly multiplierDown: string | undefined;
  readonly multiplierDecimal: string | undefined;
  /** MAX_NUM_ORDERS `limit`. */
  readonly maxNumOrders: number | undefined;
  /** MAX_NUM_ALGO_ORDERS `limit`. */
  readonly maxNumAlgoOrders: number | undefined;
  readonly triggerProtect: string | undefined;
  readonly marketTakeBound: string | undefined;
  /** The listing time (epoch ms), when the venue sent `onboardDate`. */
  readonly onboardDate?: number;
}

/** One rate limit of exchangeInfo. */
export interface RateLimit {
  readonly rateLimitType: string;
  readonly interval: string;
  readonly intervalNum: number;
  readonly limit: number;
}

/** Parsed exchangeInfo. */
export interface ExchangeInfo {
  readonly serverTime: number;
  readonly rateLimits: readonly RateLimit[];
  readonly symbols: readonly SymbolInfo[];
}

/** Parses the exchangeInfo body. */
export function parseExchangeInfo(raw: unknown): ExchangeInfo {
  const o = obj(raw, "exchangeInfo");
  const rateLimits = arr(o.rateLimits ?? [], "exchangeInfo.rateLimits").map(
    (r, i) => {
      const x = obj(r, `rateLimits[${i}]`);
      return {
        rateLimitType: str(x.rateLimitType, `rateLimits[${i}].rateLimitType`),
        interval: str(x.interval, `rateLimits[${i}].interval`),
        intervalNum: int(x.intervalNum, `rateLimits[${i}].intervalNum`),
        limit: int(x.limit, `rateLimits[${i}].limit`),
      };
    },
  );
  return {
    serverTime: int(o.serverTime, "exchangeInfo.serverTime"),
    rateLimits,
    symbols: arr(o.symbols, "exchangeInfo.symbols").map(parseSymbolInfo),
  };
}

/** The REQUEST_WEIGHT limit per minute, or `undefined` when not listed. */
export function requestWeightPerMinute(info: ExchangeInfo): number | undefined {
  for (const r of info.rateLimits) {
    if (
      r.rateLimitType === "REQUEST_WEIGHT" && r.interval === "MINUTE" &&
      r.intervalNum === 1
    ) {
      return r.limit;
    }
  }
  return undefined;
}

/** Parses one entry of `exchangeInfo.symbols`. */
export function parseSymbolInfo(raw: unknown, index = 0): SymbolInfo {
  const o = obj(raw, `symbols[${index}]`);
  const symbol = str(o.symbol, `symbols[${index}].symbol`);
  const at = (field: string) => `${symbol}.${field}`;
  const status = str(o.status, at("status"));
  if (!(SYMBOL_STATUSES as readonly string[]).includes(status)) {
    throw new RangeError(`Cannot parse ${at("status")}: unknown "${status}"`);
  }
  const filters = new Map<string, Obj>();
  for (const [i, f] of arr(o.filters, at("filters")).entries()) {
    const x = obj(f, `${symbol}.filters[${i}]`);
    filters.set(str(x.filterType, `${symbol}.filters[${i}].filterType`), x);
  }
  const price = filters.get("PRICE_FILTER");
  if (!price) {
    throw new SyntaxError(`Cannot parse ${symbol}: no PRICE_FILTER`);
  }
  const lot = filters.get("LOT_SIZE");
  if (!lot) throw new SyntaxError(`Cannot parse ${symbol}: no LOT_SIZE`);
  const market = filters.get("MARKET_LOT_SIZE");
  const notional = filters.get("MIN_NOTIONAL");
  const percent = filters.get("PERCENT_PRICE");
  const maxOrders = filters.get("MAX_NUM_ORDERS");
  const maxAlgo = filters.get("MAX_NUM_ALGO_ORDERS");
  const opt = (v: unknown, field: string) =>
    v === undefined ? undefined : nonNeg(v, at(field));
  return {
    symbol,
    status: status as SymbolStatus,
    baseAsset: str(o.baseAsset, at("baseAsset")),
    quoteAsset: str(o.quoteAsset, at("quoteAsset")),
    marginAsset: str(o.marginAsset ?? o.quoteAsset, at("marginAsset")),
    contractType: typeof o.contractType === "string" ? o.contractType : "",
    pricePrecision: int(o.pricePrecision, at("pricePrecision")),
    quantityPrecision: int(o.quantityPrecision, at("quantityPrecision")),
    tickSize: nonNeg(price.tickSize, at("PRICE_FILTER.tickSize")),
    minPrice: nonNeg(price.minPrice, at("PRICE_FILTER.minPrice")),
    maxPrice: nonNeg(price.maxPrice, at("PRICE_FILTER.maxPrice")),
    stepSize: positive(lot.stepSize, at("LOT_SIZE.stepSize")),
    minQty: nonNeg(lot.minQty, at("LOT_SIZE.minQty")),
    maxQty: nonNeg(lot.maxQty, at("LOT_SIZE.maxQty")),
    marketStepSize: market &&
      positive(market.stepSize, at("MARKET_LOT_SIZE.stepSize")),
    marketMinQty: market && nonNeg(market.minQty, at("MARKET_LOT_SIZE.minQty")),
    marketMaxQty: market && nonNeg(market.maxQty, at("MARKET_LOT_SIZE.maxQty")),
    minNotional: notional &&
      nonNeg(
        notional.notional ?? notional.minNotional,
        at("MIN_NOTIONAL.notional"),
      ),
    multiplierUp: percent &&
      nonNeg(percent.multiplierUp, at("PERCENT_PRICE.multiplierUp")),
    multiplierDown: percent &&
      nonNeg(percent.multiplierDown, at("PERCENT_PRICE.multiplierDown")),
    multiplierDecimal: percent && percent.multiplierDecimal !== undefined
      ? dec(percent.multiplierDecimal, at("PERCENT_PRICE.multiplierDecimal"))
      : undefined,
    maxNumOrders: maxOrders &&
      int(maxOrders.limit, at("MAX_NUM_ORDERS.limit")),
    maxNumAlgoOrders: maxAlgo &&
      int(maxAlgo.limit, at("MAX_NUM_ALGO_ORDERS.limit")),
    triggerProtect: opt(o.triggerProtect, "triggerProtect"),
    marketTakeBound: opt(o.marketTakeBound, "marketTakeBound"),
    ...(o.onboardDate === undefined
      ? {}
      : { onboardDate: int(o.onboardDate, at("onboardDate")) }),
  };
}

function positive(v: unknown, what: string): string {
  const s = nonNeg(v, what);
  if (!(+s > 0)) throw new RangeError(`Cannot parse ${what}: ${s} is not > 0`);
  return s;
}
