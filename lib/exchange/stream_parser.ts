/**
 * The hot path of the market stream: one combined-stream message (`{"stream","data"}`
 * text) parsed and validated into a typed event of `events.ts`. Hand-written checks after
 * `JSON.parse`, no closures, no intermediate objects.
 *
 * @module
 */
import { SIGNED_DECIMAL_RE, UNSIGNED_DECIMAL_RE } from "./_validate.ts";
import type {
  AggTradeEvent,
  BookTickerEvent,
  DepthEvent,
  KlineEvent,
  Level,
  MarketEvent,
  MarkPriceEvent,
} from "./events.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/**
 * Parses one combined-stream message into a market event.
 *
 * @returns the event, or `undefined` for a valid non-market message (a subscription
 *   reply `{"result":null,"id":1}` or an unknown event type)
 * @throws {SyntaxError} for bad JSON or a missing/invalid field (the message names it)
 * @throws {TypeError} when the payload is not an object
 */
export function parseStreamMessage(text: string): MarketEvent | undefined {
  const msg: Json = JSON.parse(text);
  if (typeof msg !== "object" || msg === null) {
    throw new TypeError("Cannot parse stream message: not an object");
  }
  const d: Json = msg.data;
  if (d === undefined) {
    if ("result" in msg || "id" in msg) return undefined;
    throw new TypeError("Cannot parse stream message: no data");
  }
  if (typeof d !== "object" || d === null) {
    throw new TypeError("Cannot parse stream message: data is not an object");
  }
  switch (d.e) {
    case "bookTicker":
      return parseBookTickerPayload(d);
    case "aggTrade":
      return parseAggTradePayload(d);
    case "depthUpdate":
      return parseDepthPayload(d);
    case "markPriceUpdate":
      return parseMarkPricePayload(d);
    case "kline":
      return parseKlinePayload(d);
    default:
      if (typeof d.e !== "string") fail("e", d.e);
      return undefined;
  }
}

/** Parses a `@bookTicker` payload. */
export function parseBookTickerPayload(d: Json): BookTickerEvent {
  return {
    kind: "bookTicker",
    symbol: sym(d.s),
    eventTime: int(d.E, "E"),
    transactionTime: int(d.T, "T"),
    updateId: int(d.u, "u"),
    bidPrice: price(d.b, "b"),
    bidQty: qty(d.B, "B"),
    askPrice: price(d.a, "a"),
    askQty: qty(d.A, "A"),
  };
}

/** Parses an `@aggTrade` payload. */
export function parseAggTradePayload(d: Json): AggTradeEvent {
  const m = d.m;
  if (typeof m !== "boolean") fail("m", m);
  return {
    kind: "aggTrade",
    symbol: sym(d.s),
    eventTime: int(d.E, "E"),
    aggId: int(d.a, "a"),
    price: price(d.p, "p"),
    qty: qty(d.q, "q"),
    firstTradeId: int(d.f, "f"),
    lastTradeId: int(d.l, "l"),
    tradeTime: int(d.T, "T"),
    buyerIsMaker: m,
  };
}

/** Parses a `@depth<N>` payload (a full top-N snapshot). */
export function parseDepthPayload(d: Json): DepthEvent {
  return {
    kind: "depth",
    symbol: sym(d.s),
    eventTime: int(d.E, "E"),
    transactionTime: int(d.T, "T"),
    lastUpdateId: int(d.u, "u"),
    bids: side(d.b, "b"),
    asks: side(d.a, "a"),
  };
}

/** Parses a `@markPrice` payload. */
export function parseMarkPricePayload(d: Json): MarkPriceEvent {
  return {
    kind: "markPrice",
    symbol: sym(d.s),
    eventTime: int(d.E, "E"),
    markPrice: price(d.p, "p"),
    indexPrice: qty(d.i, "i"),
    estimatedSettlePrice: qty(d.P, "P"),
    fundingRate: signed(d.r, "r"),
    nextFundingTime: int(d.T, "T"),
  };
}

/** Parses a `@kline_<interval>` payload. */
export function parseKlinePayload(d: Json): KlineEvent {
  const k: Json = d.k;
  if (typeof k !== "object" || k === null) fail("k", k);
  const x = k.x;
  if (typeof x !== "boolean") fail("k.x", x);
  const i = k.i;
  if (typeof i !== "string") fail("k.i", i);
  return {
    kind: "kline",
    symbol: sym(d.s),
    eventTime: int(d.E, "E"),
    interval: i,
    openTime: int(k.t, "k.t"),
    closeTime: int(k.T, "k.T"),
    open: price(k.o, "k.o"),
    high: price(k.h, "k.h"),
    low: price(k.l, "k.l"),
    close: price(k.c, "k.c"),
    volume: qty(k.v, "k.v"),
    quoteVolume: qty(k.q, "k.q"),
    trades: int(k.n, "k.n"),
    takerBuyVolume: qty(k.V, "k.V"),
    takerBuyQuoteVolume: qty(k.Q, "k.Q"),
    isClosed: x,
  };
}

function sym(v: unknown): string {
  if (typeof v === "string" && v.length !== 0) return v;
  return fail("s", v);
}

function int(v: unknown, field: string): number {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  return fail(field, v);
}

// Strict decimal grammar (see _validate.ts): no whitespace, sign, exponent, 0x/0b, and a
// price is > 0. The raw strings reach the caches, orders and the recorder's CSVs verbatim.
function price(v: unknown, field: string): string {
  if (
    typeof v === "string" && UNSIGNED_DECIMAL_RE.test(v) && NONZERO_RE.test(v)
  ) return v;
  return fail(field, v);
}

function qty(v: unknown, field: string): string {
  if (typeof v === "string" && UNSIGNED_DECIMAL_RE.test(v)) return v;
  return fail(field, v);
}

function signed(v: unknown, field: string): string {
  if (typeof v === "string" && SIGNED_DECIMAL_RE.test(v)) return v;
  return fail(field, v);
}

const NONZERO_RE = /[1-9]/;

function side(v: unknown, field: string): Level[] {
  if (!Array.isArray(v)) return fail(field, v);
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const lv = v[i];
    if (!Array.isArray(lv) || lv.length < 2) return fail(field, lv);
    price(lv[0], field);
    qty(lv[1], field);
  }
  // The validated JSON arrays are the levels: no copy on the hot path.
  return v as Level[];
}

function fail(field: string, value: unknown): never {
  throw new SyntaxError(
    `Cannot parse stream payload: field ${field} is invalid (${
      String(JSON.stringify(value)).slice(0, 40)
    })`,
  );
}
