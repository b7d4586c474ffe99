/**
 * The user data stream (aster-protocol §5): a listen key created over REST, kept alive
 * proactively every 30 minutes, and a WebSocket at `<wsUrl>/ws/<listenKey>` delivering
 * typed {@linkcode UserEvent}s.
 *
 * - On `listenKeyExpired`, a `-1125` keepalive answer or any drop, it creates a (new) key
 *   and reconnects with exponential back-off and jitter, then calls `onReconnected` so the
 *   caller can reconcile over REST (see {@linkcode reconcile}) what happened in the gap.
 * - Unknown event types (e.g. V3 `announcement`) are counted and ignored; malformed
 *   payloads and handler errors are counted and logged, never thrown.
 * - `close()` closes the socket with code 1000, clears every timer and closes the key.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { ExchangeError } from "../errors.ts";
import type { TimerApi } from "../sign/time_sync.ts";
import { parseUserEvent, type UserEvent } from "./user_events.ts";

const log = getLogger(["aster", "exchange", "user-stream"]);

/** The listen-key calls the stream needs; {@linkcode TradingClient} fits. */
export interface ListenKeyApi {
  /** Creates (or returns the active) listen key. */
  createListenKey(): Promise<string>;
  /** Extends the key. */
  keepAliveListenKey(): Promise<void>;
  /** Closes the key. */
  closeListenKey(): Promise<void>;
}

/** Information passed to `onReconnected`. */
export interface ReconnectInfo {
  /** Local time of the reconnect, epoch ms. */
  readonly atMs: number;
  /** Time since the connection was lost, ms. */
  readonly gapMs: number;
  /** Why it was lost. */
  readonly reason: string;
}

/** Counters of a {@linkcode UserStream}. */
export interface UserStreamStats {
  /** Typed events delivered. */
  events: number;
  /** Payloads with an unknown `e`, ignored. */
  unknown: number;
  /** Payloads that failed to parse. */
  malformed: number;
  /** `onEvent` calls that threw. */
  handlerErrors: number;
  /** Successful reconnects. */
  reconnects: number;
  /** Successful keepalives. */
  keepAlives: number;
  /** Listen keys created (including the first). */
  keysCreated: number;
}

/** Options of {@linkcode UserStream}. */
export interface UserStreamOptions {
  /** Listen-key REST calls. */
  api: ListenKeyApi;
  /** @default {"wss://fstream.asterdex.com"} */
  wsUrl?: string;
  /** Receives each typed event (including `listenKeyExpired`). */
  onEvent: (event: UserEvent) => void;
  /** Called after every reconnect; run a REST reconciliation here. */
  onReconnected?: (info: ReconnectInfo) => void | Promise<void>;
  /** Keepalive period, ms. @default {1800000} (30 min) */
  keepAliveMs?: number;
  /** Retry delay after a failed keepalive, ms. @default {60000} */
  keepAliveRetryMs?: number;
  /** First reconnect delay; doubles per failure, ±25 % jitter. @default {500} */
  reconnectBaseMs?: number;
  /** @default {30000} */
  reconnectMaxMs?: number;
  /** Timers (keepalive, back-off). @default {globalThis timers} */
  timers?: TimerApi;
  /** WebSocket factory. @default {(url) => new WebSocket(url)} */
  webSocket?: (url: string) => WebSocket;
  /** Local clock. @default {Date.now} */
  now?: () => number;
}

const DEFAULT_TIMERS: TimerApi = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) =>
    clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Conn {
  readonly ws: WebSocket;
  readonly closed: Promise<void>;
}

