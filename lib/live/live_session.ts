/**
 * The assembled live bot: market feed (REST seed + streams), strategy windows seeded from
 * history, evaluation on each closed bar, the order manager behind the trading-client
 * adapter, the user data stream, the housekeeping loop (./housekeeping.ts), adoption at
 * start, and a clean shutdown. Everything is passed in as plain values: entry scripts
 * read flags, environment and credentials. Settings and dependencies live in
 * ./live_config.ts.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { dirname } from "node:path";
import { MarketRestClient } from "../exchange/market_rest_client.ts";
import { RestTransport } from "../exchange/rest_transport.ts";
import { createSigner, TimeSync } from "../exchange/sign/mod.ts";
import {
  TradingClient,
  type UserEvent as TradingUserEvent,
  UserStream,
} from "../exchange/trading/mod.ts";
import { MarketFeed } from "../market/mod.ts";
import {
  DEFAULT_ENTRY_LIMITS,
  describePlan,
  orderFilters,
  OrderManager,
  planEntry,
} from "../order/mod.ts";
import { LogRecorder } from "../recorder/mod.ts";
import { type Clock, systemClock } from "../time/clock.ts";
import { clockTimers } from "./clock_timers.ts";
import { FillLog } from "./fill_log.ts";
import { Housekeeping } from "./housekeeping.ts";
import { DecisionJournal } from "./journal.ts";
import {
  checkLiveConfig,
  EntrySizeError,
  type LiveConfig,
  type LiveDeps,
  type LiveSummary,
} from "./live_config.ts";
import { LiveBot } from "./live_bot.ts";
import { logRecord } from "./log_record.ts";
import { staleInputs } from "./staleness.ts";
import { describeKillSwitch, readStateFile, StateFile } from "./state_file.ts";
import { SymbolQueues } from "./symbol_queues.ts";
import { portEvents, TradingPort } from "./trading_port.ts";

export {
  checkLiveConfig,
  EntrySizeError,
  type LiveConfig,
  type LiveDeps,
  type LiveSummary,
} from "./live_config.ts";

const log = getLogger(["aster", "live"]);

/** A running bot; see the module doc. */
export class LiveSession {
  /** The market feed. */
  readonly feed: MarketFeed;
  /** The decision core. */
  readonly bot: LiveBot;
  /** The order manager (absent in a dry run). */
  readonly orders: OrderManager | undefined;
  /** The trading client (absent in a dry run). */
  readonly client: TradingClient | undefined;
  /** The user stream (absent in a dry run). */
  readonly userStream: UserStream | undefined;
  /** Fills seen on the user stream. */
  readonly fills = new FillLog();
  /** The market REST transport (request weight, rate-limit answers). */
  readonly transport: RestTransport;
  /** The settings. */
  readonly config: LiveConfig;
  #config: LiveConfig;
  #deps: LiveDeps;
  #clock: Clock;
  #journal: DecisionJournal | undefined;
  #recorder: LogRecorder | undefined;
  #timeSync: TimeSync | undefined;
  #stateFile: StateFile | undefined;
  #keeper: Housekeeping;
  /** Entries wait for the first successful margin read (the one at start failed). */
  #entriesAwaitMargin = false;
  /** User-stream events, one ordered queue per symbol (`*` for account-wide work). */
  #events = new SymbolQueues((error) =>
    log.error("Event failed: {error}", { error })
  );
  #stopped: Promise<void> | undefined;

  private constructor(
    config: LiveConfig,
    deps: LiveDeps,
    parts: {
      feed: MarketFeed;
      bot: LiveBot;
      orders?: OrderManager;
      client?: TradingClient;
      userStream?: UserStream;
      journal?: DecisionJournal;
      recorder?: LogRecorder;
      timeSync?: TimeSync;
      stateFile?: StateFile;
      transport: RestTransport;
    },
  ) {
    this.#config = config;
    this.config = config;
    this.transport = parts.transport;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.feed = parts.feed;
    this.bot = parts.bot;
    this.orders = parts.orders;
    this.client = parts.client;
    this.userStream = parts.userStream;
    this.#journal = parts.journal;
    this.#recorder = parts.recorder;
    this.#timeSync = parts.timeSync;
    this.#stateFile = parts.stateFile;
    this.#keeper = new Housekeeping({
      clock: this.#clock,
      feed: this.feed,
      orders: this.orders,
      budgets: config.budgets,
      recorder: this.#recorder,
      journal: this.#journal,
      everyMs: config.housekeepingMs ?? 1000,
      reconcileMs: config.reconcileMs ?? 5000,
      marginCheckMs: config.marginCheckMs ?? 5000,
      onHealth: () => deps.onHealth?.(this.healthy()),
      onMarginRead: () => {
        if (this.#entriesAwaitMargin) {
          this.#entriesAwaitMargin = false;
          log.info("Margin read: entries enabled");
          this.bot.startEntries();
        }
      },
    });
  }

  /**
   * Validates, opens the files, connects, seeds, sets the account up, adopts what the
   * exchange holds and starts the housekeeping loop.
   *
   * @throws {RangeError} for a bad config, {@linkcode CredentialError}-like TypeError when
   * trading without credentials, `StateFileError` for an unreadable or corrupt state
   * file, `LogFileError`, `UnknownSymbolError`, or a connect error
   */
  static async start(
    config: LiveConfig,
    deps: LiveDeps = {},
  ): Promise<LiveSession> {
    checkLiveConfig(config);
    if (config.enableTrading && !deps.credentials) {
      throw new TypeError("Cannot trade: no credentials");
    }
    const clock = deps.clock ?? systemClock;
    const symbols = config.symbols.map((s) => s.toUpperCase());
    // the safety state first: unknown safety state means no trading at all
    let stateFile: StateFile | undefined;
    if (config.enableTrading && config.stateFile) {
      stateFile = await StateFile.open(config.stateFile, {
        clock: () => clock.now(),
        ...(config.journalPath ? { journal: config.journalPath } : {}),
      });
      const k = stateFile.initial.killSwitch;
      if (k !== null && (k.untilMs === null || k.untilMs > clock.now())) {
        log.warn(
          "Kill switch restored from {path}: {state}; no entries. Clear it with `deno task live --clear_kill_switch` (bot stopped)",
          { path: stateFile.path, state: describeKillSwitch(k, clock.now()) },
        );
      }
    }
    if (!config.enableTrading && config.stateFile) {
      // a dry run writes no state, but a corrupt file refuses the start here too (the
      // README's promise; the operator finds out before switching trading on)
      try {
        await readStateFile(config.stateFile);
      } catch (error) {
        // outside this process's permissions (e.g. a bundle scoped to its state directory
        // and the default ./state path): the dry run cannot check it, and says so
        if (
          !(error instanceof Error &&
            error.cause instanceof Deno.errors.NotCapable)
        ) {
          throw error;
        }
        log.warn("Cannot check the state file {path}: {error}", {
          path: config.stateFile,
          error: error.message,
        });
      }
    }
    let journal: DecisionJournal | undefined;
    // What a failed start removes again: a journal file (and its directory) it created.
    const created: string[] = [];
    if (config.journalPath !== "") {
      const dir = dirname(config.journalPath);
      if (!(await pathExists(dir))) created.push(dir);
      await Deno.mkdir(dir, { recursive: true });
      if (!(await pathExists(config.journalPath))) {
        created.push(config.journalPath);
      }
      journal = await DecisionJournal.open(config.journalPath);
    }
    let recorder: LogRecorder | undefined;
    let feed: MarketFeed | undefined;
    let timeSync: TimeSync | undefined;
    let userStream: UserStream | undefined;
    try {
      if (config.updateLogs) recorder = await LogRecorder.open(config.logDir);
      const transport = new RestTransport({
        baseUrl: config.restUrl,
        timeoutMs: deps.timeoutMs ?? 10_000,
      });
      let session: LiveSession | undefined;
      const window = Math.max(config.params.t, config.params.v) + 5;
      let exchangeNow: (() => number) | undefined;
      feed = new MarketFeed({
        symbols,
        rest: new MarketRestClient(transport),
        stream: {
          wsUrl: config.wsUrl,
          ...(deps.marketWebSocket ? { webSocket: deps.marketWebSocket } : {}),
          ...(deps.marketSilenceBudgetMs
            ? { silenceBudgetMs: deps.marketSilenceBudgetMs }
            : {}),
        },
        now: () => clock.now(),
        // closed klines judged on the exchange's clock once it is known (trading:
        // before the feed starts); a dry run has no time sync and uses the local clock
        exchangeNow: () => exchangeNow?.() ?? clock.now(),
        historyBars: Math.min(1499, window),
        barCapacity: Math.max(window, 64),
        onBarClosed: (symbol, bar, info) => {
          deps.onBarClosed?.(symbol, clock.now());
          session?.bot.onBarClosed(symbol, bar, info);
        },
        onStatus: (status) => {
          if (status.kind === "reconnected") session?.requestReconcile();
        },
      });
      let orders: OrderManager | undefined;
      let client: TradingClient | undefined;
      const marketFeed = feed;
      const makeBot = () =>
        new LiveBot({
          symbols,
          params: config.params,
          budgets: config.budgets,
          market: marketFeed.caches,
          ...(orders ? { orders } : {}),
          symbolInfo: (s) => marketFeed.symbolInfo(s),
          orderNotional: config.orderNotional,
          maxUpsize: (config.entryLimits ?? DEFAULT_ENTRY_LIMITS).maxUpsize,
          ...(journal ? { journal } : {}),
          clock: () => clock.now(),
          ...(exchangeNow ? { exchangeClock: exchangeNow } : {}),
          entriesEnabled: false,
          ...(deps.onDecision ? { onDecision: deps.onDecision } : {}),
        });
      if (!config.enableTrading) {
        session = new LiveSession(config, deps, {
          feed,
          bot: makeBot(),
          transport,
          ...(journal ? { journal } : {}),
          ...(recorder ? { recorder } : {}),
        });
        deps.onSession?.(session);
        await feed.start();
        planEntries(config, symbols, feed);
        session.bot.seed();
        log.info("Dry run on {symbols}: no orders are placed", {
          symbols: symbols.join(","),
        });
      } else {
        let serverNow = deps.serverNow;
        if (!serverNow) {
          const rest = new MarketRestClient(transport);
          timeSync = new TimeSync({
            serverTime: (signal) => rest.serverTime({ signal }),
          });
          await timeSync.start();
          const ts = timeSync;
          serverNow = () => ts.now();
        }
        exchangeNow = serverNow;
        // the local clock bounds the V3 nonce: a bad server-time sample cannot push it
        // away; a local clock step that two measurements confirmed moves the bound with
        // it (else every V3 signed request would be refused locally until a restart)
        const ts = timeSync;
        const signer = createSigner(deps.credentials!, {
          clock: serverNow,
          localClock: ts ? () => ts.steppedLocalNow() : () => clock.now(),
          ...(deps.recvWindowMs === undefined
            ? {}
            : { recvWindow: deps.recvWindowMs }),
        });
        client = new TradingClient({
          signer,
          baseUrl: config.restUrl,
          transport: { timeoutMs: deps.timeoutMs ?? 10_000 },
          ...(timeSync ? { timeSync } : {}),
          ...(deps.resolveDelaysMs
            ? { resolveDelaysMs: deps.resolveDelaysMs }
            : {}),
        });
        // symbol rules come from the feed's exchangeInfo: start the feed first
        await feed.start();
        planEntries(config, symbols, feed);
        const infos = symbols.map((s) => {
          const i = marketFeed.symbolInfo(s);
          if (!i) throw new RangeError(`Cannot trade ${s}: no exchange rules`);
          return i;
        });
        const port = new TradingPort(client);
        orders = new OrderManager(deps.wrapPort?.(port) ?? port, {
          symbols: infos,
          orderNotional: config.orderNotional,
          tpBps: config.tpBps,
          slBps: config.slBps,
          ...(config.trailing ? { trailing: config.trailing } : {}),
          cooldownMs: config.cooldownMs,
          leverage: config.leverage,
          marginType: config.marginType,
          killThreshold: config.killThreshold,
          killPauseMs: config.killPauseMs,
          entryLimits: config.entryLimits ?? DEFAULT_ENTRY_LIMITS,
          ...(stateFile ? { safety: stateFile } : {}),
          clock: () => clock.now(),
          // the market-close back-off on the bot's clock (the simulator's in paper)
          sleep: (ms) => clock.sleep(ms),
          onRecord: (r) => {
            logRecord(r);
            deps.onRecord?.(r);
          },
        });
        const c = client;
        userStream = new UserStream({
          api: {
            createListenKey: () => c.createListenKey(),
            keepAliveListenKey: () => c.keepAliveListenKey(),
            closeListenKey: () => c.closeListenKey(),
          },
          wsUrl: config.wsUrl,
          onEvent: (e) => session?.onUserEvent(e),
          onReconnected: () => session?.requestReconcile(),
          ...(deps.reconnectBaseMs === undefined
            ? {}
            : { reconnectBaseMs: deps.reconnectBaseMs }),
          timers: deps.userStreamTimers ?? clockTimers(clock),
        });
        session = new LiveSession(config, deps, {
          feed,
          bot: makeBot(),
          orders,
          client,
          userStream,
          transport,
          ...(journal ? { journal } : {}),
          ...(recorder ? { recorder } : {}),
          ...(timeSync ? { timeSync } : {}),
          ...(stateFile ? { stateFile } : {}),
        });
        deps.onSession?.(session);
        await orders.setup();
        await userStream.start();
        await orders.reconcile();
        session.#keeper.reconciled(clock.now());
        session.bot.seed();
      }
      // invariant: the margin is read (and the kill switch judged) before any entry; when
      // this first read fails, entries wait for the housekeeping's first successful one
      let marginRead = !config.enableTrading;
      if (!marginRead) {
        try {
          await orders!.checkMargin();
          marginRead = true;
        } catch (error) {
          log.warn(
            "First margin read failed: {error}; no entries until a margin read succeeds",
            { error },
          );
        }
      }
      if (marginRead) session.bot.startEntries();
      else session.#entriesAwaitMargin = true;
      session.#keeper.start();
      const status = `${config.enableTrading ? "trading" : "dry run"} ${
        symbols.join(",")
      }`;
      await deps.onReady?.(status);
      log.info("Bot ready: {status}", { status });
      return session;
    } catch (error) {
      await userStream?.close().catch(() => {});
      timeSync?.stop();
      await feed?.close().catch(() => {});
      await recorder?.close().catch(() => {});
      await journal?.close().catch(() => {});
      if ((journal?.rows ?? 0) === 0) {
        // nothing was journaled: leave no header-only file (nor empty directory) behind
        for (const path of created.reverse()) {
          await Deno.remove(path).catch(() => {});
        }
      }
      await stateFile?.flush();
      throw error;
    }
  }

  /** Asks for a reconciliation at the next housekeeping tick. */
  requestReconcile(): void {
    this.#keeper.requestReconcile();
  }

  /** The bot clock now, epoch ms. */
  nowMs(): number {
    return this.#clock.now();
  }

  /** Rows the `--update_logs` recorder appended per file; undefined without it. */
  recorderRows(): Record<string, number> | undefined {
    return this.#recorder?.rowCounts();
  }

  /** Rows the `--update_logs` recorder lost to failed writes; undefined without it. */
  recorderDropped(): Record<string, number> | undefined {
    return this.#recorder?.droppedCounts();
  }

  /** Server − local clock offset, ms; undefined when not measured (paper, dry run). */
  get clockOffsetMs(): number | undefined {
    return this.#timeSync?.offsetMs;
  }

  /** Housekeeping ticks run so far. */
  get ticks(): number {
    return this.#keeper.ticks;
  }

  /**
   * Whether the bot is healthy (the systemd watchdog pings only then): the book and mark
   * of every symbol within budget and, when trading, the user stream connected.
   */
  healthy(): boolean {
    if (this.userStream && !this.userStream.connected) return false;
    const now = this.#clock.now();
    for (const s of this.feed.symbols) {
      const a = this.feed.caches.ages(s, now);
      const stale = staleInputs({
        barMs: 0,
        bookMs: a.bookTicker.sinceReceiveMs,
        markMs: a.markPrice.sinceReceiveMs,
      }, this.#config.budgets);
      if (stale.length > 0) return false;
    }
    return true;
  }

  /**
   * Applies a user-stream event: in order per symbol, symbols independent of each other
   * (the manager locks per symbol too).
   */
  onUserEvent(e: TradingUserEvent): void {
    this.fills.onEvent(e);
    const orders = this.orders;
    if (orders) {
      if (e.kind === "marginCall") {
        log.warn("Margin call received: checking the kill switch");
        this.#events.push("*", () => this.#keeper.checkMargin());
      }
      // each symbol's events in order, and no symbol waiting for another's
      for (const pe of portEvents(e)) {
        const symbol = pe.kind === "order"
          ? pe.order.symbol
          : pe.position.symbol;
        this.#events.push(symbol, () => orders.onEvent(pe));
      }
      if (e.kind === "accountUpdate" && e.positions.length > 0) {
        // a position moved: read the margin now, without holding up the events
        this.#events.push("*", () => this.#keeper.requestMargin());
      }
    }
    this.#deps.onUserEvent?.(e);
  }

  /** Waits for the queued user events and entries in flight. */
  async settle(): Promise<void> {
    await this.#events.idle();
    await this.bot.settle();
    await this.#events.idle();
  }

  /** Resolves when the session is stopped. */
  get stopped(): Promise<void> {
    return this.#stopped ?? new Promise(() => {});
  }

  /**
   * Shuts down: stops entries and the loop, waits for what is in flight, closes every
   * position when `closeOnExit` (else leaves the exchange-side exits in place), flushes
   * the journal and logs, closes the streams.
   */
  stop(): Promise<LiveSummary> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped.then(() => this.summary());
  }

  /** The counters so far. */
  summary(): LiveSummary {
    const s = this.bot.stats;
    return {
      evaluations: s.evaluations,
      signals: s.signals,
      entriesSent: s.entriesSent,
      staleSkips: s.staleSkips,
      wouldEnter: s.wouldEnter,
      fills: this.fills,
      journalRows: this.#journal?.rows ?? 0,
    };
  }

  async #shutdown(): Promise<void> {
    log.info("Stopping: no new entries");
    this.#entriesAwaitMargin = false;
    this.bot.stopEntries();
    await this.#keeper.stop();
    await this.settle();
    if (this.orders) {
      if (this.#config.closeOnExit) {
        // neutral wording: live sets this with --close_on_exit, paper unless --leave_open
        log.info("Closing every position at shutdown");
        await this.orders.closeAll();
      } else {
        log.info("Leaving positions and their exchange-side exits in place");
      }
    }
    await this.feed.close();
    await this.userStream?.close().catch((error) =>
      log.warn("User stream close failed: {error}", { error })
    );
    this.#timeSync?.stop();
    await this.settle();
    await this.#stateFile?.flush();
    await this.#journal?.close();
    await this.#recorder?.close();
    log.info("Stopped");
  }
}

