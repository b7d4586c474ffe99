/**
 * Logging setup for entry scripts (LogTape): one line per event on stderr, as text for a
 * terminal or as JSON lines for journald and log shippers. Library code only calls
 * `getLogger(["aster", ...])`; only entry scripts call {@linkcode setupLogging}.
 *
 * @module
 */
import {
  configureSync,
  defaultTextFormatter,
  jsonLinesFormatter,
  type LogLevel,
  type LogRecord,
  resetSync,
} from "@logtape/logtape";

/** Options of {@linkcode setupLogging}. */
export interface LoggingOptions {
  /** Lowest level written. @default {"info"} */
  level?: LogLevel;
  /** JSON lines instead of text. @default {false} */
  json?: boolean;
  /** Where lines go. @default {stderr} */
  write?: (line: string) => void;
}

/** The log levels accepted by `--log_level`. */
export const LOG_LEVELS: readonly LogLevel[] = [
  "trace",
  "debug",
  "info",
  "warning",
  "error",
  "fatal",
];

/** Configures LogTape for the process (synchronously, before anything logs). */
export function setupLogging(options: LoggingOptions = {}): void {
  const { level = "info", json = false } = options;
  const encoder = new TextEncoder();
  const write = options.write ??
    ((line: string) => Deno.stderr.writeSync(encoder.encode(line)));
  const format = json ? jsonLinesFormatter : defaultTextFormatter;
  resetSync();
  configureSync({
    sinks: { stderr: (record: LogRecord) => write(format(record)) },
    loggers: [
      { category: ["aster"], lowestLevel: level, sinks: ["stderr"] },
      {
        category: ["logtape", "meta"],
        lowestLevel: "warning",
        sinks: ["stderr"],
      },
    ],
  });
}

/** The logging flags every long-running entry script accepts (`--log_level`, `--log_json`). */
export const LOG_FLAGS = {
  log_level: {
    type: "string",
    default: "info",
    choices: LOG_LEVELS,
    help: "log level",
  },
  log_json: {
    type: "boolean",
    default: false,
    help: "log JSON lines (for journald)",
  },
} as const;
