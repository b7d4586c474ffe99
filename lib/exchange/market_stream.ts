/**
 * The market-data WebSocket client: one combined stream
 * (`<wsUrl>/stream?streams=<sym>@kline_1m/<sym>@bookTicker/...`) parsed into typed events
 * and handed to a sink.
 *
 * Resilience:
 * - reconnects with exponential back-off and jitter after a drop;
 * - a stream silent past its budget (per kind) is treated as dead and reconnected;
 * - before the venue's 24 h connection limit it opens a second connection, switches when
 *   that one delivers and closes the old one (no data gap; the caches drop the duplicates
 *   of the overlap by id/time);
 * - bad payloads are counted and logged (at most once per `logEveryMs`), never thrown;
 * - pings are answered by Deno's WebSocket itself (it replies to every ping with a pong);
 * - `close()` closes with code 1000 and leaves no timers behind.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { MarketEvent, StreamKind } from "./events.ts";
import { STREAM_SUFFIXES, streamName } from "./events.ts";
import { parseStreamMessage } from "./stream_parser.ts";

const log = getLogger(["aster", "exchange", "stream"]);

/** The default WebSocket base URL (Aster mainnet). */
export const DEFAULT_WS_URL = "wss://fstream.asterdex.com";

/** All stream kinds, in subscription order. */
export const STREAM_KINDS: readonly StreamKind[] = Object.keys(
  STREAM_SUFFIXES,
) as StreamKind[];

/**
 * Default silence budgets: a stream quiet for longer is treated as dead. Only streams the
 * venue pushes on a fixed cadence have one (markPrice every 1 s, kline every 250 ms while
 * trading); bookTicker, aggTrade and depth may legitimately pause on a quiet market, so
 * their staleness is left to the caches' `ages()`.
 */
export const DEFAULT_SILENCE_BUDGET_MS: Readonly<
  Partial<Record<StreamKind, number>>
> = {
  markPrice: 5_000,
  kline: 10_000,
};

/** Where parsed events go: the market caches, or a counter in the benchmark. */
export interface MarketEventSink {
  /** Receives one validated event with its local receive time (epoch ms). */
  onEvent(event: MarketEvent, recvMs: number): void;
}

/** A connection status change. */
export type StreamStatus =
  | { readonly kind: "connected"; readonly atMs: number }
  | {
    readonly kind: "disconnected";
    readonly atMs: number;
    readonly reason: string;
  }
  | {
    readonly kind: "reconnected";
    readonly atMs: number;
    /** Local receive time of the last message before the drop (0 if none). */
    readonly lastMessageMs: number;
    /** Time without data: `atMs - lastMessageMs`. */
    readonly gapMs: number;
  }
  | { readonly kind: "rotated"; readonly atMs: number };

/** Counters of a {@linkcode MarketStream}. */
export interface StreamStats {
  /** Text messages handled. */
  messages: number;
  /** Events delivered to the sink. */
  events: number;
  /** Payloads that failed to parse or validate. */
  malformed: number;
  /** Sink calls that threw. */
  sinkErrors: number;
  /** Connections opened after the first. */
  reconnects: number;
  /** Planned connection switches. */
  rotations: number;
  /** Reconnects caused by a silent stream. */
  silences: number;
}

/** Options of {@linkcode MarketStream}. */
export interface MarketStreamOptions {
  /** @default {"wss://fstream.asterdex.com"} */
  wsUrl?: string;
  /** Symbols, any case (uppercase in events). */
  symbols: readonly string[];
  /** @default {STREAM_KINDS} */
  kinds?: readonly StreamKind[];
  sink: MarketEventSink;
  /** Called on connection status changes. */
  onStatus?: (status: StreamStatus) => void;
  /** Local clock for receive times and the watchdog. @default {Date.now} */
  now?: () => number;
  /** Per-kind silence budgets (ms); a kind left out is never considered silent. @default {DEFAULT_SILENCE_BUDGET_MS} */
  silenceBudgetMs?: Partial<Record<StreamKind, number>>;
  /** Real-time period of the watchdog. @default {1000} */
  watchdogIntervalMs?: number;
  /**
   * First reconnect delay; doubles per failed attempt up to `reconnectFastCapMs` for the
   * first `reconnectFastAttempts` attempts, then on up to `reconnectMaxMs`; ±25 % jitter.
   * @default {500}
   */
  reconnectBaseMs?: number;
  /**
   * Cap of the delay during the first attempts, so that a short outage costs about a
   * second after the exchange is back (not the tens of seconds a plain doubling reaches).
   * @default {1000}
   */
  reconnectFastCapMs?: number;
  /** How many attempts the fast cap holds for (~30 s at 1 s each). @default {30} */
  reconnectFastAttempts?: number;
  /** @default {30000} */
  reconnectMaxMs?: number;
  /** Age (clock ms) at which a connection is replaced. @default {23 h} */
  rotateAfterMs?: number;
  /** Clock ms a connection may take to open (or, when rotating, to deliver). @default {10000} */
  connectTimeoutMs?: number;
  /** WebSocket factory (tests). @default {(url) => new WebSocket(url)} */
  webSocket?: (url: string) => WebSocket;
  /** Minimum clock ms between two malformed-payload log lines. @default {10000} */
  logEveryMs?: number;
}

