/**
 * Trading on Aster: the signed REST client ({@linkcode TradingClient}) for orders, account,
 * positions, settings and listen keys on the V1 (`/fapi/v1`, HMAC) or V3 (`/fapi/v3`, API
 * wallet) paths; typed order requests and response parsers; the order-rate gate that puts
 * exits before entries; and the user data stream ({@linkcode UserStream}) with
 * {@linkcode reconcile} for the gaps.
 *
 * An order whose reply was lost is a state: {@linkcode TradingClient.placeOrder} resolves it
 * by client order id and answers `placed`, `rejected` or `unknown`, never re-sending.
 *
 * @example Wiring (entry script)
 * ```ts ignore
 * const sync = new TimeSync({ serverTime: fetchServerTime });
 * await sync.start();
 * const signer = createSigner(await loadCredentials({ env, readTextFile }), {
 *   clock: () => sync.now(),
 * });
 * const client = new TradingClient({ signer, timeSync: sync });
 * const result = await client.placeOrder({
 *   symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTX",
 *   quantity: "0.010", price: "60000.1",
 * });
 * if (result.status === "unknown") {
 *   // reconcile before acting again
 * }
 * const stream = new UserStream({
 *   api: client,
 *   wsUrl: "wss://fstream.asterdex.com",
 *   onEvent: (event) => orders.apply(event),
 *   onReconnected: async () => orders.resync(await reconcile(client)),
 * });
 * await stream.start();
 * ```
 *
 * @module
 */
export type * from "./wire.ts";
export {
  checkClientOrderId,
  CLIENT_ORDER_ID_RE,
  type DecimalInput,
  decimalParam,
  isExitOrder,
  type LimitOrderRequest,
  type LimitTimeInForce,
  type MarketOrderRequest,
  newClientOrderId,
  orderParams,
  type OrderRequest,
  type OrderRequestBase,
  type OrderSide,
  type PositionSide,
  type StopCloseOrderRequest,
  type StopQuantityOrderRequest,
  type TrailingStopOrderRequest,
  type TriggerFields,
  type WorkingType,
} from "./order_request.ts";
export {
  type OrderPriority,
  OrderRateGate,
  type OrderRateGateOptions,
  OrderRateLimitError,
  ordersPerMinute,
} from "./order_rate.ts";
export {
  type Account,
  type AccountAsset,
  type AccountPosition,
  type Balance,
  type BatchItem,
  type CodeMsg,
  type CommissionRate,
  type Income,
  type LeverageResult,
  type Order,
  ORDER_STATUSES,
  ORDER_TYPES,
  type OrderStatus,
  type OrderType,
  parseAccount,
  parseBalances,
  parseBatchItems,
  parseCodeMsg,
  parseCommissionRate,
  parseIncome,
  parseLeverage,
  parseListenKey,
  parseOrder,
  parseOrders,
  parsePositionMode,
  parsePositionRisk,
  parseUserTrades,
  type PositionRisk,
  type UserTrade,
} from "./parsers.ts";
export { type Endpoint, endpointPath } from "./paths.ts";
export {
  reconcile,
  type ReconcileSource,
  type Reconciliation,
} from "./reconcile.ts";
export {
  isClockError,
  isUnknownOutcome,
  type OrderRef,
  type OrderRefs,
  type PlaceOrderOptions,
  type PlaceOrderResult,
  type Resyncable,
  TradingClient,
  type TradingClientOptions,
} from "./trading_client.ts";
export {
  type AccountConfigEvent,
  type AccountUpdateEvent,
  type BalanceUpdate,
  type ListenKeyExpiredEvent,
  type MarginCallEvent,
  type MarginCallPosition,
  type OrderUpdateEvent,
  parseUserEvent,
  type PositionUpdate,
  type UserEvent,
} from "./user_events.ts";
export {
  type ListenKeyApi,
  type ReconnectInfo,
  UserStream,
  type UserStreamOptions,
  type UserStreamStats,
} from "./user_stream.ts";
