/**
 * The sd_notify wire format: newline-separated `KEY=VALUE` assignments in one datagram, and
 * the watchdog interval systemd passes in `WATCHDOG_USEC` / `WATCHDOG_PID`.
 *
 * @module
 */

/** One state change reported to systemd. */
export type NotifyState =
  | { readonly kind: "ready" }
  | { readonly kind: "watchdog" }
  | { readonly kind: "stopping" }
  | { readonly kind: "reloading" }
  | { readonly kind: "status"; readonly text: string };

/**
 * Encodes states as one sd_notify datagram payload (`READY=1\nSTATUS=...`).
 *
 * @throws {TypeError} when a status text contains a newline (it would inject assignments)
 */
export function formatNotifyMessage(states: readonly NotifyState[]): string {
  const lines: string[] = [];
  for (const state of states) {
    switch (state.kind) {
      case "ready":
        lines.push("READY=1");
        break;
      case "watchdog":
        lines.push("WATCHDOG=1");
        break;
      case "stopping":
        lines.push("STOPPING=1");
        break;
      case "reloading":
        lines.push("RELOADING=1");
        break;
      case "status":
        if (/[\r\n]/.test(state.text)) {
          throw new TypeError(
            "Cannot format STATUS: the text contains a line break",
          );
        }
        lines.push(`STATUS=${state.text}`);
        break;
    }
  }
  return lines.join("\n");
}

/**
 * The watchdog timeout systemd expects pings within, in ms, from `WATCHDOG_USEC`; undefined
 * when the watchdog is off or meant for another process (`WATCHDOG_PID` differs from `pid`).
 *
 * @param env reads an environment variable
 * @param pid this process's id (compared with `WATCHDOG_PID` when set)
 * @throws {RangeError} when `WATCHDOG_USEC` is set but not a positive integer
 */
export function watchdogTimeoutMs(
  env: (name: string) => string | undefined,
  pid: number,
): number | undefined {
  const usec = env("WATCHDOG_USEC");
  if (usec === undefined || usec === "") return undefined;
  const watchdogPid = env("WATCHDOG_PID");
  if (
    watchdogPid !== undefined && watchdogPid !== "" &&
    Number(watchdogPid) !== pid
  ) {
    return undefined;
  }
  if (!/^[0-9]+$/.test(usec) || Number(usec) <= 0) {
    throw new RangeError(
      `Cannot read WATCHDOG_USEC "${usec}": expected a positive integer`,
    );
  }
  return Number(usec) / 1000;
}
