/**
 * The matching and settlement core behind {@linkcode Engine}: takes liquidity from the
 * top-of-book snapshot, rests and fills LIMIT orders, fires conditional orders, applies
 * fills to positions and wallets, liquidates, and queues the user-data events of each
 * state change. Pure and synchronous; time arrives as `nowMs`.
 *
 * @module
 */

import { parseRounded } from "./decimal.ts";
import { accountTotals, maintUnits, unrealizedUnits } from "./margin.ts";
import { isConditional } from "./order_params.ts";
import { applyFill } from "./position.ts";
import {
  type AccountState,
  BOOK_DEPTH,
  type MarketState,
  type OrderState,
  type PositionState,
} from "./state.ts";
import {
  accountUpdate,
  type FillInfo,
  marginCall,
  orderTradeUpdate,
  userTrade,
} from "./views.ts";

/** Options of {@linkcode Matcher}. */
export interface MatcherOptions {
  /** Maintenance / margin balance ratio that emits MARGIN_CALL. */
  readonly marginCallRatio: number;
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) {
    list[i] = list[list.length - 1]!;
    list.pop();
  }
}

/** Matching, settlement and liquidation over engine state. */
export class Matcher {
  #marginCallRatio: number;
  #nextOrderId = 1;
  #nextTradeId = 1;
  #split = 0;
  #splitDone = 0;

  /** Creates a matcher. */
  constructor(options: MatcherOptions) {
    this.#marginCallRatio = options.marginCallRatio;
  }

  /**
   * Fault: the next `n` taker fills of at least two lot steps are each executed as two
   * trades (two `TRADE` updates and two `ACCOUNT_UPDATE`s) sharing one timestamp.
   */
  splitNextTakerFills(n: number): void {
    this.#split = n;
  }

  /** How many fills the split-fill fault has split so far. */
  get splitFills(): number {
    return this.#splitDone;
  }

  /** Allocates the next order id (shared by user and liquidation orders). */
  nextOrderId(): number {
    return this.#nextOrderId++;
  }

  loadSide(
    px: Float64Array,
    qty: Float64Array,
    levels: readonly (readonly [string, string])[],
    pd: number,
    qd: number,
  ): number {
    let n = 0;
    for (const level of levels) {
      if (n >= BOOK_DEPTH) break;
      const p = parseRounded(level[0], pd);
      const q = parseRounded(level[1], qd);
      if (!(p > 0) || !(q > 0)) continue;
      px[n] = p;
      qty[n] = q;
      n++;
    }
    return n;
  }

  /** Best opposite price as a float; NaN when that side is empty. */
  bestOpposite(m: MarketState, side: 1 | -1): number {
    return this.bestOppositeTicks(m, side) / m.spec.priceScale;
  }

  /** Best opposite price in scaled integers; NaN when that side is empty. */
  bestOppositeTicks(m: MarketState, side: 1 | -1): number {
    const px = side === 1 ? m.askPx : m.bidPx;
    const qty = side === 1 ? m.askQty : m.bidQty;
    const n = side === 1 ? m.askCount : m.bidCount;
    for (let i = 0; i < n; i++) {
      if (qty[i]! > 0) return px[i]!;
    }
    return NaN;
  }

