/**
 * A hand-written in-memory exchange implementing {@linkcode ExchangePort}, with the
 * behaviour the order manager relies on: LIMIT IOC fills at the touch (optionally
 * partial), MARKET fills at the touch, reduce-only, conditional orders (TP/SL/trailing)
 * that trigger when the test moves the price, `-2021` on an already-crossed trigger, and
 * fault injection (lost replies, rejects). Events queue up until {@linkcode takeEvents}.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import type {
  CancelResult,
  ExchangePort,
  MarginType,
  OrderSpec,
  PlaceResult,
  PortAccount,
  PortOrder,
  PortOrderStatus,
  PortPosition,
  UserEvent,
} from "./port.ts";

/** A price update for {@linkcode FakeExchange.setPrice}. */
export interface FakePrice {
  readonly bid: Decimal.Value;
  readonly ask: Decimal.Value;
  /** @default {the mid} */
  readonly mark?: Decimal.Value;
  /** Last trade price. @default {the mid} */
  readonly last?: Decimal.Value;
}

/** A fault for the next placement. */
export type PlaceFault =
  /** No fault (to queue a fault for a later placement). */
  | "none"
  /** The order is executed but the reply is lost. */
  | "lost_reply"
  /** The request never reaches the engine; the reply is an unknown outcome. */
  | "lost_request"
  /** The request throws (transport error) after being executed. */
  | "throw_after"
  | { readonly code: number; readonly message: string };

interface FakeOrder {
  spec: OrderSpec;
  orderId: number;
  status: PortOrderStatus;
  executed: Decimal;
  avgPrice: Decimal;
  updateTime: number;
  extreme: Decimal | undefined;
}

interface Book {
  bid: Decimal;
  ask: Decimal;
  mark: Decimal;
  last: Decimal;
}

const CONDITIONAL = new Set([
  "TAKE_PROFIT_MARKET",
  "STOP_MARKET",
  "TRAILING_STOP_MARKET",
]);

/** The in-memory exchange. */
export class FakeExchange implements ExchangePort {
  /** Every placement request, in order (rejected and faulted ones included). */
  readonly placed: OrderSpec[] = [];
  /** Every cancel request (client ids; `*:<symbol>` for cancelAll). */
  readonly cancels: string[] = [];
  /** Leverage set per symbol. */
  readonly leverage: Map<string, number> = new Map();
  /** Margin type set per symbol. */
  readonly marginType: Map<string, MarginType> = new Map();
  #clock: () => number;
  #time = 0;
  #nextId = 1;
  #orders = new Map<string, FakeOrder>();
  #positions = new Map<
    string,
    { amount: Decimal; entry: Decimal; t: number }
  >();
  #books = new Map<string, Book>();
  #events: UserEvent[] = [];
  #faults: PlaceFault[] = [];
  #fillLimit = new Map<string, Decimal>();
  #account: PortAccount = { totalMarginBalance: "1000", totalMaintMargin: "0" };