/** The user data stream; see the module doc. */
export class UserStream {
  /** Counters, updated in place. */
  readonly stats: UserStreamStats = {
    events: 0,
    unknown: 0,
    malformed: 0,
    handlerErrors: 0,
    reconnects: 0,
    keepAlives: 0,
    keysCreated: 0,
  };
  #api: ListenKeyApi;
  #wsBase: string;
  #onEvent: (event: UserEvent) => void;
  #onReconnected: (info: ReconnectInfo) => void | Promise<void>;
  #keepAliveMs: number;
  #keepAliveRetryMs: number;
  #baseMs: number;
  #maxMs: number;
  #timers: TimerApi;
  #makeSocket: (url: string) => WebSocket;
  #now: () => number;
  #conn: Conn | undefined;
  #key: string | undefined;
  #keepAliveTimer: unknown;
  #reconnectTimer: unknown;
  #attempt = 0;
  #downSince = 0;
  #downReason = "";
  #started = false;
  #closed = false;
  #closing = new Set<Promise<void>>();
  #pending = new Set<Promise<unknown>>();

  /** Creates the stream; nothing happens before {@linkcode UserStream.start}. */
  constructor(options: UserStreamOptions) {
    this.#api = options.api;
    this.#wsBase = (options.wsUrl ?? "wss://fstream.asterdex.com").replace(
      /\/+$/,
      "",
    );
    this.#onEvent = options.onEvent;
    this.#onReconnected = options.onReconnected ?? (() => {});
    this.#keepAliveMs = options.keepAliveMs ?? 30 * 60_000;
    this.#keepAliveRetryMs = options.keepAliveRetryMs ?? 60_000;
    this.#baseMs = options.reconnectBaseMs ?? 500;
    this.#maxMs = options.reconnectMaxMs ?? 30_000;
    this.#timers = options.timers ?? DEFAULT_TIMERS;
    this.#makeSocket = options.webSocket ?? ((url) => new WebSocket(url));
    this.#now = options.now ?? Date.now;
  }

  /** The listen key in use. */
  get listenKey(): string | undefined {
    return this.#key;
  }

  /** True while the socket is open. */
  get connected(): boolean {
    return this.#conn?.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Creates the listen key and connects; resolves once the socket is open.
   *
   * @throws when the key cannot be created or the first connection fails (no timer is
   * left running; `close()` still closes a key that was created)
   */
  async start(): Promise<void> {
    if (this.#closed) throw new TypeError("Cannot start: stream is closed");
    if (this.#started) throw new TypeError("Cannot start: already started");
    this.#started = true;
    try {
      await this.#connect();
    } catch (error) {
      this.#timers.clearTimeout(this.#keepAliveTimer);
      this.#keepAliveTimer = undefined;
      throw error;
    }
    log.info("User stream connected");
  }

  /**
   * Drops the connection and reconnects with a fresh listen key (as after
   * `listenKeyExpired`).
   */
  reconnect(reason: string): void {
    if (this.#closed || !this.#started) return;
    this.#lost(reason);
  }

  /** Closes the socket (code 1000), stops timers and closes the listen key. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clearTimeout(this.#keepAliveTimer);
    this.#timers.clearTimeout(this.#reconnectTimer);
    this.#keepAliveTimer = undefined;
    this.#reconnectTimer = undefined;
    if (this.#conn) this.#retire(this.#conn, "shutdown");
    this.#conn = undefined;
    await Promise.allSettled([...this.#pending]);
    await Promise.all(this.#closing);
    if (this.#key !== undefined) {
      try {
        await this.#api.closeListenKey();
      } catch (error) {
        log.warn("Cannot close the listen key: {error}", { error: msg(error) });
      }
    }
  }

  /** Handles one payload (the socket's text frames go here). Never throws. */
  handleMessage(text: string): void {
    let event: UserEvent | undefined;
    try {
      event = parseUserEvent(text);
    } catch (error) {
      this.stats.malformed++;
      log.warn("Dropped a malformed user event: {error} in {text}", {
        error: msg(error),
        text: text.slice(0, 200),
      });
      return;
    }
    if (event === undefined) {
      this.stats.unknown++;
      return;
    }
    this.stats.events++;
    try {
      this.#onEvent(event);
    } catch (error) {
      this.stats.handlerErrors++;
      log.error("User event handler failed on {kind}: {error}", {
        kind: event.kind,
        error: msg(error),
      });
    }
    if (event.kind === "listenKeyExpired") this.#lost("listen key expired");
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    p.then(
      () => this.#pending.delete(p),
      () => this.#pending.delete(p),
    );
    return p;
  }

  async #connect(): Promise<void> {
    const key = await this.#track(this.#api.createListenKey());
    if (this.#closed) return;
    this.stats.keysCreated++;
    this.#key = key;
    this.#scheduleKeepAlive(this.#keepAliveMs);
    await this.#open(key);
  }

  #open(key: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = this.#makeSocket(`${this.#wsBase}/ws/${key}`);
      let resolveClosed!: () => void;
      const conn: Conn = {
        ws,
        closed: new Promise<void>((r) => (resolveClosed = r)),
      };
      this.#conn = conn;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        resolve();
      };
      ws.onmessage = (e: MessageEvent) => {
        if (conn !== this.#conn) return;
        if (typeof e.data === "string") this.handleMessage(e.data);
        else this.stats.malformed++;
      };
      ws.onerror = () => {};
      ws.onclose = (e: CloseEvent) => {
        resolveClosed();
        if (!opened) {
          if (conn === this.#conn) this.#conn = undefined;
          reject(new Error(`Cannot connect the user stream: code ${e.code}`));
          return;
        }
        if (conn === this.#conn && !this.#closed) {
          this.#conn = undefined;
          this.#lost(`closed by peer (code ${e.code})`);
        }
      };
    });
  }

  #lost(reason: string): void {
    if (this.#closed) return;
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) this.#retire(conn, reason);
    if (this.#downSince === 0) {
      this.#downSince = this.#now();
      this.#downReason = reason;
      log.warn("User stream lost: {reason}", { reason });
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer !== undefined) return;
    const base = Math.min(this.#baseMs * 2 ** this.#attempt, this.#maxMs);
    const delay = base * (0.75 + Math.random() * 0.5);
    this.#attempt++;
    this.#reconnectTimer = this.#timers.setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#closed) return;
      this.#track(this.#reconnectNow());
    }, delay);
  }

  async #reconnectNow(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      log.warn("User stream reconnect failed: {error}", { error: msg(error) });
      if (this.#conn) this.#retire(this.#conn, "failed");
      this.#conn = undefined;
      this.#scheduleReconnect();
      return;
    }
    if (this.#closed) return;
    const atMs = this.#now();
    const info: ReconnectInfo = {
      atMs,
      gapMs: atMs - this.#downSince,
      reason: this.#downReason,
    };
    this.#attempt = 0;
    this.#downSince = 0;
    this.stats.reconnects++;
    log.info("User stream reconnected after {gap} ms", { gap: info.gapMs });
    try {
      await this.#onReconnected(info);
    } catch (error) {
      log.error("onReconnected failed: {error}", { error: msg(error) });
    }
  }

  #scheduleKeepAlive(ms: number): void {
    this.#timers.clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = this.#timers.setTimeout(() => {
      this.#keepAliveTimer = undefined;
      this.#track(this.#keepAlive());
    }, ms);
  }

  async #keepAlive(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#api.keepAliveListenKey();
      this.stats.keepAlives++;
      if (!this.#closed) this.#scheduleKeepAlive(this.#keepAliveMs);
    } catch (error) {
      if (this.#closed) return;
      if (error instanceof ExchangeError && error.code === -1125) {
        this.#lost("listen key unknown (-1125)");
        return;
      }
      log.warn("Listen key keepalive failed, retrying: {error}", {
        error: msg(error),
      });
      this.#scheduleKeepAlive(this.#keepAliveRetryMs);
    }
  }

  #retire(conn: Conn, reason: string): void {
    const ws = conn.ws;
    ws.onmessage = null;
    this.#closing.add(conn.closed);
    conn.closed.then(() => this.#closing.delete(conn.closed));
    if (ws.readyState === WebSocket.CLOSED) return;
    try {
      ws.close(1000, reason.slice(0, 100));
    } catch {
      // Already closing.
    }
  }
}

function msg(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
