/**
 * A running sum of the aggregate trades of one symbol since the last `take()`, for the
 * recorder's one-second rows: O(1) per trade, no allocation until `take()`.
 *
 * @module
 */
import type { AggTradeEvent } from "../exchange/events.ts";

/** What the trades received since the previous `take()` add up to. */
export interface AggTradeSummary {
  readonly trades: number;
  /** Sum of quantities (base asset). */
  readonly volume: number;
  /** Volume of taker buys (`buyerIsMaker` false). */
  readonly buyVolume: number;
  /** Volume of taker sells (`buyerIsMaker` true). */
  readonly sellVolume: number;
  /** Volume-weighted average price; NaN when there was no trade. */
  readonly vwap: number;
  /** The last trade's price string; "" when there was no trade. */
  readonly lastPrice: string;
  /** First and last aggregate trade ids; -1 when there was no trade. */
  readonly firstAggId: number;
  readonly lastAggId: number;
}

/** Accumulates aggregate trades between two `take()` calls. */
export class AggTradeTally {
  #trades = 0;
  #volume = 0;
  #buyVolume = 0;
  #notional = 0;
  #lastPrice = "";
  #firstAggId = -1;
  #lastAggId = -1;

  /** Adds one trade. */
  add(trade: AggTradeEvent): void {
    const qty = +trade.qty;
    if (this.#trades === 0) this.#firstAggId = trade.aggId;
    this.#trades++;
    this.#volume += qty;
    if (!trade.buyerIsMaker) this.#buyVolume += qty;
    this.#notional += qty * +trade.price;
    this.#lastPrice = trade.price;
    this.#lastAggId = trade.aggId;
  }

  /** Returns the sums since the previous call and starts over. */
  take(): AggTradeSummary {
    const out: AggTradeSummary = {
      trades: this.#trades,
      volume: this.#volume,
      buyVolume: this.#buyVolume,
      sellVolume: this.#volume - this.#buyVolume,
      vwap: this.#volume > 0 ? this.#notional / this.#volume : NaN,
      lastPrice: this.#lastPrice,
      firstAggId: this.#firstAggId,
      lastAggId: this.#lastAggId,
    };
    this.#trades = 0;
    this.#volume = 0;
    this.#buyVolume = 0;
    this.#notional = 0;
    this.#lastPrice = "";
    this.#firstAggId = -1;
    this.#lastAggId = -1;
    return out;
  }
}
