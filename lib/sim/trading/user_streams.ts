/**
 * User-data WebSocket connections per listenKey: pushes engine events (ordered by `E`),
 * `listenKeyExpired` on expiry, and drops or closes them on request.
 *
 * @module
 */
import type { PushSocket } from "../stream_hub.ts";

/** Open user-data sockets by listenKey. */
export class UserStreams {
  #byKey = new Map<string, Set<PushSocket>>();

  /** Adds `socket` under `key`; it leaves on its own when closed. */
  add(key: string, socket: PushSocket): void {
    let set = this.#byKey.get(key);
    if (!set) this.#byKey.set(key, set = new Set());
    set.add(socket);
    socket.closed.then(() => {
      const s = this.#byKey.get(key);
      if (!s) return;
      s.delete(socket);
      if (s.size === 0) this.#byKey.delete(key);
    });
  }

  /** Whether any socket listens on `key`. */
  has(key: string): boolean {
    return (this.#byKey.get(key)?.size ?? 0) > 0;
  }

  /** The number of open user-data sockets. */
  get size(): number {
    let n = 0;
    for (const s of this.#byKey.values()) n += s.size;
    return n;
  }

  /** Sends `events` (sorted by `E`, stable) to the sockets of `key`. */
  push(key: string, events: readonly { E: number }[]): void {
    const set = this.#byKey.get(key);
    if (!set || set.size === 0 || events.length === 0) return;
    const sorted = events.length > 1
      ? [...events].sort((a, b) => a.E - b.E)
      : events;
    for (const event of sorted) {
      const text = JSON.stringify(event);
      for (const socket of set) socket.send(text);
    }
  }

  /** Sends `listenKeyExpired` to the sockets of `key`, which then get nothing more. */
  expire(key: string, nowMs: number): void {
    const set = this.#byKey.get(key);
    if (!set) return;
    this.#byKey.delete(key);
    const text = JSON.stringify({ e: "listenKeyExpired", E: nowMs });
    for (const socket of set) socket.send(text);
  }

  /** Closes the sockets of `key` normally (listenKey deleted). */
  close(key: string): void {
    const set = this.#byKey.get(key);
    if (!set) return;
    this.#byKey.delete(key);
    for (const socket of set) socket.close(1000, "listenKey closed");
  }

  /** Breaks every user-data socket (code 4000, as a dropped network). */
  dropAll(): void {
    for (const [key, set] of [...this.#byKey]) {
      this.#byKey.delete(key);
      for (const socket of set) socket.close(4000, "dropped");
    }
  }
}
