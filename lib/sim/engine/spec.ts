/**
 * Symbol specifications the engine trades (exchange filters, margin brackets) and their
 * compiled integer form.
 *
 * @module
 */

import type { RawSymbolInfo } from "../../exchange/wire.ts";
import { fractionDigits, parseScaled, pow10 } from "./decimal.ts";

/** One leverage bracket, as `GET /fapi/v1/leverageBracket` reports it. */
export interface LeverageBracket {
  /** Upper notional bound of the bracket (USDT, decimal string). */
  readonly notionalCap: string;
  /** Maintenance margin rate, e.g. "0.004". */
  readonly maintMarginRatio: string;
  /** Maintenance amount subtracted from notional × rate @default {"0"} */
  readonly cum?: string;
  /** Highest leverage allowed in this bracket. */
  readonly initialLeverage: number;
}

/** A tradable symbol: its filters as exact decimal strings, as in `exchangeInfo`. */
export interface EngineSymbolSpec {
  readonly symbol: string;
  /** @default {"TRADING"} */
  readonly status?: string;
  /** PRICE_FILTER; a "0" minPrice/maxPrice disables that check. */
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  /** LOT_SIZE. */
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  /** MARKET_LOT_SIZE @default LOT_SIZE's values */
  readonly marketStepSize?: string;
  readonly marketMinQty?: string;
  readonly marketMaxQty?: string;
  /** MIN_NOTIONAL in USDT @default {"0"} */
  readonly minNotional?: string;
  /** PERCENT_PRICE multipliers @default {"5"} and {"0.2"} */
  readonly multiplierUp?: string;
  readonly multiplierDown?: string;
  /** MAX_NUM_ORDERS @default {200} */
  readonly maxNumOrders?: number;
  /** MAX_NUM_ALGO_ORDERS @default {100} */
  readonly maxNumAlgoOrders?: number;
  /** Single-bracket maintenance rate when `brackets` is absent @default {"0.005"} */
  readonly maintMarginRate?: string;
  /** Leverage brackets, ascending by notionalCap. */
  readonly brackets?: readonly LeverageBracket[];
  /**
   * Max leverage when `brackets` is absent @default {min(125, floor(0.5 / maintMarginRate))},
   * so that maintenance stays at most half the initial margin, as on Binance's brackets
   */
  readonly maxLeverage?: number;
  /** Max |mark-last|/mark for priceProtect conditional orders @default {"0.05"} */
  readonly triggerProtect?: string;
  /** Decimals allowed in `price` @default the tick size's decimals */
  readonly pricePrecision?: number;
  /** Decimals allowed in `quantity` @default the step size's decimals */
  readonly quantityPrecision?: number;
}

/** A compiled bracket with numeric fields. */
export interface CompiledBracket {
  readonly capUnits: number;
  readonly rate: number;
  readonly cumUnits: number;
  readonly maxLeverage: number;
  readonly notionalCap: string;
}

/** A symbol spec compiled into integers: prices at `pd` decimals, quantities at `qd`. */
export interface CompiledSymbol {
  readonly symbol: string;
  readonly trading: boolean;
  readonly pd: number;
  readonly qd: number;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly tick: number;
  readonly minPrice: number;
  readonly maxPrice: number;
  readonly step: number;
  readonly minQty: number;
  readonly maxQty: number;
  readonly mktStep: number;
  readonly mktMinQty: number;
  readonly mktMaxQty: number;
  /** Min notional in money units (1e-8 USDT). */
  readonly minNotionalUnits: number;
  readonly minNotional: string;
  readonly multiplierUp: number;
  readonly multiplierDown: number;
  readonly maxNumOrders: number;
  readonly maxNumAlgoOrders: number;
  readonly brackets: readonly CompiledBracket[];
  readonly maxLeverage: number;
  readonly triggerProtect: number;
  /** Factor turning price×qty integers into money units (1e-8 USDT). */
  readonly rawToUnits: number;
  /** Price integer → float price. */
  readonly priceScale: number;
  /** Quantity integer → float quantity. */
  readonly qtyScale: number;
}

/** Money is held as integer units of 1e-8 USDT. */
export const MONEY_DECIMALS = 8;
/** Units per USDT. */
export const MONEY_SCALE = 1e8;

function decimalsOf(text: string, what: string): number {
  const d = fractionDigits(text);
  if (d < 0) {
    throw new TypeError(
      `Cannot compile symbol: ${what} "${text}" is malformed`,
    );
  }
  return d;
}

function scaled(text: string, decimals: number, what: string): number {
  const value = parseScaled(text, decimals);
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(`Cannot compile symbol: ${what} "${text}" is invalid`);
  }
  return value;
}

function units(text: string, what: string): number {
  return scaled(text, MONEY_DECIMALS, what);
}

