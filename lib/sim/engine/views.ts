/**
 * Wire values the engine emits (REST bodies and user-data events), built from its state.
 * The shapes are the client's, from lib/exchange/trading/wire.ts (one definition of the
 * protocol).
 *
 * @module
 */

import { formatFloat, formatScaled } from "./decimal.ts";
import {
  type AccountTotals,
  entryPrice,
  initialUnits,
  liquidationPrice,
  maintUnits,
  notionalUnits,
  openOrderInitialUnits,
  unrealizedUnits,
  valuationPrice,
} from "./margin.ts";
import { MONEY_DECIMALS } from "./spec.ts";
import type {
  AccountState,
  MarketState,
  OrderState,
  PositionState,
} from "./state.ts";
import type {
  RawAccount,
  RawAccountUpdate,
  RawAccountUpdatePosition,
  RawBalance,
  RawMarginCall,
  RawOrder,
  RawOrderTradeUpdate,
  RawOrderUpdate,
  RawPositionRisk,
  RawUserTrade,
} from "../../exchange/trading/wire.ts";

/** Formats money units (1e-8 USDT). */
export function money(unitsValue: number): string {
  return formatScaled(unitsValue, MONEY_DECIMALS);
}

function price(market: MarketState, value: number): string {
  return formatScaled(value, market.spec.pd);
}

function qty(market: MarketState, value: number): string {
  return formatScaled(value, market.spec.qd);
}

function avgPrice(order: OrderState): string {
  const spec = order.market.spec;
  if (order.executed === 0) return formatFloat(0, Math.max(5, spec.pd));
  return formatFloat(
    order.cumQuoteRaw / order.executed / spec.priceScale,
    Math.max(5, spec.pd),
  );
}

function markText(market: MarketState): string {
  return Number.isNaN(market.mark) ? "0" : market.markText;
}

/** The order object; `row` adds `time` and drops `cumQty` (query/list rows). */
export function orderBody(order: OrderState, row = false): RawOrder {
  const m = order.market;
  const trailing = order.origType === "TRAILING_STOP_MARKET";
  const executed = qty(m, order.executed);
  const body: RawOrder = {
    orderId: order.orderId,
    symbol: m.spec.symbol,
    status: order.status,
    clientOrderId: order.clientOrderId,
    price: price(m, order.price),
    avgPrice: avgPrice(order),
    origQty: qty(m, order.qty),
    executedQty: executed,
    cumQuote: formatScaled(order.cumQuoteRaw, m.spec.pd + m.spec.qd),
    timeInForce: order.tif,
    type: order.type,
    origType: order.origType,
    reduceOnly: order.reduceOnly,
    closePosition: order.closePosition,
    side: order.side === 1 ? "BUY" : "SELL",
    positionSide: "BOTH",
    stopPrice: price(m, order.stopPrice),
    workingType: order.workingType,
    priceProtect: order.priceProtect,
    updateTime: order.updateTime,
  };
  if (row) body.time = order.time;
  else body.cumQty = executed;
  if (trailing) {
    body.activatePrice = price(m, order.activationPrice);
    body.priceRate = formatScaled(order.callbackTenths, 1);
  }
  return body;
}

function openNotional(
  account: AccountState,
  market: MarketState,
  side: 1 | -1,
): string {
  let raw = 0;
  for (const o of account.open.values()) {
    if (o.market === market && o.side === side && o.origType === "LIMIT") {
      raw += o.price * (o.qty - o.executed);
    }
  }
  return formatScaled(raw, market.spec.pd + market.spec.qd);
}

/** One fill's details for an `ORDER_TRADE_UPDATE`, or none for status-only updates. */
export interface FillInfo {
  readonly price: number;
  readonly qty: number;
  readonly feeUnits: number;
  readonly realizedUnits: number;
  readonly tradeId: number;
  readonly maker: boolean;
}

/** The `GET /userTrades` row of one fill of `order`. */
export function userTrade(
  order: OrderState,
  fill: FillInfo,
  nowMs: number,
): RawUserTrade {
  const m = order.market;
  return {
    buyer: order.side === 1,
    commission: money(fill.feeUnits),
    commissionAsset: "USDT",
    id: fill.tradeId,
    maker: fill.maker,
    orderId: order.orderId,
    price: price(m, fill.price),
    qty: qty(m, fill.qty),
    quoteQty: formatScaled(fill.price * fill.qty, m.spec.pd + m.spec.qd),
    realizedPnl: money(fill.realizedUnits),
    side: order.side === 1 ? "BUY" : "SELL",
    positionSide: "BOTH",
    symbol: m.spec.symbol,
    time: nowMs,
  };
}

