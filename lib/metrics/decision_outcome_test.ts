import assert from "node:assert/strict";
import { DECISION_OUTCOMES, decisionOutcome } from "./decision_outcome.ts";

const row = (action: string, detail = "", reason?: string) => ({
  action,
  detail,
  decision: { reason },
});

Deno.test("decisionOutcome maps each journal action to a bounded label", () => {
  const cases: [ReturnType<typeof row>, string][] = [
    [row("none", "", "no_momentum"), "no_momentum"],
    [row("none", "", "spread"), "spread"],
    [row("none", "", "open_loss"), "open_loss"],
    [row("skipped", "stale:book+mark"), "stale"],
    [row("skipped", "entries_off"), "entries_off"],
    [row("blocked", "cooldown_persisted"), "cooldown"],
    [row("blocked", "kill_switch"), "kill_switch"],
    [row("blocked", "position_open"), "position_open"],
    [row("entry_skipped", "duplicate_signal"), "duplicate_signal"],
    [row("would_enter", "BUY 0.001 @ 1 IOC"), "would_enter"],
    [row("entry_placed", "filled 0.001"), "signal"],
    [row("entry_rejected", "-2019 margin"), "rejected"],
    [row("entry_unknown", ""), "unknown"],
    [row("error", "Error: boom"), "error"],
    // anything new or free text never becomes a label of its own
    [row("blocked", "order 123456 something"), "other"],
    [row("none", "", "a new reason"), "other"],
    [row("launched_rocket"), "other"],
  ];
  for (const [r, want] of cases) {
    assert.equal(decisionOutcome(r), want, JSON.stringify(r));
    assert.ok((DECISION_OUTCOMES as readonly string[]).includes(want));
  }
});
