/**
 * An {@linkcode ExchangePort} decorator that times every call and counts placements by
 * outcome for {@linkcode BotMetrics}, and hands the account reads of the kill switch to
 * it. It adds no wait and no failure: the calls and their results pass through unchanged.
 *
 * @module
 */
import type { ExchangePort } from "../order/port.ts";
import type { BotMetrics } from "./bot_metrics.ts";

/**
 * Wraps `port`.
 *
 * @param now the bot clock (for the closed-bar → entry latency), epoch ms
 */
export function meteredPort(
  port: ExchangePort,
  metrics: BotMetrics,
  now: () => number,
): ExchangePort {
  async function timed<T>(call: string, f: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      metrics.restCall(call, performance.now() - t0);
    }
  }
  return {
    placeOrder: async (spec) => {
      if (!spec.reduceOnly) metrics.entrySent(spec.symbol, now());
      const r = await timed("place_order", () => port.placeOrder(spec));
      metrics.orderPlaced(spec.type, r);
      return r;
    },
    cancelOrder: (symbol, id) =>
      timed("cancel_order", () => port.cancelOrder(symbol, id)),
    cancelAll: (symbol) => timed("cancel_all", () => port.cancelAll(symbol)),
    queryOrder: (symbol, id) =>
      timed("query_order", () => port.queryOrder(symbol, id)),
    openOrders: (symbol) => timed("open_orders", () => port.openOrders(symbol)),
    positionRisk: (symbol) =>
      timed("position_risk", () => port.positionRisk(symbol)),
    account: async () => {
      const a = await timed("account", () => port.account());
      metrics.account(a);
      return a;
    },
    setLeverage: (symbol, leverage) =>
      timed("set_leverage", () => port.setLeverage(symbol, leverage)),
    setMarginType: (symbol, type) =>
      timed("set_margin_type", () => port.setMarginType(symbol, type)),
  };
}
