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

/** Logs one order-manager record at its level. */
export function logRecord(r: OrderRecord): void {
  const props = {
    symbol: r.symbol,
    action: r.action,
    detail: r.detail,
    clientOrderId: r.clientOrderId ?? "",
    ...(r.data ?? {}),
  };
  if (
    r.action === "error" || r.action.endsWith("_failed") ||
    r.action === "position_unprotected"
  ) {
    log.error("{symbol} {action}: {detail}", props);
  } else if (QUIET.has(r.action)) {
    log.debug("{symbol} {action}: {detail}", props);
  } else if (
    r.action.startsWith("kill_switch") || r.action.endsWith("_unknown") ||
    r.action === "exit_given_up"
  ) {
    log.warn("{symbol} {action}: {detail}", props);
  } else {
    log.info("{symbol} {action}: {detail}", props);
  }
}
