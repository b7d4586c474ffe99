/**
 * Raw JSON shapes of the signed endpoints and the user data stream (aster-protocol §3.2–§3.4,
 * §5), as they travel on the wire: decimals are strings, ids and times numbers, enums plain
 * strings (checked by the parsers). The one definition of these shapes: the simulator's
 * engine builds them, {@linkcode ./parsers.ts} and {@linkcode ./user_events.ts} validate them.
 *
 * A field is optional only where the protocol leaves it out at times (per endpoint, per order
 * type, V3 only, cross only) or where it is observed on Aster but not documented (`[obs]`):
 * clients must not count on those; the simulator sends them as Aster does.
 *
 * @module
 */

/** An order row: `POST/GET/DELETE /order`, `openOrders`, batch items. */
export interface RawOrder {
  orderId: number;
  symbol: string;
  /** `NEW`, `PARTIALLY_FILLED`, `FILLED`, `CANCELED`, `REJECTED` or `EXPIRED`. */
  status: string;
  clientOrderId: string;
  price: string;
  avgPrice: string;
  origQty: string;
  executedQty: string;
  /** New/cancel responses only, not query/list rows. */
  cumQty?: string;
  cumQuote: string;
  timeInForce: string;
  type: string;
  origType: string;
  reduceOnly: boolean;
  closePosition: boolean;
  /** `BUY` or `SELL`. */
  side: string;
  /** `BOTH`, `LONG` or `SHORT`. */
  positionSide: string;
  stopPrice: string;
  workingType: string;
  priceProtect: boolean;
  /** Trailing stops only. */
  activatePrice?: string;
  /** Trailing stops only. */
  priceRate?: string;
  updateTime: number;
  /** Creation time: query/list rows only. */
  time?: number;
  /** V3 responses only [obs]. */
  newChainData?: { hash: string };
}

/** `{code,msg}`: errors, and `marginType` / `positionSide/dual` / `allOpenOrders` successes. */
export interface RawCodeMsg {
  /** A number, except the string `"200"` of `allOpenOrders`. */
  code: number | string;
  msg: string;
}

/** A row of `GET /fapi/v2/balance` / `/fapi/v3/balance`. */
export interface RawBalance {
  accountAlias: string;
  asset: string;
  balance: string;
  crossWalletBalance: string;
  crossUnPnl: string;
  availableBalance: string;
  maxWithdrawAmount: string;
  marginAvailable: boolean;
  updateTime: number;
}

/** An `assets[]` row of {@linkcode RawAccount}. */
export interface RawAccountAsset {
  asset: string;
  walletBalance: string;
  unrealizedProfit: string;
  marginBalance: string;
  maintMargin: string;
  initialMargin: string;
  positionInitialMargin: string;
  openOrderInitialMargin: string;
  crossWalletBalance: string;
  crossUnPnl: string;
  availableBalance: string;
  maxWithdrawAmount: string;
  marginAvailable: boolean;
  updateTime: number;
}

/** A `positions[]` row of {@linkcode RawAccount}. */
export interface RawAccountPosition {
  symbol: string;
  initialMargin: string;
  maintMargin: string;
  unrealizedProfit: string;
  positionInitialMargin: string;
  openOrderInitialMargin: string;
  leverage: string;
  isolated: boolean;
  entryPrice: string;
  maxNotional: string;
  positionSide: string;
  positionAmt: string;
  updateTime: number;
}

/** `GET /fapi/v4/account` / `/fapi/v3/accountWithJoinMargin` (totals in USDT). */
export interface RawAccount {
  feeTier: number;
  canTrade: boolean;
  canDeposit: boolean;
  canWithdraw: boolean;
  updateTime: number;
  totalInitialMargin: string;
  totalMaintMargin: string;
  totalWalletBalance: string;
  totalUnrealizedProfit: string;
  totalMarginBalance: string;
  totalPositionInitialMargin: string;
  totalOpenOrderInitialMargin: string;
  totalCrossWalletBalance: string;
  totalCrossUnPnl: string;
  availableBalance: string;
  maxWithdrawAmount: string;
  assets: RawAccountAsset[];
  positions: RawAccountPosition[];
}

/** A row of `GET /fapi/v2/positionRisk` / `/fapi/v3/positionRisk`. */
export interface RawPositionRisk {
  symbol: string;
  /** Signed: short < 0. */
  positionAmt: string;
  entryPrice: string;
  markPrice: string;
  unRealizedProfit: string;
  liquidationPrice: string;
  leverage: string;
  maxNotionalValue: string;
  /** `isolated` or `cross` (lowercase). */
  marginType: string;
  isolatedMargin: string;
  /** `"true"` or `"false"`. */
  isAutoAddMargin: string;
  positionSide: string;
  /** Signed notional [obs]. */
  notional?: string;
  /** [obs] */
  isolatedWallet?: string;
  updateTime: number;
}

