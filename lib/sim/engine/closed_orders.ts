/**
 * The bounded history of an account's closed orders, for `queryOrder` after fill, cancel
 * or expiry. Stored column-wise in typed arrays (a ring of the latest `capacity` orders)
 * so that keeping thousands of closed orders allocates no long-lived objects per order;
 * a query materializes a fresh {@linkcode OrderState}.
 *
 * @module
 */

import {
  type AccountState,
  type MarketState,
  ORDER_TYPES,
  type OrderState,
  type OrderStatus,
  TIME_IN_FORCE,
} from "./state.ts";

const STATUSES: readonly OrderStatus[] = [
  "NEW",
  "PARTIALLY_FILLED",
  "FILLED",
  "CANCELED",
  "EXPIRED",
];
const AUTO_ID = /^autogen-(\d{1,15})$/;
const NUMERIC = 11;

/** Client order id the engine generates when the request has none. */
export function autoClientOrderId(orderId: number): string {
  return `autogen-${orderId}`;
}

/** A ring buffer of closed orders with lookups by order id and client order id. */
export class ClosedOrders {
  #capacity: number;
  #next = 0;
  #size = 0;
  #numbers: Float64Array;
  #codes: Uint8Array;
  #markets: (MarketState | undefined)[];
  #clientIds: (string | undefined)[];
  #byId = new Map<number, number>();
  #byClientId = new Map<string, number>();

  /** Creates an empty history holding at most `capacity` orders. */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot keep closed orders: capacity ${capacity} is not a positive integer`,
      );
    }
    this.#capacity = capacity;
    this.#numbers = new Float64Array(capacity * NUMERIC);
    this.#codes = new Uint8Array(capacity * 6);
    this.#markets = new Array(capacity).fill(undefined);
    this.#clientIds = new Array(capacity).fill(undefined);
  }

  /** Number of orders held. */
  get size(): number {
    return this.#size;
  }

  /** Records a closed order, dropping the oldest when full. */
  add(order: OrderState): void {
    const slot = this.#next;
    this.#next = slot + 1 === this.#capacity ? 0 : slot + 1;
    if (this.#size === this.#capacity) this.#evict(slot);
    else this.#size++;
    const n = this.#numbers;
    const b = slot * NUMERIC;
    n[b] = order.orderId;
    n[b + 1] = order.price;
    n[b + 2] = order.qty;
    n[b + 3] = order.workingQty;
    n[b + 4] = order.stopPrice;
    n[b + 5] = order.activationPrice;
    n[b + 6] = order.callbackTenths;
    n[b + 7] = order.executed;
    n[b + 8] = order.cumQuoteRaw;
    n[b + 9] = order.time;
    n[b + 10] = order.updateTime;
    const c = this.#codes;
    const k = slot * 6;
    c[k] = order.side === 1 ? 1 : 0;
    c[k + 1] = ORDER_TYPES.indexOf(order.type);
    c[k + 2] = ORDER_TYPES.indexOf(order.origType);
    c[k + 3] = TIME_IN_FORCE.indexOf(order.tif);
    c[k + 4] = STATUSES.indexOf(order.status);
    c[k + 5] = (order.reduceOnly ? 1 : 0) | (order.closePosition ? 2 : 0) |
      (order.priceProtect ? 4 : 0) |
      (order.workingType === "MARK_PRICE" ? 8 : 0) |
      (order.activated ? 16 : 0);
    this.#markets[slot] = order.market;
    this.#byId.set(order.orderId, slot);
    if (order.clientOrderId !== autoClientOrderId(order.orderId)) {
      this.#clientIds[slot] = order.clientOrderId;
      this.#byClientId.set(order.clientOrderId, slot);
    } else {
      this.#clientIds[slot] = undefined;
    }
  }

  /** The closed order with `orderId`, materialized for `account`, if still held. */
  byId(account: AccountState, orderId: number): OrderState | undefined {
    const slot = this.#byId.get(orderId);
    return slot === undefined ? undefined : this.#read(account, slot);
  }

  /** The latest closed order with `clientOrderId`, if still held. */
  byClientId(
    account: AccountState,
    clientOrderId: string,
  ): OrderState | undefined {
    const slot = this.#byClientId.get(clientOrderId);
    if (slot !== undefined) return this.#read(account, slot);
    const auto = AUTO_ID.exec(clientOrderId);
    return auto ? this.byId(account, Number(auto[1])) : undefined;
  }

  #evict(slot: number): void {
    const orderId = this.#numbers[slot * NUMERIC]!;
    if (this.#byId.get(orderId) === slot) this.#byId.delete(orderId);
    const clientId = this.#clientIds[slot];
    if (clientId !== undefined && this.#byClientId.get(clientId) === slot) {
      this.#byClientId.delete(clientId);
    }
  }

  #read(account: AccountState, slot: number): OrderState {
    const n = this.#numbers;
    const b = slot * NUMERIC;
    const c = this.#codes;
    const k = slot * 6;
    const flags = c[k + 5]!;
    const orderId = n[b]!;
    return {
      orderId,
      account,
      market: this.#markets[slot]!,
      clientOrderId: this.#clientIds[slot] ?? autoClientOrderId(orderId),
      side: c[k] === 1 ? 1 : -1,
      type: ORDER_TYPES[c[k + 1]!]!,
      origType: ORDER_TYPES[c[k + 2]!]!,
      tif: TIME_IN_FORCE[c[k + 3]!]!,
      price: n[b + 1]!,
      qty: n[b + 2]!,
      workingQty: n[b + 3]!,
      stopPrice: n[b + 4]!,
      reduceOnly: (flags & 1) !== 0,
      closePosition: (flags & 2) !== 0,
      priceProtect: (flags & 4) !== 0,
      workingType: (flags & 8) !== 0 ? "MARK_PRICE" : "CONTRACT_PRICE",
      activationPrice: n[b + 5]!,
      callbackTenths: n[b + 6]!,
      activated: (flags & 16) !== 0,
      extreme: NaN,
      status: STATUSES[c[k + 4]!]!,
      executed: n[b + 7]!,
      cumQuoteRaw: n[b + 8]!,
      time: n[b + 9]!,
      updateTime: n[b + 10]!,
    };
  }
}
