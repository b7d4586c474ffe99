/**
 * Validation of a UTC date flag (`--from`, `--to`, `--listed_since`).
 *
 * @module
 */
import { UsageError } from "./usage_error.ts";

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?)?$/;

/**
 * Parses `--<flag>`'s value, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS][Z]`, as a UTC time.
 *
 * @returns epoch milliseconds
 * @throws {UsageError} naming the flag and the value when it is not such a date, or not a
 * real calendar date (`2025-02-30`)
 */
export function parseDateFlag(flag: string, value: string): number {
  const m = DATE_RE.exec(value.trim());
  const bad = () =>
    new UsageError(
      `Invalid --${flag} "${value}": expected a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM`,
    );
  if (!m) throw bad();
  const [y, mo, d, h = "0", mi = "0", s = "0"] = m.slice(1).map((x) =>
    x ?? undefined
  ) as string[];
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== +y! || back.getUTCMonth() !== +mo! - 1 ||
    back.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +s > 59
  ) {
    throw bad();
  }
  return ms;
}
