/**
 * Orders for the live strategy: exchange filters with decimal.js (sizing, ticks, exit
 * levels, trailing parameters), client order ids derived from the signal, the exchange
 * port with a shipped in-memory fake, and the order manager (entries, exchange-side
 * exits, `-2021` fallback, sibling cleanup, cooldown, unknown outcomes, account setup,
 * margin kill switch, adoption and reconciliation).
 *
 * @example Size an entry
 * ```ts
 * import { entryQuantity, orderFilters } from "./mod.ts";
 * import { parseSymbolInfo } from "../exchange/exchange_info.ts";
 * const f = orderFilters(parseSymbolInfo({
 *   symbol: "BTCUSDT", status: "TRADING", baseAsset: "BTC", quoteAsset: "USDT",
 *   pricePrecision: 1, quantityPrecision: 3,
 *   filters: [
 *     { filterType: "PRICE_FILTER", tickSize: "0.1", minPrice: "0.1", maxPrice: "1000000" },
 *     { filterType: "LOT_SIZE", stepSize: "0.001", minQty: "0.001", maxQty: "100" },
 *     { filterType: "MIN_NOTIONAL", notional: "5" },
 *   ],
 * }));
 * entryQuantity(f, 50, "30000.1"); // "0.002"
 * ```
 *
 * @module
 */
export {
  CLIENT_ID_RE,
  clientOrderId,
  type OrderPurpose,
  parseClientOrderId,
  type ParsedClientId,
} from "./client_ids.ts";
export {
  type Direction,
  entryPrice,
  entryQuantity,
  type ExitLevels,
  exitLevels,
  marketCloseQuantity,
  type OrderFilters,
  orderFilters,
  OrderSizeError,
  roundToStep,
  type TrailingParams,
  trailingParams,
} from "./filters.ts";
export {
  DEFAULT_MAX_UPSIZE,
  describePlan,
  type EntryPlan,
  type EntryPlanResult,
  planEntry,
} from "./entry_plan.ts";
export {
  EXIT_TYPE,
  exitOrderSpec,
  type ExitPurpose,
  exitPurpose,
  type ExitSettings,
  exitSide,
} from "./exit_orders.ts";
export type {
  CancelResult,
  ExchangePort,
  ManagedOrderType,
  MarginType,
  OrderSpec,
  OrderUpdateEvent,
  PlaceResult,
  PortAccount,
  PortOrder,
  PortOrderStatus,
  PortPosition,
  PositionUpdateEvent,
  Side,
  UserEvent,
} from "./port.ts";
export {
  FakeExchange,
  type FakePrice,
  type PlaceFault,
} from "./fake_exchange.ts";
export {
  type EntrySignal,
  OrderManager,
  type OrderManagerOptions,
  type OrderMemory,
  type SymbolStatus,
  type TrailingOptions,
} from "./order_manager.ts";
export {
  type OrderRecord,
  RECORD_ACTIONS,
  type RecordAction,
  type SkipReason,
} from "./records.ts";
export {
  emptySafetyState,
  type KillSwitchState,
  type SafetyState,
  type SafetyStatePort,
} from "./safety_state.ts";
export {
  checkEntry,
  checkEntryLimits,
  DEFAULT_ENTRY_LIMITS,
  type EntryCandidate,
  type EntryLimits,
  type EntryRefusal,
  type EntryVerdict,
  type PriceBand,
  priceBand,
} from "./entry_guard.ts";
export {
  MAX_STOP_MARGIN_SHARE,
  MIN_KILL_THRESHOLD,
  type ProtectionSettings,
  weakProtection,
} from "./protection.ts";
