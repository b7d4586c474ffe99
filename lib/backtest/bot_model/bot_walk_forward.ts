/**
 * Walk-forward for the bot model: the same windows, choice rule and stitching as the
 * vectorbt model (`walkForwardWith`), with the bot grid on each in-sample slice and the
 * chosen config on the out-of-sample slice. Each slice gets its own market over the one
 * feature table (warm-up before a split is legitimate past data; nothing recomputed), and
 * starts flat; a position open at a slice's end is closed at its last close with the fee
 * (the bot model's `end` exit). Returns are on the fixed capital base `order_notional`, so
 * the stitched curve adds them: `order_notional * (1 + sum r)` of the first choice.
 * With several symbols also "ALL": the aggregate ranking's choice traded on every symbol.
 *
 * @module
 */
import type { FeatureTable, SymbolFeatures } from "../feature_table.ts";
import { type ConfigTable, N_PARAMS, signalKeyOf } from "../grid.ts";
import { buildSignals } from "../signals.ts";
import { sliceSymbol, type WalkForwardEngine } from "../walk_forward.ts";
import { BOT_PARAMS, botParamsOf } from "./bot_grid.ts";
import type { BotMarket } from "./bot_market.ts";
import { type BotGridResult, simulateBotGrid } from "./bot_grid_run.ts";
import { aggregateBotMetrics } from "./bot_aggregate.ts";
import {
  BOT_LAYOUT,
  BOT_METRICS,
  type BotCosts,
  N_BOT_METRICS,
  newBotSeries,
  simulateBot,
} from "./simulate_bot.ts";

const NET = BOT_METRICS.indexOf("net_pnl");
const TRADES = BOT_METRICS.indexOf("n_trades");
const SHARPE = BOT_METRICS.indexOf("sharpe");
const NOTIONAL = BOT_PARAMS.indexOf("order_notional");

/** Options of {@linkcode botWalkForwardEngine}. */
export interface BotWalkForwardOptions {
  /** The ranking metric's index in a bot row. */
  readonly metric: number;
  /** Costs and the intrabar convention. */
  readonly costs: BotCosts;
  /** Prepares a market over symbol s's slice (the run's filters, touch and guard). */
  readonly market: (s: number, f: SymbolFeatures) => BotMarket;
  /** Progress over every IS grid (bar-configs done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Total IS bar-configs (for progress). */
  readonly total?: number;
  /**
   * Runs the bot grid on an in-sample slice (e.g. on the run's worker pool); by default
   * `simulateBotGrid` on the calling thread over `market`'s markets.
   */
  readonly isGrid?: (
    isTable: FeatureTable,
    onProgress: (done: number) => void,
  ) => Promise<BotGridResult>;
}

/** The bot model as a {@linkcode WalkForwardEngine}. */
export function botWalkForwardEngine(
  table: FeatureTable,
  configs: ConfigTable,
  options: BotWalkForwardOptions,
): WalkForwardEngine {
  const notional = (c: number) => configs.values[c * N_PARAMS + NOTIONAL]!;
  const row = new Float64Array(N_BOT_METRICS);
  let before = 0;
  return {
    layout: BOT_LAYOUT,
    metric: options.metric,
    params: BOT_PARAMS,
    isGrid: async (_k, isTable) => {
      const onProgress = (d: number) =>
        options.onProgress?.(before + d, options.total ?? NaN);
      const res = options.isGrid !== undefined
        ? await options.isGrid(isTable, onProgress)
        : simulateBotGrid(
          isTable.symbols.map((f, s) => options.market(s, f)),
          configs,
          options.costs,
          undefined,
          onProgress,
        );
      before += res.barConfigs;
      return {
        rows: res.rows,
        ...(res.rows.length > 1
          ? { aggregate: aggregateBotMetrics(res.rows, configs.count) }
          : {}),
        barConfigs: res.barConfigs,
      };
    },
    isReturn: (rows, c) => rows[c * N_BOT_METRICS + NET]! / notional(c),
    oos: (s, c, startMs, endMs) => {
      const f = sliceSymbol(table.symbols[s]!, startMs, endMs);
      if (c < 0 || f.bars === 0) {
        return {
          ts: f.ts,
          rets: new Float64Array(f.bars),
          sharpe: NaN,
          ret: 0,
          trades: 0,
        };
      }
      const m = options.market(s, f);
      const signals = buildSignals(m.features, signalKeyOf(configs, c));
      const series = newBotSeries(f.bars);
      simulateBot(
        m,
        signals,
        botParamsOf(configs, c),
        options.costs,
        row,
        undefined,
        series,
      );
      return {
        ts: f.ts,
        rets: series.rets,
        sharpe: row[SHARPE]!,
        ret: row[NET]! / notional(c),
        trades: row[TRADES]!,
      };
    },
    compound: false,
    base: notional,
  };
}
