/**
 * The simulated market: per-symbol 1m bars, recent trades, book, mark and funding, driven
 * forward in 100 ms ticks by the sim clock, publishing stream payloads as they happen.
 *
 * Timing per symbol: each trade → `aggTrade`; every tick → `bookTicker` when the best bid or
 * ask changed and `depth5@100ms` when the book changed; at most every 250 ms →
 * `kline_1m` (open bar) when it changed; at each minute boundary → `kline_1m` with `x=true`,
 * exactly once; every second → `markPrice@1s` (every 3 s → `markPrice`).
 *
 * @module
 */
import type {
  RawAggTrade,
  RawAggTradeStreamEvent,
  RawBookTicker,
  RawBookTickerStreamEvent,
  RawDepth,
  RawDepthStreamEvent,
  RawFundingRate,
  RawKlineStreamEvent,
  RawMarkPriceStreamEvent,
  RawPremiumIndex,
} from "../exchange/wire.ts";
import { BarRing, type BarValues, emptyBar } from "./bar_ring.ts";
import { fixed } from "./format.ts";
import { Ring } from "./ring.ts";
import {
  BOOK_LEVELS,
  nextFundingAfter,
  type SymbolFeed,
  type TradeSink,
} from "./source.ts";
import type { SymbolSpec } from "./symbols.ts";
import { TradeRing } from "./trade_ring.ts";
import { FUNDING_INTERVAL_MS } from "../features/funding_rule.ts";

/** Where the market sends stream payloads (the WebSocket hub). */
export interface Publisher {
  /** True when someone listens to `stream` (payloads are only built then). */
  wants(stream: string): boolean;
  /** Sends the JSON `payload` of `stream` to its subscribers. */
  publish(stream: string, payload: string): void;
}

/** Observes the live market (e.g. an order engine matching against it). Not called while
 * the history is generated. */
export interface MarketListener {
  /** After each trade of `market`. */
  onTrade?(
    market: SymbolMarket,
    time: number,
    price: number,
    qty: number,
    buyerIsMaker: boolean,
  ): void;
  /** After each 100 ms tick, once every symbol's book, mark and bar are up to date. */
  onTick?(time: number): void;
}

/** Options of {@linkcode Market}. */
export interface MarketOptions {
  /** Closed 1m bars kept beyond the history (ring capacity = history + this). @default {4320} */
  extraBars?: number;
  /** Aggregate trades kept per symbol. @default {20000} */
  tradeCapacity?: number;
}

/** The tick of the market loop in ms. */
export const TICK_MS = 100;
const MINUTE = 60_000;

/** Stream-name suffixes the market publishes. */
export const MARKET_STREAM_SUFFIXES = [
  "@kline_1m",
  "@bookTicker",
  "@markPrice@1s",
  "@markPrice",
  "@aggTrade",
  "@depth5@100ms",
  "@depth5",
] as const;

/** One symbol's market state and its REST views. */
export class SymbolMarket implements TradeSink {
  /** The symbol's rules. */
  readonly spec: SymbolSpec;
  /** The source behind it. */
  readonly feed: SymbolFeed;
  /** Closed 1m bars. */
  readonly bars: BarRing;
  /** Recent aggregate trades. */
  readonly trades: TradeRing;
  /** Past funding settlements. */
  readonly funding: Ring<RawFundingRate>;
  /** The open 1m bar. */
  readonly bar: BarValues = emptyBar();
  /** Closed 1m mark-price bars, one per bar of `bars` (OHLC only). */
  readonly markBars: BarRing;
  /** Closed 1m index-price bars, one per bar of `bars` (OHLC only). */
  readonly indexBars: BarRing;
  /** The open 1m mark-price bar (OHLC of the mark sampled every tick). */
  readonly markBar: BarValues = emptyBar();
  /** The open 1m index-price bar. */
  readonly indexBar: BarValues = emptyBar();
  #publisher: Publisher;
  #silent = true;
  #streams: Record<(typeof MARKET_STREAM_SUFFIXES)[number], string>;
  #firstTradeId = -1;
  #lastTradeId = -1;
  #nextAggId = 1;
  #nextTradeId = 1;
  #klineDirty = false;
  #lastKlinePublish = -Infinity;
  #bookVersionSeen = -1;
  #depthVersionSeen = -1;
  #bookUpdateId = 1;
  #lastBest = new Float64Array(4);
  #fundingDue: number;
  #now = 0;
  #listeners: readonly MarketListener[];

