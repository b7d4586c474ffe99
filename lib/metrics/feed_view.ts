/**
 * The market side of a {@linkcode BotView}, shared by the live bot and the recorder: input
 * ages and staleness per symbol, mark price and funding, and the market stream's state,
 * read from a {@linkcode MarketFeed} at scrape time.
 *
 * @module
 */
import type { MarketFeed } from "../market/mod.ts";
import { staleInputs, type StalenessBudgets } from "../live/staleness.ts";
import type { InputView, StreamView } from "./bot_view.ts";

/** Input ages, staleness and mark of `symbol` at bot-clock time `nowMs`. */
export function feedInputs(
  feed: MarketFeed,
  budgets: StalenessBudgets,
  symbol: string,
  nowMs: number,
): InputView {
  const a = feed.caches.ages(symbol, nowMs);
  const ages = {
    barMs: a.kline.sinceReceiveMs,
    bookMs: a.bookTicker.sinceReceiveMs,
    markMs: a.markPrice.sinceReceiveMs,
  };
  const m = feed.caches.get(symbol).markPrice;
  return {
    ...ages,
    stale: staleInputs(ages, budgets),
    ...(m
      ? {
        mark: {
          price: Number(m.markPrice),
          fundingRate: Number(m.fundingRate),
          nextFundingTimeMs: m.nextFundingTime,
        },
      }
      : {}),
  };
}

/** The market stream's state (disconnected until the feed has started it). */
export function feedStream(feed: MarketFeed): StreamView {
  const s = feed.stream;
  return {
    connected: s?.connected ?? false,
    reconnects: s?.stats.reconnects ?? 0,
    silences: s?.stats.silences ?? 0,
  };
}
