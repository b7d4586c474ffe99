/**
 * Sums the aggregate trades of one symbol received since the last `take()`: the
 * `aggTrade_1s.csv` row of the recorder.
 *
 * @module
 */
import type { AggTradeEvent } from "../exchange/events.ts";
import type { AggTradeSecond } from "./schema.ts";

/** Accumulates aggregate trades between two snapshots. */
export class AggTradeAccumulator {
  #trades = 0;
  #volume = 0;
  #buyVolume = 0;
  #sellVolume = 0;
  #notional = 0;
  #lastPrice = "";
  #firstAggId = -1;
  #lastAggId = -1;

  /** Adds one aggregate trade. */
  add(trade: AggTradeEvent): void {
    const qty = Number(trade.qty);
    const price = Number(trade.price);
    if (this.#trades === 0) this.#firstAggId = trade.aggId;
    this.#trades++;
    this.#volume += qty;
    // buyerIsMaker means the seller was the aggressor: a sell.
    if (trade.buyerIsMaker) this.#sellVolume += qty;
    else this.#buyVolume += qty;
    this.#notional += qty * price;
    this.#lastPrice = trade.price;
    this.#lastAggId = trade.aggId;
  }

  /** Returns the sums since the last call and starts a new second. */
  take(): AggTradeSecond {
    const out: AggTradeSecond = {
      trades: this.#trades,
      volume: this.#volume,
      buyVolume: this.#buyVolume,
      sellVolume: this.#sellVolume,
      vwap: this.#trades === 0 ? NaN : this.#notional / this.#volume,
      lastPrice: this.#lastPrice,
      firstAggId: this.#firstAggId,
      lastAggId: this.#lastAggId,
    };
    this.#trades = 0;
    this.#volume = 0;
    this.#buyVolume = 0;
    this.#sellVolume = 0;
    this.#notional = 0;
    this.#lastPrice = "";
    this.#firstAggId = -1;
    this.#lastAggId = -1;
    return out;
  }
}
