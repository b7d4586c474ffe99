/**
 * The simulator's account and order engine: a pure, synchronous state machine. Market
 * updates and commands arrive with `nowMs`; replies are `{status, body}` in Aster's REST
 * shapes, and user-data events queue per account until {@linkcode Engine.drainEvents}.
 *
 * Numbers: prices and quantities are integers at the symbol's tick/step decimals (exact
 * string conversion at the boundary); money is integer units of 1e-8 USDT held in doubles
 * (exact below 9e7 USDT per value). Fees and PnL round half-up to 1e-8 once per fill.
 *
 * @module
 */

import { parseScaled } from "./decimal.ts";
import { type EngineReply, ERRORS, fail, ok } from "./errors.ts";
import { accountTotals } from "./margin.ts";
import {
  isConditional,
  param,
  type Params,
  parseNewOrder,
} from "./order_params.ts";
import { autoClientOrderId, ClosedOrders } from "./closed_orders.ts";
import { IncomeLog } from "./income.ts";
import { TradeLog } from "./trades.ts";
import { Matcher } from "./matching.ts";
import { compileSymbol, type EngineSymbolSpec, MONEY_SCALE } from "./spec.ts";
import {
  type AccountState,
  BOOK_DEPTH,
  type MarketState,
  type OrderState,
} from "./state.ts";
import {
  accountBody,
  accountUpdate,
  balanceBody,
  maxNotional,
  orderBody,
  orderTradeUpdate,
  positionRisk,
} from "./views.ts";
import type {
  RawAccount,
  RawAccountConfigUpdate,
  RawAccountUpdate,
  RawBalance,
  RawCommissionRate,
  RawIncome,
  RawLeverage,
  RawMarginCall,
  RawOrder,
  RawOrderTradeUpdate,
  RawPositionRisk,
  RawUserTrade,
} from "../../exchange/trading/wire.ts";

/** An account to create: the V1 API key or V3 user address that identifies it. */
export interface AccountSpec {
  readonly id: string;
  /** Initial USDT wallet balance, decimal string. */
  readonly walletBalance: string;
  /** @default the engine's `makerRate` */
  readonly makerRate?: string;
  /** @default the engine's `takerRate` */
  readonly takerRate?: string;
}

/** Engine options. */
export interface EngineOptions {
  readonly symbols: readonly EngineSymbolSpec[];
  readonly accounts?: readonly AccountSpec[];
  /** Maker fee rate @default {"0.0001"} */
  readonly makerRate?: string;
  /** Taker fee rate @default {"0.00035"} */
  readonly takerRate?: string;
  /** Leverage of a fresh position @default {20} */
  readonly defaultLeverage?: number;
  /** Closed orders kept per account for queries (oldest dropped first) @default {10000} */
  readonly maxClosedOrders?: number;
  /** Maintenance / margin balance ratio that emits MARGIN_CALL @default {0.8} */
  readonly marginCallRatio?: number;
}

/** A market snapshot for {@linkcode Engine.onMarket}: top levels, last and mark price. */
export interface MarketUpdate {
  readonly bids: readonly (readonly [string, string])[];
  readonly asks: readonly (readonly [string, string])[];
  readonly lastPrice?: string;
  readonly markPrice?: string;
}

/** Every event the engine queues (`ACCOUNT_CONFIG_UPDATE` for leverage changes only). */
export type EngineEvent =
  | RawOrderTradeUpdate
  | RawAccountUpdate
  | RawMarginCall
  | RawAccountConfigUpdate;

const UNKNOWN_ACCOUNT: EngineReply<never> = {
  status: 401,
  body: {
    code: -2015,
    msg: "Invalid API-key, IP, or permissions for action.",
  },
};

function rate(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`Cannot use ${what} "${text}": not a rate`);
  }
  return value;
}

/** `view` of each item on `market` (every item when `market` is undefined). */
function rowsOf<T extends { readonly market: MarketState }, R>(
  items: Iterable<T>,
  market: MarketState | undefined,
  view: (item: T) => R,
): R[] {
  const rows: R[] = [];
  for (const item of items) {
    if (market === undefined || item.market === market) rows.push(view(item));
  }
  return rows;
}