/** Compiles a spec, failing fast on malformed or inconsistent filters. */
export function compileSymbol(spec: EngineSymbolSpec): CompiledSymbol {
  const mktStepText = spec.marketStepSize ?? spec.stepSize;
  const mktMinText = spec.marketMinQty ?? spec.minQty;
  const mktMaxText = spec.marketMaxQty ?? spec.maxQty;
  const pd = Math.max(
    decimalsOf(spec.tickSize, "tickSize"),
    decimalsOf(spec.minPrice, "minPrice"),
    spec.pricePrecision ?? 0,
  );
  const qd = Math.max(
    decimalsOf(spec.stepSize, "stepSize"),
    decimalsOf(spec.minQty, "minQty"),
    decimalsOf(mktStepText, "marketStepSize"),
    decimalsOf(mktMinText, "marketMinQty"),
    spec.quantityPrecision ?? 0,
  );
  const tick = scaled(spec.tickSize, pd, "tickSize");
  const step = scaled(spec.stepSize, qd, "stepSize");
  const mktStep = scaled(mktStepText, qd, "marketStepSize");
  if (tick <= 0 || step <= 0 || mktStep <= 0) {
    throw new RangeError(
      "Cannot compile symbol: tickSize and stepSize must be > 0",
    );
  }
  const brackets: CompiledBracket[] = spec.brackets
    ? spec.brackets.map((b) => ({
      capUnits: units(b.notionalCap, "notionalCap"),
      rate: Number(b.maintMarginRatio),
      cumUnits: units(b.cum ?? "0", "cum"),
      maxLeverage: b.initialLeverage,
      notionalCap: b.notionalCap,
    }))
    : [{
      capUnits: Number.MAX_SAFE_INTEGER,
      rate: Number(spec.maintMarginRate ?? "0.005"),
      cumUnits: 0,
      maxLeverage: spec.maxLeverage ??
        Math.max(
          1,
          Math.min(
            125,
            Math.floor(0.5 / Number(spec.maintMarginRate ?? "0.005")),
          ),
        ),
      notionalCap: "9000000000",
    }];
  if (brackets.length === 0 || brackets.some((b) => !(b.rate >= 0))) {
    throw new RangeError("Cannot compile symbol: brackets are invalid");
  }
  const minNotional = spec.minNotional ?? "0";
  return {
    symbol: spec.symbol,
    trading: (spec.status ?? "TRADING") === "TRADING",
    pd,
    qd,
    pricePrecision: spec.pricePrecision ?? pd,
    quantityPrecision: spec.quantityPrecision ?? qd,
    tick,
    minPrice: scaled(spec.minPrice, pd, "minPrice"),
    maxPrice: scaled(spec.maxPrice, pd, "maxPrice"),
    step,
    minQty: scaled(spec.minQty, qd, "minQty"),
    maxQty: scaled(spec.maxQty, qd, "maxQty"),
    mktStep,
    mktMinQty: scaled(mktMinText, qd, "marketMinQty"),
    mktMaxQty: scaled(mktMaxText, qd, "marketMaxQty"),
    minNotionalUnits: units(minNotional, "minNotional"),
    minNotional,
    multiplierUp: Number(spec.multiplierUp ?? "5"),
    multiplierDown: Number(spec.multiplierDown ?? "0.2"),
    maxNumOrders: spec.maxNumOrders ?? 200,
    maxNumAlgoOrders: spec.maxNumAlgoOrders ?? 100,
    brackets,
    maxLeverage: Math.max(...brackets.map((b) => b.maxLeverage)),
    triggerProtect: Number(spec.triggerProtect ?? "0.05"),
    rawToUnits: 10 ** (MONEY_DECIMALS - pd - qd),
    priceScale: pow10(pd),
    qtyScale: pow10(qd),
  };
}

function filterField(
  info: RawSymbolInfo,
  type: string,
  ...fields: string[]
): string | undefined {
  const filter = info.filters.find((f) => f.filterType === type);
  if (!filter) return undefined;
  for (const field of fields) {
    const value = filter[field];
    if (value !== undefined) return String(value);
  }
  return undefined;
}

/** Builds a spec from an `exchangeInfo.symbols[]` entry (the filters the simulator serves). */
export function symbolSpecFromExchangeInfo(
  info: RawSymbolInfo,
): EngineSymbolSpec {
  const need = (type: string, field: string): string => {
    const value = filterField(info, type, field);
    if (value === undefined) {
      throw new TypeError(
        `Cannot read ${info.symbol}: filter ${type}.${field} is missing`,
      );
    }
    return value;
  };
  const optional = <T>(value: T | undefined, key: string) =>
    value === undefined ? {} : { [key]: value };
  const maxOrders = filterField(info, "MAX_NUM_ORDERS", "limit");
  const maxAlgo = filterField(info, "MAX_NUM_ALGO_ORDERS", "limit");
  const maint = info.maintMarginPercent;
  return {
    symbol: info.symbol,
    status: info.status,
    tickSize: need("PRICE_FILTER", "tickSize"),
    minPrice: need("PRICE_FILTER", "minPrice"),
    maxPrice: need("PRICE_FILTER", "maxPrice"),
    stepSize: need("LOT_SIZE", "stepSize"),
    minQty: need("LOT_SIZE", "minQty"),
    maxQty: need("LOT_SIZE", "maxQty"),
    ...optional(
      filterField(info, "MARKET_LOT_SIZE", "stepSize"),
      "marketStepSize",
    ),
    ...optional(filterField(info, "MARKET_LOT_SIZE", "minQty"), "marketMinQty"),
    ...optional(filterField(info, "MARKET_LOT_SIZE", "maxQty"), "marketMaxQty"),
    ...optional(
      filterField(info, "MIN_NOTIONAL", "notional", "minNotional"),
      "minNotional",
    ),
    ...optional(
      filterField(info, "PERCENT_PRICE", "multiplierUp"),
      "multiplierUp",
    ),
    ...optional(
      filterField(info, "PERCENT_PRICE", "multiplierDown"),
      "multiplierDown",
    ),
    ...optional(
      maxOrders === undefined ? undefined : Number(maxOrders),
      "maxNumOrders",
    ),
    ...optional(
      maxAlgo === undefined ? undefined : Number(maxAlgo),
      "maxNumAlgoOrders",
    ),
    ...optional(
      maint === undefined ? undefined : String(Number(maint) / 100),
      "maintMarginRate",
    ),
    ...optional(info.triggerProtect, "triggerProtect"),
  };
}
