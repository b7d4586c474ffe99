/**
 * Research validation: statistics that tell whether a grid's winner means something —
 * PSR/DSR/MinTRL (`sharpe_stats.ts`), per-config return moments and per-block statistics
 * (`return_stats.ts`), PBO by CSCV (`cscv.ts`). Pure; the backtest wires them in.
 *
 * @module
 */
export * from "./sharpe_stats.ts";
export * from "./return_stats.ts";
export * from "./cscv.ts";
export * from "./day_blocks.ts";
export * from "./plateau.ts";
export * from "./wfo_windows.ts";
