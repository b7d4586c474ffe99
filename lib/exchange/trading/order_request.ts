/**
 * Typed order requests (one variant per order type) and their encoding into the exact
 * `POST /fapi/v{1,3}/order` parameters (aster-protocol §3.2). Prices and quantities are
 * decimal strings or decimal.js values, never floats.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import type { Params } from "../sign/params.ts";

/** A price, quantity or rate: a plain decimal string (`"0.001"`) or a decimal.js value. */
export type DecimalInput = string | Decimal;

/** Order side. */
export type OrderSide = "BUY" | "SELL";

/** Position side: `BOTH` in one-way mode, `LONG`/`SHORT` in hedge mode. */
export type PositionSide = "BOTH" | "LONG" | "SHORT";

/** Time in force of a LIMIT order (`GTX` = post-only). */
export type LimitTimeInForce = "GTC" | "IOC" | "FOK" | "GTX";

/** The price that triggers a conditional order. */
export type WorkingType = "MARK_PRICE" | "CONTRACT_PRICE";

/** Fields shared by every order request. */
export interface OrderRequestBase {
  /** Symbol, uppercase (e.g. `BTCUSDT`). */
  readonly symbol: string;
  /** BUY or SELL. */
  readonly side: OrderSide;
  /** Hedge-mode position side; omitted (one-way `BOTH`) by default. */
  readonly positionSide?: PositionSide;
  /**
   * Client order id (`^[.A-Z:/a-z0-9_-]{1,36}$`); generated when absent. Unknown outcomes
   * are resolved by it.
   */
  readonly newClientOrderId?: string;
}

/** A LIMIT order. */
export interface LimitOrderRequest extends OrderRequestBase {
  /** Order type. */
  readonly type: "LIMIT";
  /** GTC, IOC, FOK or GTX (post-only). */
  readonly timeInForce: LimitTimeInForce;
  /** Quantity in base units. */
  readonly quantity: DecimalInput;
  /** Limit price. */
  readonly price: DecimalInput;
  /** Only reduce the position. @default {false} */
  readonly reduceOnly?: boolean;
}

/** A MARKET order. */
export interface MarketOrderRequest extends OrderRequestBase {
  /** Order type. */
  readonly type: "MARKET";
  /** Quantity in base units. */
  readonly quantity: DecimalInput;
  /** Only reduce the position. @default {false} */
  readonly reduceOnly?: boolean;
}

/** Trigger fields of conditional orders. */
export interface TriggerFields {
  /** Trigger reference. @default {"CONTRACT_PRICE"} (exchange default; not sent when absent) */
  readonly workingType?: WorkingType;
  /** Refuse to fire when mark and last diverge by more than `triggerProtect`. */
  readonly priceProtect?: boolean;
}

/** A STOP_MARKET or TAKE_PROFIT_MARKET order for a quantity. */
export interface StopQuantityOrderRequest
  extends OrderRequestBase, TriggerFields {
  /** Order type. */
  readonly type: "STOP_MARKET" | "TAKE_PROFIT_MARKET";
  /** Trigger price. */
  readonly stopPrice: DecimalInput;
  /** Quantity in base units. */
  readonly quantity: DecimalInput;
  /** Only reduce the position. @default {false} */
  readonly reduceOnly?: boolean;
  /** Not with a quantity. */
  readonly closePosition?: false;
}

/** A STOP_MARKET or TAKE_PROFIT_MARKET order that closes the whole position. */
export interface StopCloseOrderRequest extends OrderRequestBase, TriggerFields {
  /** Order type. */
  readonly type: "STOP_MARKET" | "TAKE_PROFIT_MARKET";
  /** Trigger price. */
  readonly stopPrice: DecimalInput;
  /** Close the whole position on trigger (no quantity, no reduceOnly). */
  readonly closePosition: true;
}

/** A TRAILING_STOP_MARKET order. */
export interface TrailingStopOrderRequest
  extends OrderRequestBase, TriggerFields {
  /** Order type. */
  readonly type: "TRAILING_STOP_MARKET";
  /** Quantity in base units. */
  readonly quantity: DecimalInput;
  /** Callback rate in percent, 0.1 to 5. */
  readonly callbackRate: DecimalInput;
  /** Activation price; the latest price when absent. */
  readonly activationPrice?: DecimalInput;
  /** Only reduce the position. @default {false} */
  readonly reduceOnly?: boolean;
}

/** Any order request, discriminated by `type`. */
export type OrderRequest =
  | LimitOrderRequest
  | MarketOrderRequest
  | StopQuantityOrderRequest
  | StopCloseOrderRequest
  | TrailingStopOrderRequest;

/** The exchange's client order id rule. */
export const CLIENT_ORDER_ID_RE = /^[\.A-Z\:/a-z0-9_-]{1,36}$/;

const DECIMAL_RE = /^\d+(\.\d+)?$/;
const SYMBOL_RE = /^[A-Z0-9]{1,32}$/;

/**
 * Formats a positive decimal for the wire, without exponent.
 *
 * @throws {TypeError} when `value` is a number or not a plain decimal
 * @throws {RangeError} when it is not > 0
 */
