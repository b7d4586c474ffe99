/**
 * The signed REST endpoints the engine serves, as a table for the simulator's router:
 * method, V1 and V3 paths, request weight (../shared/aster-protocol.md §3.2-§3.3) and
 * the engine command to call once the request is authenticated.
 *
 * @module
 */

import type { Engine } from "./engine.ts";
import type { EngineReply } from "./errors.ts";
import { param, type Params } from "./order_params.ts";

/** The call an authenticated request makes: account id, params as received, time. */
export type EngineCall = (
  engine: Engine,
  accountId: string,
  params: Params,
  nowMs: number,
) => EngineReply<unknown>;

/** One signed endpoint. */
export interface EngineRoute {
  readonly method: "GET" | "POST" | "DELETE";
  /** The V1 (HMAC) path. */
  readonly v1: string;
  /** The V3 (EIP-712) path. */
  readonly v3: string;
  /** Request weight, fixed or from the params. */
  readonly weight: number | ((params: URLSearchParams) => number);
  /** Whether the endpoint counts toward the ORDERS rate limit. */
  readonly order: boolean;
  readonly call: EngineCall;
}

/** Every signed endpoint the engine implements. */
export const ENGINE_ROUTES: readonly EngineRoute[] = [
  {
    method: "POST",
    v1: "/fapi/v1/order",
    v3: "/fapi/v3/order",
    weight: 1,
    order: true,
    call: (e, a, p, now) => e.newOrder(a, p, now),
  },
  {
    method: "GET",
    v1: "/fapi/v1/order",
    v3: "/fapi/v3/order",
    weight: 1,
    order: false,
    call: (e, a, p) => e.queryOrder(a, p),
  },
  {
    method: "DELETE",
    v1: "/fapi/v1/order",
    v3: "/fapi/v3/order",
    weight: 1,
    order: false,
    call: (e, a, p, now) => e.cancelOrder(a, p, now),
  },
  {
    method: "GET",
    v1: "/fapi/v1/openOrder",
    v3: "/fapi/v3/openOrder",
    weight: 1,
    order: false,
    call: (e, a, p) => e.openOrder(a, p),
  },
  {
    method: "GET",
    v1: "/fapi/v1/openOrders",
    v3: "/fapi/v3/openOrders",
    weight: (p) => param(p, "symbol") === undefined ? 40 : 1,
    order: false,
    call: (e, a, p) => e.openOrders(a, p),
  },
  {
    method: "DELETE",
    v1: "/fapi/v1/allOpenOrders",
    v3: "/fapi/v3/allOpenOrders",
    weight: 1,
    order: false,
    call: (e, a, p, now) => e.cancelAllOpenOrders(a, p, now),
  },
  {
    method: "DELETE",
    v1: "/fapi/v1/batchOrders",
    v3: "/fapi/v3/batchOrders",
    weight: 1,
    order: false,
    call: (e, a, p, now) => e.batchCancel(a, p, now),
  },
  {
    method: "GET",
    v1: "/fapi/v2/positionRisk",
    v3: "/fapi/v3/positionRisk",
    weight: 5,
    order: false,
    call: (e, a, p) => e.positionRisk(a, p),
  },
  {
    method: "GET",
    v1: "/fapi/v1/leverageBracket",
    v3: "/fapi/v3/leverageBracket",
    weight: 1,
    order: false,
    call: (e, a, p) => e.leverageBracket(a, p),
  },
  {
    method: "GET",
    v1: "/fapi/v4/account",
    v3: "/fapi/v3/accountWithJoinMargin",
    weight: 5,
    order: false,
    call: (e, a) => e.account(a),
  },
  {
    method: "GET",
    v1: "/fapi/v2/balance",
    v3: "/fapi/v3/balance",
    weight: 5,
    order: false,
    call: (e, a) => e.balance(a),
  },
  {
    method: "POST",
    v1: "/fapi/v1/leverage",
    v3: "/fapi/v3/leverage",
    weight: 1,
    order: false,
    call: (e, a, p, now) => e.leverage(a, p, now),
  },
  {
    method: "POST",
    v1: "/fapi/v1/marginType",
    v3: "/fapi/v3/marginType",
    weight: 1,
    order: false,
    call: (e, a, p, now) => e.marginType(a, p, now),
  },
  {
    method: "POST",
    v1: "/fapi/v1/positionSide/dual",
    v3: "/fapi/v3/positionSide/dual",
    weight: 1,
    order: false,
    call: (e, a, p) => e.setPositionMode(a, p),
  },
  {
    method: "GET",
    v1: "/fapi/v1/positionSide/dual",
    v3: "/fapi/v3/positionSide/dual",
    weight: 30,
    order: false,
    call: (e, a) => e.positionMode(a),
  },
  {
    method: "GET",
    v1: "/fapi/v1/income",
    v3: "/fapi/v3/income",
    weight: 30,
    order: false,
    call: (e, a, p) => e.income(a, p),
  },
  {
    method: "GET",
    v1: "/fapi/v1/userTrades",
    v3: "/fapi/v3/userTrades",
    weight: 5,
    order: false,
    call: (e, a, p) => e.userTrades(a, p),
  },
  {
    method: "GET",
    v1: "/fapi/v1/commissionRate",
    v3: "/fapi/v3/commissionRate",
    weight: 20,
    order: false,
    call: (e, a, p) => e.commissionRate(a, p),
  },
];

/** The route serving `method` and `path` (V1 or V3), if any. */
export function findEngineRoute(
  method: string,
  path: string,
): EngineRoute | undefined {
  const m = method.toUpperCase();
  return ENGINE_ROUTES.find((r) =>
    r.method === m && (r.v1 === path || r.v3 === path)
  );
}
