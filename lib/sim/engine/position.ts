/**
 * Applies one fill to a one-way position: average entry on increase, unchanged entry on
 * reduce, reset on flip; realized PnL and isolated-wallet transfers.
 *
 * @module
 */

import type { AccountState, PositionState } from "./state.ts";

/**
 * Applies a fill of `qty` at `price` (scaled integers) on `side` (+1 buy, -1 sell) and
 * returns the realized PnL in money units. Isolated positions move `notional / leverage`
 * from the cross wallet into the isolated wallet when they grow, and release a
 * proportional share (after PnL) back when they shrink; cross PnL goes to the cross wallet.
 */
export function applyFill(
  account: AccountState,
  pos: PositionState,
  side: 1 | -1,
  price: number,
  qty: number,
): number {
  const spec = pos.market.spec;
  const amount = pos.amount;
  let rest = qty;
  let realized = 0;
  if (amount !== 0 && (amount > 0 ? -1 : 1) === side) {
    const abs = Math.abs(amount);
    const close = Math.min(rest, abs);
    const costPart = close === abs
      ? pos.costRaw
      : Math.round(pos.costRaw * close / abs);
    const exitRaw = price * close;
    const pnlRaw = amount > 0 ? exitRaw - costPart : costPart - exitRaw;
    realized = Math.round(pnlRaw * spec.rawToUnits);
    pos.costRaw -= costPart;
    pos.amount = amount + side * close;
    pos.realizedUnits += realized;
    if (pos.isolated) {
      pos.isolatedWallet += realized;
      const release = close === abs
        ? pos.isolatedWallet
        : Math.round(pos.isolatedWallet * close / abs);
      pos.isolatedWallet -= release;
      account.crossWallet += release;
    } else {
      account.crossWallet += realized;
    }
    rest -= close;
  }
  if (rest > 0) {
    const raw = price * rest;
    pos.costRaw += raw;
    pos.amount += side * rest;
    if (pos.isolated) {
      const margin = Math.round(raw * spec.rawToUnits / pos.leverage);
      account.crossWallet -= margin;
      pos.isolatedWallet += margin;
    }
  }
  return realized;
}
