/**
 * The order manager's safety state that must outlive the process: the margin kill switch
 * and the per-symbol cooldowns. The manager reads it at construction and hands every
 * change to an injected saver; `lib/live/state_file.ts` persists it as a JSON file.
 *
 * Times are epoch ms on the manager's clock (the bot's local clock in live trading).
 *
 * @module
 */

/** A tripped kill switch. */
export interface KillSwitchState {
  /** When it tripped, epoch ms. */
  readonly trippedAtMs: number;
  /** When the pause ends, epoch ms; `null` = until an operator clears it. */
  readonly untilMs: number | null;
  /** Why it tripped (e.g. `margin`). */
  readonly reason: string;
  /** The safety multiple that tripped it, when known. */
  readonly safetyMultiple?: number;
}

/** The persisted safety state. */
export interface SafetyState {
  /** The tripped kill switch; `null` when entries are not blocked by it. */
  readonly killSwitch: KillSwitchState | null;
  /** No entry on a symbol before this time, epoch ms (only future ends matter). */
  readonly cooldowns: Readonly<Record<string, number>>;
  /**
   * Symbols whose position has had no stop-loss on the exchange for longer than the
   * alarm threshold, with the time since when, epoch ms (the doctor fails on them).
   * @default {{}}
   */
  readonly unprotected?: Readonly<Record<string, number>>;
  /**
   * Symbols whose leverage/margin-type setup failed with the exchange not at the wanted
   * values: no entries there (the doctor fails on them). @default {[]}
   */
  readonly setupFailed?: readonly string[];
}

/** The state of a bot that never tripped anything. */
export function emptySafetyState(): SafetyState {
  return { killSwitch: null, cooldowns: {} };
}

/** Where the manager reads and writes its safety state. */
export interface SafetyStatePort {
  /** The state loaded at start (before any entry). */
  readonly initial: SafetyState;
  /**
   * Persists the whole state; called after every change (kill switch tripped or cleared,
   * cooldown started) and awaited before the manager goes on.
   */
  save(state: SafetyState): Promise<void>;
}
