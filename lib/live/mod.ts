/**
 * The assembled live bot: the adapter from the trading client and user stream to the
 * order manager's port, the decision core (strategy windows seeded from history,
 * evaluation on each closed bar, input-age budgets), the decision journal, the session
 * (feed, order manager, user stream, housekeeping loop, adoption, shutdown), the flags of
 * `deno task live` with their layering, and the in-process exchange of paper trading.
 *
 * @example Dry run against the simulator
 * ```ts ignore
 * const ex = await startPaperExchange({ symbols: ["BTCUSDT"] });
 * const session = await LiveSession.start(
 *   { ...liveConfig(flags), restUrl: ex.sim.restUrl, wsUrl: ex.sim.wsUrl },
 *   { clock: ex.clock },
 * );
 * await session.stop();
 * ```
 *
 * @module
 */
export {
  type Fill,
  FILL_DAYS_KEPT,
  FillLog,
  FILLS_KEPT,
  type FillTotals,
} from "./fill_log.ts";
export {
  DecisionJournal,
  JOURNAL_COLUMNS,
  journalLine,
  type JournalRow,
} from "./journal.ts";
export { LiveBot, type LiveBotOptions, type LiveBotStats } from "./live_bot.ts";
export {
  envName,
  type FlagLayers,
  LIVE_FLAGS,
  liveConfig,
  type LiveFlags,
  parseLayeredFlags,
  parseLiveFlags,
  STRATEGY_CONFIG_KEYS,
  TRADE_FLAGS,
  tradeConfig,
  type TradeFlags,
} from "./live_flags.ts";
export {
  checkLiveConfig,
  EntrySizeError,
  type LiveConfig,
  type LiveDeps,
  LiveSession,
  type LiveSummary,
  runLiveSession,
} from "./live_session.ts";
export {
  type FundingPayment,
  fundingPayments,
  type PaperExchange,
  type PaperExchangeOptions,
  startPaperExchange,
} from "./paper_exchange.ts";
export {
  clearKillSwitchFile,
  decodeSafetyState,
  describeKillSwitch,
  encodeSafetyState,
  initStateFile,
  journalShowsTrading,
  missingStateMessage,
  readStateFile,
  STATE_FILE_VERSION,
  StateFile,
  StateFileError,
  writeFileAtomic,
} from "./state_file.ts";
export {
  checkBudgets,
  DEFAULT_BUDGETS,
  type InputAgesMs,
  staleInputs,
  type StalenessBudgets,
} from "./staleness.ts";
export {
  orderRequest,
  portEvents,
  portOrder,
  type TradingApi,
  TradingPort,
} from "./trading_port.ts";
export { sessionView, withMetrics } from "./session_view.ts";
