/**
 * The fills of the session, from the user stream's ORDER_TRADE_UPDATE trades: what paper
 * trading prints at the end, with the realized PnL and fees.
 *
 * @module
 */
import type { UserEvent } from "../exchange/trading/mod.ts";

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

/** Collects fills; see the module doc. */
export class FillLog {
  /** The fills, in arrival order. */
  readonly fills: Fill[] = [];
  #trades = new Set<string>();

  /** Takes one user event; only trades are kept (each trade id once). */
  onEvent(e: UserEvent): void {
    if (e.kind !== "orderUpdate" || e.execType !== "TRADE") return;
    const key = `${e.symbol}:${e.orderId}:${e.tradeId}:${e.filledQty}`;
    if (this.#trades.has(key)) return;
    this.#trades.add(key);
    this.fills.push({
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
    });
  }

  /** Realized PnL, fees and net over all fills. */
  totals(): { realizedPnl: number; fees: number; net: number; fills: number } {
    let pnl = 0;
    let fees = 0;
    for (const f of this.fills) {
      pnl += f.realizedPnl;
      fees += f.commission;
    }
    return {
      realizedPnl: pnl,
      fees,
      net: pnl - fees,
      fills: this.fills.length,
    };
  }

  /** A printable table of the fills and the totals. */
  format(): string {
    const lines = [
      "time                     symbol    side  type                  qty          price        pnl        fee",
    ];
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
    const t = this.totals();
    lines.push(
      `${t.fills} fills; realized PnL ${t.realizedPnl.toFixed(4)}, fees ${
        t.fees.toFixed(4)
      }, net ${t.net.toFixed(4)} USDT`,
    );
    return lines.join("\n");
  }
}
