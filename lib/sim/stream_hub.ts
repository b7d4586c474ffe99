/**
 * The WebSocket side of the simulator: connections, their subscriptions and control
 * messages (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY), fan-out
 * of payloads serialized once per event, the 24 h connection limit, and stream faults.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { SimClock } from "./clock.ts";
import type { Publisher } from "./market.ts";

const log = getLogger(["aster", "sim"]);
const DAY_MS = 86_400_000;
/** Most streams per connection (Aster's documented limit). */
export const MAX_STREAMS = 200;

/** One client connection. */
interface Connection {
  readonly socket: WebSocket;
  readonly streams: Set<string>;
  combined: boolean;
  readonly openedAt: number;
}

/**
 * A server-push socket outside the market streams (e.g. a user-data stream at
 * `/ws/<listenKey>`). It shares the market connections' faults (drop, silence, malformed),
 * 24 h limit and shutdown.
 */
export interface PushSocket {
  /** Sends a JSON payload (dropped while silenced, corrupted while malformed is armed). */
  send(payload: string): void;
  /** Closes the socket normally. */
  close(code?: number, reason?: string): void;
  /** Resolves when the socket is closed, by either side. */
  readonly closed: Promise<void>;
}

/** Options of {@linkcode StreamHub}. */
export interface StreamHubOptions {
  /** The sim clock (connection age, event times). */
  clock: SimClock;
  /** True when `name` is a stream the market publishes. */
  isKnownStream(name: string): boolean;
}

/** Connections and subscriptions; the market's {@linkcode Publisher}. */
export class StreamHub implements Publisher {
  #clock: SimClock;
  #isKnown: (name: string) => boolean;
  #subs = new Map<string, Set<Connection>>();
  #conns = new Set<Connection>();
  #closed = new Set<Promise<void>>();
  #silenced = false;
  #malformed = 0;
  #malformedKind = 0;
  #shutting = false;

  /** @param options clock and stream-name check */
  constructor(options: StreamHubOptions) {
    this.#clock = options.clock;
    this.#isKnown = options.isKnownStream;
  }

  /** The number of open connections. */
  get connections(): number {
    return this.#conns.size;
  }

  /** True when `name` is a stream this hub serves. */
  isKnownStream(name: string): boolean {
    return this.#isKnown(name);
  }

