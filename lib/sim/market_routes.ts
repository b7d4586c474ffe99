/**
 * Public market-data REST endpoints (`/fapi/v1/...` and their `/fapi/v3/...` twins):
 * ping, time, exchangeInfo, klines, markPriceKlines, indexPriceKlines, ticker/bookTicker,
 * ticker/price, premiumIndex, fundingRate, fundingInfo, aggTrades, depth. Parameters and errors follow the exchange.
 *
 * @module
 */
import { klinesWeight } from "../exchange/market_rest_client.ts";
import type { RawServerTime } from "../exchange/wire.ts";
import type { SimClock } from "./clock.ts";
import { fixed } from "./format.ts";
import type { SymbolHistory } from "./history.ts";
import type { HistoryKind } from "./history_archive.ts";
import type { Market, SymbolMarket } from "./market.ts";
import { ApiError, type RouteTable, type Weight } from "./router.ts";
import { exchangeInfo } from "./symbols.ts";

const INTERVALS: Record<string, number> = {
  "1m": 60_000,
  "3m": 180_000,
  "5m": 300_000,
  "15m": 900_000,
  "30m": 1_800_000,
  "1h": 3_600_000,
  "2h": 7_200_000,
  "4h": 14_400_000,
  "6h": 21_600_000,
  "8h": 28_800_000,
  "12h": 43_200_000,
  "1d": 86_400_000,
};
const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000];

function mandatory(name: string): ApiError {
  return new ApiError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );
}

function invalid(name: string): ApiError {
  return new ApiError(
    400,
    -1130,
    `Data sent for parameter '${name}' is not valid.`,
  );
}

/** An optional non-negative integer parameter (`-1100` on illegal characters). */
export function intParam(
  params: URLSearchParams,
  name: string,
): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^[0-9]{1,20}$/.test(raw)) {
    throw new ApiError(
      400,
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
    );
  }
  return Number(raw);
}

function symbolOf(market: Market, params: URLSearchParams): SymbolMarket {
  const raw = params.get("symbol");
  if (raw === null || raw === "") throw mandatory("symbol");
  const s = market.symbol(raw.toUpperCase());
  if (!s) throw new ApiError(400, -1121, "Invalid symbol.");
  return s;
}

function optionalSymbol(
  market: Market,
  params: URLSearchParams,
): SymbolMarket | undefined {
  return params.get("symbol") === null ? undefined : symbolOf(market, params);
}

function limitOf(params: URLSearchParams, def: number, max: number): number {
  const limit = intParam(params, "limit") ?? def;
  if (limit < 1 || limit > max) throw invalid("limit");
  return limit;
}

function klinesRouteWeight(params: URLSearchParams): number {
  return klinesWeight(Number(params.get("limit") ?? 500));
}

function depthWeight(params: URLSearchParams): number {
  const limit = Number(params.get("limit") ?? 500);
  return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
}

function allOrOneWeight(one: number, all: number): Weight {
  return (params) => (params.get("symbol") === null ? all : one);
}

/**
 * Registers the public market-data routes of `market` under `/fapi/v1` and `/fapi/v3`;
 * klines and funding history come from `histories` (one per symbol); `exchangeInfo`
 * reports `weightLimit` as the `REQUEST_WEIGHT` limit.
 */
