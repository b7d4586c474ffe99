/**
 * Output rows of a bot-model run (pure formatting): the ranking, each top config's trade
 * list in USDT, and its `_live.json`, a config file `deno task live --config` and
 * `deno task paper --config` accept as it is.
 *
 * @module
 */
import type { ConfigTable } from "../grid.ts";
import type { EntryLimits } from "../../order/entry_guard.ts";
import { csvNumber, rankedCsvRows, type RankedScope } from "../outputs.ts";
import type { SymbolFeatures } from "../feature_table.ts";
import { BOT_PARAMS, botConfigRecord } from "./bot_grid.ts";
import { BOT_METRICS, type BotTrade, N_BOT_METRICS } from "./simulate_bot.ts";

/** Header of a bot-model `ranked.csv`. */
export const BOT_RANKED_COLUMNS: readonly string[] = [
  "scope",
  "rank",
  "config_id",
  ...BOT_PARAMS,
  ...BOT_METRICS,
  "psr",
  "dsr",
  "plateau_score",
  "flags",
];

/** One ranking of a bot-model run: the shared shape, rows `configs * N_BOT_METRICS`. */
export type BotScope = RankedScope;

/** Lines of `ranked.csv` (header first). */
export function botRankedCsvLines(
  scopes: readonly BotScope[],
  configs: ConfigTable,
): Generator<string> {
  return rankedCsvRows(
    BOT_RANKED_COLUMNS,
    scopes,
    N_BOT_METRICS,
    (c) => Object.values(botConfigRecord(configs, c)).map(String),
  );
}

/** Header of a bot-model trade file. */
export const BOT_TRADE_COLUMNS: readonly string[] = [
  "entry_time",
  "side",
  "qty",
  "entry_price",
  "tp_price",
  "sl_price",
  "exit_time",
  "exit_price",
  "exit_reason",
  "fees",
  "funding",
  "pnl",
];

/**
 * Lines of a trade file. `entry_time` is the signal bar's close (the entry), `exit_time`
 * the close of the exit bar (the exit happened within it).
 */
export function* botTradeCsvLines(
  trades: readonly BotTrade[],
  f: SymbolFeatures,
): Generator<string> {
  yield BOT_TRADE_COLUMNS.join(",");
  const time = (i: number) => new Date(f.ts[i]! + 60_000).toISOString();
  for (const t of trades) {
    yield [
      time(t.entryBar),
      t.side > 0 ? "long" : "short",
      csvNumber(t.qty),
      csvNumber(t.entryPrice),
      csvNumber(t.tp),
      csvNumber(t.sl),
      time(t.exitBar),
      csvNumber(t.exitPrice),
      t.reason,
      csvNumber(t.fees),
      csvNumber(t.funding),
      csvNumber(t.pnl),
    ].join(",");
  }
}

/**
 * The `_live.json` of config `c` on `symbol`: the live bot's config-file keys and units
 * (`deno task live --config FILE`), with the entry-guard limits the run assumed.
 */
export function liveConfigJson(
  configs: ConfigTable,
  c: number,
  symbol: string,
  limits?: EntryLimits,
): Record<string, string | number> {
  return {
    symbols: symbol,
    ...botConfigRecord(configs, c),
    ...(limits !== undefined
      ? {
        "max_upsize": limits.maxUpsize,
        "max_position_notional": limits.maxPositionNotional,
        "max_price_deviation_bps": limits.maxPriceDeviationBps,
      }
      : {}),
  };
}
