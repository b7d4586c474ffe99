/**
 * The adapter from the signed {@linkcode TradingClient} and the user data stream to the
 * order manager's {@linkcode ExchangePort} and events. Prices and quantities stay exact
 * decimal strings; errors are mapped as the port's doc says (aster-protocol §3.2, §6):
 * lost replies, 503, `-1006`/`-1007` and timeouts are `unknown`; `-2011`/`-2013` on a
 * cancel are `not_found`; `-2013` on a query is `undefined`; `-4046` is success.
 *
 * @module
 */
import { ExchangeError } from "../exchange/errors.ts";
import {
  isUnknownOutcome,
  type Order,
  OrderRateLimitError,
  type OrderRequest,
  type TradingClient,
  type UserEvent as TradingUserEvent,
} from "../exchange/trading/mod.ts";
import type {
  CancelResult,
  ExchangePort,
  ManagedOrderType,
  MarginType,
  OrderSpec,
  PlaceResult,
  PortAccount,
  PortOrder,
  PortOrderStatus,
  PortPosition,
  UserEvent,
} from "../order/port.ts";

const MANAGED = new Set<string>([
  "LIMIT",
  "MARKET",
  "TAKE_PROFIT_MARKET",
  "STOP_MARKET",
  "TRAILING_STOP_MARKET",
]);
const STATUSES = new Set<string>([
  "NEW",
  "PARTIALLY_FILLED",
  "FILLED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
]);

/** The calls of {@linkcode TradingClient} the port uses. */
export type TradingApi = Pick<
  TradingClient,
  | "placeOrder"
  | "cancelOrder"
  | "cancelAllOrders"
  | "queryOrder"
  | "openOrders"
  | "positionRisk"
  | "account"
  | "setLeverage"
  | "setMarginType"
>;

/** An {@linkcode ExchangePort} over the signed REST client. */
export class TradingPort implements ExchangePort {
  #api: TradingApi;

  /** @param api the trading client */
  constructor(api: TradingApi) {
    this.#api = api;
  }

  /**
   * Places an order (`newOrderRespType=RESULT`); a lost reply is resolved by client id.
   * Invariant: a reduce-only order's resolution ends at the first "not found" (the order
   * manager may send it again: a duplicate cannot open or grow a position), so a lost
   * stop-loss is placed again at once instead of after seconds of queries; an entry is
   * queried through every resolve delay and never sent again.
   */
  async placeOrder(spec: OrderSpec): Promise<PlaceResult> {
    let res;
    try {
      res = await this.#api.placeOrder(
        orderRequest(spec),
        spec.reduceOnly ? { notFoundEnds: true } : {},
      );
    } catch (e) {
      if (e instanceof OrderRateLimitError) {
        return { kind: "rejected", code: -1015, message: e.message };
      }
      if (e instanceof TypeError || e instanceof RangeError) {
        return { kind: "rejected", code: 0, message: e.message };
      }
      return { kind: "unknown", message: errorText(e) };
    }
    switch (res.status) {
      case "placed":
        return { kind: "placed", order: portOrder(res.order) };
      case "rejected":
        return { kind: "rejected", code: res.code, message: res.msg };
      case "unknown":
        return { kind: "unknown", message: errorText(res.error) };
    }
  }

  /** Cancels by client id; `-2011`/`-2013` → `not_found`, unknown outcomes → `unknown`. */
  async cancelOrder(
    symbol: string,
    clientOrderId: string,
  ): Promise<CancelResult> {
    try {
      await this.#api.cancelOrder(symbol, { origClientOrderId: clientOrderId });
      return "canceled";
    } catch (e) {
      if (
        e instanceof ExchangeError && (e.code === -2011 || e.code === -2013)
      ) {
        return "not_found";
      }
      if (isUnknownOutcome(e)) return "unknown";
      throw e;
    }
  }

  /** Cancels every open order of `symbol`. */
  async cancelAll(symbol: string): Promise<void> {
    await this.#api.cancelAllOrders(symbol);
  }

  /** Queries by client id; `undefined` when the exchange does not know it (`-2013`). */
  async queryOrder(
    symbol: string,
    clientOrderId: string,
  ): Promise<PortOrder | undefined> {
    try {
      return portOrder(
        await this.#api.queryOrder(symbol, {
          origClientOrderId: clientOrderId,
        }),
      );
    } catch (e) {
      if (e instanceof ExchangeError && e.code === -2013) return undefined;
      throw e;
    }
  }

  /** Open orders, of one symbol or all. */
  async openOrders(symbol?: string): Promise<PortOrder[]> {
    return (await this.#api.openOrders(symbol)).map(portOrder);
  }

  /** One-way positions (`BOTH` rows), flat ones included. */
  async positionRisk(symbol?: string): Promise<PortPosition[]> {
    return (await this.#api.positionRisk(symbol))
      .filter((p) => p.positionSide === "BOTH")
      .map((p) => ({
        symbol: p.symbol,
        amount: p.positionAmt,
        entryPrice: p.entryPrice,
        updateTime: p.updateTime,
        leverage: p.leverage,
        marginType: p.marginType === "isolated" ? "ISOLATED" : "CROSSED",
      }));
  }

  /** Account totals for the kill switch. */
  async account(): Promise<PortAccount> {
    const a = await this.#api.account();
    return {
      totalMarginBalance: a.totalMarginBalance,
      totalMaintMargin: a.totalMaintMargin,
      totalWalletBalance: a.totalWalletBalance,
    };
  }

  /** Sets the leverage. */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    await this.#api.setLeverage(symbol, leverage);
  }

  /** Sets the margin type (`-4046` is success, handled by the client). */
  async setMarginType(symbol: string, marginType: MarginType): Promise<void> {
    await this.#api.setMarginType(symbol, marginType);
  }
}

