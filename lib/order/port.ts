/**
 * The exchange port of the order manager: the few calls and events it needs. The real
 * trading client gets an adapter to this interface; tests use {@linkcode FakeExchange}.
 * Prices and quantities are exact decimal strings.
 *
 * @module
 */

/** Order side. */
export type Side = "BUY" | "SELL";

/** The order types the manager places. */
export type ManagedOrderType =
  | "LIMIT"
  | "MARKET"
  | "TAKE_PROFIT_MARKET"
  | "STOP_MARKET"
  | "TRAILING_STOP_MARKET";

/** Exchange order status. */
export type PortOrderStatus =
  | "NEW"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "REJECTED"
  | "EXPIRED";

/** An order to place. */
export interface OrderSpec {
  readonly symbol: string;
  readonly side: Side;
  readonly type: ManagedOrderType;
  /** Base quantity. */
  readonly quantity: string;
  /** Limit price (LIMIT). */
  readonly price?: string;
  /** IOC for the entry. */
  readonly timeInForce?: "IOC" | "GTC";
  /** Trigger price (TP/SL). */
  readonly stopPrice?: string;
  /** Trigger reference of conditional orders. */
  readonly workingType?: "MARK_PRICE" | "CONTRACT_PRICE";
  /** Trailing activation price. */
  readonly activationPrice?: string;
  /** Trailing callback rate in percent. */
  readonly callbackRate?: string;
  /** Only reduce the position. */
  readonly reduceOnly: boolean;
  /** The derived client order id. */
  readonly clientOrderId: string;
}

/** An order as the exchange reports it. */
export interface PortOrder {
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly orderId: number;
  readonly side: Side;
  /** The type as placed (`origType`). */
  readonly type: ManagedOrderType;
  readonly status: PortOrderStatus;
  /** Original quantity. */
  readonly quantity: string;
  /** Cumulative filled quantity. */
  readonly executedQty: string;
  /** Average fill price ("0" when unfilled). */
  readonly avgPrice: string;
  /** Trigger price ("0" when none). */
  readonly stopPrice: string;
  readonly reduceOnly: boolean;
  /** Last update (transaction time), epoch ms. */
  readonly updateTime: number;
}

/** The outcome of a placement: an unknown outcome is a state, not an error. */
export type PlaceResult =
  | { readonly kind: "placed"; readonly order: PortOrder }
  | {
    readonly kind: "rejected";
    readonly code: number;
    readonly message: string;
  }
  | { readonly kind: "unknown"; readonly message: string };

/** The outcome of a cancel. */
export type CancelResult = "canceled" | "not_found" | "unknown";

/** One position (one-way mode). */
export interface PortPosition {
  readonly symbol: string;
  /** Signed amount (short < 0). */
  readonly amount: string;
  readonly entryPrice: string;
  /** Last update, epoch ms. */
  readonly updateTime: number;
  /** The symbol's leverage, when the source reports it (REST positionRisk). */
  readonly leverage?: number;
  /** The symbol's margin type, when the source reports it (REST positionRisk). */
  readonly marginType?: MarginType;
}

/** The account totals the kill switch reads. */
export interface PortAccount {
  readonly totalMarginBalance: string;
  readonly totalMaintMargin: string;
  /** Wallet balance, for monitoring (the kill switch does not read it). */
  readonly totalWalletBalance?: string;
}

/** Margin type for the account setup. */
export type MarginType = "ISOLATED" | "CROSSED";

/**
 * What the manager needs from an exchange. Every call may throw on transport errors.
 *
 * Adapter notes (aster-protocol §3.2, §6): `placeOrder` sends `newOrderRespType=RESULT`
 * and maps HTTP 503, `-1006`, `-1007` and timeouts to `unknown` (never `rejected`); the
 * order's `origType` is the `type` here. `cancelOrder` maps `-2011`/`-2013` to
 * `not_found`. `queryOrder` maps `-2013` to `undefined`. `setMarginType` treats `-4046`
 * as success. User-stream ORDER_TRADE_UPDATE (`z` cumulative qty, `ap`, `X`, `ot`, `T`)
 * becomes {@linkcode OrderUpdateEvent}; each ACCOUNT_UPDATE position row (`pa`, `ep`,
 * `T`) becomes a {@linkcode PositionUpdateEvent}.
 */
export interface ExchangePort {
  /** Places an order with its client order id. */
  placeOrder(spec: OrderSpec): Promise<PlaceResult>;
  /** Cancels one order by client id. */
  cancelOrder(symbol: string, clientOrderId: string): Promise<CancelResult>;
  /** Cancels every open order of a symbol. */
  cancelAll(symbol: string): Promise<void>;
  /** Looks an order up by client id; `undefined` when the exchange does not know it. */
  queryOrder(
    symbol: string,
    clientOrderId: string,
  ): Promise<PortOrder | undefined>;
  /** Open orders, of one symbol or all. */
  openOrders(symbol?: string): Promise<PortOrder[]>;
  /** Positions, of one symbol or all (flat ones may be omitted). */
  positionRisk(symbol?: string): Promise<PortPosition[]>;
  /** Account totals. */
  account(): Promise<PortAccount>;
  /** Sets the leverage (idempotent). */
  setLeverage(symbol: string, leverage: number): Promise<void>;
  /** Sets the margin type; "no need to change" (-4046) counts as success. */
  setMarginType(symbol: string, marginType: MarginType): Promise<void>;
}

/** An order update from the user stream (ORDER_TRADE_UPDATE). */
export interface OrderUpdateEvent {
  readonly kind: "order";
  /** The order after this update (cumulative fields). */
  readonly order: PortOrder;
  /** Transaction time, epoch ms. */
  readonly time: number;
}

/** A position update from the user stream (ACCOUNT_UPDATE row). */
export interface PositionUpdateEvent {
  readonly kind: "position";
  readonly position: PortPosition;
  /** Transaction time, epoch ms. */
  readonly time: number;
}

/** The user-stream events the manager consumes. */
export type UserEvent = OrderUpdateEvent | PositionUpdateEvent;