  /** @param clock the time source. @default {Date.now} */
  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  #now(): number {
    this.#time = Math.max(this.#clock(), this.#time + 1);
    return this.#time;
  }

  /** Sets the book, mark and last price of a symbol and fires triggered orders. */
  setPrice(symbol: string, p: FakePrice): void {
    const bid = new Decimal(p.bid), ask = new Decimal(p.ask);
    const mid = bid.add(ask).div(2);
    this.#books.set(symbol, {
      bid,
      ask,
      mark: new Decimal(p.mark ?? mid),
      last: new Decimal(p.last ?? mid),
    });
    for (const o of [...this.#orders.values()]) {
      if (o.spec.symbol !== symbol || o.status !== "NEW") continue;
      if (!CONDITIONAL.has(o.spec.type)) continue;
      if (this.#fires(o)) this.#execute(o, this.#now());
    }
  }

  /** Limits the fill of the next IOC entry on `symbol` to `qty` (a partial fill). */
  limitNextFill(symbol: string, qty: Decimal.Value): void {
    this.#fillLimit.set(symbol, new Decimal(qty));
  }

  /** Queues a fault for the next placements (first in, first used). */
  failNextPlace(fault: PlaceFault): void {
    this.#faults.push(fault);
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Sets the account totals the kill switch reads. */
  setAccount(account: PortAccount): void {
    this.#account = account;
  }

  /** Sets a position directly (a restart that finds one). */
  setPosition(
    symbol: string,
    amount: Decimal.Value,
    entry: Decimal.Value,
  ): void {
    this.#positions.set(symbol, {
      amount: new Decimal(amount),
      entry: new Decimal(entry),
      t: this.#now(),
    });
  }

  /** Adds an open conditional order directly (a leftover from an earlier run). */
  addOpenOrder(spec: OrderSpec): void {
    this.#orders.set(spec.clientOrderId, this.#newOrder(spec, this.#now()));
  }

  /** Removes and returns the queued user-stream events. */
  takeEvents(): UserEvent[] {
    return this.#events.splice(0);
  }

  /** The signed position amount of a symbol. */
  positionAmount(symbol: string): string {
    return (this.#positions.get(symbol)?.amount ?? new Decimal(0)).toFixed();
  }

  /** The open orders, synchronously (for assertions). */
  open(symbol?: string): PortOrder[] {
    return [...this.#orders.values()]
      .filter((o) =>
        (o.status === "NEW" || o.status === "PARTIALLY_FILLED") &&
        (symbol === undefined || o.spec.symbol === symbol)
      )
      .map((o) => this.#view(o));
  }

  placeOrder(spec: OrderSpec): Promise<PlaceResult> {
    this.placed.push(spec);
    const fault = this.#faults.shift();
    if (fault === "lost_request") {
      return Promise.resolve({ kind: "unknown", message: "HTTP 503" });
    }
    if (typeof fault === "object") {
      return Promise.resolve({
        kind: "rejected",
        code: fault.code,
        message: fault.message,
      });
    }
    const result = this.#place(spec);
    if (fault === "lost_reply") {
      return Promise.resolve({ kind: "unknown", message: "HTTP 503" });
    }
    if (fault === "throw_after") {
      return Promise.reject(new TypeError("Cannot fetch: connection reset"));
    }
    return Promise.resolve(result);
  }

  #place(spec: OrderSpec): PlaceResult {
    const existing = this.#orders.get(spec.clientOrderId);
    if (
      existing &&
      (existing.status === "NEW" || existing.status === "PARTIALLY_FILLED")
    ) {
      return reject(-4116, "ClientOrderId is duplicated.");
    }
    const book = this.#books.get(spec.symbol);
    if (!book) return reject(-1121, "Invalid symbol.");
    const pos = this.#positions.get(spec.symbol)?.amount ?? new Decimal(0);
    if (spec.reduceOnly) {
      const reduces = spec.side === "BUY" ? pos.lt(0) : pos.gt(0);
      if (!reduces) return reject(-2022, "ReduceOnly Order is rejected.");
    }
    const t = this.#now();
    const o = this.#newOrder(spec, t);
    if (CONDITIONAL.has(spec.type)) {
      if (this.#fires(o)) {
        return reject(-2021, "Order would immediately trigger.");
      }
      this.#orders.set(spec.clientOrderId, o);
      this.#emitOrder(o, t);
      return { kind: "placed", order: this.#view(o) };
    }
    this.#orders.set(spec.clientOrderId, o);
    this.#execute(o, t);
    return { kind: "placed", order: this.#view(o) };
  }

  #newOrder(spec: OrderSpec, t: number): FakeOrder {
    return {
      spec,
      orderId: this.#nextId++,
      status: "NEW",
      executed: new Decimal(0),
      avgPrice: new Decimal(0),
      updateTime: t,
      extreme: undefined,
    };
  }

  /** Whether a NEW conditional order's trigger condition holds now. */
  #fires(o: FakeOrder): boolean {
    const b = this.#books.get(o.spec.symbol);
    if (!b) return false;
    const s = o.spec;
    const price = s.workingType === "MARK_PRICE" ? b.mark : b.last;
    if (s.type === "TRAILING_STOP_MARKET") {
      const act = new Decimal(s.activationPrice ?? price);
      const cb = new Decimal(s.callbackRate ?? "1").div(100);
      if (o.extreme === undefined) {
        // placement check: activation must be on the far side
        o.extreme = price;
        return s.side === "SELL" ? act.lte(price) : act.gte(price);
      }
      if (s.side === "SELL") {
        o.extreme = Decimal.max(o.extreme, price);
        return o.extreme.gte(act) && price.lte(o.extreme.mul(cb.neg().add(1)));
      }
      o.extreme = Decimal.min(o.extreme, price);
      return o.extreme.lte(act) && price.gte(o.extreme.mul(cb.add(1)));
    }
    const stop = new Decimal(s.stopPrice ?? "0");
    const up = (s.type === "STOP_MARKET") === (s.side === "BUY");
    return up ? price.gte(stop) : price.lte(stop);
  }

  /** Fills an order (IOC, market or triggered) at the touch. */
  #execute(o: FakeOrder, t: number): void {
    const s = o.spec;
    const b = this.#books.get(s.symbol)!;
    const touch = s.side === "BUY" ? b.ask : b.bid;
    const pos = this.#positions.get(s.symbol) ??
      { amount: new Decimal(0), entry: new Decimal(0), t };
    let qty = new Decimal(s.quantity);
    if (s.type === "LIMIT") {
      const crosses = s.side === "BUY"
        ? new Decimal(s.price ?? "0").gte(touch)
        : new Decimal(s.price ?? "0").lte(touch);
      if (!crosses) qty = new Decimal(0);
      const limit = this.#fillLimit.get(s.symbol);
      if (limit !== undefined) {
        qty = Decimal.min(qty, limit);
        this.#fillLimit.delete(s.symbol);
      }
    }
    if (s.reduceOnly) {
      const reduces = s.side === "BUY" ? pos.amount.lt(0) : pos.amount.gt(0);
      qty = reduces ? Decimal.min(qty, pos.amount.abs()) : new Decimal(0);
    }
    o.updateTime = t;
    if (qty.isZero()) {
      o.status = "EXPIRED";
      this.#emitOrder(o, t);
      return;
    }
    o.executed = qty;
    o.avgPrice = touch;
    o.status = qty.eq(s.quantity) ? "FILLED" : "EXPIRED";
    const signed = s.side === "BUY" ? qty : qty.neg();
    const next = pos.amount.add(signed);
    const grows = pos.amount.isZero() || pos.amount.isPos() === signed.isPos();
    const entry = next.isZero()
      ? new Decimal(0)
      : grows
      ? pos.entry.mul(pos.amount.abs()).add(touch.mul(qty)).div(next.abs())
      : pos.entry;
    this.#positions.set(s.symbol, { amount: next, entry, t });
    this.#emitOrder(o, t);
    this.#events.push({
      kind: "position",
      position: {
        symbol: s.symbol,
        amount: next.toFixed(),
        entryPrice: entry.toFixed(),
        updateTime: t,
      },
      time: t,
    });
  }

  #emitOrder(o: FakeOrder, t: number): void {
    this.#events.push({ kind: "order", order: this.#view(o), time: t });
  }

  #view(o: FakeOrder): PortOrder {
    return {
      symbol: o.spec.symbol,
      clientOrderId: o.spec.clientOrderId,
      orderId: o.orderId,
      side: o.spec.side,
      type: o.spec.type,
      status: o.status,
      quantity: o.spec.quantity,
      executedQty: o.executed.toFixed(),
      avgPrice: o.avgPrice.toFixed(),
      stopPrice: o.spec.stopPrice ?? "0",
      reduceOnly: o.spec.reduceOnly,
      updateTime: o.updateTime,
    };
  }

  cancelOrder(symbol: string, clientOrderId: string): Promise<CancelResult> {
    this.cancels.push(clientOrderId);
    const o = this.#orders.get(clientOrderId);
    if (!o || o.spec.symbol !== symbol || o.status !== "NEW") {
      return Promise.resolve("not_found");
    }
    const t = this.#now();
    o.status = "CANCELED";
    o.updateTime = t;
    this.#emitOrder(o, t);
    return Promise.resolve("canceled");
  }

  cancelAll(symbol: string): Promise<void> {
    this.cancels.push(`*:${symbol}`);
    for (const o of this.#orders.values()) {
      if (o.spec.symbol === symbol && o.status === "NEW") {
        const t = this.#now();
        o.status = "CANCELED";
        o.updateTime = t;
        this.#emitOrder(o, t);
      }
    }
    return Promise.resolve();
  }

  queryOrder(
    symbol: string,
    clientOrderId: string,
  ): Promise<PortOrder | undefined> {
    const o = this.#orders.get(clientOrderId);
    return Promise.resolve(
      o && o.spec.symbol === symbol ? this.#view(o) : undefined,
    );
  }

  openOrders(symbol?: string): Promise<PortOrder[]> {
    return Promise.resolve(this.open(symbol));
  }

  positionRisk(symbol?: string): Promise<PortPosition[]> {
    const out: PortPosition[] = [];
    for (const [s, p] of this.#positions) {
      if (symbol !== undefined && s !== symbol) continue;
      if (p.amount.isZero()) continue;
      out.push({
        symbol: s,
        amount: p.amount.toFixed(),
        entryPrice: p.entry.toFixed(),
        updateTime: p.t,
      });
    }
    return Promise.resolve(out);
  }

  account(): Promise<PortAccount> {
    return Promise.resolve(this.#account);
  }

  setLeverage(symbol: string, leverage: number): Promise<void> {
    this.leverage.set(symbol, leverage);
    return Promise.resolve();
  }

  setMarginType(symbol: string, marginType: MarginType): Promise<void> {
    this.marginType.set(symbol, marginType);
    return Promise.resolve();
  }
}

function reject(code: number, message: string): PlaceResult {
  return { kind: "rejected", code, message };
}