/** Builds an `ORDER_TRADE_UPDATE` for `order` with execution type `x`. */
export function orderTradeUpdate(
  order: OrderState,
  x: string,
  nowMs: number,
  fill?: FillInfo,
): RawOrderTradeUpdate {
  const m = order.market;
  const o: RawOrderUpdate = {
    s: m.spec.symbol,
    c: order.clientOrderId,
    S: order.side === 1 ? "BUY" : "SELL",
    o: order.type,
    f: order.tif,
    q: qty(m, order.qty),
    p: price(m, order.price),
    ap: avgPrice(order),
    sp: price(m, order.stopPrice),
    x,
    X: order.status,
    i: order.orderId,
    l: qty(m, fill?.qty ?? 0),
    z: qty(m, order.executed),
    L: price(m, fill?.price ?? 0),
    T: nowMs,
    t: fill?.tradeId ?? 0,
    b: openNotional(order.account, m, 1),
    a: openNotional(order.account, m, -1),
    m: fill?.maker ?? false,
    R: order.reduceOnly,
    wt: order.workingType,
    ot: order.origType,
    ps: "BOTH",
    cp: order.closePosition,
    rp: money(fill?.realizedUnits ?? 0),
  };
  if (fill !== undefined && fill.feeUnits !== 0) {
    o.N = "USDT";
    o.n = money(fill.feeUnits);
  }
  if (order.origType === "TRAILING_STOP_MARKET") {
    o.AP = price(m, order.activationPrice);
    o.cr = formatScaled(order.callbackTenths, 1);
  }
  return { e: "ORDER_TRADE_UPDATE", E: nowMs, T: nowMs, o };
}

/** Formats an entry price (float) with 8 decimals. */
export function formatEntry(pos: PositionState): string {
  return formatFloat(entryPrice(pos), Math.max(8, pos.market.spec.pd));
}

/** `ACCOUNT_UPDATE.a.P[]` row of a position. */
export function accountPosition(
  pos: PositionState,
): RawAccountUpdatePosition {
  return {
    s: pos.market.spec.symbol,
    pa: qty(pos.market, pos.amount),
    ep: formatEntry(pos),
    cr: money(pos.realizedUnits),
    up: money(unrealizedUnits(pos)),
    mt: pos.isolated ? "isolated" : "cross",
    iw: money(pos.isolatedWallet),
    ps: "BOTH",
    ma: "USDT",
  };
}

/** Builds an `ACCOUNT_UPDATE` with reason `m`. */
export function accountUpdate(
  account: AccountState,
  reason: string,
  balanceChangeUnits: number,
  positions: readonly PositionState[],
  nowMs: number,
): RawAccountUpdate {
  let isolated = 0;
  for (const p of account.positions.values()) isolated += p.isolatedWallet;
  return {
    e: "ACCOUNT_UPDATE",
    E: nowMs,
    T: nowMs,
    a: {
      m: reason,
      B: [{
        a: "USDT",
        wb: money(account.crossWallet + isolated),
        cw: money(account.crossWallet),
        bc: money(balanceChangeUnits),
      }],
      P: positions.map(accountPosition),
    },
  };
}

/** Builds a `MARGIN_CALL` for the given positions. */
export function marginCall(
  account: AccountState,
  positions: readonly PositionState[],
  nowMs: number,
): RawMarginCall {
  return {
    e: "MARGIN_CALL",
    E: nowMs,
    cw: money(account.crossWallet),
    p: positions.map((pos) => ({
      s: pos.market.spec.symbol,
      ps: "BOTH",
      pa: qty(pos.market, pos.amount),
      mt: pos.isolated ? "ISOLATED" : "CROSSED",
      iw: money(pos.isolatedWallet),
      mp: markText(pos.market),
      up: money(unrealizedUnits(pos)),
      mm: money(maintUnits(pos)),
    })),
  };
}

/** Max notional allowed at the position's leverage (the widest bracket that allows it). */
export function maxNotional(pos: PositionState): string {
  let cap = "0";
  for (const b of pos.market.spec.brackets) {
    if (b.maxLeverage >= pos.leverage) cap = b.notionalCap;
  }
  return cap;
}

