/**
 * Wires the market-data REST client, the market stream and the caches: validates the
 * symbols against exchangeInfo, seeds the caches from REST, streams, and backfills missed
 * 1m klines over REST whenever closed bars leave a hole: after every reconnect (which also
 * refreshes the depth snapshot), between the REST seed and the stream, or when the stream
 * skips a closed kline. The bars after a hole are held back until it is filled, so the
 * closed-bar callback still sees every bar once, in order; when REST keeps failing, they
 * are released with `gapBars > 0` after a bounded number of retries.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { KlineEvent } from "../exchange/events.ts";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import type { MarketRestClient } from "../exchange/market_rest_client.ts";
import {
  type MarketEventSink,
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
export interface MarketFeedOptions extends Omit<MarketCachesOptions, "onGap"> {
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
  /**
   * The exchange's clock (the synchronised server time), epoch ms: a REST kline is
   * closed when its close time is before it. Invariant: a backfill never commits a bar
   * the exchange still has open, whatever the local clock says. @default {now}
   */
  exchangeNow?: () => number;
  /** Kline rows per REST page when backfilling a gap (1..1500). @default {1500} */
  backfillPageBars?: number;
  /** Depth levels of the REST depth snapshot. @default {5} */
  depthLimit?: 5 | 10 | 20;
  /** Connection status changes (after the feed has handled them). */
  onStatus?: (status: StreamStatus) => void;
  /** Retries of a failed or incomplete gap backfill before the held bars are released. @default {3} */
  backfillRetries?: number;
  /** Real-time wait before the first backfill retry; doubles per retry. @default {1000} */
  backfillRetryMs?: number;
  /**
   * Wraps the sink the stream feeds (the caches), e.g. to tap or, in tests, to drop
   * events. @default {the caches themselves}
   */
  wrapSink?: (caches: MarketEventSink) => MarketEventSink;
}

/** The backfill state of one symbol: one runs at a time, a request meanwhile queues one more. */
interface Backfill {
  again: boolean;
  depth: boolean;
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
  #exchangeNow: () => number;
  #stream: MarketStream | undefined;
  #info = new Map<string, SymbolInfo>();
  #abort = new AbortController();
  #tasks = new Set<Promise<void>>();
  #backfills = new Map<string, Backfill>();
  #closed = false;

  /**
   * Creates the feed; nothing runs before {@linkcode MarketFeed.start}.
   *
   * @throws {RangeError} for a negative or fractional `backfillRetries` or a bad `backfillRetryMs`
   */
  constructor(options: MarketFeedOptions) {
    const { backfillRetries = 3, backfillRetryMs = 1000 } = options;
    if (!Number.isInteger(backfillRetries) || backfillRetries < 0) {
      throw new RangeError(
        `Cannot create the market feed: backfillRetries ${backfillRetries} is not a count`,
      );
    }
    if (!Number.isFinite(backfillRetryMs) || backfillRetryMs < 0) {
      throw new RangeError(
        `Cannot create the market feed: backfillRetryMs ${backfillRetryMs} is not a non-negative number`,
      );
    }
    this.#options = options;
    this.#rest = options.rest;
    this.#now = options.now ?? Date.now;
    this.#exchangeNow = options.exchangeNow ?? this.#now;
    this.caches = new MarketCaches(options.symbols, {
      ...options,
      onGap: (symbol) => this.#request(symbol, false),
    });
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
      sink: this.#options.wrapSink?.(this.caches) ?? this.caches,
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
        nowMs: this.#exchangeNow(),
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
      for (const s of this.symbols) this.#request(s, true);
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
        nowMs: this.#exchangeNow(),
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
        nowMs: this.#exchangeNow(),
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

  /** Starts a backfill of `symbol` (with a depth refresh), or queues one after the running one. */
  #request(symbol: string, depth: boolean): void {
    if (this.#closed) return;
    const running = this.#backfills.get(symbol);
    if (running) {
      running.again = true;
      running.depth ||= depth;
      return;
    }
    const state: Backfill = { again: true, depth };
    this.#backfills.set(symbol, state);
    this.#track(this.#runBackfills(symbol, state));
  }

  async #runBackfills(symbol: string, state: Backfill): Promise<void> {
    try {
      while (state.again && !this.#closed) {
        state.again = false;
        const depth = state.depth;
        state.depth = false;
        await this.#recover(symbol, depth);
      }
    } finally {
      this.#backfills.delete(symbol);
    }
  }

  /**
   * Fetches the klines missed since the last closed bar (and the depth snapshot when
   * `depth`) and applies them; retries with back-off while REST fails or the hole stays
   * open, then releases the held bars with their gap.
   */
  async #recover(symbol: string, depth: boolean): Promise<void> {
    const cache = this.caches.get(symbol);
    const signal = this.#abort.signal;
    const retries = this.#options.backfillRetries ?? 3;
    const baseMs = this.#options.backfillRetryMs ?? 1000;
    for (let attempt = 0;; attempt++) {
      let why: unknown;
      try {
        const [klines, book] = await Promise.all([
          this.#missedKlines(symbol, signal),
          depth
            ? this.#rest.depth(symbol, {
              limit: this.#options.depthLimit ?? 5,
              signal,
            })
            : undefined,
        ]);
        if (this.#closed) return;
        const now = this.#now();
        const whole = cache.backfill(klines, now);
        if (book) {
          cache.apply(book, now);
          depth = false;
        }
        log.info("Backfilled {n} kline row(s) of {symbol}", {
          n: klines.length,
          symbol,
        });
        if (whole) return;
        why = `${cache.heldBars} bar(s) still held after a hole`;
      } catch (error) {
        if (this.#closed) return;
        why = error;
      }
      if (attempt >= retries) {
        log.error(
          "Cannot backfill {symbol} after {attempts} attempt(s): {error}; releasing the held bars with their gap",
          { symbol, attempts: attempt + 1, error: why },
        );
        cache.release();
        return;
      }
      const delayMs = baseMs * 2 ** attempt;
      log.warn(
        "Cannot backfill {symbol} yet ({error}); retrying in {delayMs} ms",
        {
          symbol,
          error: why,
          delayMs,
        },
      );
      if (!await sleep(delayMs, signal)) return;
    }
  }
}

/** Waits `ms` unless `signal` aborts first; true when the wait ran out. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
