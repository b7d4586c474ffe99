/**
 * The session's housekeeping loop, one tick per `housekeepingMs` of bot-clock time:
 * recorder snapshot, staleness logging, health, the kill-switch account read (every
 * `marginCheckMs`, or at once when asked), reconciliation (every `reconcileMs`, or when
 * asked after a reconnect) and the periodic journal and log flushes.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { MarketFeed } from "../market/mod.ts";
import type { OrderManager } from "../order/mod.ts";
import type { LogRecorder } from "../recorder/mod.ts";
import type { Clock } from "../time/clock.ts";
import type { DecisionJournal } from "./journal.ts";
import { staleInputs, type StalenessBudgets } from "./staleness.ts";

const log = getLogger(["aster", "live"]);

/** What {@linkcode Housekeeping} works on. */
export interface HousekeepingParts {
  readonly clock: Clock;
  readonly feed: MarketFeed;
  /** Absent in a dry run: no margin reads, no reconciliation. */
  readonly orders: OrderManager | undefined;
  readonly budgets: StalenessBudgets;
  readonly recorder: LogRecorder | undefined;
  readonly journal: DecisionJournal | undefined;
  /** Tick period, ms. */
  readonly everyMs: number;
  /** Reconciliation period, ms. */
  readonly reconcileMs: number;
  /** Kill-switch account read period, ms. */
  readonly marginCheckMs: number;
  /** Reports the health each tick. */
  readonly onHealth?: () => void;
  /** Called after every successful margin read (the session enables entries on the first). */
  readonly onMarginRead?: () => void;
}

/** The housekeeping loop of a session; see the module doc. */
export class Housekeeping {
  #p: HousekeepingParts;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #reconcileWanted = true;
  #lastReconcile = -Infinity;
  #marginWanted = false;
  #lastMargin = -Infinity;
  #busy = { reconcile: false, margin: false };
  #stale = new Map<string, string>();
  #ticks = 0;

  /** @param parts what the ticks work on */
  constructor(parts: HousekeepingParts) {
    this.#p = parts;
  }

  /** Ticks run so far. */
  get ticks(): number {
    return this.#ticks;
  }

  /** Starts the loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops the loop and waits for a margin read or reconciliation in flight. */
  async stop(): Promise<void> {
    this.#stop.abort(new DOMException("stopping", "AbortError"));
    await this.#loop;
  }

  /** Notes a reconciliation done outside the loop (at start). */
  reconciled(nowMs: number): void {
    this.#lastReconcile = nowMs;
    this.#reconcileWanted = false;
  }

  /** Asks for a reconciliation at the next tick. */
  requestReconcile(): void {
    this.#reconcileWanted = true;
  }

  /** Reads the margin now, or right after the read in flight. */
  requestMargin(): void {
    if (this.#busy.margin) this.#marginWanted = true;
    else void this.checkMargin();
  }

  /** Reads the margin and trips the kill switch when needed; never throws. */
  async checkMargin(): Promise<void> {
    const orders = this.#p.orders;
    if (!orders) return;
    this.#busy.margin = true;
    this.#marginWanted = false;
    this.#lastMargin = this.#p.clock.now();
    try {
      await orders.checkMargin();
      this.#p.onMarginRead?.();
    } catch (error) {
      log.warn("Kill-switch check failed: {error}", { error });
    } finally {
      this.#busy.margin = false;
    }
  }

  async #run(): Promise<void> {
    const p = this.#p;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        await p.clock.sleep(p.everyMs, signal);
      } catch {
        break;
      }
      this.#ticks++;
      const now = p.clock.now();
      p.recorder?.snapshot(now, p.feed.symbols, p.feed.caches);
      this.#checkStaleness(now);
      p.onHealth?.();
      if (p.orders) {
        // a position without its stop for too long raises an error record
        p.orders.checkProtection();
        const marginDue = now - this.#lastMargin >= p.marginCheckMs;
        if ((marginDue || this.#marginWanted) && !this.#busy.margin) {
          void this.checkMargin();
        }
        const due = now - this.#lastReconcile >= p.reconcileMs;
        if ((due || this.#reconcileWanted) && !this.#busy.reconcile) {
          void this.#reconcile();
        }
      }
      if (this.#ticks % 2 === 0) {
        await p.journal?.flush().catch((error) =>
          log.error("Journal flush failed: {error}", { error })
        );
        await p.recorder?.flush().catch((error) =>
          log.error("Log flush failed: {error}", { error })
        );
      }
    }
    while (this.#busy.margin || this.#busy.reconcile) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  #checkStaleness(now: number): void {
    const p = this.#p;
    for (const s of p.feed.symbols) {
      const a = p.feed.caches.ages(s, now);
      const stale = staleInputs({
        barMs: 0,
        bookMs: a.bookTicker.sinceReceiveMs,
        markMs: a.markPrice.sinceReceiveMs,
      }, p.budgets).join(",");
      const before = this.#stale.get(s) ?? "";
      if (stale !== before) {
        this.#stale.set(s, stale);
        if (stale) {
          log.warn("{symbol} inputs stale: {stale}; no entries", {
            symbol: s,
            stale,
          });
        } else log.info("{symbol} inputs fresh again", { symbol: s });
      }
    }
  }

  async #reconcile(): Promise<void> {
    const orders = this.#p.orders;
    if (!orders) return;
    this.#busy.reconcile = true;
    this.#reconcileWanted = false;
    try {
      await orders.reconcile();
      this.#lastReconcile = this.#p.clock.now();
    } catch (error) {
      this.#reconcileWanted = true;
      log.warn("Reconciliation failed: {error}", { error });
    } finally {
      this.#busy.reconcile = false;
    }
  }
}
