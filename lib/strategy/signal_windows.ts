/**
 * Per-symbol rolling state of the live strategy: one {@linkcode BarWindows} for the
 * windows T and V, fed with closed 1m bars (live, or REST history at start).
 *
 * @module
 */
import { BarWindows } from "../features/bar_windows.ts";
import type { KlineEvent } from "../exchange/events.ts";
import { evaluateSignal, type SignalDecision } from "./evaluate_signal.ts";
import type { StrategyParams } from "./params.ts";

/** One 1m bar as numbers. */
export interface Bar {
  /** Open time, epoch ms. */
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** False for the still-open bar (REST history may end with it). @default {true} */
  readonly isClosed?: boolean;
}

/** The latest book, mark and funding values (numbers). */
export interface Quote {
  readonly bid: number;
  readonly ask: number;
  readonly mark: number;
  /** Funding rate as a fraction. */
  readonly fundingRate: number;
}

/**
 * Converts a kline event (exact decimal strings) into a {@linkcode Bar}.
 *
 * @throws {RangeError} when a field is not a finite number
 */
export function klineBar(k: KlineEvent): Bar {
  const num = (s: string, what: string): number => {
    const x = Number(s);
    if (!Number.isFinite(x)) {
      throw new RangeError(
        `Cannot read kline ${k.symbol} ${k.openTime}: ${what} "${s}" is not a number`,
      );
    }
    return x;
  };
  return {
    openTime: k.openTime,
    open: num(k.open, "open"),
    high: num(k.high, "high"),
    low: num(k.low, "low"),
    close: num(k.close, "close"),
    volume: num(k.volume, "volume"),
    isClosed: k.isClosed,
  };
}

/**
 * The strategy's windows for one symbol. `push` a closed bar, then `evaluate` with the
 * latest quote. A gap (a bar not exactly one minute after the previous) empties the
 * windows, so no signal follows until they are full again.
 *
 * @example
 * ```ts
 * import { SignalWindows } from "./signal_windows.ts";
 * const w = new SignalWindows({ k: 2, n: 2, t: 3, v: 3, maxSpreadBps: 5, maxFundingBps: 10 });
 * w.push({ openTime: 0, open: 100, high: 101, low: 99, close: 100, volume: 10 });
 * w.evaluate({ bid: 99.99, ask: 100.01, mark: 100, fundingRate: 0 }).reason; // "warming_up"
 * ```
 */
export class SignalWindows {
  /** The parameters in use. */
  readonly params: StrategyParams;
  #w: BarWindows;
  #volume = NaN;
  #count = 0;

  /** @param params the strategy parameters (T and V size the windows) */
  constructor(params: StrategyParams) {
    this.params = params;
    this.#w = new BarWindows([params.t], [params.v]);
  }

  /** The open time of the last bar pushed (NaN before the first). */
  get lastOpenTime(): number {
    return this.#w.lastOpenTime;
  }

  /** How many bars were accepted. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds a closed bar. A bar at or before the last one (a duplicate or replay) and an
   * unclosed bar are ignored.
   *
   * @returns whether the bar was used
   * @throws {RangeError} when a price is not > 0 or the volume is negative or not finite
   */
  push(bar: Bar): boolean {
    if (bar.isClosed === false) return false;
    if (bar.openTime <= this.#w.lastOpenTime) return false;
    if (
      !(bar.open > 0 && bar.high > 0 && bar.low > 0 && bar.close > 0) ||
      !(bar.volume >= 0) || !Number.isFinite(bar.volume) ||
      !Number.isFinite(bar.high) || !Number.isInteger(bar.openTime)
    ) {
      throw new RangeError(
        `Cannot push bar ${bar.openTime}: prices must be > 0 and volume >= 0`,
      );
    }
    this.#w.push(
      bar.openTime,
      bar.open,
      bar.high,
      bar.low,
      bar.close,
      bar.volume,
    );
    this.#volume = bar.volume;
    this.#count++;
    return true;
  }

  /**
   * Fills the windows from kline history (oldest first) so a restarted bot can trade
   * at once. Unclosed, duplicate and older bars are skipped.
   *
   * @returns how many bars were used
   */
  seedFromHistory(bars: Iterable<Bar>): number {
    let used = 0;
    for (const b of bars) if (this.push(b)) used++;
    return used;
  }

  /** Whether both windows are full and the last bar has a return. */
  get ready(): boolean {
    const w = this.#w;
    return !Number.isNaN(w.retBps) && !Number.isNaN(w.rsVolBps[0]!) &&
      !Number.isNaN(w.avgVol[0]!);
  }

  /** The last bar's features: `retBps`, `rsVolBps(T)`, `volume`, `avgVolume(V)`. */
  features(): {
    retBps: number;
    rsVolBps: number;
    volume: number;
    avgVolume: number;
  } {
    const w = this.#w;
    return {
      retBps: w.retBps,
      rsVolBps: w.rsVolBps[0]!,
      volume: this.#volume,
      avgVolume: w.avgVol[0]!,
    };
  }

  /** Evaluates the signal of the last bar with the latest quote. */
  evaluate(quote: Quote): SignalDecision {
    const w = this.#w;
    return evaluateSignal({
      retBps: w.retBps,
      rsVolBps: w.rsVolBps[0]!,
      volume: this.#volume,
      avgVolume: w.avgVol[0]!,
      bid: quote.bid,
      ask: quote.ask,
      mark: quote.mark,
      fundingRate: quote.fundingRate,
    }, this.params);
  }
}