/** `POST /leverage` response. */
export interface RawLeverage {
  leverage: number;
  maxNotionalValue: string;
  symbol: string;
}

/** `GET /income` row: a wallet change (USDT). */
export interface RawIncome {
  symbol: string;
  incomeType: string;
  income: string;
  asset: string;
  info: string;
  time: number;
  tranId: number;
  tradeId: string;
}

/** `GET /userTrades` row: one fill of the account. */
export interface RawUserTrade {
  buyer: boolean;
  commission: string;
  commissionAsset: string;
  id: number;
  maker: boolean;
  orderId: number;
  price: string;
  qty: string;
  quoteQty: string;
  realizedPnl: string;
  /** `BUY` or `SELL`. */
  side: string;
  positionSide: string;
  symbol: string;
  time: number;
}

/** `GET /commissionRate` response. */
export interface RawCommissionRate {
  symbol: string;
  makerCommissionRate: string;
  takerCommissionRate: string;
}

/** `ORDER_TRADE_UPDATE.o`: the order and, for `x=TRADE`, its last fill. */
export interface RawOrderUpdate {
  s: string;
  c: string;
  S: string;
  o: string;
  f: string;
  q: string;
  p: string;
  ap: string;
  sp: string;
  /** Execution type: `NEW`, `CANCELED`, `CALCULATED`, `EXPIRED`, `TRADE`. */
  x: string;
  /** Status, including `NEW_INSURANCE` and `NEW_ADL`. */
  X: string;
  i: number;
  l: string;
  z: string;
  L: string;
  /** Commission asset, absent when there is no fee. */
  N?: string;
  /** Commission, absent when there is no fee. */
  n?: string;
  T: number;
  t: number;
  b: string;
  a: string;
  m: boolean;
  R: boolean;
  wt: string;
  ot: string;
  ps: string;
  cp: boolean;
  /** Trailing stops only. */
  AP?: string;
  /** Trailing stops only. */
  cr?: string;
  rp: string;
}

/** `ORDER_TRADE_UPDATE` user event. */
export interface RawOrderTradeUpdate {
  e: "ORDER_TRADE_UPDATE";
  E: number;
  T: number;
  o: RawOrderUpdate;
}

/** `ACCOUNT_UPDATE.a.B[]`: asset, wallet, cross wallet, change excluding PnL and fees. */
export interface RawAccountUpdateBalance {
  a: string;
  wb: string;
  cw: string;
  bc: string;
}

/** `ACCOUNT_UPDATE.a.P[]`: one position. */
export interface RawAccountUpdatePosition {
  s: string;
  pa: string;
  ep: string;
  cr: string;
  up: string;
  /** `isolated` or `cross`. */
  mt: string;
  iw: string;
  ps: string;
  /** Margin asset [obs]. */
  ma?: string;
}

/** `ACCOUNT_UPDATE` user event. */
export interface RawAccountUpdate {
  e: "ACCOUNT_UPDATE";
  E: number;
  T: number;
  a: {
    m: string;
    B: RawAccountUpdateBalance[];
    P: RawAccountUpdatePosition[];
  };
}

/** `MARGIN_CALL.p[]`: one position. */
export interface RawMarginCallPosition {
  s: string;
  ps: string;
  pa: string;
  /** `CROSSED` or `ISOLATED`. */
  mt: string;
  iw: string;
  mp: string;
  up: string;
  mm: string;
}

/** `MARGIN_CALL` user event. */
export interface RawMarginCall {
  e: "MARGIN_CALL";
  E: number;
  /** Cross wallet balance, cross margin only. */
  cw?: string;
  p: RawMarginCallPosition[];
}

/** `ACCOUNT_CONFIG_UPDATE` user event: `ac` (leverage) or `ai` (account modes). */
export interface RawAccountConfigUpdate {
  e: "ACCOUNT_CONFIG_UPDATE";
  E: number;
  T: number;
  ac?: { s: string; l: number };
  ai?: { j?: boolean; f?: boolean; d?: boolean };
}

/** `listenKeyExpired` user event. */
export interface RawListenKeyExpired {
  e: "listenKeyExpired";
  E: number;
}

/** Any user-data event this toolkit knows (others, e.g. `announcement`, are ignored). */
export type RawUserEvent =
  | RawOrderTradeUpdate
  | RawAccountUpdate
  | RawMarginCall
  | RawAccountConfigUpdate
  | RawListenKeyExpired;
