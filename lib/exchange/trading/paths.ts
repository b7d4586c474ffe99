/**
 * REST paths of the signed endpoints per signing scheme (aster-protocol §2.3).
 *
 * @module
 */

/** Names of the signed endpoints. */
export type Endpoint =
  | "order"
  | "openOrders"
  | "allOpenOrders"
  | "batchOrders"
  | "balance"
  | "account"
  | "positionRisk"
  | "leverage"
  | "marginType"
  | "positionSideDual"
  | "commissionRate"
  | "income"
  | "userTrades"
  | "listenKey";

const V1: Readonly<Record<Endpoint, string>> = {
  order: "/fapi/v1/order",
  openOrders: "/fapi/v1/openOrders",
  allOpenOrders: "/fapi/v1/allOpenOrders",
  batchOrders: "/fapi/v1/batchOrders",
  balance: "/fapi/v2/balance",
  account: "/fapi/v4/account",
  positionRisk: "/fapi/v2/positionRisk",
  leverage: "/fapi/v1/leverage",
  marginType: "/fapi/v1/marginType",
  positionSideDual: "/fapi/v1/positionSide/dual",
  commissionRate: "/fapi/v1/commissionRate",
  income: "/fapi/v1/income",
  userTrades: "/fapi/v1/userTrades",
  listenKey: "/fapi/v1/listenKey",
};

const V3: Readonly<Record<Endpoint, string>> = {
  order: "/fapi/v3/order",
  openOrders: "/fapi/v3/openOrders",
  allOpenOrders: "/fapi/v3/allOpenOrders",
  batchOrders: "/fapi/v3/batchOrders",
  balance: "/fapi/v3/balance",
  account: "/fapi/v3/accountWithJoinMargin",
  positionRisk: "/fapi/v3/positionRisk",
  leverage: "/fapi/v3/leverage",
  marginType: "/fapi/v3/marginType",
  positionSideDual: "/fapi/v3/positionSide/dual",
  commissionRate: "/fapi/v3/commissionRate",
  income: "/fapi/v3/income",
  userTrades: "/fapi/v3/userTrades",
  listenKey: "/fapi/v3/listenKey",
};

/** The path of `endpoint` under `scheme`. */
export function endpointPath(scheme: "v1" | "v3", endpoint: Endpoint): string {
  return (scheme === "v1" ? V1 : V3)[endpoint];
}
