/**
 * Shared helpers for entry scripts only: flag parsing, usage errors, the main frame,
 * logging setup.
 *
 * @module
 */
export { UsageError } from "./usage_error.ts";
export { type Flags, type FlagSpec, formatHelp, parseFlags } from "./flags.ts";
export { runMain, userFacingError, writeStderr } from "./main.ts";
export {
  checkInputDir,
  checkInputFile,
  checkOutputDir,
  checkOutputFile,
} from "./paths.ts";
export { parseDateFlag } from "./date_flag.ts";
export {
  LOG_FLAGS,
  LOG_LEVELS,
  type LoggingOptions,
  setupLogging,
} from "./logging.ts";
export {
  CONFIG_FLAG,
  envName,
  type FlagLayers,
  type LayeredOptions,
  parseCommandFlags,
  parseLayeredFlags,
} from "./layered.ts";
