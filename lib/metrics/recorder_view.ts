/**
 * The monitoring view of `deno task record`: the market side of the feed (input ages
 * against the bot's default budgets, the stream), the REST weight and the rows written.
 *
 * @module
 */
import type { RestTransport } from "../exchange/rest_transport.ts";
import { DEFAULT_BUDGETS } from "../live/staleness.ts";
import type { MarketFeed } from "../market/mod.ts";
import type { LogRecorder } from "../recorder/mod.ts";
import type { Clock } from "../time/clock.ts";
import type { BotView } from "./bot_view.ts";
import { feedInputs, feedStream } from "./feed_view.ts";

/** The view of a recording session. */
export function recorderView(
  feed: MarketFeed,
  recorder: LogRecorder,
  transport: RestTransport,
  clock: Clock,
): BotView {
  const now = () => clock.now();
  return {
    symbols: feed.symbols,
    trading: false,
    nowMs: now,
    inputs: (s) => feedInputs(feed, DEFAULT_BUDGETS, s, now()),
    streams: () => ({ market: feedStream(feed) }),
    rest: () => ({
      used: transport.usedWeight,
      limit: transport.weightLimit,
      rateLimited: transport.limitStats.rateLimited,
      banned: transport.limitStats.banned,
    }),
    recorderRows: () => recorder.rowCounts(),
    recorderDropped: () => recorder.droppedCounts(),
  };
}
