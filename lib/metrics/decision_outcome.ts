/**
 * The outcome label of one evaluation of the bot, from its journal row: a small fixed
 * set, so `aster_decisions_total{outcome}` never grows without bound.
 *
 * @module
 */

/** Every outcome label {@linkcode decisionOutcome} returns. */
export const DECISION_OUTCOMES = [
  // no signal: the strategy's reason
  "warming_up",
  "no_momentum",
  "no_volume",
  "spread",
  "funding",
  "open_loss",
  "bad_quote",
  // a signal, and what became of it
  "signal",
  "would_enter",
  "stale",
  "entries_off",
  "kill_switch",
  "cooldown",
  "position_open",
  "entry_open",
  "entry_unknown",
  "exits_open",
  "duplicate_signal",
  "size",
  "rejected",
  "unknown",
  "error",
  "other",
] as const;

/** One label of {@linkcode DECISION_OUTCOMES}. */
export type DecisionOutcome = typeof DECISION_OUTCOMES[number];

const KNOWN = new Set<string>(DECISION_OUTCOMES);

/** The fields of a journal row the outcome depends on. */
export interface DecisionLike {
  /** `none`, `skipped`, `blocked`, `would_enter`, `entry_*`, `error`. */
  readonly action: string;
  /** The action's detail (a blocker, `stale:book+mark`, a skip reason…). */
  readonly detail: string;
  /** The strategy's verdict. */
  readonly decision: { readonly reason: string | undefined };
}

/**
 * Maps a journal row to its outcome label: the strategy's no-signal reason, `signal`
 * (an entry reached the exchange), `would_enter` (dry run), `stale`, `entries_off`, the
 * order manager's blocker (`kill_switch`, `cooldown`, `position_open`…; the persisted
 * variants count as their base), `rejected`, `unknown` or `error`.
 */
export function decisionOutcome(row: DecisionLike): DecisionOutcome {
  const known = (x: string): DecisionOutcome =>
    KNOWN.has(x) ? x as DecisionOutcome : "other";
  switch (row.action) {
    case "none":
      return known(row.decision.reason ?? "other");
    case "skipped":
      return row.detail.startsWith("stale") ? "stale" : known(row.detail);
    case "blocked":
    case "entry_skipped":
      return known(row.detail.replace(/_persisted$/, ""));
    case "would_enter":
      return "would_enter";
    case "entry_placed":
    case "entry_resolved":
      return "signal";
    case "entry_rejected":
      return "rejected";
    case "entry_unknown":
      return "unknown";
    case "error":
      return "error";
    default:
      return "other";
  }
}
