/**
 * Pure parsers of the signed endpoints' responses (aster-protocol §3.2–§3.4): raw JSON in,
 * validated typed values out. Decimals stay exact strings; enums are checked; a bad field
 * throws a TypeError/SyntaxError naming it.
 *
 * @module
 */
import {
  arr,
  dec,
  int,
  type Obj,
  obj,
  str,
  strictDecimal,
} from "../_validate.ts";
import type { OrderSide, PositionSide, WorkingType } from "./order_request.ts";

/** Order statuses (no `EXPIRED_IN_MATCH` on Aster). */
export const ORDER_STATUSES = [
  "NEW",
  "PARTIALLY_FILLED",
  "FILLED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
] as const;

/** One order status. */
export type OrderStatus = typeof ORDER_STATUSES[number];

/** Order types the exchange reports. */
export const ORDER_TYPES = [
  "LIMIT",
  "MARKET",
  "STOP",
  "STOP_MARKET",
  "TAKE_PROFIT",
  "TAKE_PROFIT_MARKET",
  "TRAILING_STOP_MARKET",
] as const;

/** One order type. */
export type OrderType = typeof ORDER_TYPES[number];

/** A parsed order row. */
export interface Order {
  /** Exchange order id. */
  readonly orderId: number;
  /** Symbol. */
  readonly symbol: string;
  /** Status. */
  readonly status: OrderStatus;
  /** Client order id. */
  readonly clientOrderId: string;
  /** Limit price ("0" for market/stop-market). */
  readonly price: string;
  /** Average fill price ("0" when unfilled). */
  readonly avgPrice: string;
  /** Original quantity. */
  readonly origQty: string;
  /** Filled quantity. */
  readonly executedQty: string;
  /** Filled quote amount. */
  readonly cumQuote: string;
  /** Time in force. */
  readonly timeInForce: string;
  /** Current (executing) type. */
  readonly type: OrderType;
  /** Type as placed. */
  readonly origType: OrderType;
  /** Side. */
  readonly side: OrderSide;
  /** Position side. */
  readonly positionSide: PositionSide;
  /** Reduce-only flag. */
  readonly reduceOnly: boolean;
  /** Close-position flag. */
  readonly closePosition: boolean;
  /** Trigger price ("0" when none). */
  readonly stopPrice: string;
  /** Trigger reference. */
  readonly workingType: WorkingType;
  /** Price protection flag. */
  readonly priceProtect: boolean;
  /** Trailing activation price (response name `activatePrice`). */
  readonly activatePrice?: string;
  /** Trailing callback rate in percent (response name `priceRate`). */
  readonly priceRate?: string;
  /** Last update, epoch ms. */
  readonly updateTime: number;
  /** Creation time (query/list rows), epoch ms. */
  readonly time?: number;
}

function oneOf<T extends string>(
  list: readonly T[],
  v: unknown,
  what: string,
): T {
  if (typeof v === "string" && (list as readonly string[]).includes(v)) {
    return v as T;
  }
  throw new SyntaxError(
    `Cannot parse ${what}: ${JSON.stringify(v)} is not one of ${
      list.join(", ")
    }`,
  );
}

/** A boolean that may arrive as `true` or `"true"` (any case). */
function flag(v: unknown, what: string): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const s = v.toLowerCase();
    if (s === "true") return true;
    if (s === "false") return false;
  }
  throw new TypeError(
    `Cannot parse ${what}: ${JSON.stringify(v)} is not a boolean`,
  );
}

function optDec(v: unknown, what: string): string | undefined {
  return v === undefined || v === null || v === "" ? undefined : dec(v, what);
}

const SIDES = ["BUY", "SELL"] as const;
const POSITION_SIDES = ["BOTH", "LONG", "SHORT"] as const;
const WORKING_TYPES = ["MARK_PRICE", "CONTRACT_PRICE"] as const;

