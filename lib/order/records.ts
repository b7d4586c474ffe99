/**
 * The typed records of everything the order manager does, for the decision journal and
 * the logs.
 *
 * @module
 */
import type { EntryRefusal } from "./entry_guard.ts";

/** What happened. */
export const RECORD_ACTIONS = [
  "setup",
  "setup_failed",
  "entry_skipped",
  "entry_placed",
  "entry_rejected",
  "entry_unknown",
  "entry_resolved",
  "exit_placed",
  "exit_rejected",
  "exit_unknown",
  "exit_cancelled",
  "exit_would_trigger",
  "exit_given_up",
  "market_close",
  "market_close_failed",
  "position_changed",
  "position_adopted",
  "position_closed",
  "position_unprotected",
  "position_protected",
  "kill_switch_triggered",
  "kill_switch_cleared",
  "kill_switch_restored",
  "cooldown_restored",
  "reconcile_skipped",
  "error",
] as const;

/** One action of {@linkcode RECORD_ACTIONS}. */
export type RecordAction = typeof RECORD_ACTIONS[number];

/** Why an entry was skipped. */
export type SkipReason =
  | "unknown_symbol"
  | "kill_switch"
  | "kill_switch_persisted"
  | "entry_open"
  | "entry_unknown"
  | "position_open"
  | "position_unprotected"
  | "exits_open"
  | "cooldown"
  | "cooldown_persisted"
  | "duplicate_signal"
  | "setup_failed"
  | "stop_refused"
  | "size"
  | EntryRefusal;

/** One record of the order manager. */
export interface OrderRecord {
  /** Manager clock time, epoch ms. */
  readonly timeMs: number;
  /** Symbol, or `*` for account-wide records. */
  readonly symbol: string;
  readonly action: RecordAction;
  /** The order concerned, when any. */
  readonly clientOrderId?: string;
  /** A short human-readable detail (reason, error message). */
  readonly detail: string;
  /** Key values (quantities and prices as strings). */
  readonly data?: Readonly<Record<string, string | number | boolean>>;
}
