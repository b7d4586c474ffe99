/**
 * The market cache of one symbol: the latest 1m kline plus a bounded history of closed
 * bars, the latest book ticker, mark price/funding and depth snapshot, recent aggregate
 * trades in a ring, and a running tally of trades for the recorder. Every value keeps its
 * exchange event time and its local receive time.
 *
 * Updates are idempotent and ordered: a value older than the one held (by update id, trade
 * id or event time) is dropped, so the overlap of two connections or of a REST snapshot
 * and the stream never moves the cache backwards.
 *
 * @module
 */
import type {
  AggTradeEvent,
  BookTickerEvent,
  DepthEvent,
  KlineEvent,
  MarketEvent,
  MarkPriceEvent,
  StreamKind,
} from "../exchange/events.ts";
import { type AggTradeSummary, AggTradeTally } from "./agg_trade_tally.ts";
import { Ring } from "./ring.ts";

/** Why a closed bar was delivered, and what is missing before it. */
export interface BarClosedInfo {
  /** Where the bar came from: the live stream, or a REST backfill after a gap. */
  readonly source: "stream" | "rest";
  /** Bars missing between the previous closed bar and this one (0 = contiguous). */
  readonly gapBars: number;
}

/** Called once per closed bar, in open-time order. */
export type BarClosedHandler = (
  symbol: string,
  bar: KlineEvent,
  info: BarClosedInfo,
) => void;

/** The age of one input. Both are `Infinity` before the first value. */
export interface InputAge {
  /** `nowMs` minus the local receive time. */
  readonly sinceReceiveMs: number;
  /** `nowMs` minus the exchange event time. */
  readonly sinceEventMs: number;
}

/** Ages of every input of a symbol. */
export type InputAges = Readonly<Record<StreamKind, InputAge>>;

/** A value with its local receive time. */
export interface Received<T> {
  readonly value: T;
  /** Local receive time, epoch ms. */
  readonly recvMs: number;
}

/** Options of {@linkcode SymbolCache}. */
export interface SymbolCacheOptions {
  /** Closed bars kept. @default {1500} */
  barCapacity?: number;
  /** Aggregate trades kept. @default {1000} */
  tradeCapacity?: number;
  /** Bar length in ms. @default {60000} */
  intervalMs?: number;
  /** Called once per closed bar (not for the bars of the initial seed). */
  onBarClosed?: BarClosedHandler;
  /**
   * Called when a closed bar would leave a hole after the last closed bar: the cache then
   * holds that bar (and the ones after it) back until {@linkcode SymbolCache.backfill}
   * fills the hole or {@linkcode SymbolCache.release} gives up. Without it, such a bar is
   * announced at once with `gapBars > 0`.
   */
  onGap?: (symbol: string) => void;
}

const NEVER: InputAge = { sinceReceiveMs: Infinity, sinceEventMs: Infinity };

/** The cache of one symbol; see the module doc. */
export class SymbolCache {
  /** The symbol (uppercase). */
  readonly symbol: string;
  #intervalMs: number;
  #onBarClosed: BarClosedHandler | undefined;
  #onGap: ((symbol: string) => void) | undefined;
  #kline: KlineEvent | undefined;
  #klineRecv = 0;
  #bars: Ring<KlineEvent>;
  #book: BookTickerEvent | undefined;
  #bookRecv = 0;
  #mark: MarkPriceEvent | undefined;
  #markRecv = 0;
  #depth: DepthEvent | undefined;
  #depthRecv = 0;
  #trades: Ring<AggTradeEvent>;
  #tradeRecv = 0;
  #lastAggId = -1;
  #tally = new AggTradeTally();
  #holding = true;
  #held: KlineEvent[] = [];
  /** Counters of dropped stale or duplicate updates. */
  dropped = 0;

  /** Creates an empty cache. Closed bars are held back until {@linkcode seed}. */
  constructor(symbol: string, options: SymbolCacheOptions = {}) {
    this.symbol = symbol;
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#onBarClosed = options.onBarClosed;
    this.#onGap = options.onGap;
    this.#bars = new Ring(options.barCapacity ?? 1500);
    this.#trades = new Ring(options.tradeCapacity ?? 1000);
  }

