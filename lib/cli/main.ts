/**
 * The common frame of every entry script: run `main`, turn a {@linkcode UsageError} or an
 * error of the environment the user controls (a path that is missing, a directory, read-only;
 * a port in use; an unreachable exchange) into one line on stderr and exit code 2, and any
 * other error (a bug) into its stack trace and exit code 1.
 *
 * @module
 */
import { UsageError } from "./usage_error.ts";
import { versionLine } from "./version.ts";

/**
 * The Deno error classes that describe the user's environment, not a bug: their messages
 * name the path, address or operation (`No such file or directory (os error 2): open 'x'`).
 */
const ENVIRONMENT_ERRORS:
  readonly (abstract new (...args: never[]) => Error)[] = [
    Deno.errors.NotFound,
    Deno.errors.PermissionDenied,
    Deno.errors.AlreadyExists,
    Deno.errors.IsADirectory,
    Deno.errors.NotADirectory,
    Deno.errors.AddrInUse,
    Deno.errors.AddrNotAvailable,
    Deno.errors.ConnectionRefused,
    Deno.errors.ConnectionReset,
    Deno.errors.ConnectionAborted,
    Deno.errors.TimedOut,
    Deno.errors.FilesystemLoop,
  ];

/**
 * The names of the exchange client's failures to reach a host (lib/exchange/errors.ts);
 * matched by name so that this frame does not depend on the exchange layer.
 */
const NETWORK_ERROR_NAMES = new Set(["NetworkError", "TimeoutError"]);

/**
 * The one-line message and exit code of an error when it is the user's to fix, or
 * `undefined` for a bug (which keeps its stack trace).
 */
export function userFacingError(
  error: unknown,
): { message: string; code: number } | undefined {
  if (error instanceof UsageError) {
    return { message: oneLine(error.message), code: error.exitCode };
  }
  if (!(error instanceof Error)) return undefined;
  if (error instanceof Deno.errors.NotCapable) {
    // a path or host outside the task's scoped permissions: a setting to fix, no stack
    return {
      message: oneLine(
        `${
          error.message.replace(/, run again with.*$/, "")
        }: outside ${NOT_CAPABLE_HINT}`,
      ),
      code: 2,
    };
  }
  if (ENVIRONMENT_ERRORS.some((kind) => error instanceof kind)) {
    return { message: oneLine(`${error.name}: ${error.message}`), code: 2 };
  }
  if (NETWORK_ERROR_NAMES.has(error.name)) {
    return { message: oneLine(error.message), code: 2 };
  }
  return undefined;
}

/** Collapses a message to one line (stderr consumers and the tests read one line). */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/**
 * Runs an entry script's main function and exits with its code.
 *
 * @param main the script body; returns the exit code (default 0)
 * @param exit the process exit function (injected for tests)
 * @param stderr where the error line goes (injected for tests)
 * @param argv the command line; exactly `--version` prints {@linkcode versionLine} instead
 */
export async function runMain(
  main: () => Promise<number | void>,
  exit: (code: number) => never = Deno.exit,
  stderr: (text: string) => void = writeStderr,
  argv: readonly string[] = Deno.args,
): Promise<void> {
  if (argv.length === 1 && argv[0] === "--version") {
    // every command answers --version the same way, before parsing its own flags
    Deno.stdout.writeSync(
      new TextEncoder().encode(versionLine(Deno.mainModule) + "\n"),
    );
    exit(0);
    return;
  }
  let code: number;
  try {
    code = (await main()) ?? 0;
  } catch (error) {
    const known = userFacingError(error);
    if (known !== undefined) {
      stderr(`error: ${known.message}\n`);
      code = known.code;
    } else {
      stderr(
        `fatal: ${
          error instanceof Error
            ? (error.stack ?? error.message)
            : String(error)
        }\n`,
      );
      code = 1;
    }
  }
  exit(code);
}

/** What a permission refusal means for the user (see README "Security"). */
export const NOT_CAPABLE_HINT =
  "this command's permissions (the deno tasks read only the checkout, write only ./logs and ./state, and reach only the exchange hosts or 127.0.0.1 for the :sim tasks)";

/** Writes text to stderr synchronously (for messages that must appear before an exit). */
export function writeStderr(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}