export function decimalParam(name: string, value: DecimalInput): string {
  let text: string;
  if (typeof value === "string") {
    text = value;
  } else if (Decimal.isDecimal(value)) {
    if (!value.isFinite()) {
      throw new RangeError(`Cannot encode ${name}: ${value} is not finite`);
    }
    text = value.toFixed();
  } else {
    throw new TypeError(
      `Cannot encode ${name}: ${typeof value} given; pass a decimal string or Decimal`,
    );
  }
  if (!DECIMAL_RE.test(text)) {
    throw new TypeError(
      `Cannot encode ${name}: "${text}" is not a plain positive decimal`,
    );
  }
  if (!/[1-9]/.test(text)) {
    throw new RangeError(`Cannot encode ${name}: ${text} is not > 0`);
  }
  return text;
}

/** Whether an order only closes or reduces a position (an exit, for rate priority). */
export function isExitOrder(req: OrderRequest): boolean {
  if ("closePosition" in req && req.closePosition === true) return true;
  return "reduceOnly" in req && req.reduceOnly === true;
}

/**
 * Checks a client order id against {@linkcode CLIENT_ORDER_ID_RE}.
 *
 * @throws {TypeError} when it does not match
 */
export function checkClientOrderId(id: string): string {
  if (!CLIENT_ORDER_ID_RE.test(id)) {
    throw new TypeError(
      `Cannot use client order id "${id}": it must match ${CLIENT_ORDER_ID_RE.source}`,
    );
  }
  return id;
}

/**
 * Encodes an order request into the parameters of `POST /order`, in a fixed order, with
 * `newClientOrderId` and `newOrderRespType=RESULT` last.
 *
 * @throws {TypeError} for a malformed field (float, bad id, field not allowed for the type)
 * @throws {RangeError} for a value out of range (quantity ≤ 0, callbackRate outside 0.1–5)
 */
export function orderParams(
  req: OrderRequest,
  clientOrderId: string,
): Params {
  if (!SYMBOL_RE.test(req.symbol)) {
    throw new TypeError(
      `Cannot encode order: symbol "${req.symbol}" is not an uppercase symbol`,
    );
  }
  if (req.side !== "BUY" && req.side !== "SELL") {
    throw new TypeError(`Cannot encode order: side ${String(req.side)}`);
  }
  checkClientOrderId(clientOrderId);
  const p: [string, string][] = [["symbol", req.symbol], ["side", req.side]];
  if (req.positionSide !== undefined) {
    p.push(["positionSide", req.positionSide]);
  }
  p.push(["type", req.type]);
  switch (req.type) {
    case "LIMIT":
      if (!["GTC", "IOC", "FOK", "GTX"].includes(req.timeInForce)) {
        throw new TypeError(
          `Cannot encode order: timeInForce ${String(req.timeInForce)}`,
        );
      }
      p.push(["timeInForce", req.timeInForce]);
      p.push(["quantity", decimalParam("quantity", req.quantity)]);
      p.push(["price", decimalParam("price", req.price)]);
      break;
    case "MARKET":
      p.push(["quantity", decimalParam("quantity", req.quantity)]);
      break;
    case "STOP_MARKET":
    case "TAKE_PROFIT_MARKET":
      if (req.closePosition === true) {
        if ("quantity" in req || "reduceOnly" in req) {
          throw new TypeError(
            "Cannot encode order: closePosition excludes quantity and reduceOnly",
          );
        }
      } else {
        p.push(["quantity", decimalParam("quantity", req.quantity)]);
      }
      p.push(["stopPrice", decimalParam("stopPrice", req.stopPrice)]);
      if (req.closePosition === true) p.push(["closePosition", "true"]);
      break;
    case "TRAILING_STOP_MARKET": {
      p.push(["quantity", decimalParam("quantity", req.quantity)]);
      const rate = decimalParam("callbackRate", req.callbackRate);
      const r = new Decimal(rate);
      if (r.lt("0.1") || r.gt(5)) {
        throw new RangeError(
          `Cannot encode order: callbackRate ${rate} is outside 0.1–5`,
        );
      }
      if (req.activationPrice !== undefined) {
        p.push([
          "activationPrice",
          decimalParam("activationPrice", req.activationPrice),
        ]);
      }
      p.push(["callbackRate", rate]);
      break;
    }
    default:
      throw new TypeError(
        `Cannot encode order: type ${
          String((req as { type: unknown }).type)
        } is not supported`,
      );
  }
  if (req.type !== "LIMIT" && req.type !== "MARKET") {
    if (req.workingType !== undefined) p.push(["workingType", req.workingType]);
    if (req.priceProtect !== undefined) {
      p.push(["priceProtect", req.priceProtect ? "TRUE" : "FALSE"]);
    }
  }
  if ("reduceOnly" in req && req.reduceOnly !== undefined) {
    p.push(["reduceOnly", req.reduceOnly ? "true" : "false"]);
  }
  p.push(["newClientOrderId", clientOrderId]);
  p.push(["newOrderRespType", "RESULT"]);
  return p;
}

const ID_ALPHABET =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A fresh client order id: `prefix` + base-36 time + 12 random characters, at most 36
 * characters, matching {@linkcode CLIENT_ORDER_ID_RE}.
 *
 * @param prefix a short tag (allowed characters only). @default {"ast-"}
 * @param nowMs the time part. @default {Date.now()}
 */
export function newClientOrderId(
  prefix = "ast-",
  nowMs: number = Date.now(),
): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let rand = "";
  for (const b of bytes) rand += ID_ALPHABET[b % 62];
  return checkClientOrderId(
    `${prefix}${Math.floor(nowMs).toString(36)}-${rand}`.slice(0, 36),
  );
}
