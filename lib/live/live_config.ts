/**
 * The live session's settings ({@linkcode LiveConfig}), injected dependencies
 * ({@linkcode LiveDeps}), summary, and the config check run before anything connects.
 *
 * @module
 */
import type { Credentials, TimerApi } from "../exchange/sign/mod.ts";
import type { UserEvent as TradingUserEvent } from "../exchange/trading/mod.ts";
import type { StreamKind } from "../exchange/events.ts";
import {
  checkEntryLimits,
  DEFAULT_ENTRY_LIMITS,
  type EntryLimits,
  type ExchangePort,
  type MarginType,
  type OrderRecord,
  type TrailingOptions,
  weakProtection,
} from "../order/mod.ts";
import { checkStrategyParams, type StrategyParams } from "../strategy/mod.ts";
import type { Clock } from "../time/clock.ts";
import type { FillLog } from "./fill_log.ts";
import type { JournalRow } from "./journal.ts";
import type { LiveSession } from "./live_session.ts";
import { checkBudgets, type StalenessBudgets } from "./staleness.ts";

/** The bot's settings, as plain values. */
export interface LiveConfig {
  /** Symbols (any case). */
  readonly symbols: readonly string[];
  /** Strategy parameters. */
  readonly params: StrategyParams;
  /** Place orders; false = dry run (no credentials, orders only logged). */
  readonly enableTrading: boolean;
  /** Target notional per entry, USD. */
  readonly orderNotional: number;
  /** Take-profit and stop-loss distances, bp. */
  readonly tpBps: number;
  readonly slBps: number;
  /** Trailing stop; none when absent. */
  readonly trailing?: TrailingOptions;
  /** Pause after each exit, ms. */
  readonly cooldownMs: number;
  readonly leverage: number;
  readonly marginType: MarginType;
  /** Kill switch at margin balance / maintenance margin <= this. */
  readonly killThreshold: number;
  /** Kill-switch pause, ms (0 = until restart). */
  readonly killPauseMs: number;
  /** Input-age budgets. */
  readonly budgets: StalenessBudgets;
  /** REST and WebSocket base URLs. */
  readonly restUrl: string;
  readonly wsUrl: string;
  /** Also record the five CSV market logs into `logDir`. */
  readonly updateLogs: boolean;
  readonly logDir: string;
  /** The decision journal's path; empty = none. */
  readonly journalPath: string;
  /** Close positions at shutdown instead of leaving the exchange-side exits. */
  readonly closeOnExit: boolean;
  /** Reconciliation period, ms. @default {5000} */
  readonly reconcileMs?: number;
  /** Housekeeping period, ms. @default {1000} */
  readonly housekeepingMs?: number;
  /**
   * Kill-switch account read period, ms (weight 5 each), checked on the housekeeping
   * tick; a MARGIN_CALL and every ACCOUNT_UPDATE that moves a position also trigger a
   * read at once. @default {5000}
   */
  readonly marginCheckMs?: number;
  /**
   * The safety-state file (kill switch, cooldowns), read before entries are enabled and
   * rewritten atomically on every change; absent or empty = memory only (lost at a
   * restart). Used only when trading.
   */
  readonly stateFile?: string;
  /**
   * The price band and notional caps of every entry (`--max_price_deviation_bps`,
   * `--max_upsize`, `--max_position_notional`). @default {DEFAULT_ENTRY_LIMITS}
   */
  readonly entryLimits?: EntryLimits;
  /**
   * Start even though the leverage or the kill threshold disables protection
   * (`--allow_weak_protection`). @default {false}
   */
  readonly allowWeakProtection?: boolean;
}