  /**
   * Upgrades `req` to a WebSocket subscribed to `streams`; `combined` wraps payloads as
   * `{stream,data}`.
   */
  accept(
    req: Request,
    streams: readonly string[],
    combined: boolean,
  ): Response {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const conn: Connection = {
      socket,
      streams: new Set(),
      combined,
      openedAt: this.#clock.now(),
    };
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#closed.add(promise);
    socket.onopen = () => {
      if (this.#shutting) return socket.close(1001, "server shutting down");
      this.#conns.add(conn);
      for (const s of streams) this.#subscribe(conn, s);
    };
    socket.onmessage = (e) => this.#control(conn, e.data);
    socket.onclose = () => {
      this.#remove(conn);
      this.#closed.delete(promise);
      resolve();
    };
    socket.onerror = () => {};
    return response;
  }

  /**
   * Upgrades `req` to a {@linkcode PushSocket}; `onOpen` receives it once open. The socket
   * also answers the usual control messages.
   */
  acceptPush(req: Request, onOpen: (socket: PushSocket) => void): Response {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const conn: Connection = {
      socket,
      streams: new Set(),
      combined: false,
      openedAt: this.#clock.now(),
    };
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#closed.add(promise);
    socket.onopen = () => {
      if (this.#shutting) return socket.close(1001, "server shutting down");
      this.#conns.add(conn);
      onOpen({
        send: (payload) => {
          if (this.#silenced || socket.readyState !== WebSocket.OPEN) return;
          if (this.#malformed > 0) {
            this.#malformed--;
            socket.send(this.#corrupt("", payload, false));
          } else socket.send(payload);
        },
        close: (code = 1000, reason = "") => {
          this.#remove(conn);
          if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
        },
        closed: promise,
      });
    };
    socket.onmessage = (e) => this.#control(conn, e.data);
    socket.onclose = () => {
      this.#remove(conn);
      this.#closed.delete(promise);
      resolve();
    };
    socket.onerror = () => {};
    return response;
  }

  /** True when an open connection listens to `stream` and streams are not silenced. */
  wants(stream: string): boolean {
    if (this.#silenced) return false;
    const set = this.#subs.get(stream);
    return set !== undefined && set.size > 0;
  }

  /** Sends `payload` (JSON) to the subscribers of `stream`, serialized once per form. */
  publish(stream: string, payload: string): void {
    if (this.#silenced) return;
    const set = this.#subs.get(stream);
    if (!set) return;
    let combined: string | undefined;
    for (const conn of set) {
      if (conn.socket.readyState !== WebSocket.OPEN) continue;
      let text: string;
      if (conn.combined) {
        combined ??= `{"stream":"${stream}","data":${payload}}`;
        text = combined;
      } else text = payload;
      if (this.#malformed > 0) {
        this.#malformed--;
        text = this.#corrupt(stream, payload, conn.combined);
      }
      conn.socket.send(text);
    }
  }

  /** Closes (normally) connections older than 24 h of sim time. */
  expire(now: number): void {
    for (const conn of this.#conns) {
      if (now - conn.openedAt >= DAY_MS) {
        this.#remove(conn);
        conn.socket.close(1000, "24h connection limit");
      }
    }
  }

  /** Drops every connection abruptly (abnormal closure, as a network drop). */
  dropConnections(): void {
    for (const conn of [...this.#conns]) {
      this.#remove(conn);
      try {
        conn.socket.close(1006);
      } catch {
        conn.socket.close(4000, "dropped");
      }
    }
  }

  /** Stops sending anything (connections stay open). */
  silence(): void {
    this.#silenced = true;
  }

  /** Sends again after {@linkcode silence}. */
  resume(): void {
    this.#silenced = false;
  }

  /** The next `n` messages sent are malformed. */
  sendMalformed(n: number): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(
        `Cannot send malformed messages: ${n} is not a count`,
      );
    }
    this.#malformed = n;
  }

  /** Closes every connection and waits until they are gone. */
  async close(): Promise<void> {
    this.#shutting = true;
    for (const conn of [...this.#conns]) {
      this.#remove(conn);
      try {
        conn.socket.close(1001, "server shutting down");
      } catch { /* already closing */ }
    }
    // Wait for the close handshakes, but not forever on a client that never answers.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn("Closing the stream hub without {n} close handshakes", {
          n: this.#closed.size,
        });
        resolve();
      }, 2000);
    });
    await Promise.race([Promise.all([...this.#closed]), timeout]);
    clearTimeout(timer);
  }

  #remove(conn: Connection): void {
    this.#conns.delete(conn);
    for (const s of conn.streams) this.#subs.get(s)?.delete(conn);
    conn.streams.clear();
  }

  #subscribe(conn: Connection, stream: string): void {
    conn.streams.add(stream);
    let set = this.#subs.get(stream);
    if (!set) this.#subs.set(stream, set = new Set());
    set.add(conn);
  }

  #reply(conn: Connection, body: unknown): void {
    if (conn.socket.readyState === WebSocket.OPEN) {
      conn.socket.send(JSON.stringify(body));
    }
  }

  #control(conn: Connection, data: unknown): void {
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch (error) {
      this.#reply(conn, {
        code: 3,
        msg: `Invalid JSON: ${(error as Error).message}`,
      });
      return;
    }
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
      this.#reply(conn, {
        code: 2,
        msg: "Invalid request: request must be an object",
      });
      return;
    }
    const { method, params, id } = msg as Record<string, unknown>;
    if (
      id !== undefined && id !== null &&
      !(Number.isInteger(id) && (id as number) >= 0)
    ) {
      this.#reply(conn, {
        code: 2,
        msg: "Invalid request: invalid id",
        id: null,
      });
      return;
    }
    const rid = id ?? null;
    const bad = (text: string): void =>
      this.#reply(conn, { code: 2, msg: `Invalid request: ${text}`, id: rid });
    switch (method) {
      case "SUBSCRIBE":
      case "UNSUBSCRIBE": {
        if (
          !Array.isArray(params) || params.some((p) => typeof p !== "string")
        ) {
          return bad("params must be an array of stream names");
        }
        const names = params as string[];
        if (method === "SUBSCRIBE") {
          const unknown = names.find((n) => !this.#isKnown(n));
          if (unknown !== undefined) return bad(`unknown stream ${unknown}`);
          if (conn.streams.size + names.length > MAX_STREAMS) {
            return bad(`too many streams (max ${MAX_STREAMS})`);
          }
          for (const n of names) this.#subscribe(conn, n);
        } else {
          for (const n of names) {
            conn.streams.delete(n);
            this.#subs.get(n)?.delete(conn);
          }
        }
        return this.#reply(conn, { result: null, id: rid });
      }
      case "LIST_SUBSCRIPTIONS":
        return this.#reply(conn, { result: [...conn.streams], id: rid });
      case "SET_PROPERTY": {
        if (!Array.isArray(params) || params.length !== 2) {
          return bad("expected [name, value]");
        }
        if (params[0] !== "combined") {
          return this.#reply(conn, {
            code: 0,
            msg: "Unknown property",
            id: rid,
          });
        }
        if (typeof params[1] !== "boolean") {
          return this.#reply(conn, {
            code: 1,
            msg: "Invalid value type: expected Boolean",
            id: rid,
          });
        }
        conn.combined = params[1];
        return this.#reply(conn, { result: null, id: rid });
      }
      case "GET_PROPERTY": {
        if (!Array.isArray(params) || params.length !== 1) {
          return bad("expected [name]");
        }
        if (params[0] !== "combined") {
          return this.#reply(conn, {
            code: 0,
            msg: "Unknown property",
            id: rid,
          });
        }
        return this.#reply(conn, { result: conn.combined, id: rid });
      }
      case undefined:
        return bad("missing method");
      default:
        return bad(`unknown method ${String(method)}`);
    }
  }

  #corrupt(stream: string, payload: string, combined: boolean): string {
    const kind = this.#malformedKind++ % 4;
    log.debug("Sending malformed message {kind} on {stream}", { kind, stream });
    const wrap = (data: string): string =>
      combined ? `{"stream":"${stream}","data":${data}}` : data;
    switch (kind) {
      case 0: // bad JSON
        return wrap(payload).slice(
          0,
          Math.max(1, Math.floor(payload.length / 2)),
        );
      case 1: { // missing fields: only the event type survives
        const e = (JSON.parse(payload) as { e?: unknown }).e;
        return wrap(JSON.stringify({ e }));
      }
      case 2: { // wrong types: numbers become strings and strings numbers
        const obj = JSON.parse(payload) as Record<string, unknown>;
        for (const [k, v] of Object.entries(obj)) {
          if (k === "e") continue;
          obj[k] = typeof v === "number"
            ? String(v)
            : typeof v === "string"
            ? 12.5
            : v;
        }
        return wrap(JSON.stringify(obj));
      }
      default:
        return wrap(
          JSON.stringify({ e: "unknownEvent", E: this.#clock.now(), x: 1 }),
        );
    }
  }
}