/**
 * Runs a session until `durationMs` of bot-clock time (0 = forever) or until `signal`
 * aborts, then stops it.
 */
export async function runLiveSession(
  config: LiveConfig,
  deps: LiveDeps & { durationMs: number; signal?: AbortSignal },
): Promise<LiveSummary> {
  const session = await LiveSession.start(config, deps);
  const clock = deps.clock ?? systemClock;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  deps.signal?.addEventListener("abort", onAbort, { once: true });
  if (deps.signal?.aborted) stop.abort();
  try {
    if (deps.durationMs > 0) {
      await clock.sleep(deps.durationMs, stop.signal).catch(() => {});
    } else if (!stop.signal.aborted) {
      await new Promise<void>((resolve) =>
        stop.signal.addEventListener("abort", () => resolve(), { once: true })
      );
    }
  } finally {
    deps.signal?.removeEventListener("abort", onAbort);
  }
  return await session.stop();
}

/** Whether `path` exists (a broken or unreadable path counts as missing). */
async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Logs each symbol's planned entry (quantity, price, notional) at the current mark price
 * and refuses the start of a trading bot whose minimums force an entry above
 * `orderNotional × (1 + maxUpsize)` (a dry run only warns).
 *
 * @throws {EntrySizeError} with the doctor's message
 */
function planEntries(
  config: LiveConfig,
  symbols: readonly string[],
  feed: MarketFeed,
): void {
  for (const symbol of symbols) {
    const info = feed.symbolInfo(symbol);
    const mark = feed.caches.get(symbol).markPrice?.markPrice;
    if (!info || mark === undefined) continue;
    const r = planEntry(
      orderFilters(info),
      config.orderNotional,
      mark,
      (config.entryLimits ?? DEFAULT_ENTRY_LIMITS).maxUpsize,
    );
    if (r.ok) {
      log.info("{plan}", { plan: describePlan(r.plan), ...r.plan });
    } else if (config.enableTrading) {
      throw new EntrySizeError(`Cannot trade ${symbol}: ${r.message}`);
    } else {
      log.warn("{symbol}: {message} (a trading bot would refuse to start)", {
        symbol,
        message: r.message,
      });
    }
  }
}
