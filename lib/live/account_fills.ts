/**
 * The account's fills as the exchange records them (`GET /userTrades`), not as the user
 * stream delivered them: a fill made while the stream was down (e.g. the close at a
 * session's end right after the exchange's 24-hour connection limit dropped the stream)
 * is missing from the session's {@linkcode FillLog} but not from the account's trade
 * list. Each exchange fill keeps the stream's row when the stream saw it (same symbol and
 * trade id); the others take their order's client id and type from `GET /order`.
 *
 * @module
 */
import type { TradingClient } from "../exchange/trading/mod.ts";
import type { Fill } from "./fill_log.ts";

/** What {@linkcode accountFills} found. */
export interface AccountFills {
  /** Every fill of the account in the window, ascending by time. */
  readonly fills: Fill[];
  /** Of those, how many the user stream never delivered. */
  readonly missedByStream: number;
}

/**
 * The account's fills of `symbols` with a time in `[start, end]`, paged by trade id;
 * `seen` are the fills the stream delivered (their rows are reused).
 */
export async function accountFills(
  client: TradingClient,
  symbols: readonly string[],
  start: number,
  end: number,
  seen: readonly Fill[],
): Promise<AccountFills> {
  const known = new Map<string, Fill>();
  for (const f of seen) {
    if (f.tradeId !== undefined) known.set(`${f.symbol}:${f.tradeId}`, f);
  }
  const fills: Fill[] = [];
  let missed = 0;
  for (const symbol of symbols) {
    const orders = new Map<number, { clientOrderId: string; type: string }>();
    let fromId: number | undefined;
    for (;;) {
      const rows = await client.userTrades({
        symbol,
        ...(fromId === undefined ? { startTime: start } : { fromId }),
        endTime: end,
        limit: 1000,
      });
      for (const t of rows) {
        const stream = known.get(`${symbol}:${t.id}`);
        if (stream !== undefined) {
          fills.push(stream);
          continue;
        }
        missed++;
        let order = orders.get(t.orderId);
        if (order === undefined) {
          const o = await client.queryOrder(symbol, { orderId: t.orderId });
          order = { clientOrderId: o.clientOrderId, type: o.origType };
          orders.set(t.orderId, order);
        }
        fills.push({
          timeMs: t.time,
          symbol,
          side: t.side,
          type: order.type,
          clientOrderId: order.clientOrderId,
          qty: t.qty,
          price: t.price,
          realizedPnl: Number(t.realizedPnl),
          commission: Number(t.commission),
          orderId: t.orderId,
          tradeId: t.id,
        });
      }
      if (rows.length < 1000) break;
      fromId = rows[rows.length - 1]!.id + 1;
    }
  }
  fills.sort((a, b) => a.timeMs - b.timeMs);
  return { fills, missedByStream: missed };
}
