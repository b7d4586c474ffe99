/**
 * The real sd_notify transport: a unix datagram socket (`Deno.listenDatagram` with
 * `transport: "unixpacket"`, which needs `--unstable-net`) bound to a private path, sending
 * to `NOTIFY_SOCKET`.
 *
 * Why this one: systemd only accepts datagrams (SOCK_DGRAM) on `NOTIFY_SOCKET` and, with
 * `NotifyAccess=main`, only from the main process. `node:dgram` has no unix sockets and
 * `node:net` only streams; spawning `systemd-notify` sends from a child process (needs
 * `NotifyAccess=all` and `--allow-run`, and races with the child's exit). Deno's unstable
 * datagram API sends from the bot's own pid, so the unit can keep `NotifyAccess=main`.
 *
 * @module
 */
import type { NotifyTransport } from "./systemd_notifier.ts";

/** The subset of `Deno.DatagramConn` the transport uses. */
interface DatagramConn {
  send(data: Uint8Array, addr: Deno.Addr): Promise<number>;
  close(): void;
}

type ListenDatagram = (
  options: { transport: "unixpacket"; path: string },
) => DatagramConn;

/** Options of {@linkcode openDatagramTransport}. */
export interface DatagramTransportOptions {
  /**
   * Directory for the socket this process binds to send from (`notify.sock` in it).
   * @default {a fresh temporary directory}
   */
  bindDir?: string;
}

/**
 * Opens a unix datagram transport to `socketPath` (an absolute path; abstract `@` sockets
 * are not supported by Deno).
 *
 * @throws {TypeError} when the path is abstract or relative, or `--unstable-net` is missing
 */
export async function openDatagramTransport(
  socketPath: string,
  options: DatagramTransportOptions = {},
): Promise<NotifyTransport> {
  if (!socketPath.startsWith("/")) {
    throw new TypeError(
      `Cannot notify systemd at "${socketPath}": only absolute socket paths are supported (not abstract "@" sockets)`,
    );
  }
  const listen = (Deno as unknown as { listenDatagram?: ListenDatagram })
    .listenDatagram;
  if (typeof listen !== "function") {
    throw new TypeError(
      "Cannot notify systemd: Deno.listenDatagram is unavailable; run with --unstable-net (the compiled aster-live has it)",
    );
  }
  const ownDir = options.bindDir === undefined;
  const dir = options.bindDir ?? await Deno.makeTempDir({ prefix: "sdnotify" });
  // A fixed name under bindDir, so a compiled binary can grant exactly
  // `--allow-net=unix:<bindDir>/notify.sock`; a stale one from a crash is replaced.
  const bindPath = `${dir}/notify.sock`;
  if (!ownDir) await Deno.remove(bindPath).catch(() => {});
  const conn = listen({ transport: "unixpacket", path: bindPath });
  const target: Deno.Addr = { transport: "unixpacket", path: socketPath };
  let closed = false;
  return {
    async send(payload: Uint8Array): Promise<void> {
      await conn.send(payload, target);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      conn.close();
      await Deno.remove(ownDir ? dir : bindPath, { recursive: ownDir }).catch(
        () => {},
      );
    },
  };
}