/**
 * The account and order engine. One instance per simulated exchange.
 *
 * @example Place a market order
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = new Engine({
 *   symbols: [{ symbol: "BTCUSDT", tickSize: "0.1", minPrice: "0.1", maxPrice: "1000000",
 *     stepSize: "0.001", minQty: "0.001", maxQty: "1000" }],
 *   accounts: [{ id: "key", walletBalance: "1000" }],
 * });
 * engine.onMarket("BTCUSDT", { bids: [["100.0", "5"]], asks: [["100.1", "5"]],
 *   lastPrice: "100.0", markPrice: "100.05" }, 0);
 * engine.newOrder("key", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "1" }, 1);
 * engine.drainEvents("key"); // NEW, TRADE, ACCOUNT_UPDATE
 * ```
 */
export class Engine {
  #markets = new Map<string, MarketState>();
  #accounts = new Map<string, AccountState>();
  #makerRate: string;
  #takerRate: string;
  #defaultLeverage: number;
  #matcher: Matcher;
  #maxClosed: number;

  /** Creates an engine with the given symbols and accounts. */
  constructor(options: EngineOptions) {
    this.#makerRate = options.makerRate ?? "0.0001";
    this.#takerRate = options.takerRate ?? "0.00035";
    rate(this.#makerRate, "makerRate");
    rate(this.#takerRate, "takerRate");
    this.#defaultLeverage = options.defaultLeverage ?? 20;
    this.#maxClosed = options.maxClosedOrders ?? 10_000;
    this.#matcher = new Matcher({
      marginCallRatio: options.marginCallRatio ?? 0.8,
    });
    for (const spec of options.symbols) {
      this.#markets.set(spec.symbol, {
        spec: compileSymbol(spec),
        bidPx: new Float64Array(BOOK_DEPTH),
        bidQty: new Float64Array(BOOK_DEPTH),
        askPx: new Float64Array(BOOK_DEPTH),
        askQty: new Float64Array(BOOK_DEPTH),
        bidCount: 0,
        askCount: 0,
        last: NaN,
        mark: NaN,
        markText: "0",
        resting: [],
        conditional: [],
      });
    }
    for (const account of options.accounts ?? []) this.addAccount(account);
  }

  /** Adds an account; throws TypeError when the id exists. */
  addAccount(spec: AccountSpec): void {
    if (this.#accounts.has(spec.id)) {
      throw new TypeError(`Cannot add account: "${spec.id}" exists`);
    }
    const wallet = parseScaled(spec.walletBalance, 8);
    if (Number.isNaN(wallet)) {
      throw new RangeError(
        `Cannot add account: walletBalance "${spec.walletBalance}" is invalid`,
      );
    }
    const makerText = spec.makerRate ?? this.#makerRate;
    const takerText = spec.takerRate ?? this.#takerRate;
    const account: AccountState = {
      id: spec.id,
      crossWallet: wallet,
      positions: new Map(),
      open: new Map(),
      openByClientId: new Map(),
      closed: new ClosedOrders(this.#maxClosed),
      income: new IncomeLog(),
      trades: new TradeLog(),
      events: [],
      makerRate: rate(makerText, "makerRate"),
      takerRate: rate(takerText, "takerRate"),
      makerRateText: makerText,
      takerRateText: takerText,
      marginCall: false,
      updateTime: 0,
    };
    for (const market of this.#markets.values()) {
      account.positions.set(market.spec.symbol, {
        market,
        amount: 0,
        costRaw: 0,
        realizedUnits: 0,
        leverage: Math.min(this.#defaultLeverage, market.spec.maxLeverage),
        isolated: false,
        isolatedWallet: 0,
        updateTime: 0,
      });
    }
    this.#accounts.set(spec.id, account);
  }

  /** Whether an account exists. */
  hasAccount(id: string): boolean {
    return this.#accounts.has(id);
  }

  /**
   * Fault: the next `n` taker fills of at least two lot steps each execute as two trades
   * sharing one timestamp (two `TRADE` updates and two `ACCOUNT_UPDATE`s).
   */
  splitNextTakerFills(n: number): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Cannot split fills: ${n} is not a count`);
    }
    this.#matcher.splitNextTakerFills(n);
  }

  /** How many fills {@linkcode Engine.splitNextTakerFills} has split so far. */
  get splitFills(): number {
    return this.#matcher.splitFills;
  }

  /** Returns and clears the queued user-data events of an account (oldest first). */
  drainEvents(accountId: string): EngineEvent[] {
    const account = this.#accounts.get(accountId);
    if (!account) return [];
    const events = account.events as EngineEvent[];
    account.events = [];
    return events;
  }

  // ---------------------------------------------------------------- market side

  /**
   * Applies a market snapshot: replaces the book, updates last/mark, fills resting LIMIT
   * orders the market traded through (as maker, at their price), fires conditional orders,
   * then liquidates accounts below maintenance and emits MARGIN_CALL on the way there.
   * Throws RangeError for an unknown symbol.
   */
  onMarket(symbol: string, update: MarketUpdate, nowMs: number): void {
    const m = this.#market(symbol);
    const spec = m.spec;
    m.bidCount = this.#matcher.loadSide(
      m.bidPx,
      m.bidQty,
      update.bids,
      spec.pd,
      spec.qd,
    );
    m.askCount = this.#matcher.loadSide(
      m.askPx,
      m.askQty,
      update.asks,
      spec.pd,
      spec.qd,
    );
    if (update.lastPrice !== undefined) {
      const last = Number(update.lastPrice);
      if (Number.isFinite(last) && last > 0) m.last = last;
    }
    if (update.markPrice !== undefined) {
      const mark = Number(update.markPrice);
      if (Number.isFinite(mark) && mark > 0) {
        m.mark = mark;
        m.markText = update.markPrice;
      }
    }
    if (m.resting.length > 0) this.#matcher.fillResting(m, nowMs);
    if (m.conditional.length > 0) this.#matcher.checkConditional(m, nowMs);
    for (const account of this.#accounts.values()) {
      const pos = account.positions.get(symbol);
      if (pos && (pos.amount !== 0 || account.marginCall)) {
        this.#matcher.checkMargin(account, nowMs);
      }
    }
  }

  /**
   * Settles funding at `rate` and `markPrice`: each position pays amount × mark × rate
   * (longs pay a positive rate, shorts receive it) from its cross or isolated wallet, and an
   * ACCOUNT_UPDATE with reason FUNDING_FEE is queued.
   */
  settleFunding(
    symbol: string,
    rateText: string,
    markPrice: string,
    nowMs: number,
  ): void {
    const m = this.#market(symbol);
    const fundingRate = Number(rateText);
    const mark = Number(markPrice);
    if (!Number.isFinite(fundingRate) || !(mark > 0)) {
      throw new RangeError(
        `Cannot settle funding: rate "${rateText}" or mark "${markPrice}" is invalid`,
      );
    }
    for (const account of this.#accounts.values()) {
      const pos = account.positions.get(symbol);
      if (!pos || pos.amount === 0) continue;
      const payment = -Math.round(
        pos.amount / m.spec.qtyScale * mark * fundingRate * MONEY_SCALE,
      );
      if (pos.isolated) pos.isolatedWallet += payment;
      else account.crossWallet += payment;
      account.income.record(symbol, "FUNDING_FEE", payment, nowMs);
      account.updateTime = nowMs;
      pos.updateTime = nowMs;
      account.events.push(
        accountUpdate(
          account,
          "FUNDING_FEE",
          payment,
          pos.isolated ? [pos] : [],
          nowMs,
        ),
      );
    }
  }

  // ---------------------------------------------------------------- commands

  /** `POST /fapi/v1/order`. */
  newOrder(
    accountId: string,
    params: Params,
    nowMs: number,
  ): EngineReply<RawOrder> {
    const account = this.#accounts.get(accountId);
    if (!account) return UNKNOWN_ACCOUNT;
    const parsed = parseNewOrder(params, (s) => this.#markets.get(s));
    if ("body" in parsed) return parsed;
    const { order: p, market: m } = parsed;
    const spec = m.spec;
    if (
      p.clientOrderId !== undefined &&
      account.openByClientId.has(p.clientOrderId)
    ) {
      return fail(-4116, "ClientOrderId is duplicated.");
    }
    // Open-order limits.
    let open = 0;
    let algo = 0;
    for (const o of account.open.values()) {
      if (o.market !== m) continue;
      open++;
      if (isConditional(o.origType)) algo++;
    }
    if (open >= spec.maxNumOrders) return ERRORS.maxOpenOrders();
    const conditional = isConditional(p.type);
    if (conditional && algo >= spec.maxNumAlgoOrders) {
      return ERRORS.maxStopOrders();
    }
    // Immediate trigger.
    let extreme = NaN;
    let activated = false;
    let activationPrice = p.activationPrice;
    if (conditional) {
      const ref = p.workingType === "MARK_PRICE" ? m.mark : m.last;
      if (!Number.isNaN(ref)) {
        const stop = p.stopPrice / spec.priceScale;
        if (
          p.type === "STOP_MARKET" && (p.side === 1 ? ref >= stop : ref <= stop)
        ) {
          return ERRORS.wouldTrigger();
        }
        if (
          p.type === "TAKE_PROFIT_MARKET" &&
          (p.side === 1 ? ref <= stop : ref >= stop)
        ) return ERRORS.wouldTrigger();
        if (p.type === "TRAILING_STOP_MARKET") {
          extreme = ref;
          if (p.activationPrice > 0) {
            const act = p.activationPrice / spec.priceScale;
            if (p.side === 1 ? act >= ref : act <= ref) {
              return ERRORS.wouldTrigger();
            }
          } else {
            activated = true;
            activationPrice = Math.round(ref * spec.priceScale);
          }
        }
      } else if (p.type === "TRAILING_STOP_MARKET" && p.activationPrice === 0) {
        activated = true;
      }
    }
    const pos = account.positions.get(spec.symbol)!;
    // Reduce-only must reduce.
    if (
      p.reduceOnly && !p.closePosition &&
      (pos.amount === 0 || (pos.amount > 0 ? 1 : -1) === p.side)
    ) return ERRORS.reduceOnlyRejected();
    // Margin for the part that opens exposure.
    if (!p.reduceOnly && !conditional) {
      const opposite = pos.amount !== 0 && (pos.amount > 0 ? -1 : 1) === p.side;
      const opening = opposite
        ? Math.max(0, p.qty - Math.abs(pos.amount))
        : p.qty;
      let px = p.price / spec.priceScale;
      if (p.type === "MARKET") {
        px = this.#matcher.bestOpposite(m, p.side);
        if (Number.isNaN(px)) px = Number.isNaN(m.mark) ? m.last : m.mark;
      }
      if (opening > 0 && !Number.isNaN(px)) {
        const need = opening / spec.qtyScale * px * MONEY_SCALE / pos.leverage;
        if (need > accountTotals(account).available) {
          return ERRORS.marginInsufficient();
        }
      }
    }

    const orderId = this.#matcher.nextOrderId();
    const order: OrderState = {
      orderId,
      account,
      market: m,
      clientOrderId: p.clientOrderId ?? autoClientOrderId(orderId),
      side: p.side,
      type: p.type,
      origType: p.type,
      tif: p.tif,
      price: p.price,
      qty: p.qty,
      workingQty: p.qty,
      stopPrice: p.stopPrice,
      reduceOnly: p.reduceOnly,
      closePosition: p.closePosition,
      workingType: p.workingType,
      priceProtect: p.priceProtect,
      activationPrice,
      callbackTenths: p.callbackTenths,
      activated,
      extreme,
      status: "NEW",
      executed: 0,
      cumQuoteRaw: 0,
      time: nowMs,
      updateTime: nowMs,
    };
    account.open.set(orderId, order);
    account.openByClientId.set(order.clientOrderId, order);
    account.updateTime = nowMs;
    account.events.push(orderTradeUpdate(order, "NEW", nowMs));
    const ack = p.respType === "ACK" ? orderBody(order) : undefined;

    if (conditional) {
      m.conditional.push(order);
    } else if (p.type === "MARKET") {
      this.#matcher.take(order, Infinity, nowMs);
      if (order.status === "NEW" || order.status === "PARTIALLY_FILLED") {
        this.#matcher.close(order, "EXPIRED", nowMs);
      }
    } else {
      this.#matcher.placeLimit(order, nowMs);
    }
    // Nothing filled for an all-or-nothing or market order: Binance answers -2020; the
    // order still exists as EXPIRED (query by client id, user stream NEW then EXPIRED).
    if (
      order.status === "EXPIRED" && order.executed === 0 &&
      (order.tif === "FOK" || order.type === "MARKET")
    ) return fail(-2020, "Unable to fill.");
    return ok(ack ?? orderBody(order));
  }

  /** `GET /fapi/v1/order`: by `orderId` or `origClientOrderId`. */
  queryOrder(accountId: string, params: Params): EngineReply<RawOrder> {
    return this.#orderReply(accountId, params, true);
  }

  /** `GET /fapi/v1/openOrder`: like queryOrder, but -2013 once the order is closed. */
  openOrder(accountId: string, params: Params): EngineReply<RawOrder> {
    return this.#orderReply(accountId, params, false);
  }

  /** `DELETE /fapi/v1/order`. */
  cancelOrder(
    accountId: string,
    params: Params,
    nowMs: number,
  ): EngineReply<RawOrder> {
    const found = this.#findOrder(
      accountId,
      params,
      false,
      ERRORS.cancelRejected(),
    );
    if ("body" in found) return found;
    this.#matcher.close(found, "CANCELED", nowMs);
    return ok(orderBody(found));
  }

  /** `DELETE /fapi/v1/allOpenOrders`. */
  cancelAllOpenOrders(
    accountId: string,
    params: Params,
    nowMs: number,
  ): EngineReply<{ code: string; msg: string }> {
    const target = this.#accountMarket(accountId, params);
    if ("body" in target) return target;
    const { account, market: m } = target;
    for (const order of [...account.open.values()]) {
      if (order.market === m) this.#matcher.close(order, "CANCELED", nowMs);
    }
    return ok({
      code: "200",
      msg: "The operation of cancel all open order is done.",
    });
  }

  /** `DELETE /fapi/v1/batchOrders`: `orderIdList` or `origClientOrderIdList` (JSON, ≤ 10). */
  batchCancel(
    accountId: string,
    params: Params,
    nowMs: number,
  ): EngineReply<(RawOrder | { code: number; msg: string })[]> {
    const target = this.#accountMarket(accountId, params);
    if ("body" in target) return target;
    const { account, market: m } = target;
    const idText = param(params, "orderIdList");
    const clientText = param(params, "origClientOrderIdList");
    const text = idText ?? clientText;
    if (text === undefined) return ERRORS.mandatory("orderIdList");
    const byId = idText !== undefined;
    const listName = byId ? "orderIdList" : "origClientOrderIdList";
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      return ERRORS.mandatory(listName);
    }
    const valid = Array.isArray(list) && list.length <= 10 &&
      list.every((x) => byId ? Number.isSafeInteger(x) : typeof x === "string");
    if (!valid) return ERRORS.invalidParam(listName);
    const results = (list as (number | string)[]).map((key) => {
      const order = typeof key === "number"
        ? account.open.get(key)
        : account.openByClientId.get(key);
      if (!order || order.market !== m) return ERRORS.cancelRejected().body;
      this.#matcher.close(order, "CANCELED", nowMs);
      return orderBody(order);
    });
    return ok(results);
  }

  /** `GET /fapi/v1/openOrders` (`symbol` optional). */
  openOrders(accountId: string, params: Params): EngineReply<RawOrder[]> {
    const target = this.#accountMarket(accountId, params, true);
    if ("body" in target) return target;
    const { account, market: m } = target;
    return ok(
      rowsOf(account.open.values(), m, (order) => orderBody(order, true)),
    );
  }

  /** `GET /fapi/v2/positionRisk` (`symbol` optional): one BOTH row per symbol. */
  positionRisk(
    accountId: string,
    params: Params,
  ): EngineReply<RawPositionRisk[]> {
    const target = this.#accountMarket(accountId, params, true);
    if ("body" in target) return target;
    const { account, market: m } = target;
    return ok(
      rowsOf(
        account.positions.values(),
        m,
        (pos) => positionRisk(account, pos),
      ),
    );
  }

  /**
   * `GET /fapi/v1/leverageBracket` (and `/fapi/v3/…`; `symbol` optional): each symbol's
   * notional brackets, as the margin model uses them (aster-protocol §3.3).
   */
  leverageBracket(
    accountId: string,
    params: Params,
  ): EngineReply<RawLeverageBracket[]> {
    const target = this.#accountMarket(accountId, params, true);
    if ("body" in target) return target;
    const markets = target.market
      ? [target.market]
      : [...this.#markets.values()];
    return ok(markets.map((m) => {
      let floor = "0";
      return {
        symbol: m.spec.symbol,
        brackets: m.spec.brackets.map((b, i) => {
          const row = {
            bracket: i + 1,
            initialLeverage: b.maxLeverage,
            notionalCap: Number(b.notionalCap),
            notionalFloor: Number(floor),
            maintMarginRatio: b.rate,
            cum: b.cumUnits / 1e8,
          };
          floor = b.notionalCap;
          return row;
        }),
      };
    }));
  }

  /** `GET /fapi/v4/account`. */
  account(accountId: string): EngineReply<RawAccount> {
    const account = this.#accounts.get(accountId);
    if (!account) return UNKNOWN_ACCOUNT;
    return ok(accountBody(account, accountTotals(account)));
  }

  /** `GET /fapi/v2/balance`. */
  balance(accountId: string): EngineReply<RawBalance[]> {
    const account = this.#accounts.get(accountId);
    if (!account) return UNKNOWN_ACCOUNT;
    return ok(balanceBody(account, accountTotals(account)));
  }

  /** `POST /fapi/v1/leverage`: integer 1..max bracket leverage (-4028 otherwise). */
  leverage(
    accountId: string,
    params: Params,
    nowMs: number,
  ): EngineReply<RawLeverage> {
    const target = this.#accountMarket(accountId, params);
    if ("body" in target) return target;
    const { account, market: m } = target;
    const text = param(params, "leverage");
    if (text === undefined) return ERRORS.mandatory("leverage");
    const leverage = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
    if (!(leverage >= 1 && leverage <= m.spec.maxLeverage)) {
      return ERRORS.invalidLeverage(text);
    }
    const pos = account.positions.get(m.spec.symbol)!;
    if (pos.leverage !== leverage) {
      pos.leverage = leverage;
      pos.updateTime = nowMs;
      account.events.push({
        e: "ACCOUNT_CONFIG_UPDATE",
        E: nowMs,
        T: nowMs,
        ac: { s: m.spec.symbol, l: leverage },
      });
    }
    return ok({
      leverage,
      maxNotionalValue: maxNotional(pos),
      symbol: m.spec.symbol,
    });
  }

  /** `POST /fapi/v1/marginType`: ISOLATED | CROSSED; -4046 when unchanged. */
  marginType(
    accountId: string,
    params: Params,
    nowMs: number,
  ): EngineReply<{ code: number; msg: string }> {
    const target = this.#accountMarket(accountId, params);
    if ("body" in target) return target;
    const { account, market: m } = target;
    const text = param(params, "marginType");
    if (text === undefined) return ERRORS.mandatory("marginType");
    if (text !== "ISOLATED" && text !== "CROSSED") {
      return ERRORS.invalidParam("marginType");
    }
    const pos = account.positions.get(m.spec.symbol)!;
    const isolated = text === "ISOLATED";
    if (pos.isolated === isolated) return ERRORS.noNeedMarginType();
    for (const o of account.open.values()) {
      if (o.market === m) return ERRORS.marginTypeOpenOrders();
    }
    if (pos.amount !== 0) return ERRORS.marginTypePosition();
    pos.isolated = isolated;
    account.crossWallet += pos.isolatedWallet;
    pos.isolatedWallet = 0;
    pos.updateTime = nowMs;
    return ok({ code: 200, msg: "success" });
  }

  /** `POST /fapi/v1/positionSide/dual`: one-way mode only; -4059 when unchanged. */
  setPositionMode(
    accountId: string,
    params: Params,
  ): EngineReply<{ code: number; msg: string }> {
    if (!this.#accounts.has(accountId)) return UNKNOWN_ACCOUNT;
    const text = param(params, "dualSidePosition");
    if (text === undefined) return ERRORS.mandatory("dualSidePosition");
    if (text === "false") return ERRORS.noNeedPositionSide();
    if (text === "true") {
      return ERRORS.unknown("Hedge mode is not supported by the simulator.");
    }
    return ERRORS.invalidParam("dualSidePosition");
  }

  /** `GET /fapi/v1/positionSide/dual`. */
  positionMode(accountId: string): EngineReply<{ dualSidePosition: boolean }> {
    if (!this.#accounts.has(accountId)) return UNKNOWN_ACCOUNT;
    return ok({ dualSidePosition: false });
  }

  /** `GET /fapi/v1/income`: see {@linkcode IncomeLog.query}. */
  income(accountId: string, params: Params): EngineReply<RawIncome[]> {
    const target = this.#accountMarket(accountId, params, true);
    if ("body" in target) return target;
    return target.account.income.query(params);
  }

  /** `GET /fapi/v1/userTrades`: see {@linkcode TradeLog.query}. */
  userTrades(
    accountId: string,
    params: Params,
  ): EngineReply<RawUserTrade[]> {
    const target = this.#accountMarket(accountId, params, true);
    if ("body" in target) return target;
    return target.account.trades.query(params);
  }

  /** `GET /fapi/v1/commissionRate`. */
  commissionRate(
    accountId: string,
    params: Params,
  ): EngineReply<RawCommissionRate> {
    const target = this.#accountMarket(accountId, params);
    if ("body" in target) return target;
    const { account, market: m } = target;
    return ok({
      symbol: m.spec.symbol,
      makerCommissionRate: account.makerRateText,
      takerCommissionRate: account.takerRateText,
    });
  }

  // ---------------------------------------------------------------- internals

  #market(symbol: string): MarketState {
    const m = this.#markets.get(symbol);
    if (!m) {
      throw new RangeError(`Cannot update market: unknown symbol "${symbol}"`);
    }
    return m;
  }

  #symbolParam(params: Params): MarketState | EngineReply<never> {
    const symbol = param(params, "symbol");
    if (symbol === undefined) return ERRORS.mandatory("symbol");
    return this.#markets.get(symbol) ?? ERRORS.badSymbol();
  }

  /**
   * The account, and the market named by `symbol` (mandatory unless `optional`, then
   * `undefined` when absent), or the reply that rejects them: unknown account first.
   */
  #accountMarket(
    accountId: string,
    params: Params,
  ): { account: AccountState; market: MarketState } | EngineReply<never>;
  #accountMarket(
    accountId: string,
    params: Params,
    optional: true,
  ):
    | { account: AccountState; market: MarketState | undefined }
    | EngineReply<never>;
  #accountMarket(
    accountId: string,
    params: Params,
    optional = false,
  ):
    | { account: AccountState; market: MarketState | undefined }
    | EngineReply<never> {
    const account = this.#accounts.get(accountId);
    if (!account) return UNKNOWN_ACCOUNT;
    if (optional && param(params, "symbol") === undefined) {
      return { account, market: undefined };
    }
    const market = this.#symbolParam(params);
    if ("body" in market) return market;
    return { account, market };
  }

  #orderReply(
    accountId: string,
    params: Params,
    includeClosed: boolean,
  ): EngineReply<RawOrder> {
    const found = this.#findOrder(
      accountId,
      params,
      includeClosed,
      ERRORS.noSuchOrder(),
    );
    if ("body" in found) return found;
    return ok(orderBody(found, true));
  }

  #findOrder(
    accountId: string,
    params: Params,
    includeClosed: boolean,
    missing: EngineReply<never>,
  ): OrderState | EngineReply<never> {
    const target = this.#accountMarket(accountId, params);
    if ("body" in target) return target;
    const { account, market: m } = target;
    const idText = param(params, "orderId");
    const clientId = param(params, "origClientOrderId");
    let order: OrderState | undefined;
    if (idText !== undefined) {
      const id = /^\d{1,15}$/.test(idText) ? Number(idText) : NaN;
      if (Number.isNaN(id)) return ERRORS.mandatory("orderId");
      order = account.open.get(id) ??
        (includeClosed ? account.closed.byId(account, id) : undefined);
      if (order && clientId !== undefined && order.clientOrderId !== clientId) {
        order = undefined;
      }
    } else if (clientId !== undefined) {
      order = account.openByClientId.get(clientId) ??
        (includeClosed
          ? account.closed.byClientId(account, clientId)
          : undefined);
    } else {
      return fail(
        -1102,
        "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
      );
    }
    if (!order || order.market !== m) return missing;
    return order;
  }
}

/** One symbol's row of `GET /fapi/v1/leverageBracket`. */
export interface RawLeverageBracket {
  readonly symbol: string;
  readonly brackets: readonly {
    readonly bracket: number;
    readonly initialLeverage: number;
    readonly notionalCap: number;
    readonly notionalFloor: number;
    readonly maintMarginRatio: number;
    readonly cum: number;
  }[];
}