/** One positionRisk row. */
export function positionRisk(
  account: AccountState,
  pos: PositionState,
): RawPositionRisk {
  const upnl = unrealizedUnits(pos);
  const signedNotional = pos.amount === 0
    ? 0
    : Math.sign(pos.amount) * notionalUnits(pos, valuationPrice(pos));
  return {
    symbol: pos.market.spec.symbol,
    positionAmt: qty(pos.market, pos.amount),
    entryPrice: formatEntry(pos),
    markPrice: markText(pos.market),
    unRealizedProfit: money(upnl),
    liquidationPrice: formatFloat(
      liquidationPrice(account, pos),
      Math.max(8, pos.market.spec.pd),
    ),
    leverage: String(pos.leverage),
    maxNotionalValue: maxNotional(pos),
    marginType: pos.isolated ? "isolated" : "cross",
    isolatedMargin: money(pos.isolated ? pos.isolatedWallet + upnl : 0),
    isAutoAddMargin: "false",
    positionSide: "BOTH",
    notional: money(signedNotional),
    isolatedWallet: money(pos.isolatedWallet),
    updateTime: pos.updateTime,
  };
}

/** `GET /fapi/v4/account` body (USDT only). */
export function accountBody(
  account: AccountState,
  totals: AccountTotals,
): RawAccount {
  const marginBalance = totals.totalWallet + totals.totalUnrealized;
  const initial = totals.positionInitial + totals.openOrderInitial;
  const available = Math.max(0, totals.available);
  const maxWithdraw = Math.max(0, Math.min(available, totals.crossWallet));
  const positions = [...account.positions.values()].map((pos) => {
    const positionInitial = initialUnits(pos);
    const openOrderInitial = openOrderInitialUnits(
      account,
      pos.market.spec.symbol,
    );
    return {
      symbol: pos.market.spec.symbol,
      initialMargin: money(positionInitial + openOrderInitial),
      maintMargin: money(maintUnits(pos)),
      unrealizedProfit: money(unrealizedUnits(pos)),
      positionInitialMargin: money(positionInitial),
      openOrderInitialMargin: money(openOrderInitial),
      leverage: String(pos.leverage),
      isolated: pos.isolated,
      entryPrice: formatEntry(pos),
      maxNotional: maxNotional(pos),
      positionSide: "BOTH",
      positionAmt: qty(pos.market, pos.amount),
      updateTime: pos.updateTime,
    };
  });
  return {
    feeTier: 0,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: account.updateTime,
    totalInitialMargin: money(initial),
    totalMaintMargin: money(totals.totalMaint),
    totalWalletBalance: money(totals.totalWallet),
    totalUnrealizedProfit: money(totals.totalUnrealized),
    totalMarginBalance: money(marginBalance),
    totalPositionInitialMargin: money(totals.positionInitial),
    totalOpenOrderInitialMargin: money(totals.openOrderInitial),
    totalCrossWalletBalance: money(totals.crossWallet),
    totalCrossUnPnl: money(totals.crossUnrealized),
    availableBalance: money(available),
    maxWithdrawAmount: money(maxWithdraw),
    assets: [{
      asset: "USDT",
      walletBalance: money(totals.totalWallet),
      unrealizedProfit: money(totals.totalUnrealized),
      marginBalance: money(marginBalance),
      maintMargin: money(totals.totalMaint),
      initialMargin: money(initial),
      positionInitialMargin: money(totals.positionInitial),
      openOrderInitialMargin: money(totals.openOrderInitial),
      crossWalletBalance: money(totals.crossWallet),
      crossUnPnl: money(totals.crossUnrealized),
      availableBalance: money(available),
      maxWithdrawAmount: money(maxWithdraw),
      marginAvailable: true,
      updateTime: account.updateTime,
    }],
    positions,
  };
}

/** `GET /fapi/v2/balance` body (USDT only). */
export function balanceBody(
  account: AccountState,
  totals: AccountTotals,
): RawBalance[] {
  const available = Math.max(0, totals.available);
  return [{
    accountAlias: "SgsR",
    asset: "USDT",
    balance: money(totals.totalWallet),
    crossWalletBalance: money(totals.crossWallet),
    crossUnPnl: money(totals.crossUnrealized),
    availableBalance: money(available),
    maxWithdrawAmount: money(
      Math.max(0, Math.min(available, totals.crossWallet)),
    ),
    marginAvailable: true,
    updateTime: account.updateTime,
  }];
}