/** Parses one order row (new/query/cancel response, openOrders row, batch item). */
export function parseOrder(raw: unknown, what = "order"): Order {
  const o = obj(raw, what);
  const at = (k: string) => `${what}.${k}`;
  const order: {
    -readonly [K in keyof Order]: Order[K];
  } = {
    orderId: int(o.orderId, at("orderId")),
    symbol: str(o.symbol, at("symbol")),
    status: oneOf(ORDER_STATUSES, o.status, at("status")),
    clientOrderId: str(o.clientOrderId, at("clientOrderId")),
    price: dec(o.price, at("price")),
    avgPrice: dec(o.avgPrice ?? "0", at("avgPrice")),
    origQty: dec(o.origQty, at("origQty")),
    executedQty: dec(o.executedQty, at("executedQty")),
    cumQuote: dec(o.cumQuote ?? "0", at("cumQuote")),
    timeInForce: str(o.timeInForce, at("timeInForce")),
    type: oneOf(ORDER_TYPES, o.type, at("type")),
    origType: oneOf(ORDER_TYPES, o.origType ?? o.type, at("origType")),
    side: oneOf(SIDES, o.side, at("side")),
    positionSide: oneOf(
      POSITION_SIDES,
      o.positionSide ?? "BOTH",
      at("positionSide"),
    ),
    reduceOnly: flag(o.reduceOnly ?? false, at("reduceOnly")),
    closePosition: flag(o.closePosition ?? false, at("closePosition")),
    stopPrice: dec(o.stopPrice ?? "0", at("stopPrice")),
    workingType: oneOf(
      WORKING_TYPES,
      o.workingType ?? "CONTRACT_PRICE",
      at("workingType"),
    ),
    priceProtect: flag(o.priceProtect ?? false, at("priceProtect")),
    updateTime: int(o.updateTime, at("updateTime")),
  };
  const activatePrice = optDec(o.activatePrice, at("activatePrice"));
  if (activatePrice !== undefined) order.activatePrice = activatePrice;
  const priceRate = optDec(o.priceRate, at("priceRate"));
  if (priceRate !== undefined) order.priceRate = priceRate;
  if (o.time !== undefined) order.time = int(o.time, at("time"));
  return order;
}

/** Parses a list of order rows (`openOrders`). */
export function parseOrders(raw: unknown, what = "orders"): Order[] {
  return arr(raw, what).map((r, i) => parseOrder(r, `${what}[${i}]`));
}

/** One item of a batch answer: an order, or the item's own error. */
export type BatchItem =
  | { readonly ok: true; readonly order: Order }
  | { readonly ok: false; readonly code: number; readonly msg: string };

/** Parses a batch answer (`DELETE /batchOrders`): orders or `{code,msg}` in input order. */
export function parseBatchItems(raw: unknown): BatchItem[] {
  return arr(raw, "batch").map((r, i): BatchItem => {
    const o = obj(r, `batch[${i}]`);
    if (o.orderId === undefined && o.code !== undefined) {
      return {
        ok: false,
        code: int(o.code, `batch[${i}].code`),
        msg: typeof o.msg === "string" ? o.msg : "",
      };
    }
    return { ok: true, order: parseOrder(o, `batch[${i}]`) };
  });
}

/** A `{code,msg}` answer. */
export interface CodeMsg {
  /** Numeric code (`"200"` strings are converted). */
  readonly code: number;
  /** Message. */
  readonly msg: string;
}

/** Parses `{code,msg}` (code may be a string, as on `allOpenOrders`). */
export function parseCodeMsg(raw: unknown, what = "response"): CodeMsg {
  const o = obj(raw, what);
  return {
    code: int(o.code, `${what}.code`),
    msg: typeof o.msg === "string" ? o.msg : "",
  };
}

/** One asset balance. */
export interface Balance {
  /** Asset, e.g. `USDT`. */
  readonly asset: string;
  /** Wallet balance. */
  readonly balance: string;
  /** Cross wallet balance. */
  readonly crossWalletBalance: string;
  /** Unrealized PnL of cross positions. */
  readonly crossUnPnl: string;
  /** Available balance. */
  readonly availableBalance: string;
  /** Maximum withdrawable amount. */
  readonly maxWithdrawAmount: string;
  /** Last update, epoch ms. */
  readonly updateTime: number;
}

