/**
 * A mistake of the person running a command (bad flag, missing file, unknown symbol).
 * Entry scripts print its message without a stack trace and exit with code 2.
 */
export class UsageError extends Error {
  /** The process exit code for this error. */
  readonly exitCode = 2;
  /** @param message what is wrong, naming the flag, file, line or field */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}
