/**
 * The market caches of a set of symbols: the sink of the market stream and the source of
 * the recorder's snapshots and the strategy's inputs.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type {
  BookTickerEvent,
  DepthEvent,
  KlineEvent,
  MarketEvent,
  MarkPriceEvent,
} from "../exchange/events.ts";
import type { MarketEventSink } from "../exchange/market_stream.ts";
import type { AggTradeSummary } from "./agg_trade_tally.ts";
import {
  type BarClosedHandler,
  type InputAges,
  SymbolCache,
  type SymbolCacheOptions,
} from "./symbol_cache.ts";

const log = getLogger(["aster", "market"]);

/** The latest values of one symbol; a field is undefined until first received. */
export interface MarketSnapshot {
  readonly kline: KlineEvent | undefined;
  readonly bookTicker: BookTickerEvent | undefined;
  readonly markPrice: MarkPriceEvent | undefined;
  readonly depth: DepthEvent | undefined;
}

/** Options of {@linkcode MarketCaches}. */
export interface MarketCachesOptions
  extends Omit<SymbolCacheOptions, "onBarClosed"> {
  /**
   * Called once per closed bar of any symbol, in order per symbol (not for the seed
   * history). Errors it throws are logged, never propagated into the stream.
   */
  onBarClosed?: BarClosedHandler;
}

/** Per-symbol caches; see the module doc. */
export class MarketCaches implements MarketEventSink {
  /** The symbols held (uppercase), in the given order. */
  readonly symbols: readonly string[];
  #caches = new Map<string, SymbolCache>();
  /** Events for a symbol not held. */
  unknownSymbolEvents = 0;

  /** Creates empty caches for `symbols` (any case). */
  constructor(symbols: readonly string[], options: MarketCachesOptions = {}) {
    const handler = options.onBarClosed;
    const safe: BarClosedHandler | undefined = handler &&
      ((symbol, bar, info) => {
        try {
          handler(symbol, bar, info);
        } catch (error) {
          log.error("onBarClosed failed for {symbol}: {error}", {
            symbol,
            error,
          });
        }
      });
    const upper = symbols.map((s) => s.toUpperCase());
    this.symbols = upper;
    for (const symbol of upper) {
      const o: SymbolCacheOptions = { ...options };
      delete (o as MarketCachesOptions).onBarClosed;
      if (safe) o.onBarClosed = safe;
      this.#caches.set(symbol, new SymbolCache(symbol, o));
    }
  }

  /** The cache of `symbol`. @throws {RangeError} for a symbol not held */
  get(symbol: string): SymbolCache {
    const cache = this.#caches.get(symbol.toUpperCase());
    if (!cache) {
      throw new RangeError(
        `Cannot find market cache: unknown symbol ${symbol}`,
      );
    }
    return cache;
  }

  /** Applies one stream event (the {@linkcode MarketEventSink} hot path). */
  onEvent(event: MarketEvent, recvMs: number): void {
    const cache = this.#caches.get(event.symbol);
    if (cache === undefined) {
      this.unknownSymbolEvents++;
      return;
    }
    cache.apply(event, recvMs);
  }

  /** The latest values of `symbol`. */
  latest(symbol: string): MarketSnapshot {
    const c = this.get(symbol);
    return {
      kline: c.kline,
      bookTicker: c.bookTicker,
      markPrice: c.markPrice,
      depth: c.depth,
    };
  }

  /** The aggregate trades of `symbol` received since the previous call. */
  takeAggTrades(symbol: string): AggTradeSummary {
    return this.get(symbol).takeAggTrades();
  }

  /** How old each input of `symbol` is at local time `nowMs`. */
  ages(symbol: string, nowMs: number): InputAges {
    return this.get(symbol).ages(nowMs);
  }
}
