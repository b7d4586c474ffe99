/**
 * A whole bot-model run (`deno task backtest --model bot`): read the table, prepare each
 * symbol's market (touch, filters, caches), expand the bot grid, simulate every config on
 * every symbol, rank per symbol, write `ranked.csv`, `ranked.json`, `manifest.json`, and
 * for the top configs `top/<SYMBOL>_rank<r>_config<id>_trades.csv` and `..._live.json`.
 * The file edge of the pure bot model; every input is checked before anything is written.
 *
 * @module
 */
import {
  parseExchangeInfo,
  parseSymbolInfo,
  type SymbolInfo,
} from "../../exchange/exchange_info.ts";
import {
  DEFAULT_ENTRY_LIMITS,
  type EntryLimits,
  type PriceBand,
  priceBand,
} from "../../order/entry_guard.ts";
import { type OrderFilters, orderFilters } from "../../order/filters.ts";
import { symbolInfo, symbolSpec } from "../../sim/symbols.ts";
import { type FeatureTable, selectSymbols } from "../feature_table.ts";
import { type ConfigTable, signalGroups, signalKeyOf } from "../grid.ts";
import { jsonNumber, writeLines } from "../outputs.ts";
import { readFeatureTable } from "../read_feature_table.ts";
import { buildSignals } from "../signals.ts";
import {
  BOT_DEFAULTS,
  BOT_PARAMS,
  type BotGridSpec,
  botParamsOf,
  expandBotGrid,
  validateBotGrid,
} from "./bot_grid.ts";
import { BotInputError, BotMarket } from "./bot_market.ts";
import {
  botRankedCsvLines,
  type BotScope,
  botTradeCsvLines,
  liveConfigJson,
  rankBot,
} from "./bot_outputs.ts";
import {
  BOT_METRICS,
  type BotCosts,
  type BotMetricName,
  type BotTrade,
  N_BOT_METRICS,
  newBotSeries,
  simulateBot,
} from "./simulate_bot.ts";

/** Options of {@linkcode runBotBacktest}. */
export interface BotBacktestOptions {
  /** The feature table CSV. */
  readonly features: string;
  /** Output directory. */
  readonly out: string;
  /** Grid lists by the bot's parameter names; missing ones take the bot's defaults
   * (T and V: every window of the table). */
  readonly grid: Partial<BotGridSpec>;
  /** Costs and the intrabar convention. */
  readonly costs: BotCosts;
  /** Quoted spread for OHLCV-only tables (required for them, refused otherwise). */
  readonly spreadBps?: number;
  /** An exchangeInfo JSON file for the filters. @default the simulator's filters */
  readonly exchangeInfo?: string;
  /** The live bot's entry guard limits. @default DEFAULT_ENTRY_LIMITS */
  readonly entryLimits?: EntryLimits;
  /** Ranking metric. @default "net_pnl" */
  readonly rankBy?: BotMetricName;
  /** Minimum trades to be ranked. @default 1 */
  readonly minTrades?: number;
  /** Top configs per symbol with trades and `_live.json`. @default 5 */
  readonly top?: number;
  /** Only these symbols. */
  readonly symbols?: readonly string[];
  /** Progress (bar-configs done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** One-line status messages. */
  readonly onStatus?: (line: string) => void;
}

/** What a bot-model run did. */
export interface BotBacktestSummary {
  /** The configs. */
  readonly configs: ConfigTable;
  /** One ranking per symbol. */
  readonly scopes: readonly BotScope[];
  /** Bar-configs simulated. */
  readonly barConfigs: number;
  /** Seconds: simulate, total. */
  readonly seconds: { readonly simulate: number; readonly total: number };
  /** Files written, relative to `out`. */
  readonly files: readonly string[];
}

/** One symbol's order rules: its filters and its entry price band. */
export interface SymbolRules {
  readonly filters: OrderFilters;
  readonly band: PriceBand;
}

/**
 * Reads the filters and price bands of `symbols` from an exchangeInfo file, or the
 * simulator's defaults.
 *
 * @throws {BotInputError} for an unreadable file, a symbol it lacks or a symbol without
 * built-in filters
 */