  /** The latest kline (open, or the bar that just closed). */
  get kline(): KlineEvent | undefined {
    return this.#kline;
  }
  /** The latest best bid/offer. */
  get bookTicker(): BookTickerEvent | undefined {
    return this.#book;
  }
  /** The latest mark price and funding rate. */
  get markPrice(): MarkPriceEvent | undefined {
    return this.#mark;
  }
  /** The latest top-N book. */
  get depth(): DepthEvent | undefined {
    return this.#depth;
  }
  /** The newest closed bar. */
  get lastClosedBar(): KlineEvent | undefined {
    return this.#bars.last();
  }
  /** True while closed stream bars are held back (before the seed, during a backfill). */
  get holding(): boolean {
    return this.#holding;
  }

  /** The newest `limit` closed bars (all kept by default), oldest first. */
  closedBars(limit?: number): KlineEvent[] {
    return this.#bars.toArray(limit);
  }

  /** The newest `limit` aggregate trades (all kept by default), oldest first. */
  recentAggTrades(limit?: number): AggTradeEvent[] {
    return this.#trades.toArray(limit);
  }

  /** The latest value of `kind` with its receive time. */
  received(kind: Exclude<StreamKind, "aggTrade">):
    | Received<MarketEvent>
    | undefined {
    switch (kind) {
      case "kline":
        return this.#kline && { value: this.#kline, recvMs: this.#klineRecv };
      case "bookTicker":
        return this.#book && { value: this.#book, recvMs: this.#bookRecv };
      case "markPrice":
        return this.#mark && { value: this.#mark, recvMs: this.#markRecv };
      case "depth":
        return this.#depth && { value: this.#depth, recvMs: this.#depthRecv };
    }
  }

  /** The sums of the aggregate trades received since the previous call. */
  takeAggTrades(): AggTradeSummary {
    return this.#tally.take();
  }

