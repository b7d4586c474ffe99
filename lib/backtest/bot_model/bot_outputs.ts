/**
 * Output rows of a bot-model run (pure formatting): the ranking, each top config's trade
 * list in USDT, and its `_live.json`, a config file `deno task live --config` and
 * `deno task paper --config` accept as it is.
 *
 * @module
 */
import type { ConfigTable } from "../grid.ts";
import type { EntryLimits } from "../../order/entry_guard.ts";
import { csvNumber } from "../outputs.ts";
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
];

/** One ranking of a bot-model run. */
export interface BotScope {
  /** The symbol. */
  readonly scope: string;
  /** Metric rows, `configs * N_BOT_METRICS`. */
  readonly rows: Float64Array;
  /** Ranked config indices, best first. */
  readonly order: Int32Array;
}

/** Lines of `ranked.csv` (header first). */
export function* botRankedCsvLines(
  scopes: readonly BotScope[],
  configs: ConfigTable,
): Generator<string> {
  yield BOT_RANKED_COLUMNS.join(",");
  for (const s of scopes) {
    for (let r = 0; r < s.order.length; r++) {
      const c = s.order[r]!;
      const params = Object.values(botConfigRecord(configs, c)).map(String);
      const metrics = Array.from(
        s.rows.subarray(c * N_BOT_METRICS, (c + 1) * N_BOT_METRICS),
        csvNumber,
      );
      yield [s.scope, String(r + 1), String(c), ...params, ...metrics].join(
        ",",
      );
    }
  }
}

/**
 * Ranks configs by metric `m` (descending, NaN last, ties by index), keeping those with
 * at least `minTrades` trades.
 */
export function rankBot(
  rows: Float64Array,
  metric: number,
  minTrades: number,
): Int32Array {
  const count = rows.length / N_BOT_METRICS;
  const nTrades = BOT_METRICS.indexOf("n_trades");
  const keep: number[] = [];
  for (let c = 0; c < count; c++) {
    if (rows[c * N_BOT_METRICS + nTrades]! >= minTrades) keep.push(c);
  }
  keep.sort((a, b) => {
    const x = rows[a * N_BOT_METRICS + metric]!,
      y = rows[b * N_BOT_METRICS + metric]!;
    const xn = x !== x, yn = y !== y;
    if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1;
    return x > y ? -1 : x < y ? 1 : a - b;
  });
  return Int32Array.from(keep);
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
