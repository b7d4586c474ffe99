/**
 * The symbols the simulator lists: trading rules (tick, step, minimum notional) and a
 * typical price, plus the `exchangeInfo` body built from them.
 *
 * @module
 */
import type { RawExchangeInfo, RawSymbolInfo } from "../exchange/wire.ts";

/** Trading rules and a starting price of one simulated symbol. */
export interface SymbolSpec {
  readonly symbol: string;
  readonly baseAsset: string;
  /** Typical price, where the synthetic market starts. */
  readonly price: number;
  /** Decimals of the price tick (tick = 10^-priceDecimals). */
  readonly priceDecimals: number;
  /** Decimals of the quantity step (step = 10^-qtyDecimals). */
  readonly qtyDecimals: number;
  /** Decimals of the MARKET_LOT_SIZE step, when coarser than the LOT_SIZE step. */
  readonly marketQtyDecimals?: number;
  readonly minNotional: number;
  /** Which field name the MIN_NOTIONAL filter uses (Aster sends both in the wild). */
  readonly notionalField: "notional" | "minNotional";
  readonly maxQty: number;
  readonly marketMaxQty: number;
}

const KNOWN: Record<
  string,
  [number, number, number, "notional" | "minNotional", number]
> = {
  // symbol: [price, priceDecimals, qtyDecimals, notional field, maxQty]
  BTCUSDT: [100_000, 1, 3, "minNotional", 1000],
  ETHUSDT: [3_500, 2, 3, "notional", 10_000],
  SOLUSDT: [180, 2, 2, "minNotional", 100_000],
  BNBUSDT: [650, 2, 2, "notional", 20_000],
  XRPUSDT: [2.5, 4, 1, "minNotional", 5_000_000],
  DOGEUSDT: [0.2, 5, 0, "notional", 50_000_000],
  ASTERUSDT: [1.5, 4, 2, "minNotional", 10_000_000],
  ADAUSDT: [0.8, 4, 0, "notional", 10_000_000],
  LINKUSDT: [20, 3, 2, "minNotional", 1_000_000],
  AVAXUSDT: [30, 3, 2, "notional", 500_000],
  SUIUSDT: [3, 4, 1, "minNotional", 5_000_000],
  LTCUSDT: [100, 2, 3, "notional", 100_000],
  // a MARKET_LOT_SIZE step (0.1) coarser than LOT_SIZE (0.001): market-type exits and
  // closes of an off-step position (a partial fill) must be sized to the market step
  MKTSTEPUSDT: [100, 2, 3, "notional", 100_000],
};

/** Decimals of the MARKET_LOT_SIZE step of the symbols where it differs from LOT_SIZE. */
const MARKET_QTY_DECIMALS: Record<string, number> = { MKTSTEPUSDT: 1 };

const SYMBOL_RE = /^[A-Z0-9]{2,20}USDT$/;

/**
 * The spec of `symbol`: the known table, else a generic one (price 1, tick 0.0001).
 *
 * @throws {RangeError} when the name is not an uppercase `<BASE>USDT` symbol
 */
export function symbolSpec(symbol: string): SymbolSpec {
  if (!SYMBOL_RE.test(symbol)) {
    throw new RangeError(
      `Cannot list symbol "${symbol}": expected an uppercase <BASE>USDT name`,
    );
  }
  const known = KNOWN[symbol];
  const [price, priceDecimals, qtyDecimals, notionalField, maxQty] = known ??
    [1, 4, 1, "notional", 10_000_000];
  return {
    symbol,
    baseAsset: symbol.slice(0, -4),
    price,
    priceDecimals,
    qtyDecimals,
    minNotional: 5,
    notionalField,
    maxQty,
    marketMaxQty: maxQty / 10,
    ...(MARKET_QTY_DECIMALS[symbol] === undefined
      ? {}
      : { marketQtyDecimals: MARKET_QTY_DECIMALS[symbol] }),
  };
}