  /** How old each input is at local time `nowMs`. */
  ages(nowMs: number): InputAges {
    const lastTrade = this.#trades.last();
    return {
      kline: age(nowMs, this.#kline?.eventTime, this.#klineRecv),
      bookTicker: age(nowMs, this.#book?.eventTime, this.#bookRecv),
      markPrice: age(nowMs, this.#mark?.eventTime, this.#markRecv),
      aggTrade: age(nowMs, lastTrade?.eventTime, this.#tradeRecv),
      depth: age(nowMs, this.#depth?.eventTime, this.#depthRecv),
    };
  }

  /** Applies one event received at local time `recvMs`. */
  apply(event: MarketEvent, recvMs: number): void {
    switch (event.kind) {
      case "bookTicker": {
        const cur = this.#book;
        if (
          cur !== undefined &&
          (event.updateId > 0 && cur.updateId > 0
            ? event.updateId <= cur.updateId
            : event.eventTime < cur.eventTime)
        ) {
          this.dropped++;
          return;
        }
        this.#book = event;
        this.#bookRecv = recvMs;
        return;
      }
      case "aggTrade":
        if (event.aggId <= this.#lastAggId) {
          this.dropped++;
          return;
        }
        this.#lastAggId = event.aggId;
        this.#trades.push(event);
        this.#tradeRecv = recvMs;
        this.#tally.add(event);
        return;
      case "depth": {
        const cur = this.#depth;
        if (
          cur !== undefined &&
          (event.lastUpdateId < cur.lastUpdateId ||
            event.eventTime < cur.eventTime)
        ) {
          this.dropped++;
          return;
        }
        this.#depth = event;
        this.#depthRecv = recvMs;
        return;
      }
      case "markPrice":
        if (
          this.#mark !== undefined && event.eventTime < this.#mark.eventTime
        ) {
          this.dropped++;
          return;
        }
        this.#mark = event;
        this.#markRecv = recvMs;
        return;
      case "kline":
        this.#applyKline(event, recvMs);
        return;
    }
  }

  /**
   * Seeds the bar history from REST klines (oldest first; the last may be open) without
   * firing the closed-bar handler, then releases the closed bars held back meanwhile. When
   * a held bar does not follow the seeded history (bars closed between the REST snapshot
   * and the stream), it stays held and `onGap` is called.
   */
  seed(klines: readonly KlineEvent[], recvMs: number): void {
    for (const k of klines) {
      if (k.isClosed) this.#commitBar(k, "rest", false);
      this.#setLatest(k, recvMs);
    }
    if (!this.#release(false)) this.#gap();
  }

  /** Holds closed stream bars back until {@linkcode backfill} (call on a reconnect). */
  hold(): void {
    this.#holding = true;
  }

  /**
   * Applies REST klines fetched after a gap, atomically: the missed closed bars are added
   * and announced in order, then the stream bars held back meanwhile; duplicates of bars
   * already held are dropped. With `onGap` set, a held bar that still does not follow the
   * history (the REST rows did not cover the hole) stays held, with the ones after it.
   *
   * @returns true when no bar is held any more (the hole, if any, is filled)
   */
  backfill(klines: readonly KlineEvent[], recvMs: number): boolean {
    for (const k of klines) {
      if (k.isClosed) this.#commitBar(k, "rest", true);
      this.#setLatest(k, recvMs);
    }
    return this.#release(false);
  }

  /**
   * Stops holding bars back and announces the held ones, with `gapBars > 0` over a hole
   * (e.g. after a failed backfill).
   */
  release(): void {
    this.#release(true);
  }

  /** The number of closed bars held back. */
  get heldBars(): number {
    return this.#held.length;
  }

  /** Releases held bars in order; unless `force`, stops before one after a hole. */
  #release(force: boolean): boolean {
    const held = this.#held;
    let i = 0;
    for (; i < held.length; i++) {
      const k = held[i]!;
      if (!force && this.#gapBefore(k) > 0) break;
      this.#commitBar(k, "stream", true);
    }
    this.#held = i === held.length ? [] : held.slice(i);
    this.#holding = this.#held.length > 0;
    return !this.#holding;
  }

  #applyKline(k: KlineEvent, recvMs: number): void {
    this.#setLatest(k, recvMs);
    if (!k.isClosed) return;
    if (this.#holding) this.#held.push(k);
    else if (this.#gapBefore(k) > 0) {
      this.#held.push(k);
      this.#holding = true;
      this.#gap();
    } else this.#commitBar(k, "stream", true);
  }

  /** Bars missing between the last closed bar and `k` when `onGap` is set, else 0. */
  #gapBefore(k: KlineEvent): number {
    const last = this.#bars.last();
    if (this.#onGap === undefined || last === undefined) return 0;
    if (k.openTime <= last.openTime) return 0;
    return Math.round((k.openTime - last.openTime) / this.#intervalMs) - 1;
  }

  #gap(): void {
    this.#onGap?.(this.symbol);
  }

  #setLatest(k: KlineEvent, recvMs: number): void {
    const cur = this.#kline;
    if (cur !== undefined) {
      if (k.openTime < cur.openTime) return;
      if (k.openTime === cur.openTime) {
        if (cur.isClosed && !k.isClosed) return;
        if (k.eventTime < cur.eventTime) return;
      }
    }
    this.#kline = k;
    this.#klineRecv = recvMs;
  }

  #commitBar(k: KlineEvent, source: "stream" | "rest", notify: boolean): void {
    const last = this.#bars.last();
    if (last !== undefined && k.openTime <= last.openTime) {
      this.dropped++;
      return;
    }
    const gapBars = last === undefined ? 0 : Math.max(
      0,
      Math.round((k.openTime - last.openTime) / this.#intervalMs) - 1,
    );
    this.#bars.push(k);
    if (notify && this.#onBarClosed) {
      this.#onBarClosed(this.symbol, k, {
        source,
        gapBars,
      });
    }
  }
}

function age(
  nowMs: number,
  eventMs: number | undefined,
  recvMs: number,
): InputAge {
  if (eventMs === undefined) return NEVER;
  return { sinceReceiveMs: nowMs - recvMs, sinceEventMs: nowMs - eventMs };
}
