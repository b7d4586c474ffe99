/**
 * Test helper: closed 1m BTCUSDT klines on a fixed minute grid, for the bot's tests.
 *
 * @module
 */
import type { KlineEvent } from "../exchange/events.ts";

/** One minute, ms. */
export const MIN = 60_000;
/** The open time of bar 0: a whole minute. */
export const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);

/**
 * Closed bar `i` (open time `T0 + i` minutes) closing at `close`: open `close − range/2`,
 * high `close + range`, low `close − range`, volume `10 + i`.
 */
export function closedBar(i: number, close: number, range: number): KlineEvent {
  const openTime = T0 + i * MIN;
  return {
    kind: "kline",
    symbol: "BTCUSDT",
    eventTime: openTime + MIN,
    interval: "1m",
    openTime,
    closeTime: openTime + MIN - 1,
    open: String(close - range / 2),
    high: String(close + range),
    low: String(close - range),
    close: String(close),
    volume: String(10 + i),
    quoteVolume: "1000",
    trades: 10,
    takerBuyVolume: "5",
    takerBuyQuoteVolume: "500",
    isClosed: true,
  };
}