export async function loadFilters(
  symbols: readonly string[],
  path?: string,
  maxPriceDeviationBps = 0,
): Promise<Map<string, SymbolRules>> {
  const out = new Map<string, SymbolRules>();
  let infos: SymbolInfo[];
  if (path === undefined) {
    infos = symbols.map((s) => {
      let spec;
      try {
        spec = symbolSpec(s);
      } catch {
        throw new BotInputError(
          `Cannot size orders on ${s}: no built-in filters for it; give --exchange_info FILE`,
        );
      }
      return parseSymbolInfo(symbolInfo(spec));
    });
  } else {
    let info;
    try {
      info = parseExchangeInfo(JSON.parse(await Deno.readTextFile(path)));
    } catch (error) {
      throw new BotInputError(
        `Cannot read --exchange_info ${path}: ${(error as Error).message}`,
      );
    }
    infos = symbols.map((s) => {
      const si = info.symbols.find((x) => x.symbol === s);
      if (si === undefined) {
        throw new BotInputError(
          `Invalid --exchange_info ${path}: no symbol ${s} in it`,
        );
      }
      return si;
    });
  }
  for (const si of infos) {
    try {
      out.set(si.symbol, {
        filters: orderFilters(si),
        band: priceBand(si, maxPriceDeviationBps),
      });
    } catch (error) {
      if (error instanceof RangeError) throw new BotInputError(error.message);
      throw error;
    }
  }
  return out;
}

/**
 * Runs the bot-model grid.
 *
 * @throws {BotInputError} for bad input (nothing written)
 */