/** Injected dependencies (clocks, credentials, hooks). */
export interface LiveDeps {
  /** Needed when trading. */
  readonly credentials?: Credentials;
  /** The bot clock (market ages, cooldowns, loop). @default {systemClock} */
  readonly clock?: Clock;
  /**
   * The signing clock (server time). @default a {@linkcode TimeSync} on the exchange's
   * `/fapi/v1/time`
   */
  readonly serverNow?: () => number;
  /** Waits before the queries resolving a lost order reply, ms. */
  readonly resolveDelaysMs?: readonly number[];
  /** Request timeout, ms. @default {10000} */
  readonly timeoutMs?: number;
  /**
   * V1 `recvWindow` of signed requests, ms (1..60000). @default {5000} (a sped-up
   * simulator's tests widen it: at 240× the 5 s window is 21 ms of real latency)
   */
  readonly recvWindowMs?: number;
  /** Called once the caches are seeded and, when trading, the account adopted. */
  readonly onReady?: (status: string) => void | Promise<void>;
  /** Called every housekeeping tick with the health (streams fresh). */
  readonly onHealth?: (healthy: boolean) => void;
  /** Every evaluation. */
  readonly onDecision?: (row: JournalRow) => void;
  /** Every order-manager record. */
  readonly onRecord?: (record: OrderRecord) => void;
  /**
   * Called once with the session as soon as it exists (before it connects), e.g. to read
   * its state for monitoring.
   */
  readonly onSession?: (session: LiveSession) => void;
  /** Wraps the order manager's exchange port (monitoring); must pass calls through. */
  readonly wrapPort?: (port: ExchangePort) => ExchangePort;
  /** A closed-kline event, before the bot evaluates it (bot clock, epoch ms). */
  readonly onBarClosed?: (symbol: string, nowMs: number) => void;
  /** Every user-stream event (after the manager saw it). */
  readonly onUserEvent?: (event: TradingUserEvent) => void;
  /** Market WebSocket factory (instrumentation, tests). @default {(url) => new WebSocket(url)} */
  readonly marketWebSocket?: (url: string) => WebSocket;
  /**
   * Market-stream silence budgets in bot-clock ms (scale them up when the clock runs
   * faster than real time). @default the stream's defaults
   */
  readonly marketSilenceBudgetMs?: Partial<Record<StreamKind, number>>;
  /** User-stream reconnect back-off start, ms. @default {500} */
  readonly reconnectBaseMs?: number;
  /**
   * User-stream timers (listen-key keepalive, back-off). @default timers on the bot
   * clock, so a paper run at N× keeps the key alive on the simulator's clock
   */
  readonly userStreamTimers?: TimerApi;
}

/** What a finished session reports. */
export interface LiveSummary {
  readonly evaluations: number;
  readonly signals: number;
  readonly entriesSent: number;
  readonly staleSkips: number;
  readonly wouldEnter: number;
  readonly fills: FillLog;
  readonly journalRows: number;
}

/**
 * Validates a config before anything connects.
 *
 * @throws {RangeError} for a bad value
 */
export function checkLiveConfig(c: LiveConfig): void {
  if (c.symbols.length === 0) {
    throw new RangeError("Cannot start the bot: no symbols");
  }
  checkStrategyParams(c.params);
  checkBudgets(c.budgets);
  const pos = (v: number, what: string) => {
    if (!(v > 0) || !Number.isFinite(v)) {
      throw new RangeError(`Cannot start the bot: ${what} ${v} is not > 0`);
    }
  };
  pos(c.orderNotional, "order_notional");
  pos(c.tpBps, "tp_bps");
  pos(c.slBps, "sl_bps");
  if (!(c.cooldownMs >= 0)) {
    throw new RangeError(`Cannot start the bot: cooldown ${c.cooldownMs} < 0`);
  }
  if (!Number.isInteger(c.leverage) || c.leverage < 1 || c.leverage > 125) {
    throw new RangeError(
      `Cannot start the bot: leverage ${c.leverage} is not an integer in 1..125`,
    );
  }
  if (!(c.killThreshold >= 1)) {
    throw new RangeError(
      `Cannot start the bot: kill threshold ${c.killThreshold} < 1`,
    );
  }
  checkEntryLimits(c.entryLimits ?? DEFAULT_ENTRY_LIMITS, c.orderNotional);
  const weak = weakProtection(c);
  if (weak.length > 0 && !c.allowWeakProtection) {
    throw new RangeError(
      `Cannot start the bot: ${
        weak.join("; ")
      }; pass --allow_weak_protection true to run anyway`,
    );
  }
  if (c.trailing) {
    pos(c.trailing.activationBps, "trailing activation");
    if (!(c.trailing.callbackPct >= 0.1 && c.trailing.callbackPct <= 5)) {
      throw new RangeError(
        `Cannot start the bot: trailing callback ${c.trailing.callbackPct} % is not in 0.1..5`,
      );
    }
  }
}

/**
 * The start refused because an entry would trade more than `orderNotional × (1 +
 * maxUpsize)` (the exchange's minimum quantity or notional forces it); the message is
 * the doctor's. Entry scripts exit 2 with it.
 */
export class EntrySizeError extends RangeError {
  /** @param message the one-line refusal */
  constructor(message: string) {
    super(message);
    this.name = "EntrySizeError";
  }
}
