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
    } else if (error instanceof Deno.errors.NotCapable) {
      // a path or host outside the task's scoped permissions: a setting to fix, no stack
      writeStderr(
        `error: ${
          error.message.replace(/, run again with.*$/, "")
        }: outside ${NOT_CAPABLE_HINT}\n`,
      );
      code = 2;
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

/** What a permission refusal means for the user (see README "Security"). */
export const NOT_CAPABLE_HINT =
  "this command's permissions (the deno tasks read only the checkout, write only ./logs and ./state, and reach only the exchange hosts or 127.0.0.1 for the :sim tasks)";

/** Writes text to stderr synchronously (for messages that must appear before an exit). */
export function writeStderr(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}
