/**
 * The REST pipeline in front of the route table: injected faults, response delay, weight
 * accounting (`X-MBX-USED-WEIGHT-1M` on every response, 429/418 past the limit), routing,
 * and `{code,msg}` errors.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { SimClock } from "./clock.ts";
import { faultResponse, type RestFaults } from "./faults.ts";
import type { WeightMeter } from "./rate_limit.ts";
import { ApiError, type Handler, type RouteTable } from "./router.ts";

const log = getLogger(["aster", "sim"]);

/** What {@linkcode createRestHandler} wires together. */
export interface RestHandlerOptions {
  routes: RouteTable;
  meter: WeightMeter;
  clock: SimClock;
  faults: RestFaults;
  /** Waits `ms` real milliseconds (injected for tests). @default {setTimeout} */
  sleep?: (ms: number) => Promise<void>;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Builds the REST handler of the simulator. */
export function createRestHandler(options: RestHandlerOptions): Handler {
  const { routes, meter, clock, faults } = options;
  const sleep = options.sleep ?? defaultSleep;
  return async function handleRest(req: Request): Promise<Response> {
    if (faults.delayMs > 0) await sleep(faults.delayMs);
    const url = new URL(req.url);
    if (faults.symbolDelays) {
      let symbol = url.searchParams.get("symbol");
      if (symbol === null && req.method !== "GET" && req.body !== null) {
        symbol = new URLSearchParams(await req.clone().text()).get("symbol");
      }
      const ms = faults.symbolDelayMs(symbol);
      if (ms > 0) await sleep(ms);
    }
    const now = clock.now();
    const match = routes.match(req.method, url.pathname);
    const weight = match.kind === "found"
      ? (typeof match.route.weight === "number"
        ? match.route.weight
        : safeWeight(match.route.weight, url))
      : 1;
    const fault = faults.take();
    const verdict = meter.use(weight, now);
    const headers = new Headers({
      "X-MBX-USED-WEIGHT-1M": String(verdict.used),
    });
    if (fault) return faultResponse(fault, now, headers);
    if (verdict.kind === "limited") {
      headers.set("Retry-After", String(verdict.retryAfterSec));
      return Response.json({
        code: -1003,
        msg:
          "Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API.",
      }, { status: 429, headers });
    }
    if (verdict.kind === "banned") {
      headers.set("Retry-After", String(verdict.retryAfterSec));
      return Response.json({
        code: -1003,
        msg:
          `Way too many requests; IP(127.0.0.1) banned until ${verdict.until}. Please use the websocket for live updates to avoid bans.`,
      }, { status: 418, headers });
    }
    if (match.kind !== "found") {
      return Response.json({
        code: -5000,
        msg: `Path ${url.pathname}, Method ${req.method} is invalid`,
      }, { status: match.kind === "not-found" ? 404 : 405, headers });
    }
    let res: Response;
    try {
      res = await match.route.handler(req);
    } catch (error) {
      if (error instanceof ApiError) {
        res = Response.json({ code: error.code, msg: error.message }, {
          status: error.status,
        });
      } else {
        log.error("Handler {path} failed: {error}", {
          path: url.pathname,
          error,
        });
        res = Response.json({
          code: -1000,
          msg: "An unknown error occurred while processing the request.",
        }, { status: 500 });
      }
    }
    const out = new Headers(res.headers);
    for (const [k, v] of headers) out.set(k, v);
    return new Response(res.body, {
      status: res.status,
      statusText: res.statusText,
      headers: out,
    });
  };
}

function safeWeight(fn: (p: URLSearchParams) => number, url: URL): number {
  try {
    return fn(url.searchParams);
  } catch {
    return 1;
  }
}