export async function runBotBacktest(
  options: BotBacktestOptions,
): Promise<BotBacktestSummary> {
  const status = options.onStatus ?? (() => {});
  const t0 = performance.now();
  let table: FeatureTable;
  try {
    table = await readFeatureTable(options.features);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BotInputError(
        `Cannot read the feature table: ${options.features} does not exist`,
      );
    }
    if (error instanceof SyntaxError || error instanceof RangeError) {
      throw new BotInputError(error.message);
    }
    throw error;
  }
  if (options.symbols !== undefined) {
    try {
      table = selectSymbols(table, options.symbols);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new BotInputError(error.message);
      }
      throw error;
    }
  }
  const limits = options.entryLimits ?? DEFAULT_ENTRY_LIMITS;
  const rules = await loadFilters(
    table.symbols.map((s) => s.symbol),
    options.exchangeInfo,
    limits.maxPriceDeviationBps,
  );
  const markets = table.symbols.map((f) => {
    const r = rules.get(f.symbol)!;
    return new BotMarket(f, r.filters, options.spreadBps, {
      band: r.band,
      limits,
    });
  });
  const spec = {} as Record<string, readonly number[]>;
  for (const name of BOT_PARAMS) {
    spec[name] = options.grid[name] ??
      (name === "T"
        ? table.rsWindows
        : name === "V"
        ? table.volWindows
        : BOT_DEFAULTS[name]);
  }
  try {
    validateBotGrid(spec as BotGridSpec, table);
  } catch (error) {
    if (error instanceof RangeError) throw new BotInputError(error.message);
    throw error;
  }
  const configs = expandBotGrid(spec as BotGridSpec);
  const groups = signalGroups(configs);
  const bars = table.symbols.reduce((a, s) => a + s.bars, 0);
  const total = bars * configs.count;
  status(
    `grid (bot model): ${configs.count} configs (${groups.length} signal sets) x ${table.symbols.length} symbol(s), ${bars} bars = ${
      total.toExponential(2)
    } bar-configs; touch from ${
      markets.map((m) => `${m.features.symbol}: ${m.quoteSource}`).join(", ")
    }`,
  );

  const tSim0 = performance.now();
  const rows = table.symbols.map(() =>
    new Float64Array(configs.count * N_BOT_METRICS)
  );
  const row = new Float64Array(N_BOT_METRICS);
  let done = 0;
  for (let s = 0; s < markets.length; s++) {
    const m = markets[s]!;
    const signals = new Int8Array(m.features.bars);
    const series = newBotSeries(m.features.bars);
    for (const g of groups) {
      buildSignals(m.features, signalKeyOf(configs, g[0]!), { out: signals });
      for (const c of g) {
        simulateBot(
          m,
          signals,
          botParamsOf(configs, c),
          options.costs,
          row,
          undefined,
          series,
        );
        rows[s]!.set(row, c * N_BOT_METRICS);
      }
      done += g.length * m.features.bars;
      options.onProgress?.(done, total);
    }
  }
  const tSim = performance.now();

  const rankBy = options.rankBy ?? "net_pnl";
  const metric = BOT_METRICS.indexOf(rankBy);
  const minTrades = options.minTrades ?? 1;
  const scopes: BotScope[] = table.symbols.map((f, s) => ({
    scope: f.symbol,
    rows: rows[s]!,
    order: rankBot(rows[s]!, metric, minTrades),
  }));

  await Deno.mkdir(options.out, { recursive: true });
  const path = (name: string) => `${options.out}/${name}`;
  const files: string[] = [];
  await writeLines(path("ranked.csv"), botRankedCsvLines(scopes, configs));
  files.push("ranked.csv");
  const top = options.top ?? 5;
  const topFiles: Record<string, unknown>[] = [];
  if (top > 0) await Deno.mkdir(path("top"), { recursive: true });
  for (let s = 0; s < scopes.length; s++) {
    const scope = scopes[s]!, m = markets[s]!;
    const signals = new Int8Array(m.features.bars);
    const series = newBotSeries(m.features.bars);
    for (let r = 0; r < Math.min(top, scope.order.length); r++) {
      const c = scope.order[r]!;
      const stem = `top/${scope.scope}_rank${r + 1}_config${c}`;
      const trades: BotTrade[] = [];
      buildSignals(m.features, signalKeyOf(configs, c), { out: signals });
      simulateBot(
        m,
        signals,
        botParamsOf(configs, c),
        options.costs,
        row,
        trades,
        series,
      );
      await writeLines(
        path(`${stem}_trades.csv`),
        botTradeCsvLines(trades, m.features),
      );
      await Deno.writeTextFile(
        path(`${stem}_live.json`),
        JSON.stringify(
          liveConfigJson(configs, c, scope.scope, limits),
          null,
          2,
        ) + "\n",
      );
      files.push(`${stem}_trades.csv`, `${stem}_live.json`);
      topFiles.push({
        symbol: scope.scope,
        rank: r + 1,
        "config_id": c,
        trades: `${stem}_trades.csv`,
        live: `${stem}_live.json`,
      });
    }
  }
  const ranked = scopes.map((sc) => ({
    scope: sc.scope,
    ranked: Array.from(sc.order.subarray(0, 10_000), (c, r) => {
      const metrics: Record<string, unknown> = {};
      BOT_METRICS.forEach((name, k) => {
        metrics[name] = jsonNumber(sc.rows[c * N_BOT_METRICS + k]!);
      });
      return {
        rank: r + 1,
        "config_id": c,
        params: liveConfigJson(configs, c, sc.scope, limits),
        metrics,
      };
    }),
  }));
  await Deno.writeTextFile(
    path("ranked.json"),
    JSON.stringify({ model: "bot", "rank_by": rankBy, scopes: ranked }),
  );
  files.push("ranked.json");
  const tEnd = performance.now();
  const seconds = {
    simulate: (tSim - tSim0) / 1000,
    total: (tEnd - t0) / 1000,
  };
  const manifest = {
    kind: "aster-bot-backtest",
    version: 1,
    model: "bot",
    engine:
      "bot model: the live bot's decision (lib/strategy), sizing and exit levels (lib/order); fixed notional, PnL in USDT",
    features: options.features,
    symbols: markets.map((m) => ({
      symbol: m.features.symbol,
      bars: m.features.bars,
      "first_time": new Date(m.features.ts[0]!).toISOString(),
      "last_time": new Date(m.features.ts[m.features.bars - 1]!).toISOString(),
      touch: m.quoteSource,
      "tick_size": m.filters.tickSize.toFixed(),
      "step_size": m.filters.stepSize.toFixed(),
      "min_notional": m.filters.minNotional.toFixed(),
    })),
    filters: options.exchangeInfo ?? "simulator defaults (lib/sim/symbols.ts)",
    grid: Object.fromEntries(BOT_PARAMS.map((n) => [n, spec[n]])),
    "grid_size": configs.count,
    "signal_sets": groups.length,
    costs: {
      "taker_fee_bps": options.costs.takerFeeBps,
      "exit_slippage_bps": options.costs.exitSlippageBps,
      intrabar: options.costs.intrabar,
      ...(options.spreadBps !== undefined
        ? { "spread_bps": options.spreadBps }
        : {}),
    },
    "open_at_end":
      "a position open at the end is closed at the last close with the taker fee (exit_reason end)",
    "rank_by": rankBy,
    "min_trades": minTrades,
    top,
    "bar_configs": total,
    "runtime_s": seconds,
    "bar_configs_per_s": total / seconds.simulate,
    metrics: BOT_METRICS,
    files: {
      "ranked_csv": "ranked.csv",
      "ranked_json": "ranked.json",
      top: topFiles,
    },
  };
  await Deno.writeTextFile(
    path("manifest.json"),
    JSON.stringify(manifest, null, 2),
  );
  files.push("manifest.json");
  return { configs, scopes, barConfigs: total, seconds, files };
}