interface Conn {
  readonly ws: WebSocket;
  readonly createdMs: number;
  opened: boolean;
  openedMs: number;
  closed: Promise<void>;
}

const KIND_INDEX: Readonly<Record<StreamKind, number>> = {
  kline: 0,
  bookTicker: 1,
  markPrice: 2,
  aggTrade: 3,
  depth: 4,
};

/** The combined market stream of a set of symbols; see the module doc. */
export class MarketStream {
  /** The combined-stream URL. */
  readonly url: string;
  /** Counters, updated in place. */
  readonly stats: StreamStats = {
    messages: 0,
    events: 0,
    malformed: 0,
    sinkErrors: 0,
    reconnects: 0,
    rotations: 0,
    silences: 0,
  };
  #sink: MarketEventSink;
  #onStatus: (status: StreamStatus) => void;
  #now: () => number;
  #budgets: Float64Array;
  #kinds: readonly StreamKind[];
  #lastRecv = new Map<string, Float64Array>();
  #watchdogMs: number;
  #baseMs: number;
  #maxMs: number;
  #rotateMs: number;
  #connectTimeoutMs: number;
  #makeSocket: (url: string) => WebSocket;
  #logEveryMs: number;
  #active: Conn | undefined;
  #pending: Conn | undefined;
  #closing = new Set<Promise<void>>();
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #fastCapMs: number;
  #fastAttempts: number;
  #everConnected = false;
  #down = false;
  #closed = false;
  #started = false;
  #lastMessageMs = 0;
  #lastBadLogMs = -Infinity;
  #badSinceLog = 0;

