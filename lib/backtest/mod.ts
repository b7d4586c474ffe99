/**
 * The grid backtest engine: a vectorbt 0.26 `Portfolio.from_signals`-compatible simulator
 * (see ../shared/backtest-semantics.md), run for every config of a parameter grid on every
 * symbol of a feature table, over a pool of Web Workers, then ranked and written out.
 *
 * @example Simulate one config
 * ```ts
 * import { simulate, M } from "./mod.ts";
 * const close = Float64Array.from([100, 101, 102]);
 * const nan = new Float64Array(3).fill(NaN);
 * const signals = Int8Array.from([1, 0, 0]);
 * const row = simulate({ close, open: nan, high: nan, low: nan, signals }, {
 *   slStop: 0.02, tpStop: NaN, slTrail: false, fees: 0, slippage: 0, initCash: 100,
 * });
 * row[M.totalReturn]; // 0.02
 * ```
 *
 * @module
 */
export { add, isClose, isCloseOrLess, isLess } from "./vbt_math.ts";
export { M, type MetricName, METRICS, N_METRICS, RANKABLE } from "./metrics.ts";
export {
  ANN_FACTOR,
  newSimRecord,
  type OrderRecord,
  type SimInput,
  type SimOptions,
  type SimParams,
  type SimRecord,
  simulate,
  type TradeRecord,
} from "./simulate.ts";
export { buildSignals, type SignalKey } from "./signals.ts";
export {
  type FeatureTable,
  FeatureTableParser,
  parseFeatureTable,
  type SymbolFeatures,
} from "./feature_table.ts";
export { readFeatureTable } from "./read_feature_table.ts";
export {
  configRecord,
  type ConfigTable,
  expandGrid,
  GRID_PARAMS,
  type GridParam,
  gridSize,
  type GridSpec,
  parseGridJson,
  parseGridList,
  signalGroups,
  signalKeyOf,
  simParamsOf,
  validateGrid,
} from "./grid.ts";
export {
  GridPool,
  type GridResult,
  runGrid,
  type RunGridOptions,
} from "./grid_runner.ts";
export { aggregateMetrics, rankConfigs, symbolRows } from "./rank.ts";
export { Progress } from "./progress.ts";
export {
  assignShards,
  MAX_SHARDS,
  parseShard,
  type ShardSpec,
  shardTasks,
  tableFingerprint,
} from "./shard.ts";
export {
  type MergeOptions,
  type MergeResult,
  mergeShards,
  readShardSet,
  runShard,
  SHARD_FORMAT,
  shardDoneLine,
  type ShardSummary,
} from "./run_shard.ts";
export {
  BacktestInputError,
  type BacktestOptions,
  type BacktestSummary,
  formatRankedTable,
  runBacktest,
} from "./run_backtest.ts";
export { honestLines, walkForwardLine } from "./honest_summary.ts";
export {
  runWalkForward,
  sliceTable,
  type WalkForwardSymbol,
} from "./walk_forward.ts";
export { type SummaryLabels, summaryLines } from "./summary_lines.ts";
export { deflateRanking, type Deflation, pboOfRanking } from "./honest_rank.ts";
export {
  featureTableCsvLines,
  syntheticCsvLines,
  syntheticRows,
  syntheticTable,
} from "./synthetic_table.ts";
