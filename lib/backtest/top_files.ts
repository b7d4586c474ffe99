/**
 * The `top/` files of a run: one config's trade list and equity curve on one symbol,
 * re-simulated with a record. The same function writes them in the calling thread and in a
 * pool worker, so where they are written does not change a byte.
 *
 * @module
 */
import type { SymbolFeatures } from "./feature_table.ts";
import { equityCsvLines, tradeCsvLines, writeLines } from "./outputs.ts";
import { buildSignals, type SignalKey } from "./signals.ts";
import { newSimRecord, type SimParams, simulate } from "./simulate.ts";

/** One config on one symbol and the two files to write. Plain data, so it crosses to workers. */
export interface TopJob {
  /** Symbol index in the table. */
  readonly symbol: number;
  /** The config's signal parameters. */
  readonly key: SignalKey;
  /** The config's stops and costs. */
  readonly params: SimParams;
  /** Path of the trade list CSV. */
  readonly trades: string;
  /** Path of the equity curve CSV. */
  readonly equity: string;
}

/**
 * Simulates the job's config on its symbol with a record and writes its trade list and
 * equity curve.
 *
 * @param symbols the feature table's symbols
 * @param blockers whether the spread/funding/opening-loss blockers apply
 * @param job what to write where
 */
export async function writeTopFiles(
  symbols: readonly SymbolFeatures[],
  blockers: boolean,
  job: TopJob,
): Promise<void> {
  const f = symbols[job.symbol];
  if (f === undefined) {
    throw new RangeError(`Cannot write top files: no symbol #${job.symbol}`);
  }
  const rec = newSimRecord(f.bars);
  const signals = buildSignals(f, job.key, { blockers });
  simulate(
    { close: f.close, open: f.open, high: f.high, low: f.low, signals },
    job.params,
    { record: rec },
  );
  await writeLines(job.trades, tradeCsvLines(rec, f));
  await writeLines(job.equity, equityCsvLines(rec, f));
}
