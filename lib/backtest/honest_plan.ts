/**
 * What honest ranking decides before a run simulates anything, for either model: the PBO's
 * time blocks (whole UTC days over the span common to all symbols) and the walk-forward
 * windows. Bad `--pbo` or `--walk_forward` values are RangeErrors naming the flag, raised
 * before anything is written. Pure.
 *
 * @module
 */
import {
  autoBlocks,
  type DayBlocks,
  parseWalkForward,
  planDayBlocks,
  planWindows,
  spannedDays,
  type WalkForwardSpec,
  type WalkForwardWindow,
} from "../research/mod.ts";
import type { FeatureTable } from "./feature_table.ts";

/** The `--pbo` option: an even S, "auto" or "off". */
export type PboOption = number | "auto" | "off";

/** The plan: blocks (or why PBO is skipped) and windows. */
export interface HonestPlan {
  /** The PBO's time blocks (undefined when off or skipped). */
  readonly blocks?: DayBlocks;
  /** Why PBO was skipped before the run, if it was. */
  readonly pboSkipped?: string;
  /** The walk-forward windows (with a walk-forward spec). */
  readonly windows?: WalkForwardWindow[];
}

/**
 * Plans the PBO blocks and the walk-forward windows of a table.
 *
 * @throws {RangeError} for walk-forward windows the data cannot hold, or an explicit S it
 * cannot support (message prefixed with the flag)
 */
export function planHonest(
  table: FeatureTable,
  pbo: PboOption,
  walkForward?: WalkForwardSpec,
): HonestPlan {
  let windows: WalkForwardWindow[] | undefined;
  if (walkForward !== undefined) {
    let lo = Infinity, hi = -Infinity;
    for (const f of table.symbols) {
      if (f.bars === 0) continue;
      lo = Math.min(lo, f.ts[0]!);
      hi = Math.max(hi, f.ts[f.bars - 1]! + 60_000);
    }
    windows = planWindows(lo, hi, walkForward);
  }
  let blocks: DayBlocks | undefined;
  let pboSkipped: string | undefined;
  if (pbo !== "off") {
    const ts = table.symbols.map((s) => s.ts);
    const days = spannedDays(ts);
    const s = pbo === "auto" ? autoBlocks(days) : pbo;
    if (s === 0) {
      pboSkipped =
        `the data spans ${days} UTC day(s); CSCV needs at least 4 whole-day blocks`;
    } else {
      try {
        blocks = planDayBlocks(ts, s);
      } catch (error) {
        if (error instanceof RangeError) {
          throw new RangeError(`--pbo ${pbo}: ${error.message}`);
        }
        throw error;
      }
    }
  }
  return {
    ...(blocks !== undefined ? { blocks } : {}),
    ...(pboSkipped !== undefined ? { pboSkipped } : {}),
    ...(windows !== undefined ? { windows } : {}),
  };
}

/**
 * Parses `--pbo`: an even number of blocks, "auto" or "off" (the evenness and range are
 * checked against the data by {@linkcode planHonest}).
 *
 * @throws {SyntaxError} naming the flag
 */
export function parsePboOption(text: string): PboOption {
  if (text === "auto" || text === "off") return text;
  if (/^\d+$/.test(text)) return Number(text);
  throw new SyntaxError(
    `--pbo must be an even number of blocks >= 4, auto or off, got ${text}`,
  );
}

/**
 * The honest-ranking flags both models read: `--pbo` and `--walk_forward`.
 *
 * @throws {SyntaxError} naming the flag
 */
export function parseHonestFlags(
  flags: { readonly pbo: string; readonly "walk_forward"?: string | undefined },
): { pbo: PboOption; walkForward?: WalkForwardSpec } {
  const pbo = parsePboOption(flags.pbo);
  return flags.walk_forward !== undefined
    ? { pbo, walkForward: parseWalkForward(flags.walk_forward) }
    : { pbo };
}
