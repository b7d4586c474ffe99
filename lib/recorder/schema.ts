/**
 * The recorder's CSV log schema: a contract with the feature builder and the simulator's
 * log replay. Five files, one row per symbol per snapshot second.
 *
 * `ts` is the local snapshot time in epoch milliseconds (UTC); every other time is the
 * exchange's. Prices and quantities are written exactly as the exchange sent them.
 *
 * @module
 */
import type {
  BookTickerEvent,
  DepthEvent,
  KlineEvent,
  MarkPriceEvent,
} from "../exchange/events.ts";
import type { AggTradeSummary } from "../market/agg_trade_tally.ts";

/** The log files and their columns, in order. */
export const LOG_COLUMNS = {
  kline: [
    "ts",
    "symbol",
    "open_time",
    "close_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "quote_volume",
    "trades",
    "taker_buy_volume",
    "is_closed",
  ],
  bookTicker: [
    "ts",
    "symbol",
    "event_time",
    "bid_price",
    "bid_qty",
    "ask_price",
    "ask_qty",
  ],
  markPrice: [
    "ts",
    "symbol",
    "event_time",
    "mark_price",
    "index_price",
    "funding_rate",
    "next_funding_time",
  ],
  aggTrade_1s: [
    "ts",
    "symbol",
    "trades",
    "volume",
    "buy_volume",
    "sell_volume",
    "vwap",
    "last_price",
    "first_agg_id",
    "last_agg_id",
  ],
  depth5: [
    "ts",
    "symbol",
    "event_time",
    ...levelColumns("bid_px"),
    ...levelColumns("bid_qty"),
    ...levelColumns("ask_px"),
    ...levelColumns("ask_qty"),
  ],
} as const;

/** A log file kind (the file is `<kind>.csv`). */
export type LogKind = keyof typeof LOG_COLUMNS;

/** Every log kind, in the order the recorder writes them. */
export const LOG_KINDS: readonly LogKind[] = Object.keys(
  LOG_COLUMNS,
) as LogKind[];

/** The file name of a log kind. */
export function logFileName(kind: LogKind): string {
  return `${kind}.csv`;
}

/** The header line (with its newline) of a log kind. */
export function headerLine(kind: LogKind): string {
  return LOG_COLUMNS[kind].join(",") + "\n";
}

function levelColumns(prefix: string): string[] {
  return [1, 2, 3, 4, 5].map((i) => `${prefix}_${i}`);
}

/** What the aggregate trades received in one second add up to (see lib/market). */
export type AggTradeSecond = AggTradeSummary;

/** The kline.csv line (with newline) for a snapshot of the current 1m kline. */
export function klineLine(ts: number, k: KlineEvent): string {
  return `${ts},${k.symbol},${k.openTime},${k.closeTime},${k.open},${k.high},${k.low},${k.close},${k.volume},${k.quoteVolume},${k.trades},${k.takerBuyVolume},${k.isClosed}\n`;
}

/** The bookTicker.csv line (with newline) for a snapshot of the best bid and offer. */
export function bookTickerLine(ts: number, b: BookTickerEvent): string {
  return `${ts},${b.symbol},${b.eventTime},${b.bidPrice},${b.bidQty},${b.askPrice},${b.askQty}\n`;
}

/** The markPrice.csv line (with newline) for a snapshot of mark price and funding. */
export function markPriceLine(ts: number, m: MarkPriceEvent): string {
  return `${ts},${m.symbol},${m.eventTime},${m.markPrice},${m.indexPrice},${m.fundingRate},${m.nextFundingTime}\n`;
}

/** The aggTrade_1s.csv line (with newline) for the trades of the second ending at `ts`. */
export function aggTradeLine(
  ts: number,
  symbol: string,
  s: AggTradeSecond,
): string {
  if (s.trades === 0) return `${ts},${symbol},0,0,0,0,,,,\n`;
  return `${ts},${symbol},${s.trades},${sum(s.volume)},${sum(s.buyVolume)},${
    sum(s.sellVolume)
  },${s.vwap},${s.lastPrice},${s.firstAggId},${s.lastAggId}\n`;
}

/** The depth5.csv line (with newline) for a snapshot of the top five levels. */
export function depthLine(ts: number, d: DepthEvent): string {
  let line = `${ts},${d.symbol},${d.eventTime}`;
  for (let i = 0; i < 5; i++) line += "," + (d.bids[i]?.[0] ?? "");
  for (let i = 0; i < 5; i++) line += "," + (d.bids[i]?.[1] ?? "");
  for (let i = 0; i < 5; i++) line += "," + (d.asks[i]?.[0] ?? "");
  for (let i = 0; i < 5; i++) line += "," + (d.asks[i]?.[1] ?? "");
  return line + "\n";
}

/** A sum of exchange quantities without float noise (12 significant digits). */
function sum(x: number): string {
  return String(Number(x.toPrecision(12)));
}
