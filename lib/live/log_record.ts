/**
 * How the session logs the order manager's records: failures as errors, kill-switch and
 * unknown outcomes as warnings, routine skips at debug, the rest as info.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { OrderRecord } from "../order/mod.ts";

const log = getLogger(["aster", "live"]);

const QUIET = new Set(["reconcile_skipped", "entry_skipped"]);

/**
 * The order of a record as text for the plain log: side, type, quantity, price (limit,
 * trigger, activation or average fill) and notional; empty when the record has no order.
 */
export function orderText(data: OrderRecord["data"]): string {
  if (!data || data["side"] === undefined || data["quantity"] === undefined) {
    return "";
  }
  const px = data["price"] ?? data["stopPrice"] ?? data["activationPrice"] ??
    data["avgPrice"];
  const qty = Number(data["quantity"]);
  const price = px === undefined ? "market" : String(px);
  const notional = px === undefined || !(Number(px) > 0)
    ? ""
    : ` = ${(qty * Number(px)).toFixed(2)} USD`;
  return `[${data["side"]} ${data["type"] ?? "?"} ${
    data["quantity"]
  } @ ${price}${notional}]`;
}

/** Logs one order-manager record at its level (with its order in the text form). */
export function logRecord(r: OrderRecord): void {
  const order = orderText(r.data);
  const props = {
    symbol: r.symbol,
    action: r.action,
    detail: r.detail,
    order,
    clientOrderId: r.clientOrderId ?? "",
    ...(r.data ?? {}),
  };
  const text = order === ""
    ? "{symbol} {action}: {detail}"
    : "{symbol} {action}: {detail} {order}";
  if (
    r.action === "error" || r.action.endsWith("_failed") ||
    r.action === "position_unprotected"
  ) {
    log.error(text, props);
  } else if (QUIET.has(r.action)) {
    log.debug(text, props);
  } else if (
    r.action.startsWith("kill_switch") || r.action.endsWith("_unknown") ||
    r.action === "exit_given_up"
  ) {
    log.warn(text, props);
  } else {
    log.info(text, props);
  }
}
