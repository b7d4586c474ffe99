/**
 * The bot's decision core: per symbol, strategy windows seeded from history and fed with
 * closed bars, the evaluation on each closed-bar event with the input-age budgets, the
 * entry through the order manager (or a logged would-be order in a dry run), and one
 * journal row per evaluation. No timers and no sockets: the session wires it.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { KlineEvent } from "../exchange/events.ts";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import type { BarClosedInfo, MarketCaches } from "../market/mod.ts";
import {
  entryPrice,
  entryQuantity,
  orderFilters,
  type OrderManager,
} from "../order/mod.ts";
import {
  klineBar,
  type SignalDecision,
  SignalWindows,
  type StrategyParams,
} from "../strategy/mod.ts";
import type { DecisionJournal, JournalRow } from "./journal.ts";
import { staleInputs, type StalenessBudgets } from "./staleness.ts";

const log = getLogger(["aster", "live", "bot"]);

/** Options of {@linkcode LiveBot}. */
export interface LiveBotOptions {
  /** Traded symbols (uppercase). */
  readonly symbols: readonly string[];
  /** Strategy parameters. */
  readonly params: StrategyParams;
  /** Input-age budgets. */
  readonly budgets: StalenessBudgets;
  /** The market caches (book, mark, closed bars). */
  readonly market: Pick<MarketCaches, "get">;
  /** The order manager; absent in a dry run (orders are only logged). */
  readonly orders?: OrderManager;
  /** Exchange rules, for the would-be orders of a dry run. */
  readonly symbolInfo?: (symbol: string) => SymbolInfo | undefined;
  /** Target notional per entry (dry-run sizing). */
  readonly orderNotional: number;
  /** Allowed excess over `orderNotional` (dry-run sizing, as the order manager). @default {Infinity} */
  readonly maxUpsize?: number;
  /** The decision journal, when kept. */
  readonly journal?: DecisionJournal;
  /** The bot clock, epoch ms. */
  readonly clock: () => number;
  /**
   * The exchange clock estimate (local clock + measured server offset), for the age of
   * the bar, whose close time is exchange time. @default {clock}
   */
  readonly exchangeClock?: () => number;
  /** Called with every evaluation (tests, status). */
  readonly onDecision?: (row: JournalRow) => void;
  /** Whether entries start enabled (the session enables them after adoption). @default {true} */
  readonly entriesEnabled?: boolean;
}

/** Counters of the bot. */
export interface LiveBotStats {
  /** Closed bars evaluated. */
  evaluations: number;
  /** Long/short signals. */
  signals: number;
  /** Signals that reached the order manager. */
  entriesSent: number;
  /** Signals dropped for stale inputs. */
  staleSkips: number;
  /** Signals blocked (position, entry, cooldown, kill switch…). */
  blocked: number;
  /** Would-be orders of a dry run. */
  wouldEnter: number;
}

/** The decision core; see the module doc. */
export class LiveBot {
  /** Counters, updated in place. */
  readonly stats: LiveBotStats = {
    evaluations: 0,
    signals: 0,
    entriesSent: 0,
    staleSkips: 0,
    blocked: 0,
    wouldEnter: 0,
  };
  #o: LiveBotOptions;
  #windows = new Map<string, SignalWindows>();
  #seeded = new Set<string>();
  #entriesOn = true;
  #inFlight = new Set<Promise<void>>();

  /** @param options see {@linkcode LiveBotOptions} */
  constructor(options: LiveBotOptions) {
    this.#o = options;
    this.#entriesOn = options.entriesEnabled ?? true;
    for (const s of options.symbols) {
      this.#windows.set(s, new SignalWindows(options.params));
    }
  }

  /** Whether new entries may be sent (false after {@linkcode stopEntries}). */
  get entriesEnabled(): boolean {
    return this.#entriesOn;
  }

  /** Allows new entries (after the account was adopted). */
  startEntries(): void {
    this.#entriesOn = true;
  }

  /** Stops new entries (shutdown); evaluations are still journaled. */
  stopEntries(): void {
    this.#entriesOn = false;
  }

  /** The windows of `symbol`. */
  windows(symbol: string): SignalWindows | undefined {
    return this.#windows.get(symbol);
  }

  /**
   * Fills every symbol's windows from the closed bars already cached (REST history), so
   * a restarted bot trades at once.
   *
   * @returns bars used per symbol
   */
  seed(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.#o.symbols) out[s] = this.#seed(s);
    return out;
  }

  #seed(symbol: string): number {
    const w = this.#windows.get(symbol);
    if (!w || this.#seeded.has(symbol)) return 0;
    this.#seeded.add(symbol);
    const bars = this.#o.market.get(symbol).closedBars(
      Math.max(this.#o.params.t, this.#o.params.v) + 2,
    );
    let used = 0;
    for (const k of bars) {
      try {
        if (w.push(klineBar(k))) used++;
      } catch (error) {
        log.warn("Skipped history bar of {symbol}: {error}", { symbol, error });
      }
    }
    log.info("Seeded {symbol} with {bars} bars (ready: {ready})", {
      symbol,
      bars: used,
      ready: w.ready,
    });
    return used;
  }

