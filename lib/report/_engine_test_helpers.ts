/**
 * The engine pieces the report's tests drive (one import point, so a renamed engine export
 * breaks one file).
 *
 * @module
 */
export { runBacktest, syntheticCsvLines } from "../backtest/mod.ts";
export { writeLines as writeLinesForTest } from "../backtest/outputs.ts";
