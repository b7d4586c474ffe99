/**
 * What `deno task download` writes: one CSV file per symbol and kind in the output
 * directory, named so `build-features --data_dir` finds them, in the formats
 * `build-features --ohlcv/--mark/--funding` read.
 *
 * | kind      | file                     | columns                                                                                      |
 * | --------- | ------------------------ | -------------------------------------------------------------------------------------------- |
 * | `klines`  | `<SYMBOL>_klines_1m.csv` | open_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,taker_buy_quote_volume |
 * | `mark`    | `<SYMBOL>_mark_1m.csv`   | open_time,open,high,low,close                                                                |
 * | `index`   | `<SYMBOL>_index_1m.csv`  | open_time,open,high,low,close                                                                |
 * | `funding` | `<SYMBOL>_funding.csv`   | funding_time,funding_rate                                                                    |
 *
 * @module
 */
import type { KlineSeries } from "../exchange/market_rest_client.ts";

/** One kind of history. */
export type SeriesKind = "klines" | "mark" | "index" | "funding";

/** Every kind, in download order. */
export const SERIES_KINDS: readonly SeriesKind[] = [
  "klines",
  "mark",
  "funding",
  "index",
];

/** The kinds downloaded when `--what` is not given. */
export const DEFAULT_KINDS: readonly SeriesKind[] = [
  "klines",
  "mark",
  "funding",
];

/** The bar length of the 1m kinds. */
export const BAR_MS = 60_000;

/** How a kind is fetched and stored. */
export interface SeriesLayout {
  readonly kind: SeriesKind;
  /** The file's header line (without the newline). */
  readonly header: string;
  /** The REST kline series, or undefined for funding. */
  readonly series: KlineSeries | undefined;
  /** Rows per request at the protocol's largest page. */
  readonly pageLimit: number;
  /** The spacing of rows in ms (funding: 0, the interval varies). */
  readonly stepMs: number;
}

const PRICE_HEADER = "open_time,open,high,low,close";

/** The layout of each kind. */
export const LAYOUTS: Readonly<Record<SeriesKind, SeriesLayout>> = {
  klines: {
    kind: "klines",
    header:
      "open_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,taker_buy_quote_volume",
    series: "klines",
    pageLimit: 1500,
    stepMs: BAR_MS,
  },
  mark: {
    kind: "mark",
    header: PRICE_HEADER,
    series: "markPriceKlines",
    pageLimit: 1500,
    stepMs: BAR_MS,
  },
  index: {
    kind: "index",
    header: PRICE_HEADER,
    series: "indexPriceKlines",
    pageLimit: 1500,
    stepMs: BAR_MS,
  },
  funding: {
    kind: "funding",
    header: "funding_time,funding_rate",
    series: undefined,
    pageLimit: 1000,
    stepMs: 0,
  },
};

/** The file name of `symbol`'s `kind` series inside the output directory. */
export function seriesFileName(symbol: string, kind: SeriesKind): string {
  return kind === "funding"
    ? `${symbol}_funding.csv`
    : `${symbol}_${kind}_1m.csv`;
}

/** Parses a `--what` list into kinds; returns the first unknown name instead when any. */
export function parseKinds(
  names: readonly string[],
): { kinds: SeriesKind[] } | { unknown: string } {
  const kinds: SeriesKind[] = [];
  for (const name of names) {
    if (!(SERIES_KINDS as readonly string[]).includes(name)) {
      return { unknown: name };
    }
    if (!kinds.includes(name as SeriesKind)) kinds.push(name as SeriesKind);
  }
  return { kinds };
}

/** The name of the summary file written beside the series. */
export const SUMMARY_FILE = "download.json";