  /** Waits for the entries in flight. */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /**
   * The closed-bar handler: pushes the bar, evaluates the signal with the latest book and
   * mark, and acts on it. The entry order starts synchronously within this call.
   */
  onBarClosed(symbol: string, bar: KlineEvent, info: BarClosedInfo): void {
    const w = this.#windows.get(symbol);
    if (!w) return;
    this.#seed(symbol);
    try {
      if (!w.push(klineBar(bar))) return;
    } catch (error) {
      log.warn("Bad bar of {symbol}: {error}", { symbol, error });
      return;
    }
    const now = this.#o.clock();
    const cache = this.#o.market.get(symbol);
    const book = cache.bookTicker;
    const mark = cache.markPrice;
    const ages = cache.ages(now);
    // the close time is exchange time: age it on the exchange clock, not the local one
    const barAgeMs = (this.#o.exchangeClock?.() ?? now) - (bar.closeTime + 1);
    const bookAgeMs = ages.bookTicker.sinceReceiveMs;
    const markAgeMs = ages.markPrice.sinceReceiveMs;
    const decision = w.evaluate({
      bid: book ? Number(book.bidPrice) : NaN,
      ask: book ? Number(book.askPrice) : NaN,
      mark: mark ? Number(mark.markPrice) : NaN,
      fundingRate: mark ? Number(mark.fundingRate) : NaN,
    });
    const stale = staleInputs(
      { barMs: barAgeMs, bookMs: bookAgeMs, markMs: markAgeMs },
      this.#o.budgets,
    );
    this.stats.evaluations++;
    const row = (action: string, detail: string): JournalRow => ({
      timeMs: this.#o.clock(),
      symbol,
      barOpenTime: bar.openTime,
      barSource: info.source,
      gapBars: info.gapBars,
      close: bar.close,
      bid: book?.bidPrice ?? "",
      ask: book?.askPrice ?? "",
      mark: mark?.markPrice ?? "",
      fundingRate: mark?.fundingRate ?? "",
      barAgeMs,
      bookAgeMs,
      markAgeMs,
      decision,
      stale,
      action,
      detail,
    });
    if (decision.side === "none") {
      this.#emit(row("none", ""));
      return;
    }
    this.stats.signals++;
    if (stale.length > 0) {
      this.stats.staleSkips++;
      log.warn("Signal {side} on {symbol} skipped: stale {stale}", {
        symbol,
        side: decision.side,
        stale: stale.join(","),
      });
      this.#emit(row("skipped", `stale:${stale.join("+")}`));
      return;
    }
    if (!this.#entriesOn) {
      this.#emit(row("skipped", "entries_off"));
      return;
    }
    const orders = this.#o.orders;
    if (!orders) {
      this.#emit(this.#wouldEnter(symbol, decision, bar, row));
      return;
    }
    const reason = orders.blocked(symbol);
    if (reason !== undefined) {
      this.stats.blocked++;
      if (
        reason === "kill_switch_persisted" || reason === "cooldown_persisted"
      ) {
        log.info("Signal {side} on {symbol} blocked: {reason} (state file)", {
          symbol,
          side: decision.side,
          reason,
        });
      }
      this.#emit(row("blocked", reason));
      return;
    }
    this.stats.entriesSent++;
    log.info("Signal {side} on {symbol} at bar {bar}: entering", {
      symbol,
      side: decision.side,
      bar: bar.openTime,
    });
    const task = orders.onSignal({
      symbol,
      direction: decision.side,
      barOpenTime: bar.openTime,
      bid: book!.bidPrice,
      ask: book!.askPrice,
      ...(mark ? { mark: mark.markPrice } : {}),
    }).then((records) => {
      const r = records.find((x) => x.action.startsWith("entry_"));
      this.#emit(row(r?.action ?? "entry", r?.detail ?? ""));
    }, (error) => {
      this.#emit(row("error", String(error)));
    });
    this.#inFlight.add(task);
    task.finally(() => this.#inFlight.delete(task));
  }

  #wouldEnter(
    symbol: string,
    d: SignalDecision,
    _bar: KlineEvent,
    row: (a: string, detail: string) => JournalRow,
  ): JournalRow {
    this.stats.wouldEnter++;
    const info = this.#o.symbolInfo?.(symbol);
    const cache = this.#o.market.get(symbol);
    const book = cache.bookTicker!;
    let detail = `${d.side}`;
    if (info) {
      try {
        const f = orderFilters(info);
        const dir = d.side === "long" ? "long" : "short";
        const price = entryPrice(f, dir, book.bidPrice, book.askPrice);
        const qty = entryQuantity(
          f,
          this.#o.orderNotional,
          price,
          this.#o.maxUpsize ?? Infinity,
        );
        detail = `${dir === "long" ? "BUY" : "SELL"} ${qty} @ ${price} IOC = ${
          (Number(qty) * Number(price)).toFixed(2)
        } USD`;
      } catch (error) {
        detail = `${d.side}: ${
          error instanceof Error ? error.message : String(error)
        }`;
      }
    }
    log.info("Dry run: would enter {symbol} {order}", {
      symbol,
      order: detail,
    });
    return row("would_enter", detail);
  }

  #emit(r: JournalRow): void {
    this.#o.journal?.append(r);
    this.#o.onDecision?.(r);
  }
}
