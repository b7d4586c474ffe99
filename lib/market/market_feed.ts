/**
 * Wires the market-data REST client, the market stream and the caches: validates the
 * symbols against exchangeInfo, seeds the caches from REST, streams, and after every
 * reconnect backfills the missed 1m klines and refreshes the depth snapshot.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { KlineEvent } from "../exchange/events.ts";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import type { MarketRestClient } from "../exchange/market_rest_client.ts";
import {
  MarketStream,
  type MarketStreamOptions,
  type StreamStatus,
} from "../exchange/market_stream.ts";
import { MarketCaches, type MarketCachesOptions } from "./market_caches.ts";

const log = getLogger(["aster", "market", "feed"]);

/** Pages of klines fetched at most to fill one gap (4 × 1500 1m bars ≈ 4 days). */
const MAX_BACKFILL_PAGES = 4;

/** Some requested symbols are not listed by the exchange. */
export class UnknownSymbolError extends Error {
  /** The symbols the exchange does not list. */
  readonly symbols: readonly string[];
  /** Creates the error for `symbols`. */
  constructor(symbols: readonly string[]) {
    super(
      `Cannot start the market feed: unknown symbol(s) ${symbols.join(", ")}`,
    );
    this.name = "UnknownSymbolError";
    this.symbols = symbols;
  }
}

/** Options of {@linkcode MarketFeed}. */
export interface MarketFeedOptions extends MarketCachesOptions {
  /** Symbols to follow (any case). */
  symbols: readonly string[];
  /** The market-data REST client. */
  rest: MarketRestClient;
  /** Stream options other than symbols, sink and status. */
  stream?: Omit<MarketStreamOptions, "symbols" | "sink" | "onStatus">;
  /** Local clock. @default {Date.now} */
  now?: () => number;
  /** Closed 1m bars fetched at start. @default {barCapacity or 1500} */
  historyBars?: number;
  /** Kline rows per REST page when backfilling a gap (1..1500). @default {1500} */
  backfillPageBars?: number;
  /** Depth levels of the REST depth snapshot. @default {5} */
  depthLimit?: 5 | 10 | 20;
  /** Connection status changes (after the feed has handled them). */
  onStatus?: (status: StreamStatus) => void;
}

/** REST + stream + caches for a set of symbols; see the module doc. */
export class MarketFeed {
  /** The caches this feed keeps up to date. */
  readonly caches: MarketCaches;
  /** The symbols followed (uppercase). */
  readonly symbols: readonly string[];
  #rest: MarketRestClient;
  #options: MarketFeedOptions;
  #now: () => number;
  #stream: MarketStream | undefined;
  #info = new Map<string, SymbolInfo>();
  #abort = new AbortController();
  #tasks = new Set<Promise<void>>();
  #closed = false;

  /** Creates the feed; nothing runs before {@linkcode MarketFeed.start}. */
  constructor(options: MarketFeedOptions) {
    this.#options = options;
    this.#rest = options.rest;
    this.#now = options.now ?? Date.now;
    this.caches = new MarketCaches(options.symbols, options);
    this.symbols = this.caches.symbols;
  }

  /** The stream, once started. */
  get stream(): MarketStream | undefined {
    return this.#stream;
  }

  /** The exchange rules of `symbol`, once started. */
  symbolInfo(symbol: string): SymbolInfo | undefined {
    return this.#info.get(symbol.toUpperCase());
  }

