/**
 * The fills of the session, from the user stream's ORDER_TRADE_UPDATE trades: what paper
 * trading prints at the end, with the realized PnL and fees, and the PnL totals metrics
 * read on every scrape.
 *
 * @module
 */
import type { UserEvent } from "../exchange/trading/mod.ts";

/** Default of the fills a {@linkcode FillLog} keeps (the newest). */
export const FILLS_KEPT = 10_000;

/** The UTC days a {@linkcode FillLog} keeps totals of (the newest fill's and before). */
export const FILL_DAYS_KEPT = 3;

const DAY_MS = 86_400_000;

/** Realized PnL, fees and net of some fills. */
export interface FillTotals {
  readonly realizedPnl: number;
  readonly fees: number;
  readonly net: number;
  readonly fills: number;
}

/** One fill. */
export interface Fill {
  /** Transaction time, epoch ms. */
  readonly timeMs: number;
  readonly symbol: string;
  readonly side: string;
  /** The order's type as placed. */
  readonly type: string;
  readonly clientOrderId: string;
  readonly qty: string;
  readonly price: string;
  /** Realized PnL of this fill (quote). */
  readonly realizedPnl: number;
  /** Commission of this fill (quote). */
  readonly commission: number;
  /** The exchange's order id, when known. */
  readonly orderId?: number;
  /** The exchange's trade id (per symbol), when known. */
  readonly tradeId?: number;
}

/** Running totals of fills. */
class Sums {
  pnl = 0;
  fees = 0;
  n = 0;
  add(f: Fill): void {
    this.pnl += f.realizedPnl;
    this.fees += f.commission;
    this.n++;
  }
  view(): FillTotals {
    return {
      realizedPnl: this.pnl,
      fees: this.fees,
      net: this.pnl - this.fees,
      fills: this.n,
    };
  }
}

/**
 * Collects fills; see the module doc.
 *
 * Invariant (bounded memory over months of a live bot): it holds the newest `kept` fills
 * (with their keys for the duplicate check), running totals since start and per UTC day
 * for the newest {@linkcode FILL_DAYS_KEPT} days; totals count every fill taken, also
 * those no longer held, and reading them costs O(1) (each `/metrics` scrape reads them).
 * A duplicate of a trade is dropped while the trade is among the fills held (the stream
 * repeats an update within seconds, not after thousands of fills).
 */
export class FillLog {
  #fills: Fill[] = [];
  #keys: string[] = [];
  #trades = new Set<string>();
  #kept: number;
  #start = new Sums();
  #days = new Map<number, Sums>();

  /**
   * @param kept the newest fills held (older ones stay in the totals only)
   * @throws {RangeError} when `kept` is not a positive integer
   */
  constructor(kept = FILLS_KEPT) {
    if (!Number.isInteger(kept) || kept < 1) {
      throw new RangeError(`Cannot keep fills: ${kept} is not an integer >= 1`);
    }
    this.#kept = kept;
  }

  /**
   * The newest fills (at most `kept`), in arrival order: what the session prints and
   * parity reuses (the account's trade list has them all).
   */
  get fills(): readonly Fill[] {
    return this.#fills;
  }

  /** Takes one user event; only trades are kept (each trade id once). */
  onEvent(e: UserEvent): void {
    if (e.kind !== "orderUpdate" || e.execType !== "TRADE") return;
    const key = `${e.symbol}:${e.orderId}:${e.tradeId}:${e.filledQty}`;
    if (this.#trades.has(key)) return;
    const fill: Fill = {
      timeMs: e.transactionTime,
      symbol: e.symbol,
      side: e.side,
      type: e.origType,
      clientOrderId: e.clientOrderId,
      qty: e.lastFilledQty,
      price: e.lastFilledPrice,
      realizedPnl: Number(e.realizedPnl) || 0,
      commission: Number(e.commission ?? 0) || 0,
      orderId: e.orderId,
      tradeId: e.tradeId,
    };
    this.#trades.add(key);
    this.#fills.push(fill);
    this.#keys.push(key);
    if (this.#fills.length > this.#kept) {
      this.#fills.shift();
      this.#trades.delete(this.#keys.shift()!);
    }
    this.#start.add(fill);
    const day = Math.floor(fill.timeMs / DAY_MS) * DAY_MS;
    let sums = this.#days.get(day);
    if (sums === undefined) {
      sums = new Sums();
      this.#days.set(day, sums);
      const newest = Math.max(...this.#days.keys());
      for (const d of this.#days.keys()) {
        if (d <= newest - FILL_DAYS_KEPT * DAY_MS) this.#days.delete(d);
      }
    }
    sums.add(fill);
  }

  /** Realized PnL, fees and net over all fills since start (also those not held). */
  totals(): FillTotals {
    return this.#start.view();
  }

  /**
   * Realized PnL, fees and net of the fills of the UTC day that starts at `dayStartMs`
   * (zero for a day with none, or older than the days kept).
   */
  dayTotals(dayStartMs: number): FillTotals {
    return (this.#days.get(dayStartMs) ?? new Sums()).view();
  }

  /** A printable table of the fills and the totals. */
  format(): string {
    const lines = [
      "time                     symbol    side  type                  qty          price        pnl        fee",
    ];
    const t = this.totals();
    if (t.fills > this.#fills.length) {
      lines.push(`(${t.fills - this.#fills.length} earlier fills not shown)`);
    }
    for (const f of this.fills) {
      lines.push(
        [
          new Date(f.timeMs).toISOString().padEnd(24),
          f.symbol.padEnd(9),
          f.side.padEnd(5),
          f.type.padEnd(21),
          f.qty.padStart(10),
          f.price.padStart(12),
          f.realizedPnl.toFixed(4).padStart(10),
          f.commission.toFixed(4).padStart(10),
        ].join(" "),
      );
    }
    lines.push(
      `${t.fills} fills; realized PnL ${t.realizedPnl.toFixed(4)}, fees ${
        t.fees.toFixed(4)
      }, net ${t.net.toFixed(4)} USDT`,
    );
    return lines.join("\n");
  }
}