export function registerMarketRoutes(
  routes: RouteTable,
  market: Market,
  clock: SimClock,
  histories: ReadonlyMap<string, SymbolHistory>,
  weightLimit = 2400,
): void {
  const q = (req: Request): URLSearchParams => new URL(req.url).searchParams;
  const historyOf = (s: SymbolMarket): SymbolHistory =>
    histories.get(s.spec.symbol)!;
  const klines = (
    req: Request,
    kind: HistoryKind,
    param: "symbol" | "pair",
  ): Response => {
    const p = q(req);
    const raw = p.get(param);
    if (raw === null || raw === "") throw mandatory(param);
    const s = market.symbol(raw.toUpperCase());
    if (!s) throw new ApiError(400, -1121, "Invalid symbol.");
    const interval = p.get("interval");
    if (interval === null || interval === "") throw mandatory("interval");
    const ms = INTERVALS[interval];
    if (ms === undefined) throw new ApiError(400, -1120, "Invalid interval.");
    const startTime = intParam(p, "startTime");
    const endTime = intParam(p, "endTime");
    if (
      startTime !== undefined && endTime !== undefined && startTime > endTime
    ) {
      throw new ApiError(400, -1023, "Start time is greater than end time.");
    }
    const limit = limitOf(p, 500, 1500);
    return new Response(
      historyOf(s).klinesJson(kind, ms, {
        limit,
        ...(startTime === undefined ? {} : { startTime }),
        ...(endTime === undefined ? {} : { endTime }),
      }),
      { headers: { "content-type": "application/json" } },
    );
  };
  const handlers: [string, Weight, (req: Request) => Response][] = [
    ["ping", 1, () => Response.json({})],
    [
      "time",
      1,
      () => Response.json({ serverTime: clock.now() } satisfies RawServerTime),
    ],
    [
      "exchangeInfo",
      1,
      () =>
        Response.json(
          exchangeInfo(
            market.symbols.map((s) => s.spec),
            clock.now(),
            (symbol) => histories.get(symbol)?.listedAt,
            weightLimit,
          ),
        ),
    ],
    ["klines", klinesRouteWeight, (req) => klines(req, "trade", "symbol")],
    [
      "markPriceKlines",
      klinesRouteWeight,
      (req) => klines(req, "mark", "symbol"),
    ],
    [
      "indexPriceKlines",
      klinesRouteWeight,
      (req) => klines(req, "index", "pair"),
    ],
    ["ticker/bookTicker", allOrOneWeight(1, 2), (req) => {
      const s = optionalSymbol(market, q(req));
      const now = clock.now();
      return Response.json(
        s ? s.bookTicker(now) : market.symbols.map((m) => m.bookTicker(now)),
      );
    }],
    ["ticker/price", allOrOneWeight(1, 2), (req) => {
      const s = optionalSymbol(market, q(req));
      const now = clock.now();
      const row = (m: SymbolMarket) => ({
        symbol: m.spec.symbol,
        price: fixed(m.bar.close, m.spec.priceDecimals),
        time: now,
      });
      return Response.json(s ? row(s) : market.symbols.map(row));
    }],
    ["fundingInfo", 1, (req) => {
      const s = optionalSymbol(market, q(req));
      return Response.json((s ? [s] : market.symbols).map((m) => ({
        symbol: m.spec.symbol,
        interestRate: "0.00010000",
        time: 0,
        fundingIntervalHours: 8,
        fundingFeeCap: 0.02,
        fundingFeeFloor: -0.02,
      })));
    }],
    ["premiumIndex", 1, (req) => {
      const s = optionalSymbol(market, q(req));
      const now = clock.now();
      return Response.json(
        s
          ? s.premiumIndex(now)
          : market.symbols.map((m) => m.premiumIndex(now)),
      );
    }],
    ["fundingRate", 1, (req) => {
      const p = q(req);
      const s = optionalSymbol(market, p);
      const startTime = intParam(p, "startTime");
      const endTime = intParam(p, "endTime");
      const limit = limitOf(p, 100, 1000);
      const list = s ? [s] : market.symbols;
      if (
        startTime !== undefined && endTime !== undefined && startTime > endTime
      ) {
        throw new ApiError(400, -1023, "Start time is greater than end time.");
      }
      const rows = list.flatMap((m) =>
        historyOf(m).fundingRates(startTime, endTime, limit)
      )
        .sort((a, b) => a.fundingTime - b.fundingTime);
      return Response.json(
        startTime === undefined ? rows.slice(-limit) : rows.slice(0, limit),
      );
    }],
    ["aggTrades", 20, (req) => {
      const p = q(req);
      const s = symbolOf(market, p);
      const fromId = intParam(p, "fromId");
      const startTime = intParam(p, "startTime");
      const endTime = intParam(p, "endTime");
      if (startTime !== undefined && endTime !== undefined) {
        if (startTime > endTime) {
          throw new ApiError(
            400,
            -1023,
            "Start time is greater than end time.",
          );
        }
        if (endTime - startTime >= 3_600_000) {
          throw new ApiError(
            400,
            -1127,
            "More than 1 hours between startTime and endTime.",
          );
        }
      }
      const limit = limitOf(p, 500, 1000);
      return Response.json(
        s.aggTrades({
          limit,
          ...(fromId === undefined ? {} : { fromId }),
          ...(startTime === undefined ? {} : { startTime }),
          ...(endTime === undefined ? {} : { endTime }),
        }),
      );
    }],
    ["depth", depthWeight, (req) => {
      const p = q(req);
      const s = symbolOf(market, p);
      const limit = intParam(p, "limit") ?? 500;
      if (!DEPTH_LIMITS.includes(limit)) throw invalid("limit");
      return Response.json(s.depth(limit, clock.now()));
    }],
  ];
  for (const version of ["v1", "v3"]) {
    for (const [name, weight, handler] of handlers) {
      routes.add("GET", `/fapi/${version}/${name}`, weight, handler);
    }
  }
}
