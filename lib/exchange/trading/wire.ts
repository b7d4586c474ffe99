/**
 * Raw JSON shapes of the signed endpoints and the user data stream (aster-protocol §3.2–§3.4,
 * §5), as they travel on the wire: decimals are strings, ids and times numbers. The
 * simulator answers in these shapes; {@linkcode ./parsers.ts} validates them.
 *
 * @module
 */

/** An order row: `POST/GET/DELETE /order`, `openOrders`, batch cancel items. */
export interface RawOrder {
  orderId: number;
  symbol: string;
  status: string;
  clientOrderId: string;
  price: string;
  avgPrice: string;
  origQty: string;
  executedQty: string;
  cumQty?: string;
  cumQuote: string;
  timeInForce: string;
  type: string;
  origType: string;
  reduceOnly: boolean;
  closePosition: boolean;
  side: string;
  positionSide: string;
  stopPrice: string;
  workingType: string;
  priceProtect: boolean;
  activatePrice?: string;
  priceRate?: string;
  updateTime: number;
  time?: number;
  newChainData?: { hash: string };
}

/** `{code,msg}`: errors, and `marginType` / `positionSide/dual` / `allOpenOrders` successes. */
export interface RawCodeMsg {
  code: number | string;
  msg: string;
}

/** A row of `GET /fapi/v2/balance` / `/fapi/v3/balance`. */
export interface RawBalance {
  accountAlias?: string;
  asset: string;
  balance: string;
  crossWalletBalance: string;
  crossUnPnl: string;
  availableBalance: string;
  maxWithdrawAmount: string;
  marginAvailable?: boolean;
  updateTime: number;
}

/** A row of `GET /fapi/v2/positionRisk` / `/fapi/v3/positionRisk`. */
export interface RawPositionRisk {
  symbol: string;
  positionAmt: string;
  entryPrice: string;
  markPrice: string;
  unRealizedProfit: string;
  liquidationPrice: string;
  leverage: string;
  maxNotionalValue?: string;
  marginType: string;
  isolatedMargin: string;
  isAutoAddMargin?: string;
  positionSide: string;
  notional?: string;
  isolatedWallet?: string;
  updateTime: number;
}

/** `POST /leverage` response. */
export interface RawLeverage {
  leverage: number;
  maxNotionalValue: string;
  symbol: string;
}

/** `GET /commissionRate` response. */
export interface RawCommissionRate {
  symbol: string;
  makerCommissionRate: string;
  takerCommissionRate: string;
}

/** `ORDER_TRADE_UPDATE` user event. */
export interface RawOrderTradeUpdate {
  e: "ORDER_TRADE_UPDATE";
  E: number;
  T: number;
  o: {
    s: string;
    c: string;
    S: string;
    o: string;
    f: string;
    q: string;
    p: string;
    ap: string;
    sp: string;
    x: string;
    X: string;
    i: number;
    l: string;
    z: string;
    L: string;
    N?: string;
    n?: string;
    T: number;
    t: number;
    b?: string;
    a?: string;
    m: boolean;
    R: boolean;
    wt: string;
    ot: string;
    ps: string;
    cp: boolean;
    AP?: string;
    cr?: string;
    rp: string;
  };
}

/** `ACCOUNT_UPDATE` user event. */
export interface RawAccountUpdate {
  e: "ACCOUNT_UPDATE";
  E: number;
  T: number;
  a: {
    m: string;
    B: { a: string; wb: string; cw: string; bc?: string }[];
    P: {
      s: string;
      pa: string;
      ep: string;
      cr?: string;
      up: string;
      mt: string;
      iw: string;
      ps: string;
      ma?: string;
    }[];
  };
}

/** `MARGIN_CALL` user event. */
export interface RawMarginCall {
  e: "MARGIN_CALL";
  E: number;
  cw?: string;
  p: {
    s: string;
    ps: string;
    pa: string;
    mt: string;
    iw: string;
    mp: string;
    up: string;
    mm: string;
  }[];
}

/** `ACCOUNT_CONFIG_UPDATE` user event. */
export interface RawAccountConfigUpdate {
  e: "ACCOUNT_CONFIG_UPDATE";
  E: number;
  T: number;
  ac?: { s: string; l: number };
  ai?: { j?: boolean; f?: boolean; d?: boolean };
}
