/**
 * The simulator source of a `--replay` flag (`deno task paper`, `deno task parity`): one
 * recorded log directory, or 1m OHLCV CSV files named `SYMBOL=path` or by a file name that
 * starts with `SYMBOL_`. Validation for entry scripts: problems are usage errors.
 *
 * @module
 */
import { basename } from "node:path";
import { UsageError } from "../cli/usage_error.ts";
import type { SourceSpec } from "../sim/mod.ts";

/**
 * The simulator source of `--replay`: synthetic when absent.
 *
 * @throws {UsageError} for an item without a symbol, or a listed symbol without a file
 */
export function replaySource(
  replay: string[] | undefined,
  symbols: readonly string[],
): SourceSpec {
  if (replay === undefined || replay.length === 0) return { kind: "synthetic" };
  if (replay.length === 1 && !replay[0]!.toLowerCase().endsWith(".csv")) {
    return { kind: "logs", logDir: replay[0]! };
  }
  const files: Record<string, string> = {};
  for (const item of replay) {
    const eq = item.indexOf("=");
    const symbol = eq > 0
      ? item.slice(0, eq).toUpperCase()
      : (/^([A-Za-z0-9]+)_/.exec(basename(item))?.[1] ?? "").toUpperCase();
    const path = eq > 0 ? item.slice(eq + 1) : item;
    if (symbol === "") {
      throw new UsageError(
        `Invalid --replay "${item}": name the symbol as SYMBOL=path`,
      );
    }
    files[symbol] = path;
  }
  for (const s of symbols) {
    if (files[s] === undefined) {
      throw new UsageError(`Invalid --replay: no file for symbol ${s}`);
    }
  }
  return { kind: "ohlcv", files };
}