  /** @internal use {@linkcode Market} */
  constructor(
    feed: SymbolFeed,
    publisher: Publisher,
    barCapacity: number,
    tradeCapacity: number,
    listeners: readonly MarketListener[] = [],
  ) {
    this.#listeners = listeners;
    this.spec = feed.spec;
    this.feed = feed;
    this.bars = new BarRing(barCapacity);
    this.markBars = new BarRing(barCapacity);
    this.indexBars = new BarRing(barCapacity);
    this.trades = new TradeRing(tradeCapacity);
    this.funding = new Ring(1000);
    this.#publisher = publisher;
    const lower = this.spec.symbol.toLowerCase();
    this.#streams = Object.fromEntries(
      MARKET_STREAM_SUFFIXES.map((s) => [s, lower + s]),
    ) as Record<(typeof MARKET_STREAM_SUFFIXES)[number], string>;
    this.#fundingDue = Infinity;
  }

  /** Opens the first bar at `time` (a minute boundary). */
  begin(time: number): void {
    this.#now = time;
    this.#openBar(time, this.feed.markPrice);
    this.#fundingDue = nextFundingAfter(time);
  }

  /** Publishing on or off (off while generating history). */
  set silent(value: boolean) {
    this.#silent = value;
  }

  /** Records one trade (called by the feed). */
  trade(time: number, price: number, qty: number, buyerIsMaker: boolean): void {
    const b = this.bar;
    if (b.trades === 0) {
      b.open = b.high = b.low = price;
      this.#firstTradeId = this.#nextTradeId;
    } else if (price > b.high) b.high = price;
    else if (price < b.low) b.low = price;
    b.close = price;
    b.volume += qty;
    const quote = price * qty;
    b.quoteVolume += quote;
    b.trades++;
    if (!buyerIsMaker) {
      b.takerBuyVolume += qty;
      b.takerBuyQuote += quote;
    }
    const id = this.#nextAggId++;
    const first = this.#nextTradeId;
    const last = first + (id % 3);
    this.#nextTradeId = last + 1;
    this.#lastTradeId = last;
    this.trades.push(id, price, qty, time, first, last, buyerIsMaker);
    this.#klineDirty = true;
    if (this.#silent) return;
    for (const l of this.#listeners) {
      l.onTrade?.(this, time, price, qty, buyerIsMaker);
    }
    const stream = this.#streams["@aggTrade"];
    if (!this.#publisher.wants(stream)) return;
    const event: RawAggTradeStreamEvent = {
      e: "aggTrade",
      E: time,
      s: this.spec.symbol,
      a: id,
      p: fixed(price, this.spec.priceDecimals),
      q: fixed(qty, this.spec.qtyDecimals),
      f: first,
      l: last,
      T: time,
      m: buyerIsMaker,
    };
    this.#publisher.publish(stream, JSON.stringify(event));
  }

  /** Replaces the open bar with a recorded snapshot of it (log replay). */
  setBar(snapshot: Readonly<BarValues>): void {
    if (snapshot.openTime !== this.bar.openTime) return;
    if (this.bar.trades === 0 && snapshot.trades > 0) {
      this.#firstTradeId = this.#nextTradeId;
    }
    Object.assign(this.bar, snapshot);
    this.#klineDirty = true;
  }

  /** Advances the feed over `[from, to)`. */
  step(from: number, to: number): void {
    this.feed.advance(from, to, this);
    this.#now = to;
  }

  /** Runs the periodic work of the tick ending at `t` (a multiple of 100 ms). */
  tick(t: number): void {
    if (t >= this.#fundingDue) {
      this.funding.push({
        symbol: this.spec.symbol,
        fundingRate: fixed(
          this.feed.settlementRate?.(this.#fundingDue) ?? this.feed.fundingRate,
          8,
        ),
        fundingTime: this.#fundingDue,
      });
      this.#fundingDue = this.feed.nextFundingTime > this.#fundingDue
        ? this.feed.nextFundingTime
        : this.#fundingDue + FUNDING_INTERVAL_MS;
    }
    samplePrice(this.markBar, this.feed.markPrice);
    samplePrice(this.indexBar, this.feed.indexPrice);
    if (t % MINUTE === 0 && t > this.bar.openTime) {
      this.#closeBar(t);
    } else if (
      !this.#silent && this.#klineDirty && t - this.#lastKlinePublish >= 250
    ) {
      this.#publishKline(t, false);
    }
    if (this.#silent) return;
    const feed = this.feed;
    if (feed.bookVersion !== this.#bookVersionSeen) {
      this.#bookVersionSeen = feed.bookVersion;
      this.#bookUpdateId++;
      const bk = feed.book, best = this.#lastBest;
      const bid = bk[0]!, bidQ = bk[5]!, ask = bk[10]!, askQ = bk[15]!;
      if (
        best[0] !== bid || best[1] !== bidQ || best[2] !== ask ||
        best[3] !== askQ
      ) {
        best[0] = bid;
        best[1] = bidQ;
        best[2] = ask;
        best[3] = askQ;
        const stream = this.#streams["@bookTicker"];
        if (this.#publisher.wants(stream)) {
          const ev: RawBookTickerStreamEvent = {
            e: "bookTicker",
            u: this.#bookUpdateId,
            E: t,
            T: t,
            s: this.spec.symbol,
            b: fixed(bid, this.spec.priceDecimals),
            B: fixed(bidQ, this.spec.qtyDecimals),
            a: fixed(ask, this.spec.priceDecimals),
            A: fixed(askQ, this.spec.qtyDecimals),
          };
          this.#publisher.publish(stream, JSON.stringify(ev));
        }
      }
    }
    if (this.#depthVersionSeen !== this.#bookUpdateId) {
      const s100 = this.#streams["@depth5@100ms"];
      const s250 = this.#streams["@depth5"];
      const want100 = this.#publisher.wants(s100);
      const want250 = t % 200 === 0 && this.#publisher.wants(s250);
      if (want100 || want250) {
        const levels = this.levels(BOOK_LEVELS);
        const ev: RawDepthStreamEvent = {
          e: "depthUpdate",
          E: t,
          T: t,
          s: this.spec.symbol,
          U: this.#depthVersionSeen + 1,
          u: this.#bookUpdateId,
          pu: this.#depthVersionSeen,
          b: levels.bids,
          a: levels.asks,
        };
        const json = JSON.stringify(ev);
        if (want100) this.#publisher.publish(s100, json);
        if (want250) this.#publisher.publish(s250, json);
      }
      if (want100 || t % 200 === 0) this.#depthVersionSeen = this.#bookUpdateId;
    }
    if (t % 1000 === 0) {
      const s1 = this.#streams["@markPrice@1s"];
      const s3 = this.#streams["@markPrice"];
      const want1 = this.#publisher.wants(s1);
      const want3 = t % 3000 === 0 && this.#publisher.wants(s3);
      if (want1 || want3) {
        const ev: RawMarkPriceStreamEvent = {
          e: "markPriceUpdate",
          E: t,
          s: this.spec.symbol,
          p: fixed(feed.markPrice, 8),
          i: fixed(feed.indexPrice, 8),
          P: fixed(feed.indexPrice, 8),
          r: fixed(feed.fundingRate, 8),
          T: feed.nextFundingTime,
        };
        const json = JSON.stringify(ev);
        if (want1) this.#publisher.publish(s1, json);
        if (want3) this.#publisher.publish(s3, json);
      }
    }
  }

  /** The top `limit` levels per side as wire strings (deeper than 5 levels: synthesized). */
  levels(
    limit: number,
  ): { bids: [string, string][]; asks: [string, string][] } {
    const bk = this.feed.book;
    const pd = this.spec.priceDecimals, qd = this.spec.qtyDecimals;
    const tick = 10 ** -pd, step = 10 ** -qd;
    const bids: [string, string][] = [], asks: [string, string][] = [];
    for (let side = 0; side < 2; side++) {
      const out = side === 0 ? bids : asks;
      const base = side === 0 ? 0 : 10;
      let price = bk[base]!;
      let qty = bk[base + 5]!;
      for (let i = 0; i < limit; i++) {
        if (i < BOOK_LEVELS) {
          price = bk[base + i]!;
          qty = bk[base + 5 + i]!;
          if (!(price > 0)) break;
        } else {
          price = side === 0 ? price - tick : price + tick;
          if (price <= 0) break;
          // A deterministic, lumpy depth profile beyond the fed levels.
          const h = Math.imul(i * 2654435761 + this.#bookUpdateId, 40503) >>> 0;
          qty = Math.max(
            step,
            Math.round((bk[base + 5]! * (0.5 + (h % 1000) / 400)) / step) *
              step,
          );
        }
        out.push([fixed(price, pd), fixed(qty, qd)]);
      }
    }
    return { bids, asks };
  }

  /** `GET /fapi/v1/depth` body. */
  depth(limit: number, now: number): RawDepth {
    const { bids, asks } = this.levels(limit);
    return { lastUpdateId: this.#bookUpdateId, E: now, T: now, bids, asks };
  }

  /** `GET /fapi/v1/ticker/bookTicker` body. */
  bookTicker(now: number): RawBookTicker {
    const bk = this.feed.book;
    const pd = this.spec.priceDecimals, qd = this.spec.qtyDecimals;
    return {
      symbol: this.spec.symbol,
      bidPrice: fixed(bk[0]!, pd),
      bidQty: fixed(bk[5]!, qd),
      askPrice: fixed(bk[10]!, pd),
      askQty: fixed(bk[15]!, qd),
      time: now,
      lastUpdateId: this.#bookUpdateId,
    };
  }

  /** `GET /fapi/v1/premiumIndex?symbol=` body. */
  premiumIndex(now: number): RawPremiumIndex {
    const f = this.feed;
    return {
      symbol: this.spec.symbol,
      markPrice: fixed(f.markPrice, 8),
      indexPrice: fixed(f.indexPrice, 8),
      estimatedSettlePrice: fixed(f.indexPrice, 8),
      lastFundingRate: fixed(f.fundingRate, 8),
      interestRate: "0.00010000",
      nextFundingTime: f.nextFundingTime,
      time: now,
    };
  }

  /** Aggregate trades per the `/aggTrades` parameters. */
  aggTrades(
    q: { fromId?: number; startTime?: number; endTime?: number; limit: number },
  ): RawAggTrade[] {
    const ring = this.trades, n = ring.size;
    const pd = this.spec.priceDecimals, qd = this.spec.qtyDecimals;
    let lo: number, hi: number;
    if (q.fromId !== undefined) {
      lo = ring.lowerBound("id", q.fromId);
      hi = Math.min(n, lo + q.limit);
    } else if (q.startTime !== undefined) {
      lo = ring.lowerBound("time", q.startTime);
      const endIdx = q.endTime === undefined
        ? n
        : ring.lowerBound("time", q.endTime + 1);
      hi = Math.min(endIdx, lo + q.limit);
    } else {
      hi = q.endTime === undefined ? n : ring.lowerBound("time", q.endTime + 1);
      lo = Math.max(0, hi - q.limit);
    }
    const out: RawAggTrade[] = [];
    for (let i = lo; i < hi; i++) {
      const row = ring.row(i, pd, qd);
      if (q.endTime !== undefined && row.T > q.endTime) break;
      out.push(row);
    }
    return out;
  }

  /** The open bar as a stream payload. */
  klineEvent(t: number, closed: boolean): RawKlineStreamEvent {
    const b = this.bar;
    const pd = this.spec.priceDecimals, qd = this.spec.qtyDecimals;
    const qq = Math.min(8, pd + qd);
    return {
      e: "kline",
      E: t,
      s: this.spec.symbol,
      k: {
        t: b.openTime,
        T: b.openTime + 59_999,
        s: this.spec.symbol,
        i: "1m",
        f: this.#firstTradeId,
        L: this.#lastTradeId,
        o: fixed(b.open, pd),
        c: fixed(b.close, pd),
        h: fixed(b.high, pd),
        l: fixed(b.low, pd),
        v: fixed(b.volume, qd),
        n: b.trades,
        x: closed,
        q: fixed(b.quoteVolume, qq),
        V: fixed(b.takerBuyVolume, qd),
        Q: fixed(b.takerBuyQuote, qq),
        B: "0",
      },
    };
  }

  #publishKline(t: number, closed: boolean): void {
    this.#klineDirty = false;
    this.#lastKlinePublish = t;
    const stream = this.#streams["@kline_1m"];
    if (!this.#publisher.wants(stream)) return;
    this.#publisher.publish(stream, JSON.stringify(this.klineEvent(t, closed)));
  }

  #closeBar(t: number): void {
    // Bars are 1 minute; a clock jump over several minutes closes the gap with flat bars.
    // A minute the source has no record of (a log replay's recorder gap) is no bar: no
    // closed kline on the stream, no REST row (its ring slot is marked unserved).
    while (this.bar.openTime + MINUTE <= t) {
      const served = this.feed.recordedBar?.(this.bar.openTime) ?? true;
      if (!this.#silent && served) {
        this.#publishKline(this.bar.openTime + MINUTE, true);
      }
      this.bars.push(this.bar, served);
      this.markBars.push(this.markBar);
      this.indexBars.push(this.indexBar);
      this.#openBar(this.bar.openTime + MINUTE, this.bar.close);
    }
  }

  #openBar(time: number, price: number): void {
    const b = this.bar;
    b.openTime = time;
    b.open =
      b.high =
      b.low =
      b.close =
        price;
    b.volume =
      b.quoteVolume =
      b.trades =
      b.takerBuyVolume =
      b.takerBuyQuote =
        0;
    openPriceBar(this.markBar, time, this.feed.markPrice);
    openPriceBar(this.indexBar, time, this.feed.indexPrice);
    this.#firstTradeId = -1;
    this.#lastTradeId = -1;
    this.#klineDirty = false;
    this.#lastKlinePublish = -Infinity;
  }

  /**
   * Whether the closed 1m bar opening at `openTime` was served (false: a recorder gap of a
   * log replay, see {@linkcode SymbolFeed.recordedBar}); undefined when the ring does not
   * hold that minute (not closed yet, or dropped).
   */
  barServed(openTime: number): boolean | undefined {
    const ring = this.bars;
    if (ring.size === 0) return undefined;
    const i = (openTime - ring.openTime(0)) / MINUTE;
    if (!Number.isInteger(i) || i < 0 || i >= ring.size) return undefined;
    return ring.served(i);
  }

  /** The current sim time of this symbol. */
  get now(): number {
    return this.#now;
  }
}

/** Opens a price-only bar (mark or index) at `time` with `price`; `trades` counts samples. */
function openPriceBar(b: BarValues, time: number, price: number): void {
  b.openTime = time;
  b.open =
    b.high =
    b.low =
    b.close =
      price;
  b.trades = 0;
}

/** Adds one sample of a price to a price-only bar. */
function samplePrice(b: BarValues, price: number): void {
  if (price > b.high) b.high = price;
  if (price < b.low) b.low = price;
  b.close = price;
  b.trades++;
}

/** All symbols' markets, advanced together. */
export class Market {
  #symbols: Map<string, SymbolMarket>;
  #list: SymbolMarket[];
  #t = NaN;
  #historyMinutes: number;
  #listeners: MarketListener[] = [];

  /**
   * @param feeds one feed per symbol
   * @param publisher where stream payloads go
   * @param historyMinutes closed bars generated before the start
   */
  constructor(
    feeds: readonly SymbolFeed[],
    publisher: Publisher,
    historyMinutes: number,
    options: MarketOptions = {},
  ) {
    const capacity = historyMinutes + (options.extraBars ?? 4320);
    this.#historyMinutes = historyMinutes;
    this.#list = feeds.map((f) =>
      new SymbolMarket(
        f,
        publisher,
        capacity,
        options.tradeCapacity ?? 20_000,
        this.#listeners,
      )
    );
    this.#symbols = new Map(this.#list.map((s) => [s.spec.symbol, s]));
  }

  /** Adds a listener of live trades and ticks; returns its remover. */
  addListener(listener: MarketListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** The market of `symbol`, or undefined when not listed. */
  symbol(symbol: string): SymbolMarket | undefined {
    return this.#symbols.get(symbol);
  }

  /** Every symbol's market, in listing order. */
  get symbols(): readonly SymbolMarket[] {
    return this.#list;
  }

  /** The time the market has reached. */
  get time(): number {
    return this.#t;
  }

  /**
   * Generates the history silently (from `startTime - historyMinutes`), then runs up to
   * `startTime` with publishing on.
   */
  start(startTime: number): void {
    const histStart = Math.floor(startTime / MINUTE) * MINUTE -
      this.#historyMinutes * MINUTE;
    for (const s of this.#list) {
      s.begin(histStart);
      s.silent = true;
      let t = histStart;
      const end = Math.floor(startTime / MINUTE) * MINUTE;
      while (t < end) {
        s.step(t, t + MINUTE);
        t += MINUTE;
        s.tick(t);
      }
    }
    this.#t = Math.floor(startTime / MINUTE) * MINUTE;
    for (const s of this.#list) s.silent = false;
    this.advanceTo(startTime);
  }

  /** Moves every symbol to time `t` (no-op when `t` is not later). */
  advanceTo(t: number): void {
    while (this.#t < t) {
      const next = Math.min(t, (Math.floor(this.#t / TICK_MS) + 1) * TICK_MS);
      const from = this.#t;
      for (const s of this.#list) s.step(from, next);
      this.#t = next;
      if (next % TICK_MS === 0) {
        for (const s of this.#list) s.tick(next);
        for (const l of this.#listeners) l.onTick?.(next);
      }
    }
  }
}
