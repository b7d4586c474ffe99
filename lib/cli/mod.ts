/**
 * Shared helpers for entry scripts only: flag parsing, usage errors, the main frame.
 *
 * @module
 */
export { UsageError } from "./usage_error.ts";
export { type Flags, type FlagSpec, formatHelp, parseFlags } from "./flags.ts";
export { runMain, writeStderr } from "./main.ts";