/** Parses `GET /balance`. */
export function parseBalances(raw: unknown): Balance[] {
  return arr(raw, "balance").map((r, i) => {
    const o = obj(r, `balance[${i}]`);
    const at = (k: string) => `balance[${i}].${k}`;
    return {
      asset: str(o.asset, at("asset")),
      balance: dec(o.balance, at("balance")),
      crossWalletBalance: dec(o.crossWalletBalance, at("crossWalletBalance")),
      crossUnPnl: dec(o.crossUnPnl, at("crossUnPnl")),
      availableBalance: dec(o.availableBalance, at("availableBalance")),
      maxWithdrawAmount: dec(o.maxWithdrawAmount, at("maxWithdrawAmount")),
      updateTime: int(o.updateTime ?? 0, at("updateTime")),
    };
  });
}

/** One asset row of the account. */
export interface AccountAsset {
  /** Asset. */
  readonly asset: string;
  /** Wallet balance. */
  readonly walletBalance: string;
  /** Unrealized PnL. */
  readonly unrealizedProfit: string;
  /** Wallet balance + unrealized PnL. */
  readonly marginBalance: string;
  /** Maintenance margin. */
  readonly maintMargin: string;
  /** Initial margin. */
  readonly initialMargin: string;
  /** Available balance. */
  readonly availableBalance: string;
}

/** One position row of the account. */
export interface AccountPosition {
  /** Symbol. */
  readonly symbol: string;
  /** Signed amount (short < 0). */
  readonly positionAmt: string;
  /** Entry price. */
  readonly entryPrice: string;
  /** Unrealized PnL. */
  readonly unrealizedProfit: string;
  /** Initial margin. */
  readonly initialMargin: string;
  /** Maintenance margin. */
  readonly maintMargin: string;
  /** Leverage. */
  readonly leverage: number;
  /** Isolated margin mode. */
  readonly isolated: boolean;
  /** Position side. */
  readonly positionSide: PositionSide;
  /** Last update, epoch ms. */
  readonly updateTime: number;
}

/** The account (`/fapi/v4/account`, `/fapi/v3/accountWithJoinMargin`). */
export interface Account {
  /** Trading allowed. */
  readonly canTrade: boolean;
  /** Sum of wallet balances (USDT). */
  readonly totalWalletBalance: string;
  /** Sum of unrealized PnL. */
  readonly totalUnrealizedProfit: string;
  /** Wallet + unrealized. */
  readonly totalMarginBalance: string;
  /** Initial margin in use. */
  readonly totalInitialMargin: string;
  /** Maintenance margin. */
  readonly totalMaintMargin: string;
  /** Position initial margin. */
  readonly totalPositionInitialMargin: string;
  /** Open-order initial margin. */
  readonly totalOpenOrderInitialMargin: string;
  /** Cross wallet balance. */
  readonly totalCrossWalletBalance: string;
  /** Available balance. */
  readonly availableBalance: string;
  /** Maximum withdrawable. */
  readonly maxWithdrawAmount: string;
  /** Last update, epoch ms. */
  readonly updateTime: number;
  /** Asset rows. */
  readonly assets: readonly AccountAsset[];
  /** Position rows (all symbols). */
  readonly positions: readonly AccountPosition[];
}

