/**
 * The market-source contract: one {@linkcode SymbolFeed} per symbol that, advanced over a
 * span of sim time, yields trades and leaves its book, mark price and funding up to date.
 * The synthetic generator and the replays implement it; the {@linkcode Market} consumes it.
 *
 * @module
 */
import type { BarValues } from "./bar_ring.ts";
import type { SymbolSpec } from "./symbols.ts";
import { FUNDING_INTERVAL_MS } from "../features/funding_rule.ts";

/** Where a feed reports its trades. */
export interface TradeSink {
  /** One aggregate trade at sim time `time` (ms). `buyerIsMaker` = the seller was the aggressor. */
  trade(time: number, price: number, qty: number, buyerIsMaker: boolean): void;
  /**
   * Replaces the open 1m bar's values with a recorded snapshot (log replay). Ignored unless
   * `bar.openTime` is the open bar's.
   */
  setBar?(bar: Readonly<BarValues>): void;
}

/** Number of book levels per side a feed keeps. */
export const BOOK_LEVELS = 5;

/** A simulated market for one symbol. */
export interface SymbolFeed {
  /** The symbol's rules; prices and quantities are formatted with its decimals. */
  readonly spec: SymbolSpec;
  /**
   * Produces the trades with `from <= time < to`, in time order, then moves the book, mark
   * and funding to time `to`.
   */
  advance(from: number, to: number, sink: TradeSink): void;
  /**
   * The top of book: `[bidPx×5, bidQty×5, askPx×5, askQty×5]`, best first. A price of 0 means
   * an empty level.
   */
  readonly book: Float64Array;
  /** Changes whenever `book` changes. */
  readonly bookVersion: number;
  readonly markPrice: number;
  readonly indexPrice: number;
  /** The predicted funding rate of the next settlement. */
  readonly fundingRate: number;
  readonly nextFundingTime: number;
  /**
   * The rate the settlement at `fundingTime` charges, when the feed knows it apart from
   * the prediction (a replay with a funding file); else the market settles at
   * `fundingRate`.
   */
  settlementRate?(fundingTime: number): number;
  /**
   * Whether the source has the 1m bar opening at `openTime` (asked once per bar, in
   * increasing order, right after the bar's minute ends). False only for a replay's
   * recorder gap (a log replay with no `kline.csv` row of that minute): the market then
   * serves no kline for it, neither closed on the stream nor over REST, instead of
   * inventing a flat zero-volume bar. Absent: every minute is a bar (a market with no
   * trade in a minute serves a flat zero-volume bar, as the exchange does).
   */
  recordedBar?(openTime: number): boolean;
}

/** A set of feeds, one per symbol, plus the resources behind them. */
export interface MarketSource {
  /** The sim time the source wants to start at (replays), or undefined (any time). */
  readonly startTime: number | undefined;
  /** The feed of `symbol`. */
  feed(symbol: string): SymbolFeed;
  /** Releases files. */
  close(): void;
}

/** The next funding settlement strictly after `time` on an 8 h schedule (00, 08, 16 UTC). */
export function nextFundingAfter(
  time: number,
  intervalMs = FUNDING_INTERVAL_MS,
): number {
  return (Math.floor(time / intervalMs) + 1) * intervalMs;
}