/** The client's order request for a port order spec. */
export function orderRequest(spec: OrderSpec): OrderRequest {
  const base = {
    symbol: spec.symbol,
    side: spec.side,
    newClientOrderId: spec.clientOrderId,
    ...(spec.reduceOnly ? { reduceOnly: true } : {}),
  };
  switch (spec.type) {
    case "LIMIT":
      return {
        ...base,
        type: "LIMIT",
        timeInForce: spec.timeInForce ?? "GTC",
        quantity: spec.quantity,
        price: need(spec.price, "price", spec),
      } as OrderRequest;
    case "MARKET":
      return {
        ...base,
        type: "MARKET",
        quantity: spec.quantity,
      } as OrderRequest;
    case "TAKE_PROFIT_MARKET":
    case "STOP_MARKET":
      return {
        ...base,
        type: spec.type,
        quantity: spec.quantity,
        stopPrice: need(spec.stopPrice, "stopPrice", spec),
        ...(spec.workingType ? { workingType: spec.workingType } : {}),
      } as OrderRequest;
    case "TRAILING_STOP_MARKET":
      return {
        ...base,
        type: "TRAILING_STOP_MARKET",
        quantity: spec.quantity,
        callbackRate: need(spec.callbackRate, "callbackRate", spec),
        ...(spec.activationPrice
          ? { activationPrice: spec.activationPrice }
          : {}),
        ...(spec.workingType ? { workingType: spec.workingType } : {}),
      } as OrderRequest;
  }
}

/** A client order as the port reports it (`origType` as the type). */
export function portOrder(o: Order): PortOrder {
  return {
    symbol: o.symbol,
    clientOrderId: o.clientOrderId,
    orderId: o.orderId,
    side: o.side === "SELL" ? "SELL" : "BUY",
    type: managedType(o.origType),
    status: portStatus(o.status),
    quantity: o.origQty,
    executedQty: o.executedQty,
    avgPrice: o.avgPrice,
    stopPrice: o.stopPrice,
    reduceOnly: o.reduceOnly,
    updateTime: o.updateTime,
  };
}

/**
 * The order manager's events for one user-stream event: an ORDER_TRADE_UPDATE becomes an
 * order event, each one-way row of an ACCOUNT_UPDATE a position event; others give none.
 */
export function portEvents(event: TradingUserEvent): UserEvent[] {
  if (event.kind === "orderUpdate") {
    return [{
      kind: "order",
      time: event.transactionTime,
      order: {
        symbol: event.symbol,
        clientOrderId: event.clientOrderId,
        orderId: event.orderId,
        side: event.side === "SELL" ? "SELL" : "BUY",
        type: managedType(event.origType),
        status: portStatus(event.status),
        quantity: event.origQty,
        executedQty: event.filledQty,
        avgPrice: event.avgPrice,
        stopPrice: event.stopPrice,
        reduceOnly: event.reduceOnly,
        updateTime: event.transactionTime,
      },
    }];
  }
  if (event.kind === "accountUpdate") {
    return event.positions
      .filter((p) => p.positionSide === "BOTH")
      .map((p) => ({
        kind: "position",
        time: event.transactionTime,
        position: {
          symbol: p.symbol,
          amount: p.positionAmt,
          entryPrice: p.entryPrice,
          updateTime: event.transactionTime,
        },
      }));
  }
  return [];
}

function managedType(t: string): ManagedOrderType {
  // other types (a manual STOP, TAKE_PROFIT…) are not exits the manager owns
  return MANAGED.has(t) ? t as ManagedOrderType : "LIMIT";
}

function portStatus(s: string): PortOrderStatus {
  if (STATUSES.has(s)) return s as PortOrderStatus;
  return s === "EXPIRED_IN_MATCH" ? "EXPIRED" : "NEW";
}

function need(v: string | undefined, what: string, spec: OrderSpec): string {
  if (v === undefined) {
    throw new TypeError(
      `Cannot place ${spec.type} ${spec.clientOrderId}: no ${what}`,
    );
  }
  return v;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
