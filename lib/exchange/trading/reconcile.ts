/**
 * REST reconciliation after a user-stream gap: open orders and positions in one call.
 *
 * @module
 */
import type { CallOptions } from "../rest_transport.ts";
import type { Order, PositionRisk } from "./parsers.ts";

/** What {@linkcode reconcile} reads from; {@linkcode TradingClient} fits. */
export interface ReconcileSource {
  /** Open orders, of one symbol or all. */
  openOrders(symbol?: string, options?: CallOptions): Promise<Order[]>;
  /** Positions, of one symbol or all. */
  positionRisk(symbol?: string, options?: CallOptions): Promise<PositionRisk[]>;
}

/** The exchange's view after a gap. */
export interface Reconciliation {
  /** Open orders. */
  readonly openOrders: readonly Order[];
  /** Positions with a non-zero amount. */
  readonly positions: readonly PositionRisk[];
  /** Local time the reads started, epoch ms. */
  readonly atMs: number;
}

/**
 * Reads open orders and non-zero positions (of `symbol`, or all symbols) concurrently.
 *
 * @example
 * ```ts ignore
 * const stream = new UserStream({ ..., onReconnected: async () => apply(await reconcile(client)) });
 * ```
 */
export async function reconcile(
  source: ReconcileSource,
  symbol?: string,
  options: CallOptions & { nowMs?: number } = {},
): Promise<Reconciliation> {
  const atMs = options.nowMs ?? Date.now();
  const call: CallOptions = {};
  if (options.signal !== undefined) call.signal = options.signal;
  if (options.timeoutMs !== undefined) call.timeoutMs = options.timeoutMs;
  const [openOrders, positions] = await Promise.all([
    source.openOrders(symbol, call),
    source.positionRisk(symbol, call),
  ]);
  return {
    openOrders,
    positions: positions.filter((p) => Number(p.positionAmt) !== 0),
    atMs,
  };
}
