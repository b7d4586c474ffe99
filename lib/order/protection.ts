/**
 * Settings that would switch the bot's protection off: a kill threshold that fires only at
 * liquidation, or a leverage at which the stop-loss sits near the liquidation price. The
 * live bot refuses to start and the doctor fails them unless `--allow_weak_protection` is
 * given. Pure.
 *
 * @module
 */

/** Below this margin ratio the kill switch would fire too close to liquidation (ratio 1). */
export const MIN_KILL_THRESHOLD = 1.1;

/**
 * Largest share of the initial margin (`1 / leverage` of the notional) the stop-loss may
 * lose: past half, the maintenance margin and slippage put the liquidation price at or
 * before the stop.
 */
export const MAX_STOP_MARGIN_SHARE = 0.5;

/** The settings the rule looks at. */
export interface ProtectionSettings {
  readonly leverage: number;
  readonly slBps: number;
  readonly killThreshold: number;
}

/**
 * What in `s` disables protection, one line each naming the flag; empty when nothing does.
 */
export function weakProtection(s: ProtectionSettings): string[] {
  const problems: string[] = [];
  if (s.killThreshold < MIN_KILL_THRESHOLD) {
    problems.push(
      `--kill_threshold ${s.killThreshold} is below ${MIN_KILL_THRESHOLD}: the kill switch would fire only at liquidation`,
    );
  }
  const share = s.leverage * s.slBps / 10_000;
  if (share >= MAX_STOP_MARGIN_SHARE) {
    problems.push(
      `--leverage ${s.leverage} with --sl_bps ${s.slBps}: the stop-loss would lose ${
        Math.round(share * 100)
      } % of the margin, at or past liquidation (keep leverage × sl_bps below ${
        MAX_STOP_MARGIN_SHARE * 10_000
      })`,
    );
  }
  return problems;
}
