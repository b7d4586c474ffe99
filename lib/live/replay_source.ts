/**
 * The simulator source of a `--replay` flag (`deno task paper`, `deno task parity`): one
 * recorded log directory, or 1m OHLCV CSV files named `SYMBOL=path` or by a file name that
 * starts with `SYMBOL_`, with optional `--funding` files named the same way. Validation
 * for entry scripts: problems are usage errors.
 *
 * @module
 */
import { basename } from "node:path";
import { UsageError } from "../cli/usage_error.ts";
import type { SourceSpec } from "../sim/mod.ts";

/**
 * Files by symbol from `SYMBOL=path` items or paths whose file name starts with `SYMBOL_`.
 *
 * @param flag the flag's name, for messages
 * @throws {UsageError} for an item without a symbol
 */
export function symbolFiles(
  items: readonly string[],
  flag: string,
): Record<string, string> {
  const files: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    const symbol = eq > 0
      ? item.slice(0, eq).toUpperCase()
      : (/^([A-Za-z0-9]+)_/.exec(basename(item))?.[1] ?? "").toUpperCase();
    const path = eq > 0 ? item.slice(eq + 1) : item;
    if (symbol === "") {
      throw new UsageError(
        `Invalid --${flag} "${item}": name the symbol as SYMBOL=path`,
      );
    }
    files[symbol] = path;
  }
  return files;
}

/**
 * The simulator source of `--replay` (and `--funding`): synthetic when absent.
 *
 * @throws {UsageError} for an item without a symbol, a listed symbol without a file, or
 *   `--funding` with anything but OHLCV files (or for a symbol that is not listed)
 */
export function replaySource(
  replay: string[] | undefined,
  symbols: readonly string[],
  funding: readonly string[] = [],
): SourceSpec {
  if (replay === undefined || replay.length === 0) {
    if (funding.length > 0) {
      throw new UsageError(
        "Invalid --funding: funding files go with --replay of 1m OHLCV files",
      );
    }
    return { kind: "synthetic" };
  }
  if (replay.length === 1 && !replay[0]!.toLowerCase().endsWith(".csv")) {
    if (funding.length > 0) {
      throw new UsageError(
        `Invalid --funding: the recorded logs in ${
          replay[0]
        } carry their own funding (markPrice.csv's funding_rate, settled on both sides); --funding is only for --replay of 1m OHLCV files`,
      );
    }
    return { kind: "logs", logDir: replay[0]! };
  }
  const files = symbolFiles(replay, "replay");
  for (const s of symbols) {
    if (files[s] === undefined) {
      throw new UsageError(`Invalid --replay: no file for symbol ${s}`);
    }
  }
  if (funding.length === 0) return { kind: "ohlcv", files };
  const rates = symbolFiles(funding, "funding");
  for (const s of Object.keys(rates)) {
    if (!symbols.includes(s)) {
      throw new UsageError(
        `Invalid --funding: ${s} is not a listed symbol (--symbols ${
          symbols.join(",")
        })`,
      );
    }
  }
  return { kind: "ohlcv", files, funding: rates };
}
