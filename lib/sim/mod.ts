/**
 * The exchange simulator: a local exchange on 127.0.0.1 speaking Aster's protocol
 * (public REST under `/fapi/v1` and `/fapi/v3`, market streams on `/stream` and `/ws`),
 * driven by a sim clock and a market source (synthetic, OHLCV replay or log replay), with
 * fault injection for tests; plus the signed trading endpoints (V1 HMAC and V3 API wallet),
 * listenKeys and the user-data stream, backed by the account and order engine
 * (`sim.trading`).
 *
 * @example Deterministic test with a manual clock
 * ```ts
 * import { ManualClock, startSimulator } from "./mod.ts";
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * await using sim = await startSimulator({ clock, symbols: ["BTCUSDT"], historyMinutes: 5 });
 * clock.advance(60_000); // one minute of market, events sent synchronously
 * sim.closedKlines("BTCUSDT").length; // 6
 * ```
 *
 * @module
 */
export {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
  type WebSocketRoute,
} from "./simulator.ts";
export type { SourceSpec } from "./sources.ts";
export { FundingFileError, FundingSchedule } from "./funding_schedule.ts";
export {
  isSteppedClock,
  ManualClock,
  ScaledClock,
  type ScaledClockOptions,
  type SimClock,
  type SteppedClock,
} from "./clock.ts";
export type { LostReplyMode, RestFault, SimFaults } from "./faults.ts";
export {
  armMoneyFault,
  clearMoneyFaults,
  MONEY_FAULT_HELP,
  MONEY_FAULTS,
  type MoneyFault,
  parseMoneyFaults,
} from "./money_faults.ts";
export type { SimAccount } from "./trading/accounts.ts";
export type { SimTrading, TradingOptions } from "./trading/trading_desk.ts";
export {
  ApiError,
  type Handler,
  type Route,
  RouteTable,
  type Weight,
} from "./router.ts";
export type { Market, MarketListener, SymbolMarket } from "./market.ts";
export { type SymbolSpec, symbolSpec } from "./symbols.ts";
export type { PushSocket, StreamHub } from "./stream_hub.ts";