  /** Quantity the order may still fill, after reduce-only clipping. */
  #fillable(order: OrderState): number {
    const remaining = order.workingQty - order.executed;
    if (!order.reduceOnly) return remaining;
    const pos = order.account.positions.get(order.market.spec.symbol)!;
    if (pos.amount === 0 || (pos.amount > 0 ? 1 : -1) === order.side) return 0;
    return Math.min(remaining, Math.abs(pos.amount));
  }

  /** Takes liquidity as taker up to `limit` (scaled price; Infinity = market). */
  take(order: OrderState, limit: number, nowMs: number): void {
    const m = order.market;
    const buy = order.side === 1;
    const px = buy ? m.askPx : m.bidPx;
    const qty = buy ? m.askQty : m.bidQty;
    const n = buy ? m.askCount : m.bidCount;
    for (let i = 0; i < n; i++) {
      const want = this.#fillable(order);
      if (want <= 0) break;
      const p = px[i]!;
      if (limit !== Infinity && (buy ? p > limit : p < limit)) break;
      const available = qty[i]!;
      if (available <= 0) continue;
      const q = Math.min(available, want);
      qty[i] = available - q;
      const step = m.spec.step;
      const first = this.#split > 0 ? Math.floor(q / 2 / step) * step : 0;
      if (first > 0) {
        // the split-fill fault: two trades in one millisecond
        this.#split--;
        this.#splitDone++;
        this.#fill(order, p, first, false, nowMs);
        this.#fill(order, p, q - first, false, nowMs);
      } else this.#fill(order, p, q, false, nowMs);
    }
  }

  /** Liquidity available to `order` at or better than `limit`. */
  #available(order: OrderState, limit: number): number {
    const m = order.market;
    const buy = order.side === 1;
    const px = buy ? m.askPx : m.bidPx;
    const qty = buy ? m.askQty : m.bidQty;
    const n = buy ? m.askCount : m.bidCount;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (buy ? px[i]! > limit : px[i]! < limit) break;
      total += qty[i]!;
    }
    return total;
  }

  placeLimit(order: OrderState, nowMs: number): void {
    const m = order.market;
    if (order.tif === "GTX") {
      const best = this.bestOppositeTicks(m, order.side);
      const crosses = order.side === 1
        ? order.price >= best
        : order.price <= best;
      if (crosses) {
        this.close(order, "EXPIRED", nowMs);
        return;
      }
    } else {
      if (
        order.tif === "FOK" &&
        this.#available(order, order.price) < this.#fillable(order)
      ) {
        this.close(order, "EXPIRED", nowMs);
        return;
      }
      this.take(order, order.price, nowMs);
      if (order.status === "FILLED") return;
      if (
        order.tif !== "GTC" || (order.reduceOnly && this.#fillable(order) === 0)
      ) {
        this.close(order, "EXPIRED", nowMs);
        return;
      }
    }
    m.resting.push(order);
  }

  #fill(
    order: OrderState,
    price: number,
    qty: number,
    maker: boolean,
    nowMs: number,
  ): void {
    const account = order.account;
    const spec = order.market.spec;
    const pos = account.positions.get(spec.symbol)!;
    const realizedUnits = applyFill(account, pos, order.side, price, qty);
    const raw = price * qty;
    const feeUnits = Math.round(
      raw * spec.rawToUnits * (maker ? account.makerRate : account.takerRate),
    );
    account.crossWallet -= feeUnits;
    const tradeId = this.#nextTradeId++;
    account.income.record(
      spec.symbol,
      "REALIZED_PNL",
      realizedUnits,
      nowMs,
      String(tradeId),
    );
    account.income.record(
      spec.symbol,
      "COMMISSION",
      -feeUnits,
      nowMs,
      String(tradeId),
    );
    order.executed += qty;
    order.cumQuoteRaw += raw;
    order.updateTime = nowMs;
    account.updateTime = nowMs;
    pos.updateTime = nowMs;
    const done = order.executed >= order.workingQty;
    order.status = done ? "FILLED" : "PARTIALLY_FILLED";
    if (done) this.#retire(order);
    const fill: FillInfo = {
      price,
      qty,
      feeUnits,
      realizedUnits,
      tradeId,
      maker,
    };
    account.trades.record(userTrade(order, fill, nowMs));
    account.events.push(
      orderTradeUpdate(order, "TRADE", nowMs, fill),
      accountUpdate(account, "ORDER", 0, [pos], nowMs),
    );
  }

  /** Moves an order from the open set to the closed history. */
  #retire(order: OrderState): void {
    const account = order.account;
    account.open.delete(order.orderId);
    account.openByClientId.delete(order.clientOrderId);
    const m = order.market;
    if (isConditional(order.origType) && order.type !== "MARKET") {
      remove(m.conditional, order);
    } else if (order.origType === "LIMIT") remove(m.resting, order);
    account.closed.add(order);
  }

  /** Ends an open order as CANCELED or EXPIRED and queues its update. */
  close(
    order: OrderState,
    status: "CANCELED" | "EXPIRED",
    nowMs: number,
  ): void {
    order.status = status;
    order.updateTime = nowMs;
    order.account.updateTime = nowMs;
    this.#retire(order);
    order.account.events.push(orderTradeUpdate(order, status, nowMs));
  }

  fillResting(m: MarketState, nowMs: number): void {
    const bestBid = m.bidCount > 0 ? m.bidPx[0]! : NaN;
    const bestAsk = m.askCount > 0 ? m.askPx[0]! : NaN;
    const last = m.last;
    for (const order of [...m.resting]) {
      const limit = order.price / m.spec.priceScale;
      const crossed = order.side === 1
        ? bestAsk <= order.price || last < limit
        : bestBid >= order.price || last > limit;
      if (!crossed) continue;
      const q = this.#fillable(order);
      if (q > 0) this.#fill(order, order.price, q, true, nowMs);
      if (order.status !== "FILLED") this.close(order, "EXPIRED", nowMs);
    }
  }

  checkConditional(m: MarketState, nowMs: number): void {
    const spec = m.spec;
    for (const order of [...m.conditional]) {
      const ref = order.workingType === "MARK_PRICE" ? m.mark : m.last;
      if (Number.isNaN(ref)) continue;
      const buy = order.side === 1;
      let fire = false;
      if (order.origType === "TRAILING_STOP_MARKET") {
        if (Number.isNaN(order.extreme)) order.extreme = ref;
        else if (buy ? ref < order.extreme : ref > order.extreme) {
          order.extreme = ref;
        }
        if (!order.activated) {
          const act = order.activationPrice / spec.priceScale;
          order.activated = buy ? order.extreme <= act : order.extreme >= act;
        }
        if (order.activated) {
          const k = order.callbackTenths / 1000;
          fire = buy
            ? ref >= order.extreme * (1 + k) * (1 - 1e-12)
            : ref <= order.extreme * (1 - k) * (1 + 1e-12);
        }
      } else {
        const stop = order.stopPrice / spec.priceScale;
        const isStop = order.origType === "STOP_MARKET";
        fire = buy === isStop ? ref >= stop : ref <= stop;
      }
      if (!fire) continue;
      if (
        order.priceProtect && !Number.isNaN(m.mark) && !Number.isNaN(m.last) &&
        Math.abs(m.mark - m.last) / m.mark > spec.triggerProtect
      ) continue;
      this.#trigger(order, nowMs);
    }
  }

  #trigger(order: OrderState, nowMs: number): void {
    remove(order.market.conditional, order);
    order.type = "MARKET";
    if (order.closePosition) {
      const pos = order.account.positions.get(order.market.spec.symbol)!;
      const closes = pos.amount !== 0 &&
        (pos.amount > 0 ? -1 : 1) === order.side;
      order.workingQty = closes ? Math.abs(pos.amount) : 0;
    }
    this.take(order, Infinity, nowMs);
    if (order.status !== "FILLED") this.close(order, "EXPIRED", nowMs);
  }

  /** Liquidation (below maintenance) and MARGIN_CALL (ratio crossing upwards). */
  checkMargin(account: AccountState, nowMs: number): void {
    for (const pos of account.positions.values()) {
      if (!pos.isolated || pos.amount === 0) continue;
      const totals = pos.isolatedWallet + unrealizedUnits(pos);
      if (totals < maintUnits(pos)) this.#liquidate(account, [pos], nowMs);
    }
    const t = accountTotals(account);
    if (t.crossMaint > 0 && t.crossWallet + t.crossUnrealized < t.crossMaint) {
      const cross = [...account.positions.values()].filter((p) =>
        !p.isolated && p.amount !== 0
      );
      this.#liquidate(account, cross, nowMs);
      return;
    }
    const balance = t.crossWallet + t.crossUnrealized;
    const inCall = t.crossMaint > 0 &&
      (balance <= 0 || t.crossMaint / balance >= this.#marginCallRatio);
    if (inCall && !account.marginCall) {
      const cross = [...account.positions.values()].filter((p) =>
        !p.isolated && p.amount !== 0
      );
      account.events.push(marginCall(account, cross, nowMs));
    }
    account.marginCall = inCall;
  }

  /** Closes positions at the mark with `autoclose-` orders; isolated wallets are lost. */
  #liquidate(
    account: AccountState,
    positions: readonly PositionState[],
    nowMs: number,
  ): void {
    for (const pos of positions) {
      const m = pos.market;
      for (const order of [...account.open.values()]) {
        if (order.market === m) this.close(order, "CANCELED", nowMs);
      }
      const spec = m.spec;
      const markTicks = Math.max(
        spec.tick,
        Math.round(
          (Number.isNaN(m.mark) ? m.last : m.mark) * spec.priceScale /
            spec.tick,
        ) * spec.tick,
      );
      const orderId = this.nextOrderId();
      const qty = Math.abs(pos.amount);
      const side: 1 | -1 = pos.amount > 0 ? -1 : 1;
      const order: OrderState = {
        orderId,
        account,
        market: m,
        clientOrderId: `autoclose-${nowMs}${orderId}`,
        side,
        type: "MARKET",
        origType: "MARKET",
        tif: "IOC",
        price: markTicks,
        qty,
        workingQty: qty,
        stopPrice: 0,
        reduceOnly: true,
        closePosition: false,
        workingType: "CONTRACT_PRICE",
        priceProtect: false,
        activationPrice: 0,
        callbackTenths: 0,
        activated: false,
        extreme: NaN,
        status: "FILLED",
        executed: qty,
        cumQuoteRaw: markTicks * qty,
        time: nowMs,
        updateTime: nowMs,
      };
      const isolatedLoss = pos.isolated ? pos.isolatedWallet : 0;
      const before = account.crossWallet;
      const realized = applyFill(account, pos, side, markTicks, qty);
      if (pos.isolated) {
        // The isolated wallet goes to the insurance fund, not back to the cross wallet.
        account.crossWallet = before;
        pos.isolatedWallet = 0;
        pos.realizedUnits += -isolatedLoss - realized;
      }
      pos.updateTime = nowMs;
      account.updateTime = nowMs;
      account.closed.add(order);
      account.income.record(
        m.spec.symbol,
        "REALIZED_PNL",
        pos.isolated ? -isolatedLoss : realized,
        nowMs,
        String(this.#nextTradeId),
      );
      account.events.push(
        orderTradeUpdate(order, "CALCULATED", nowMs, {
          price: markTicks,
          qty,
          feeUnits: 0,
          realizedUnits: pos.isolated ? -isolatedLoss : realized,
          tradeId: this.#nextTradeId++,
          maker: false,
        }),
        accountUpdate(account, "ORDER", 0, [pos], nowMs),
      );
    }
    // A cross deficit is covered by the insurance fund.
    if (account.crossWallet < 0) account.crossWallet = 0;
    account.marginCall = false;
  }
}