/** `spec` with finer decimals when replayed data needs them (never coarser). */
export function withDecimals(
  spec: SymbolSpec,
  priceDecimals: number,
  qtyDecimals: number,
  price: number,
): SymbolSpec {
  return {
    ...spec,
    price,
    priceDecimals: Math.max(spec.priceDecimals, priceDecimals),
    qtyDecimals: Math.max(spec.qtyDecimals, qtyDecimals),
  };
}

function step(decimals: number): string {
  return decimals === 0 ? "1" : `0.${"0".repeat(decimals - 1)}1`;
}

/** The `exchangeInfo.symbols[]` entry of a spec. */
export function symbolInfo(
  spec: SymbolSpec,
  onboardDate = 1569398400000,
): RawSymbolInfo {
  const tick = step(spec.priceDecimals);
  const lot = step(spec.qtyDecimals);
  return {
    symbol: spec.symbol,
    pair: spec.symbol,
    contractType: "PERPETUAL",
    deliveryDate: 4133404800000,
    onboardDate,
    status: "TRADING",
    maintMarginPercent: "2.5000",
    requiredMarginPercent: "5.0000",
    baseAsset: spec.baseAsset,
    quoteAsset: "USDT",
    marginAsset: "USDT",
    pricePrecision: spec.priceDecimals,
    quantityPrecision: spec.qtyDecimals,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: "COIN",
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: "0.0500",
    liquidationFee: "0.015000",
    marketTakeBound: "0.05",
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: tick,
        maxPrice: "10000000",
        tickSize: tick,
      },
      {
        filterType: "LOT_SIZE",
        minQty: lot,
        maxQty: String(spec.maxQty),
        stepSize: lot,
      },
      {
        filterType: "MARKET_LOT_SIZE",
        minQty: step(spec.marketQtyDecimals ?? spec.qtyDecimals),
        maxQty: String(spec.marketMaxQty),
        stepSize: step(spec.marketQtyDecimals ?? spec.qtyDecimals),
      },
      { filterType: "MAX_NUM_ORDERS", limit: 200 },
      { filterType: "MAX_NUM_ALGO_ORDERS", limit: 100 },
      {
        filterType: "PERCENT_PRICE",
        multiplierUp: "1.0500",
        multiplierDown: "0.9500",
        multiplierDecimal: "4",
      },
      {
        filterType: "MIN_NOTIONAL",
        [spec.notionalField]: String(spec.minNotional),
      },
    ],
    orderTypes: [
      "LIMIT",
      "MARKET",
      "STOP",
      "STOP_MARKET",
      "TAKE_PROFIT",
      "TAKE_PROFIT_MARKET",
      "TRAILING_STOP_MARKET",
    ],
    timeInForce: ["GTC", "IOC", "FOK", "GTX", "HIDDEN"],
  };
}

/**
 * The `GET /fapi/v1/exchangeInfo` body for `specs` at `serverTime`; `listedAt` gives each
 * symbol's `onboardDate` (undefined: a fixed date in 2019); `weightLimit` is the
 * `REQUEST_WEIGHT` per minute.
 */
export function exchangeInfo(
  specs: readonly SymbolSpec[],
  serverTime: number,
  listedAt: (symbol: string) => number | undefined = () => undefined,
  weightLimit = 2400,
): RawExchangeInfo {
  return {
    timezone: "UTC",
    serverTime,
    rateLimits: [
      {
        rateLimitType: "REQUEST_WEIGHT",
        interval: "MINUTE",
        intervalNum: 1,
        limit: weightLimit,
      },
      {
        rateLimitType: "ORDERS",
        interval: "MINUTE",
        intervalNum: 1,
        limit: 1200,
      },
    ],
    exchangeFilters: [],
    assets: [
      { asset: "USDT", marginAvailable: true, autoAssetExchange: "-10000" },
    ],
    symbols: specs.map((s) => symbolInfo(s, listedAt(s.symbol))),
  };
}
