/**
 * Mutable engine state: accounts, positions, orders and per-symbol market views. Internal
 * to the engine; replies and events are built from it by `views.ts`.
 *
 * @module
 */

import type { ClosedOrders } from "./closed_orders.ts";
import type { IncomeLog } from "./income.ts";
import type { TradeLog } from "./trades.ts";
import type { CompiledSymbol } from "./spec.ts";

/** Order types the engine accepts. */
export const ORDER_TYPES = [
  "LIMIT",
  "MARKET",
  "STOP_MARKET",
  "TAKE_PROFIT_MARKET",
  "TRAILING_STOP_MARKET",
] as const;
/** One of {@linkcode ORDER_TYPES}. */
export type OrderType = typeof ORDER_TYPES[number];

/** Time in force values the engine accepts. */
export const TIME_IN_FORCE = ["GTC", "IOC", "FOK", "GTX"] as const;
/** One of {@linkcode TIME_IN_FORCE}. */
export type TimeInForce = typeof TIME_IN_FORCE[number];

/** Order status as reported on the wire. */
export type OrderStatus =
  | "NEW"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "EXPIRED";

/** The reference price of a conditional order. */
export type WorkingType = "MARK_PRICE" | "CONTRACT_PRICE";

/** One order, open or closed. Prices and quantities are scaled integers of its symbol. */
export interface OrderState {
  readonly orderId: number;
  readonly account: AccountState;
  readonly market: MarketState;
  readonly clientOrderId: string;
  /** +1 BUY, -1 SELL. */
  readonly side: 1 | -1;
  /** Executing type: a triggered STOP_MARKET becomes MARKET. */
  type: OrderType;
  readonly origType: OrderType;
  readonly tif: TimeInForce;
  /** Limit price; 0 for market-type orders. */
  readonly price: number;
  /** Original quantity; 0 for closePosition orders. */
  readonly qty: number;
  /** Quantity being worked: `qty`, or the position size once a closePosition order fires. */
  workingQty: number;
  readonly stopPrice: number;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  /** Trailing activation price as a scaled integer; 0 when absent. */
  readonly activationPrice: number;
  /** Trailing callback rate in tenths of a percent (10 = 1 %). */
  readonly callbackTenths: number;
  /** Trailing: whether the activation price was reached. */
  activated: boolean;
  /** Trailing: lowest (BUY) or highest (SELL) reference price seen since placement. */
  extreme: number;
  status: OrderStatus;
  executed: number;
  /** Σ price × qty of fills, at `pd + qd` decimals. */
  cumQuoteRaw: number;
  readonly time: number;
  updateTime: number;
}

/** One-way position of an account in a symbol, plus its settings. */
export interface PositionState {
  readonly market: MarketState;
  /** Signed amount, scaled quantity integer. */
  amount: number;
  /** Σ entry price × |amount| at `pd + qd` decimals (entry = cost / |amount|). */
  costRaw: number;
  /** Accumulated realized PnL (pre-fee), money units. */
  realizedUnits: number;
  leverage: number;
  isolated: boolean;
  /** Isolated wallet, money units. */
  isolatedWallet: number;
  updateTime: number;
}

/** A trading account (V1 API key or V3 user). */
export interface AccountState {
  readonly id: string;
  /** Cross wallet balance in money units (1e-8 USDT). */
  crossWallet: number;
  readonly positions: Map<string, PositionState>;
  readonly open: Map<number, OrderState>;
  readonly openByClientId: Map<string, OrderState>;
  readonly closed: ClosedOrders;
  /** Wallet changes (`GET /income`). */
  readonly income: IncomeLog;
  /** Fills (`GET /userTrades`). */
  readonly trades: TradeLog;
  events: unknown[];
  makerRate: number;
  takerRate: number;
  makerRateText: string;
  takerRateText: string;
  marginCall: boolean;
  updateTime: number;
}

/** Book, prices and resting orders of one symbol. */
export interface MarketState {
  readonly spec: CompiledSymbol;
  /** Top levels: prices as scaled integers, quantities as scaled integers. */
  readonly bidPx: Float64Array;
  readonly bidQty: Float64Array;
  readonly askPx: Float64Array;
  readonly askQty: Float64Array;
  bidCount: number;
  askCount: number;
  /** Last trade price (float), NaN until known. */
  last: number;
  /** Mark price (float), NaN until known. */
  mark: number;
  markText: string;
  /** Resting LIMIT orders of every account. */
  readonly resting: OrderState[];
  /** Pending conditional orders of every account. */
  readonly conditional: OrderState[];
}

/** Book depth the engine keeps per side. */
export const BOOK_DEPTH = 20;
