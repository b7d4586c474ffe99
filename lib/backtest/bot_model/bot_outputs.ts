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
import type { Deflation } from "../honest_rank.ts";

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

/** One ranking of a bot-model run. */
export interface BotScope {
  /** The symbol. */
  readonly scope: string;
  /** Metric rows, `configs * N_BOT_METRICS`. */
  readonly rows: Float64Array;
  /** Ranked config indices, best first. */
  readonly order: Int32Array;
  /** Configs below `--min_trades`, written after the ranked ones, flagged `few_trades`. */
  readonly unranked?: Int32Array;
  /** PSR, DSR and flags of every config (see `deflateRanking`). */
  readonly deflation?: Deflation;
  /** Plateau score of every config, when the grid has neighbours. */
  readonly plateau?: Float64Array;
}

/** Lines of `ranked.csv` (header first). */
export function* botRankedCsvLines(
  scopes: readonly BotScope[],
  configs: ConfigTable,
): Generator<string> {
  yield BOT_RANKED_COLUMNS.join(",");
  for (const s of scopes) {
    const unranked = s.unranked ?? new Int32Array(0);
    const total = s.order.length + unranked.length;
    for (let r = 0; r < total; r++) {
      const c = r < s.order.length
        ? s.order[r]!
        : unranked[r - s.order.length]!;
      const params = Object.values(botConfigRecord(configs, c)).map(String);
      const metrics = Array.from(
        s.rows.subarray(c * N_BOT_METRICS, (c + 1) * N_BOT_METRICS),
        csvNumber,
      );
      const d = s.deflation;
      yield [
        s.scope,
        String(r + 1),
        String(c),
        ...params,
        ...metrics,
        csvNumber(d?.psr[c] ?? NaN),
        csvNumber(d?.dsr[c] ?? NaN),
        csvNumber(s.plateau?.[c] ?? NaN),
        d?.flags[c] ?? "",
      ].join(",");
    }
  }
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