/** Parses the account response. */
export function parseAccount(raw: unknown): Account {
  const o = obj(raw, "account");
  const d = (k: string) => dec(o[k], `account.${k}`);
  return {
    canTrade: flag(o.canTrade ?? true, "account.canTrade"),
    totalWalletBalance: d("totalWalletBalance"),
    totalUnrealizedProfit: d("totalUnrealizedProfit"),
    totalMarginBalance: d("totalMarginBalance"),
    totalInitialMargin: d("totalInitialMargin"),
    totalMaintMargin: d("totalMaintMargin"),
    totalPositionInitialMargin: d("totalPositionInitialMargin"),
    totalOpenOrderInitialMargin: d("totalOpenOrderInitialMargin"),
    totalCrossWalletBalance: d("totalCrossWalletBalance"),
    availableBalance: d("availableBalance"),
    maxWithdrawAmount: d("maxWithdrawAmount"),
    updateTime: int(o.updateTime ?? 0, "account.updateTime"),
    assets: arr(o.assets ?? [], "account.assets").map((r, i) => {
      const a: Obj = obj(r, `account.assets[${i}]`);
      const ad = (k: string) => dec(a[k], `account.assets[${i}].${k}`);
      return {
        asset: str(a.asset, `account.assets[${i}].asset`),
        walletBalance: ad("walletBalance"),
        unrealizedProfit: ad("unrealizedProfit"),
        marginBalance: ad("marginBalance"),
        maintMargin: ad("maintMargin"),
        initialMargin: ad("initialMargin"),
        availableBalance: ad("availableBalance"),
      };
    }),
    positions: arr(o.positions ?? [], "account.positions").map((r, i) => {
      const p: Obj = obj(r, `account.positions[${i}]`);
      const at = (k: string) => `account.positions[${i}].${k}`;
      return {
        symbol: str(p.symbol, at("symbol")),
        positionAmt: dec(p.positionAmt, at("positionAmt")),
        entryPrice: dec(p.entryPrice, at("entryPrice")),
        unrealizedProfit: dec(p.unrealizedProfit, at("unrealizedProfit")),
        initialMargin: dec(p.initialMargin, at("initialMargin")),
        maintMargin: dec(p.maintMargin, at("maintMargin")),
        leverage: int(p.leverage, at("leverage")),
        isolated: flag(p.isolated, at("isolated")),
        positionSide: oneOf(POSITION_SIDES, p.positionSide, at("positionSide")),
        updateTime: int(p.updateTime ?? 0, at("updateTime")),
      };
    }),
  };
}

/** One `positionRisk` row. */
export interface PositionRisk {
  /** Symbol. */
  readonly symbol: string;
  /** Signed amount (short < 0). */
  readonly positionAmt: string;
  /** Entry price. */
  readonly entryPrice: string;
  /** Mark price. */
  readonly markPrice: string;
  /** Unrealized PnL. */
  readonly unRealizedProfit: string;
  /** Liquidation price ("0" when none). */
  readonly liquidationPrice: string;
  /** Leverage. */
  readonly leverage: number;
  /** Margin type. */
  readonly marginType: "isolated" | "cross";
  /** Isolated margin. */
  readonly isolatedMargin: string;
  /** Position side. */
  readonly positionSide: PositionSide;
  /** Notional (signed), when reported. */
  readonly notional?: string;
  /** Last update, epoch ms. */
  readonly updateTime: number;
}

/** Parses `GET /positionRisk`. */
export function parsePositionRisk(raw: unknown): PositionRisk[] {
  return arr(raw, "positionRisk").map((r, i) => {
    const p = obj(r, `positionRisk[${i}]`);
    const at = (k: string) => `positionRisk[${i}].${k}`;
    const row: { -readonly [K in keyof PositionRisk]: PositionRisk[K] } = {
      symbol: str(p.symbol, at("symbol")),
      positionAmt: dec(p.positionAmt, at("positionAmt")),
      entryPrice: dec(p.entryPrice, at("entryPrice")),
      markPrice: dec(p.markPrice, at("markPrice")),
      unRealizedProfit: dec(p.unRealizedProfit, at("unRealizedProfit")),
      liquidationPrice: dec(p.liquidationPrice, at("liquidationPrice")),
      leverage: int(p.leverage, at("leverage")),
      marginType: oneOf(
        ["isolated", "cross"] as const,
        typeof p.marginType === "string"
          ? p.marginType.toLowerCase()
          : p.marginType,
        at("marginType"),
      ),
      isolatedMargin: dec(p.isolatedMargin ?? "0", at("isolatedMargin")),
      positionSide: oneOf(POSITION_SIDES, p.positionSide, at("positionSide")),
      updateTime: int(p.updateTime ?? 0, at("updateTime")),
    };
    const notional = optDec(p.notional, at("notional"));
    if (notional !== undefined) row.notional = notional;
    return row;
  });
}

/** `POST /leverage` answer. */
export interface LeverageResult {
  /** Symbol. */
  readonly symbol: string;
  /** Leverage in force. */
  readonly leverage: number;
  /** Maximum notional at this leverage. */
  readonly maxNotionalValue: string;
}

/** Parses `POST /leverage`. */
export function parseLeverage(raw: unknown): LeverageResult {
  const o = obj(raw, "leverage");
  return {
    symbol: str(o.symbol, "leverage.symbol"),
    leverage: int(o.leverage, "leverage.leverage"),
    maxNotionalValue: dec(o.maxNotionalValue, "leverage.maxNotionalValue"),
  };
}

