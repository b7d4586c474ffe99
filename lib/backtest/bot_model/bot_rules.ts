/**
 * How a bot-model run builds each symbol's {@linkcode BotMarket}: the symbols' order filters
 * and price bands (from an `exchangeInfo` file or the simulator's built-in filters), the
 * entry guard's limits, the quoted spread of OHLCV-only tables and the per-second records.
 * {@linkcode BotMarketRecipe} is plain data, so the same markets are built on the calling
 * thread and on every pool worker (Decimal filters do not cross a structured clone; the
 * recipe carries the exchangeInfo text itself, so no thread reads the file again).
 *
 * @module
 */
import {
  parseExchangeInfo,
  parseSymbolInfo,
  type SymbolInfo,
} from "../../exchange/exchange_info.ts";
import {
  type EntryLimits,
  type PriceBand,
  priceBand,
} from "../../order/entry_guard.ts";
import { type OrderFilters, orderFilters } from "../../order/filters.ts";
import { symbolInfo, symbolSpec } from "../../sim/symbols.ts";
import type { SymbolFeatures } from "../feature_table.ts";
import { BotInputError, BotMarket } from "./bot_market.ts";

/** One symbol's order rules: its filters and its entry price band. */
export interface SymbolRules {
  readonly filters: OrderFilters;
  readonly band: PriceBand;
}

/** An exchangeInfo file as read: its path (for messages) and its text. */
export interface ExchangeInfoText {
  readonly path: string;
  readonly text: string;
}

/**
 * Reads an `--exchange_info` file.
 *
 * @throws {BotInputError} for an unreadable file
 */
export async function readExchangeInfo(
  path: string,
): Promise<ExchangeInfoText> {
  try {
    return { path, text: await Deno.readTextFile(path) };
  } catch (error) {
    throw new BotInputError(
      `Cannot read --exchange_info ${path}: ${(error as Error).message}`,
    );
  }
}

/**
 * The filters and price bands of `symbols` from an exchangeInfo text, or the simulator's
 * defaults.
 *
 * @throws {BotInputError} for a text that is not an exchangeInfo body, a symbol it lacks or
 * a symbol without built-in filters
 */
export function rulesOf(
  symbols: readonly string[],
  info?: ExchangeInfoText,
  maxPriceDeviationBps = 0,
): Map<string, SymbolRules> {
  const out = new Map<string, SymbolRules>();
  let infos: SymbolInfo[];
  if (info === undefined) {
    infos = symbols.map((s) => {
      let spec;
      try {
        spec = symbolSpec(s);
      } catch {
        throw new BotInputError(
          `Cannot size orders on ${s}: no built-in filters for it; give --exchange_info FILE`,
        );
      }
      return parseSymbolInfo(symbolInfo(spec));
    });
  } else {
    let parsed;
    try {
      parsed = parseExchangeInfo(JSON.parse(info.text));
    } catch (error) {
      throw new BotInputError(
        `Cannot read --exchange_info ${info.path}: ${(error as Error).message}`,
      );
    }
    infos = symbols.map((s) => {
      const si = parsed.symbols.find((x) => x.symbol === s);
      if (si === undefined) {
        throw new BotInputError(
          `Invalid --exchange_info ${info.path}: no symbol ${s} in it`,
        );
      }
      return si;
    });
  }
  for (const si of infos) {
    try {
      out.set(si.symbol, {
        filters: orderFilters(si),
        band: priceBand(si, maxPriceDeviationBps),
      });
    } catch (error) {
      if (error instanceof RangeError) throw new BotInputError(error.message);
      throw error;
    }
  }
  return out;
}

/**
 * Reads the filters and price bands of `symbols` from an exchangeInfo file, or the
 * simulator's defaults.
 *
 * @throws {BotInputError} for an unreadable file, a symbol it lacks or a symbol without
 * built-in filters
 */
export async function loadFilters(
  symbols: readonly string[],
  path?: string,
  maxPriceDeviationBps = 0,
): Promise<Map<string, SymbolRules>> {
  return rulesOf(
    symbols,
    path === undefined ? undefined : await readExchangeInfo(path),
    maxPriceDeviationBps,
  );
}

/**
 * Everything besides a symbol's features that its {@linkcode BotMarket} is built from. Plain
 * data (it crosses to pool workers; the per-second records in SharedArrayBuffers are shared,
 * not copied).
 */
export interface BotMarketRecipe {
  /** The exchangeInfo text, or none for the simulator's built-in filters. */
  readonly exchangeInfo?: ExchangeInfoText;
  /** The live bot's entry guard limits. */
  readonly limits: EntryLimits;
  /** The quoted spread of OHLCV-only tables. */
  readonly spreadBps?: number;
  /** Per symbol its records of the per-second companion file (none: 1m bars only). */
  readonly seconds?: ReadonlyMap<string, Float64Array>;
}

/**
 * A market builder for `symbols` following `recipe`: the same markets on any thread.
 *
 * @throws {BotInputError} for filters it cannot find (see {@linkcode rulesOf}); the
 * builder throws it for a table the market refuses (see {@linkcode BotMarket})
 */
export function marketBuilder(
  recipe: BotMarketRecipe,
  symbols: readonly string[],
): (f: SymbolFeatures) => BotMarket {
  const rules = rulesOf(
    symbols,
    recipe.exchangeInfo,
    recipe.limits.maxPriceDeviationBps,
  );
  return (f) => {
    const r = rules.get(f.symbol);
    if (r === undefined) {
      throw new RangeError(`Cannot build the market of ${f.symbol}: no rules`);
    }
    return new BotMarket(
      f,
      r.filters,
      recipe.spreadBps,
      { band: r.band, limits: recipe.limits },
      recipe.seconds?.get(f.symbol),
    );
  };
}
