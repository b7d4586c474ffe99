/**
 * Source selection: builds the {@linkcode MarketSource} a {@linkcode SourceSpec} names.
 *
 * @module
 */
import type { MarketSource } from "./source.ts";
import { LogSource } from "./log_source.ts";
import { ohlcvSource } from "./ohlcv_source.ts";
import { syntheticSource } from "./synthetic_source.ts";

/** Where the simulated market comes from. */
export type SourceSpec =
  | { kind: "synthetic" }
  /** Replay of the recorder's CSV logs in `logDir`. */
  | { kind: "logs"; logDir: string }
  /**
   * Replay of 1m OHLCV CSV files, symbol → path; `funding`: funding-rate files
   * (`funding_time,funding_rate`), symbol → path, settled at each funding time.
   */
  | {
    kind: "ohlcv";
    files: Record<string, string>;
    funding?: Record<string, string>;
  };

/** What every source needs to know. */
export interface SourceContext {
  readonly symbols: readonly string[];
  readonly seed: number;
  readonly historyMinutes: number;
}

/**
 * Builds the source of `spec`.
 *
 * @throws {RangeError} when a replay lacks a file for a listed symbol
 */
export function createSource(
  spec: SourceSpec,
  ctx: SourceContext,
): Promise<MarketSource> {
  switch (spec.kind) {
    case "synthetic":
      return Promise.resolve(syntheticSource(ctx.symbols, ctx.seed));
    case "ohlcv":
      return Promise.resolve().then(() =>
        ohlcvSource(
          spec.files,
          ctx.symbols,
          ctx.historyMinutes,
          spec.funding,
        )
      );
    case "logs":
      return Promise.resolve().then(() =>
        new LogSource(spec.logDir, ctx.symbols, ctx.historyMinutes)
      );
  }
}