/** `GET /commissionRate` answer (fractions, e.g. "0.0002"). */
export interface CommissionRate {
  /** Symbol. */
  readonly symbol: string;
  /** Maker fee rate. */
  readonly makerCommissionRate: string;
  /** Taker fee rate. */
  readonly takerCommissionRate: string;
}

/** Parses `GET /commissionRate`. */
export function parseCommissionRate(raw: unknown): CommissionRate {
  const o = obj(raw, "commissionRate");
  return {
    symbol: str(o.symbol, "commissionRate.symbol"),
    makerCommissionRate: dec(
      o.makerCommissionRate,
      "commissionRate.makerCommissionRate",
    ),
    takerCommissionRate: dec(
      o.takerCommissionRate,
      "commissionRate.takerCommissionRate",
    ),
  };
}

/** One `GET /income` row: a wallet change. */
export interface Income {
  /** Symbol ("" for account-wide rows such as transfers). */
  readonly symbol: string;
  /** REALIZED_PNL, FUNDING_FEE, COMMISSION, TRANSFER, … */
  readonly incomeType: string;
  /** Amount credited (+) or debited (-), decimal string. */
  readonly income: string;
  /** Asset, e.g. USDT. */
  readonly asset: string;
  /** Time, epoch ms. */
  readonly time: number;
  /** Transaction id. */
  readonly tranId: number;
}

/** Parses `GET /income`. */
export function parseIncome(raw: unknown): Income[] {
  return arr(raw, "income").map((row, i) => {
    const what = `income[${i}]`;
    const o = obj(row, what);
    return {
      symbol: o.symbol === undefined ? "" : str(o.symbol, `${what}.symbol`),
      incomeType: str(o.incomeType, `${what}.incomeType`),
      income: strictDecimal(o.income, `${what}.income`, "signed"),
      asset: str(o.asset, `${what}.asset`),
      time: int(o.time, `${what}.time`),
      tranId: int(o.tranId, `${what}.tranId`),
    };
  });
}

/** One `GET /userTrades` row: a fill of the account. */
export interface UserTrade {
  readonly symbol: string;
  /** Trade id (the user stream's `t`). */
  readonly id: number;
  readonly orderId: number;
  readonly side: OrderSide;
  /** Fill price and quantity, decimal strings. */
  readonly price: string;
  readonly qty: string;
  /** Realized PnL of the fill, decimal string (signed). */
  readonly realizedPnl: string;
  /** Commission paid, decimal string (signed as the exchange writes it). */
  readonly commission: string;
  readonly commissionAsset: string;
  readonly maker: boolean;
  /** Time, epoch ms. */
  readonly time: number;
}

/** Parses `GET /userTrades`. */
export function parseUserTrades(raw: unknown): UserTrade[] {
  return arr(raw, "userTrades").map((row, i) => {
    const what = `userTrades[${i}]`;
    const o = obj(row, what);
    return {
      symbol: str(o.symbol, `${what}.symbol`),
      id: int(o.id, `${what}.id`),
      orderId: int(o.orderId, `${what}.orderId`),
      side: oneOf(SIDES, o.side, `${what}.side`),
      price: dec(o.price, `${what}.price`),
      qty: dec(o.qty, `${what}.qty`),
      realizedPnl: strictDecimal(
        o.realizedPnl,
        `${what}.realizedPnl`,
        "signed",
      ),
      commission: strictDecimal(o.commission, `${what}.commission`, "signed"),
      commissionAsset: str(o.commissionAsset, `${what}.commissionAsset`),
      maker: flag(o.maker, `${what}.maker`),
      time: int(o.time, `${what}.time`),
    };
  });
}

/** Parses `POST /listenKey` → the key. */
export function parseListenKey(raw: unknown): string {
  return str(obj(raw, "listenKey").listenKey, "listenKey.listenKey");
}

/** Parses `GET /positionSide/dual` → true in hedge mode. */
export function parsePositionMode(raw: unknown): boolean {
  return flag(
    obj(raw, "positionSide").dualSidePosition,
    "positionSide.dualSidePosition",
  );
}
