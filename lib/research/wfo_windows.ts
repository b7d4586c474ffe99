/**
 * Walk-forward windows: parse `is=30d,oos=7d[,step=7d][,anchored]` and lay the in-sample and
 * out-of-sample windows over a time span. Rolling: IS = [t_k - L_is, t_k); anchored: IS =
 * [start, t_k); OOS = [t_k, t_k + L_oos), t_{k+1} = t_k + step, so with step = L_oos the OOS
 * segments tile the test span without overlap. Pure. Reference: research-validation.md §3.
 *
 * @module
 */

/** A parsed walk-forward design (milliseconds). */
export interface WalkForwardSpec {
  /** In-sample length (the first IS length when anchored). */
  readonly isMs: number;
  /** Out-of-sample length. */
  readonly oosMs: number;
  /** Step between windows (default: the OOS length). */
  readonly stepMs: number;
  /** Expanding (anchored) in-sample windows. */
  readonly anchored: boolean;
  /** The text it was parsed from. */
  readonly text: string;
}

/** One window, epoch ms, half-open intervals. */
export interface WalkForwardWindow {
  /** IS start. */
  readonly isStart: number;
  /** IS end = OOS start. */
  readonly isEnd: number;
  /** OOS end. */
  readonly oosEnd: number;
}

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

function duration(key: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(text);
  if (m === null) {
    throw new SyntaxError(
      `--walk_forward: ${key}=${text} is not a duration like 30d, 12h or 90m`,
    );
  }
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!(ms >= 60_000) || ms % 60_000 !== 0) {
    throw new SyntaxError(
      `--walk_forward: ${key}=${text} must be a whole number of minutes >= 1`,
    );
  }
  return ms;
}

/**
 * Parses `is=30d,oos=7d[,step=7d][,anchored]`.
 *
 * @throws SyntaxError naming the bad part
 */
export function parseWalkForward(text: string): WalkForwardSpec {
  let isMs = NaN, oosMs = NaN, stepMs = NaN, anchored = false;
  for (const part of text.split(",").map((x) => x.trim())) {
    if (part === "anchored") {
      anchored = true;
      continue;
    }
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    if (key === "is") isMs = duration(key, value);
    else if (key === "oos") oosMs = duration(key, value);
    else if (key === "step") stepMs = duration(key, value);
    else {
      throw new SyntaxError(
        `--walk_forward: unknown part "${part}" (expected is=..,oos=..[,step=..][,anchored])`,
      );
    }
  }
  if (isMs !== isMs || oosMs !== oosMs) {
    throw new SyntaxError(
      `--walk_forward ${text}: needs both is= and oos= (e.g. is=30d,oos=7d)`,
    );
  }
  if (stepMs !== stepMs) stepMs = oosMs;
  if (stepMs < oosMs) {
    throw new SyntaxError(
      `--walk_forward ${text}: step must be >= oos, or the OOS windows overlap and cannot be stitched`,
    );
  }
  return { isMs, oosMs, stepMs, anchored, text };
}

/**
 * Lays the windows over `[startMs, endMs)`: the first OOS starts at `startMs + isMs`; windows
 * continue while the OOS fits.
 *
 * @throws RangeError when not even one IS + OOS fits
 */
export function planWindows(
  startMs: number,
  endMs: number,
  spec: WalkForwardSpec,
): WalkForwardWindow[] {
  const out: WalkForwardWindow[] = [];
  for (let t = startMs + spec.isMs; t + spec.oosMs <= endMs; t += spec.stepMs) {
    out.push({
      isStart: spec.anchored ? startMs : t - spec.isMs,
      isEnd: t,
      oosEnd: t + spec.oosMs,
    });
  }
  if (out.length === 0) {
    const days = (endMs - startMs) / 86_400_000;
    throw new RangeError(
      `--walk_forward ${spec.text}: one in-sample plus one out-of-sample window (${
        (spec.isMs + spec.oosMs) / 86_400_000
      } days) is longer than the data (${days.toFixed(2)} days)`,
    );
  }
  return out;
}