  /**
   * Validates the symbols, starts the stream, then seeds every cache from REST (history,
   * book ticker, mark price, depth). Stream values newer than the snapshot win. When
   * seeding fails the stream is closed again and the error thrown.
   *
   * @throws {UnknownSymbolError} when a symbol is not listed
   */
  async start(): Promise<void> {
    if (this.#closed) throw new TypeError("Cannot start: feed is closed");
    const signal = this.#abort.signal;
    const info = await this.#rest.exchangeInfo({ signal });
    const listed = new Map(info.symbols.map((s) => [s.symbol, s]));
    const unknown = this.symbols.filter((s) => !listed.has(s));
    if (unknown.length > 0) throw new UnknownSymbolError(unknown);
    for (const s of this.symbols) {
      const si = listed.get(s)!;
      this.#info.set(s, si);
      if (si.status !== "TRADING") {
        log.warn("{symbol} status is {status}", {
          symbol: s,
          status: si.status,
        });
      }
    }
    this.#stream = new MarketStream({
      ...this.#options.stream,
      now: this.#options.stream?.now ?? this.#now,
      symbols: this.symbols,
      sink: this.caches,
      onStatus: (status) => this.#onStatus(status),
    });
    this.#stream.start();
    try {
      await Promise.all(this.symbols.map((s) => this.#seed(s, signal)));
    } catch (error) {
      await this.#stream.close();
      throw error;
    }
  }

  /** Stops the stream and any REST call in flight. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new DOMException("Market feed closed", "AbortError"));
    await this.#stream?.close();
    await Promise.allSettled(this.#tasks);
  }

  async #seed(symbol: string, signal: AbortSignal): Promise<void> {
    const cache = this.caches.get(symbol);
    const bars = this.#options.historyBars ?? this.#options.barCapacity ?? 1500;
    const [klines, book, mark, depth] = await Promise.all([
      this.#rest.klines(symbol, {
        limit: Math.min(1500, bars + 1),
        nowMs: this.#now(),
        signal,
      }),
      this.#rest.bookTicker(symbol, { signal }),
      this.#rest.premiumIndex(symbol, { signal }),
      this.#rest.depth(symbol, {
        limit: this.#options.depthLimit ?? 5,
        signal,
      }),
    ]);
    const now = this.#now();
    cache.seed(klines, now);
    cache.apply(book, now);
    cache.apply(mark, now);
    cache.apply(depth, now);
  }

  #onStatus(status: StreamStatus): void {
    if (status.kind === "disconnected") {
      for (const s of this.symbols) this.caches.get(s).hold();
    } else if (status.kind === "reconnected") {
      for (const s of this.symbols) this.#track(this.#recover(s));
    }
    this.#options.onStatus?.(status);
  }

  /**
   * The kline rows from the bar after the last closed one to now, in pages of
   * `backfillPageBars` (at most `MAX_BACKFILL_PAGES`); only the newest 1500 when nothing is held yet.
   */
  async #missedKlines(
    symbol: string,
    signal: AbortSignal,
  ): Promise<KlineEvent[]> {
    const last = this.caches.get(symbol).lastClosedBar;
    if (!last) {
      return await this.#rest.klines(symbol, {
        limit: 1500,
        nowMs: this.#now(),
        signal,
      });
    }
    const limit = this.#options.backfillPageBars ?? 1500;
    const rows: KlineEvent[] = [];
    let from = last.openTime + 60_000;
    for (let page = 0; page < MAX_BACKFILL_PAGES; page++) {
      const got = await this.#rest.klines(symbol, {
        startTime: from,
        limit,
        nowMs: this.#now(),
        signal,
      });
      rows.push(...got);
      const tail = got.at(-1);
      if (got.length < limit || !tail?.isClosed) break;
      from = tail.openTime + 60_000;
    }
    return rows;
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  async #recover(symbol: string): Promise<void> {
    const cache = this.caches.get(symbol);
    const signal = this.#abort.signal;
    try {
      const [klines, depth] = await Promise.all([
        this.#missedKlines(symbol, signal),
        this.#rest.depth(symbol, {
          limit: this.#options.depthLimit ?? 5,
          signal,
        }),
      ]);
      if (this.#closed) return;
      const now = this.#now();
      cache.backfill(klines, now);
      cache.apply(depth, now);
      log.info("Backfilled {n} kline row(s) of {symbol} after a reconnect", {
        n: klines.length,
        symbol,
      });
    } catch (error) {
      if (this.#closed) return;
      log.error("Cannot backfill {symbol} after a reconnect: {error}", {
        symbol,
        error,
      });
      cache.release();
    }
  }
}
