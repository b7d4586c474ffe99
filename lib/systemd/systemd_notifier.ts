/**
 * {@linkcode SystemdNotifier}: tells systemd the service is ready, alive (watchdog), stopping,
 * and what it is doing (status), over the sd_notify protocol.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { openDatagramTransport } from "./datagram_transport.ts";
import {
  formatNotifyMessage,
  type NotifyState,
  watchdogTimeoutMs,
} from "./notify_message.ts";

const log = getLogger(["aster", "systemd"]);

/** Sends sd_notify datagrams; the real one is {@linkcode openDatagramTransport}. */
export interface NotifyTransport {
  /** Sends one datagram. */
  send(payload: Uint8Array): Promise<void>;
  /** Releases the socket. */
  close(): Promise<void>;
}

/** Options of {@linkcode SystemdNotifier.fromEnv}. */
export interface FromEnvOptions {
  /** This process's id, compared with `WATCHDOG_PID`. @default {Deno.pid} */
  pid?: number;
  /** Opens the transport to `NOTIFY_SOCKET`. @default {openDatagramTransport} */
  openTransport?: (socketPath: string) => Promise<NotifyTransport>;
}

/**
 * The sd_notify client. Without `NOTIFY_SOCKET` (not under systemd, or `Type=simple`) every
 * method is a no-op, so the bot runs the same in a terminal. Send failures are logged, never
 * thrown: a lost ping must not crash a bot that holds positions (systemd's watchdog will act).
 *
 * @example
 * ```ts ignore
 * const notifier = await SystemdNotifier.fromEnv((n) => Deno.env.get(n));
 * await notifier.ready();
 * const gate = new WatchdogGate({ notifier, isHealthy: () => feedsFresh() });
 * gate.start();
 * ```
 */
export class SystemdNotifier {
  #transport: NotifyTransport | undefined;
  #timeoutMs: number | undefined;
  #encoder = new TextEncoder();

  /**
   * @param transport where datagrams go; undefined = disabled
   * @param watchdogTimeoutMs the `WATCHDOG_USEC` timeout in ms, if the watchdog is on
   */
  constructor(
    transport: NotifyTransport | undefined,
    watchdogTimeoutMs?: number,
  ) {
    this.#transport = transport;
    this.#timeoutMs = watchdogTimeoutMs;
  }

  /**
   * Builds a notifier from `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`.
   *
   * @param env reads an environment variable
   * @throws {TypeError} when `NOTIFY_SOCKET` is set but cannot be used (abstract socket,
   * missing `--unstable-net`): under `Type=notify` the unit would otherwise time out silently
   */
  static async fromEnv(
    env: (name: string) => string | undefined,
    options: FromEnvOptions = {},
  ): Promise<SystemdNotifier> {
    const socket = env("NOTIFY_SOCKET");
    if (socket === undefined || socket === "") {
      return new SystemdNotifier(undefined);
    }
    const open = options.openTransport ??
      ((path: string) => openDatagramTransport(path, bindOptions(env)));
    const timeout = watchdogTimeoutMs(env, options.pid ?? Deno.pid);
    return new SystemdNotifier(await open(socket), timeout);
  }

  /** Whether messages are sent at all (`NOTIFY_SOCKET` was set). */
  get enabled(): boolean {
    return this.#transport !== undefined;
  }

  /**
   * How often to ping: half the watchdog timeout (systemd's advice), or undefined when the
   * watchdog is off.
   */
  watchdogIntervalMs(): number | undefined {
    return this.#timeoutMs === undefined ? undefined : this.#timeoutMs / 2;
  }

  /** Reports start-up finished (`READY=1`), with an optional status line. */
  ready(status?: string): Promise<void> {
    return this.#send(
      status === undefined
        ? [{ kind: "ready" }]
        : [{ kind: "ready" }, { kind: "status", text: status }],
    );
  }

  /** Pings the watchdog (`WATCHDOG=1`). */
  watchdog(): Promise<void> {
    return this.#send([{ kind: "watchdog" }]);
  }

  /** Sets the status line shown by `systemctl status` (`STATUS=...`). */
  status(text: string): Promise<void> {
    return this.#send([{ kind: "status", text }]);
  }

  /** Reports a clean shutdown has begun (`STOPPING=1`). */
  stopping(): Promise<void> {
    return this.#send([{ kind: "stopping" }]);
  }

  /** Closes the socket; later messages are dropped. */
  async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    await transport?.close();
  }

  async #send(states: readonly NotifyState[]): Promise<void> {
    const transport = this.#transport;
    if (transport === undefined) return;
    const text = formatNotifyMessage(states);
    try {
      await transport.send(this.#encoder.encode(text));
    } catch (error) {
      log.warning("Cannot notify systemd ({message}): {error}", {
        message: text.replaceAll("\n", " "),
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

function bindOptions(
  env: (name: string) => string | undefined,
): { bindDir?: string } {
  // Under systemd, RuntimeDirectory= sets RUNTIME_DIRECTORY (writable even with
  // ProtectSystem=strict); elsewhere a temporary directory is used.
  const dir = env("RUNTIME_DIRECTORY")?.split(":")[0];
  return dir === undefined || dir === "" ? {} : { bindDir: dir };
}
