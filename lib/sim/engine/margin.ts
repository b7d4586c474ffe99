/**
 * Pure margin arithmetic over engine state: notional, unrealized PnL, initial and
 * maintenance margin, account totals and liquidation prices. Money in units of 1e-8 USDT.
 *
 * @module
 */

import { type CompiledBracket, MONEY_SCALE } from "./spec.ts";
import type { AccountState, PositionState } from "./state.ts";

/** The price a position is valued at: the mark, else the last price, else its entry. */
export function valuationPrice(pos: PositionState): number {
  const m = pos.market;
  if (!Number.isNaN(m.mark)) return m.mark;
  if (!Number.isNaN(m.last)) return m.last;
  return entryPrice(pos);
}

/** Average entry price of a position (float), 0 when flat. */
export function entryPrice(pos: PositionState): number {
  if (pos.amount === 0) return 0;
  const spec = pos.market.spec;
  return pos.costRaw / Math.abs(pos.amount) / spec.priceScale;
}

/** |amount| × price in money units. */
export function notionalUnits(pos: PositionState, price: number): number {
  const spec = pos.market.spec;
  return Math.round(Math.abs(pos.amount) / spec.qtyScale * price * MONEY_SCALE);
}

/** Unrealized PnL at `price` (default: valuation price), money units. */
export function unrealizedUnits(pos: PositionState, price?: number): number {
  if (pos.amount === 0) return 0;
  const p = price ?? valuationPrice(pos);
  const value = notionalUnits(pos, p);
  const cost = pos.costRaw * pos.market.spec.rawToUnits;
  return Math.round(pos.amount > 0 ? value - cost : cost - value);
}

/** The leverage bracket that holds `notional` money units. */
export function bracketFor(
  brackets: readonly CompiledBracket[],
  notional: number,
): CompiledBracket {
  for (const b of brackets) {
    if (notional <= b.capUnits) return b;
  }
  return brackets[brackets.length - 1]!;
}

/** Maintenance margin of a position at its valuation price, money units. */
export function maintUnits(pos: PositionState): number {
  if (pos.amount === 0) return 0;
  const notional = notionalUnits(pos, valuationPrice(pos));
  const b = bracketFor(pos.market.spec.brackets, notional);
  return Math.max(0, Math.round(notional * b.rate - b.cumUnits));
}

/** Initial margin of a position at its valuation price, money units. */
export function initialUnits(pos: PositionState): number {
  if (pos.amount === 0) return 0;
  return Math.round(notionalUnits(pos, valuationPrice(pos)) / pos.leverage);
}

/** Initial margin reserved by resting orders that can open exposure, money units. */
export function openOrderInitialUnits(
  account: AccountState,
  symbol?: string,
): number {
  let total = 0;
  for (const order of account.open.values()) {
    if (order.origType !== "LIMIT" || order.reduceOnly) continue;
    const spec = order.market.spec;
    if (symbol !== undefined && spec.symbol !== symbol) continue;
    const pos = account.positions.get(spec.symbol);
    const leverage = pos?.leverage ?? 20;
    const raw = order.price * (order.qty - order.executed);
    total += Math.round(raw * spec.rawToUnits / leverage);
  }
  return total;
}

/** Account-wide totals, money units. */
export interface AccountTotals {
  readonly totalWallet: number;
  readonly crossWallet: number;
  readonly totalUnrealized: number;
  readonly crossUnrealized: number;
  readonly totalMaint: number;
  readonly crossMaint: number;
  readonly positionInitial: number;
  readonly crossPositionInitial: number;
  readonly openOrderInitial: number;
  readonly available: number;
}

/** Computes {@linkcode AccountTotals}; identities: marginBalance = wallet + uPnL. */
export function accountTotals(account: AccountState): AccountTotals {
  let isolatedWallets = 0;
  let totalUnrealized = 0;
  let crossUnrealized = 0;
  let totalMaint = 0;
  let crossMaint = 0;
  let positionInitial = 0;
  let crossPositionInitial = 0;
  for (const pos of account.positions.values()) {
    if (pos.isolated) isolatedWallets += pos.isolatedWallet;
    if (pos.amount === 0) continue;
    const upnl = unrealizedUnits(pos);
    const mm = maintUnits(pos);
    const im = initialUnits(pos);
    totalUnrealized += upnl;
    totalMaint += mm;
    positionInitial += im;
    if (!pos.isolated) {
      crossUnrealized += upnl;
      crossMaint += mm;
      crossPositionInitial += im;
    }
  }
  const openOrderInitial = openOrderInitialUnits(account);
  const available = account.crossWallet + crossUnrealized -
    crossPositionInitial - openOrderInitial;
  return {
    totalWallet: account.crossWallet + isolatedWallets,
    crossWallet: account.crossWallet,
    totalUnrealized,
    crossUnrealized,
    totalMaint,
    crossMaint,
    positionInitial,
    crossPositionInitial,
    openOrderInitial,
    available,
  };
}

/**
 * Liquidation price of a position (float; 0 when none): the price P where margin balance
 * equals maintenance margin, `W + a·(P − E) = |a|·P·rate − cum`, so
 * `P = (a·E − W − cum) / (a − |a|·rate)`. W is the isolated wallet, or for cross the cross
 * wallet plus the other cross positions' (uPnL − maintenance margin), held constant.
 */
export function liquidationPrice(
  account: AccountState,
  pos: PositionState,
): number {
  if (pos.amount === 0) return 0;
  const spec = pos.market.spec;
  let wallet: number;
  if (pos.isolated) {
    wallet = pos.isolatedWallet;
  } else {
    wallet = account.crossWallet;
    for (const other of account.positions.values()) {
      if (other === pos || other.isolated || other.amount === 0) continue;
      wallet += unrealizedUnits(other) - maintUnits(other);
    }
  }
  const a = pos.amount / spec.qtyScale;
  const e = entryPrice(pos);
  const b = bracketFor(spec.brackets, notionalUnits(pos, valuationPrice(pos)));
  const price = (a * e - (wallet + b.cumUnits) / MONEY_SCALE) /
    (a - Math.abs(a) * b.rate);
  return price > 0 && Number.isFinite(price) ? price : 0;
}