  /** Creates the stream; nothing connects before {@linkcode MarketStream.start}. */
  constructor(options: MarketStreamOptions) {
    if (options.symbols.length === 0) {
      throw new RangeError("Cannot create a market stream: no symbols");
    }
    this.#kinds = options.kinds ?? STREAM_KINDS;
    const names: string[] = [];
    for (const s of options.symbols) {
      this.#lastRecv.set(s.toUpperCase(), new Float64Array(5));
      for (const k of this.#kinds) names.push(streamName(s, k));
    }
    if (names.length > 200) {
      throw new RangeError(
        `Cannot create a market stream: ${names.length} streams > 200 per connection`,
      );
    }
    const base = (options.wsUrl ?? DEFAULT_WS_URL).replace(/\/+$/, "");
    this.url = `${base}/stream?streams=${names.join("/")}`;
    this.#sink = options.sink;
    this.#onStatus = options.onStatus ?? (() => {});
    this.#now = options.now ?? Date.now;
    const budgets = options.silenceBudgetMs ?? DEFAULT_SILENCE_BUDGET_MS;
    this.#budgets = new Float64Array(5).fill(Infinity);
    for (const k of this.#kinds) {
      const b = budgets[k];
      if (b !== undefined) this.#budgets[KIND_INDEX[k]] = b;
    }
    this.#watchdogMs = options.watchdogIntervalMs ?? 1000;
    this.#baseMs = options.reconnectBaseMs ?? 500;
    this.#maxMs = options.reconnectMaxMs ?? 30_000;
    this.#fastCapMs = Math.min(options.reconnectFastCapMs ?? 1000, this.#maxMs);
    this.#fastAttempts = options.reconnectFastAttempts ?? 30;
    this.#rotateMs = options.rotateAfterMs ?? 23 * 3_600_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#makeSocket = options.webSocket ?? ((url) => new WebSocket(url));
    this.#logEveryMs = options.logEveryMs ?? 10_000;
  }

  /** True while a connection is open and delivering. */
  get connected(): boolean {
    return this.#active !== undefined && this.#active.opened;
  }

  /**
   * True while the stream has lost its connection and is getting it back (started, not
   * closed, no open connection delivering).
   */
  get reconnecting(): boolean {
    return this.#started && !this.#closed && !this.connected;
  }

  /** Opens the connection and starts the watchdog. */
  start(): void {
    if (this.#closed) throw new TypeError("Cannot start: stream is closed");
    if (this.#started) return;
    this.#started = true;
    this.#active = this.#open();
    this.#watchdog = setInterval(() => this.#tick(), this.#watchdogMs);
  }

  /**
   * The hot path: parses one combined-stream message received at `recvMs` and hands the
   * event to the sink. Never throws: bad payloads and sink errors are counted and logged.
   */
  handleMessage(text: string, recvMs: number): void {
    this.stats.messages++;
    let event: MarketEvent | undefined;
    try {
      event = parseStreamMessage(text);
    } catch (error) {
      this.#malformed(error, text, recvMs);
      return;
    }
    if (event === undefined) return;
    this.#lastMessageMs = recvMs;
    const slots = this.#lastRecv.get(event.symbol);
    if (slots !== undefined) slots[KIND_INDEX[event.kind]] = recvMs;
    try {
      this.#sink.onEvent(event, recvMs);
      this.stats.events++;
    } catch (error) {
      this.stats.sinkErrors++;
      log.error("Market event sink failed on {kind} {symbol}: {error}", {
        kind: event.kind,
        symbol: event.symbol,
        error,
      });
    }
  }

  /** Drops the current connection and reconnects (e.g. after a detected problem). */
  reconnect(reason: string): void {
    this.#drop(reason, false);
  }

  #drop(reason: string, silent: boolean): void {
    if (this.#closed || !this.#started) return;
    const conn = this.#active;
    this.#active = undefined;
    if (conn) this.#retire(conn, reason);
    this.#lost(reason, silent);
  }

  /** Closes every connection with code 1000 and stops all timers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    clearTimeout(this.#reconnectTimer);
    if (this.#active) this.#retire(this.#active, "shutdown");
    if (this.#pending) this.#retire(this.#pending, "shutdown");
    this.#active = undefined;
    this.#pending = undefined;
    await Promise.all(this.#closing);
  }

  #open(): Conn {
    const ws = this.#makeSocket(this.url);
    let resolveClosed!: () => void;
    const conn: Conn = {
      ws,
      createdMs: this.#now(),
      opened: false,
      openedMs: 0,
      closed: new Promise<void>((r) => (resolveClosed = r)),
    };
    ws.onopen = () => this.#onOpen(conn);
    ws.onmessage = (e: MessageEvent) => this.#onSocketMessage(conn, e.data);
    ws.onerror = () => {};
    ws.onclose = (e: CloseEvent) => {
      resolveClosed();
      this.#onClose(conn, e);
    };
    return conn;
  }

  #onOpen(conn: Conn): void {
    const now = this.#now();
    conn.opened = true;
    conn.openedMs = now;
    if (conn !== this.#active) return;
    this.#connectedStatus(now);
  }

  #connectedStatus(now: number): void {
    if (!this.#everConnected) {
      this.#everConnected = true;
      log.info("Market stream connected");
      this.#onStatus({ kind: "connected", atMs: now });
    } else if (this.#down) {
      this.stats.reconnects++;
      const last = this.#lastMessageMs;
      const gapMs = last > 0 ? now - last : 0;
      log.info("Market stream reconnected after a {gap} ms gap", {
        gap: gapMs,
      });
      this.#onStatus({
        kind: "reconnected",
        atMs: now,
        lastMessageMs: last,
        gapMs,
      });
    }
    this.#down = false;
  }

  #onSocketMessage(conn: Conn, data: unknown): void {
    if (conn !== this.#active) {
      if (conn !== this.#pending) return;
      // The replacement delivers: switch to it, then close the old connection.
      const old = this.#active;
      this.#active = conn;
      this.#pending = undefined;
      if (old) {
        this.stats.rotations++;
        this.#retire(old, "rotation");
        log.info("Market stream rotated to a new connection");
        this.#onStatus({ kind: "rotated", atMs: this.#now() });
      } else {
        // The old connection dropped during the rotation: this one replaces it.
        clearTimeout(this.#reconnectTimer);
        this.#reconnectTimer = undefined;
        this.#connectedStatus(this.#now());
      }
    }
    if (typeof data === "string") {
      this.#attempt = 0;
      this.handleMessage(data, this.#now());
    } else {
      this.stats.messages++;
      this.#malformed(new TypeError("binary frame"), "", this.#now());
    }
  }

  #onClose(conn: Conn, e: CloseEvent): void {
    if (conn === this.#pending) {
      this.#pending = undefined;
      return;
    }
    if (conn !== this.#active || this.#closed) return;
    this.#active = undefined;
    this.#lost(`closed by peer (code ${e.code})`, false);
  }

  #lost(reason: string, silent: boolean): void {
    const now = this.#now();
    if (!this.#down) {
      this.#down = true;
      log.warn("Market stream disconnected: {reason}", { reason });
      this.#onStatus({ kind: "disconnected", atMs: now, reason });
    }
    if (silent) this.stats.silences++;
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer !== undefined) return;
    const delay = reconnectDelayMs(this.#attempt, {
      baseMs: this.#baseMs,
      fastCapMs: this.#fastCapMs,
      fastAttempts: this.#fastAttempts,
      maxMs: this.#maxMs,
    }) * (0.75 + Math.random() * 0.5);
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#closed || this.#active) return;
      this.#active = this.#open();
    }, delay);
  }

  #retire(conn: Conn, reason: string): void {
    const ws = conn.ws;
    ws.onmessage = null;
    ws.onopen = null;
    this.#closing.add(conn.closed);
    conn.closed.then(() => this.#closing.delete(conn.closed));
    if (ws.readyState === WebSocket.CLOSED) return;
    try {
      ws.close(1000, reason);
    } catch {
      // Already closing.
    }
  }

  #tick(): void {
    if (this.#closed) return;
    const now = this.#now();
    const active = this.#active;
    if (active === undefined) return;
    if (!active.opened) {
      if (now - active.createdMs > this.#connectTimeoutMs) {
        this.reconnect("connect timeout");
      }
      return;
    }
    const since = active.openedMs;
    for (const [symbol, slots] of this.#lastRecv) {
      for (const kind of this.#kinds) {
        const i = KIND_INDEX[kind];
        const budget = this.#budgets[i]!;
        const last = Math.max(slots[i]!, since);
        if (now - last > budget) {
          this.#drop(
            `${symbol} ${kind} silent for ${
              now - last
            } ms (budget ${budget} ms)`,
            true,
          );
          return;
        }
      }
    }
    const pending = this.#pending;
    if (pending === undefined) {
      if (now - active.openedMs > this.#rotateMs) this.#pending = this.#open();
    } else if (now - pending.createdMs > this.#connectTimeoutMs) {
      this.#pending = undefined;
      this.#retire(pending, "rotation timeout");
    }
  }

  #malformed(error: unknown, text: string, now: number): void {
    this.stats.malformed++;
    this.#badSinceLog++;
    if (now - this.#lastBadLogMs < this.#logEveryMs) return;
    log.warn(
      "Dropped {count} malformed stream payload(s), latest: {error} in {text}",
      {
        count: this.#badSinceLog,
        error: error instanceof Error ? error.message : String(error),
        text: text.slice(0, 200),
      },
    );
    this.#lastBadLogMs = now;
    this.#badSinceLog = 0;
  }
}

/**
 * The reconnect delay before jitter of attempt `attempt` (0-based): doubling from `baseMs`,
 * capped at `fastCapMs` for the first `fastAttempts` attempts, then doubling from there up
 * to `maxMs`.
 */
export function reconnectDelayMs(
  attempt: number,
  o: { baseMs: number; fastCapMs: number; fastAttempts: number; maxMs: number },
): number {
  if (attempt < o.fastAttempts) {
    return Math.min(o.baseMs * 2 ** attempt, o.fastCapMs);
  }
  return Math.min(o.fastCapMs * 2 ** (attempt - o.fastAttempts + 1), o.maxMs);
}
