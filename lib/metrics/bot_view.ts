/**
 * What the metrics read from a running bot or recorder at each scrape: plain getters, so
 * nothing on the trading path ever waits on a scrape. `lib/live/session_view.ts` builds it
 * from a live session, `lib/recorder` users from a feed and a recorder.
 *
 * @module
 */

/** Input ages of one symbol, ms (Infinity = never received). */
export interface InputView {
  readonly barMs: number;
  readonly bookMs: number;
  readonly markMs: number;
  /** The inputs older than the bot's budgets (`bar`, `book`, `mark`). */
  readonly stale: readonly string[];
  /** Mark price, funding rate and next funding time (epoch ms), once received. */
  readonly mark?: {
    readonly price: number;
    readonly fundingRate: number;
    readonly nextFundingTimeMs: number;
  };
}

/** One exit order the bot knows. */
export interface ExitView {
  readonly purpose: "tp" | "sl" | "trail";
  readonly state: "open" | "unknown";
}

/** The bot's position on one symbol. */
export interface PositionView {
  /** Signed amount (short < 0); 0 = flat. */
  readonly amount: number;
  /** Entry price (0 when flat). */
  readonly entryPrice: number;
  /** The exits known on the exchange. */
  readonly exits: readonly ExitView[];
  /** Entries blocked until this time (epoch ms, bot clock). */
  readonly cooldownUntilMs: number;
}

/** The kill switch. */
export interface KillSwitchView {
  readonly tripped: boolean;
  readonly reason?: string;
  /** When it tripped, epoch ms. */
  readonly sinceMs?: number;
  /** When it ends, epoch ms; `null` = when an operator clears it. */
  readonly untilMs?: number | null;
}

/** A WebSocket stream's state. */
export interface StreamView {
  readonly connected: boolean;
  /** Reconnects since start. */
  readonly reconnects: number;
  /** Reconnects caused by silence (market stream watchdog). */
  readonly silences: number;
}

/** REST request weight and rate-limit answers, over every transport. */
export interface RestView {
  /** Weight used in the current minute. */
  readonly used: number;
  /** Weight limit per minute. */
  readonly limit: number;
  /** 429 answers seen. */
  readonly rateLimited: number;
  /** 418 answers seen. */
  readonly banned: number;
}

/** Whether the exchange accepts the signed requests' clock (`-1021`, V3 nonce window). */
export interface SigningView {
  /** How long signed requests have kept failing with clock errors, ms; 0 = accepted. */
  readonly failingMs: number;
  /** Clock errors answered since start. */
  readonly clockErrors: number;
  /** The last clock error, if any. */
  readonly lastError?: string;
  /** How long ago the last clock error was answered, ms (with `lastError`). */
  readonly lastErrorAgoMs?: number;
}

/** The realized PnL and fees of some fills. */
export interface PnlView {
  /** Realized PnL, quote. */
  readonly realizedPnl: number;
  /** Fees paid, quote. */
  readonly fees: number;
}

/** The read side of a bot (or recorder) for metrics and `/health`. */
export interface BotView {
  /** The symbols (fixed for the run). */
  readonly symbols: readonly string[];
  /** The bot clock, epoch ms. */
  nowMs(): number;
  /** Whether the bot places orders (false: dry run or recorder). */
  readonly trading: boolean;
  /** Input ages of a symbol. */
  inputs(symbol: string): InputView;
  /** The position of a symbol; absent when not trading. */
  position?(symbol: string): PositionView;
  /**
   * The symbols whose open position has no stop-loss open on the exchange, and since
   * when (bot clock, epoch ms): the order manager's own account of it. Absent when not
   * trading.
   */
  unprotected?(): readonly {
    readonly symbol: string;
    readonly sinceMs: number;
  }[];
  /** The kill switch; absent when not trading. */
  killSwitch?(): KillSwitchView;
  /** The kill threshold (margin balance / maintenance margin). */
  readonly killThreshold?: number;
  /** The market stream and, when trading, the user stream. */
  streams(): { market: StreamView; user?: StreamView };
  /** REST weight and rate limits; absent when unknown. */
  rest?(): RestView;
  /** The signed requests' clock errors; absent when not trading. */
  signing?(): SigningView;
  /** Server − local clock offset, ms; absent when not measured. */
  clockOffsetMs?(): number | undefined;
  /**
   * Realized PnL and fees of the fills since start and of the UTC day starting at
   * `dayStartMs`: running totals, read on every scrape (never a walk over the fills).
   */
  fillTotals?(dayStartMs: number): {
    readonly start: PnlView;
    readonly day: PnlView;
  };
  /** The recorder's rows appended per file since start. */
  recorderRows?(): Readonly<Record<string, number>>;
  /** The recorder's rows lost to failed writes per file since start. */
  recorderDropped?(): Readonly<Record<string, number>>;
}
