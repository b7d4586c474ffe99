/**
 * The engine's replies: `{status, body}` pairs with Binance/Aster error bodies
 * (`{code, msg}`, ../shared/aster-protocol.md §6).
 *
 * @module
 */

/** `{code,msg}` error body. */
export interface EngineErrorBody {
  readonly code: number;
  readonly msg: string;
}

/** What every engine command returns: the HTTP status and the exact JSON body. */
export interface EngineReply<T = unknown> {
  readonly status: number;
  readonly body: T | EngineErrorBody;
}

/** A 200 reply carrying `body`. */
export function ok<T>(body: T): EngineReply<T> {
  return { status: 200, body };
}

/** A 400 reply with an error body. */
export function fail(code: number, msg: string): EngineReply<never> {
  return { status: 400, body: { code, msg } };
}

/** Error replies by name; messages follow Binance's wording. */
export const ERRORS = {
  unknown: (msg: string) => fail(-1000, msg),
  mandatory: (name: string) =>
    fail(
      -1102,
      `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
    ),
  notRequired: (name: string) =>
    fail(-1106, `Parameter '${name}' sent when not required.`),
  badPrecision: () =>
    fail(-1111, "Precision is over the maximum defined for this asset."),
  invalidTif: () => fail(-1115, "Invalid timeInForce."),
  invalidType: () => fail(-1116, "Invalid orderType."),
  invalidSide: () => fail(-1117, "Invalid side."),
  badSymbol: () => fail(-1121, "Invalid symbol."),
  invalidParam: (name: string) =>
    fail(-1130, `Data sent for parameter '${name}' is not valid.`),
  cancelRejected: () => fail(-2011, "Unknown order sent."),
  noSuchOrder: () => fail(-2013, "Order does not exist."),
  marginInsufficient: () => fail(-2019, "Margin is insufficient."),
  wouldTrigger: () => fail(-2021, "Order would immediately trigger."),
  reduceOnlyRejected: () => fail(-2022, "ReduceOnly Order is rejected."),
  maxOpenOrders: () => fail(-2025, "Reach max open order limit."),
  qtyNotPositive: () => fail(-4003, "Quantity less than or equal to zero."),
  qtyBelowMin: () => fail(-4004, "Quantity less than min quantity."),
  qtyAboveMax: () => fail(-4005, "Quantity greater than max quantity."),
  priceAboveMax: () => fail(-4002, "Price greater than max price."),
  priceBelowMin: () => fail(-4013, "Price less than min price."),
  priceNotTick: () => fail(-4014, "Price not increased by tick size."),
  badClientId: () => fail(-4015, "Client order id is not valid."),
  priceAboveMultiplier: (limit: string) =>
    fail(-4016, `Limit price can't be higher than ${limit}.`),
  qtyNotStep: () => fail(-4023, "Quantity not increased by step size."),
  priceBelowMultiplier: (limit: string) =>
    fail(-4024, `Limit price can't be lower than ${limit}.`),
  invalidLeverage: (leverage: string) =>
    fail(-4028, `Leverage ${leverage} is not valid`),
  maxStopOrders: () => fail(-4045, "Reach max stop order limit."),
  noNeedMarginType: () => fail(-4046, "No need to change margin type."),
  marginTypeOpenOrders: () =>
    fail(-4047, "Margin type cannot be changed if there exists open orders."),
  marginTypePosition: () =>
    fail(-4048, "Margin type cannot be changed if there exists position."),
  noNeedPositionSide: () => fail(-4059, "No need to change position side."),
  positionSideMismatch: () =>
    fail(-4061, "Order's position side does not match user's setting."),
  invalidActivation: () => fail(-4135, "Invalid activation price."),
  qtyWithClosePosition: () =>
    fail(-4137, "Quantity must be zero with closePosition equals true."),
  reduceOnlyWithClosePosition: () =>
    fail(-4138, "Reduce only must be true with closePosition equals true."),
  minNotional: (min: string) =>
    fail(
      -4164,
      `Order's notional must be no smaller than ${min} (unless you choose reduce only).`,
    ),
} as const;
