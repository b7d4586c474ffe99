/**
 * The common frame of every entry script: run `main`, turn a {@linkcode UsageError} into a
 * clear message on stderr and exit code 2, and any other error into exit code 1.
 *
 * @module
 */
import { UsageError } from "./usage_error.ts";

/**
 * Runs an entry script's main function and exits with its code.
 *
 * @param main the script body; returns the exit code (default 0)
 * @param exit the process exit function (injected for tests)
 */
export async function runMain(
  main: () => Promise<number | void>,
  exit: (code: number) => never = Deno.exit,
): Promise<void> {
  let code: number;
  try {
    code = (await main()) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      writeStderr(`error: ${error.message}\n`);
      code = error.exitCode;
    } else {
      writeStderr(
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

/** Writes text to stderr synchronously (for messages that must appear before an exit). */
export function writeStderr(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}
