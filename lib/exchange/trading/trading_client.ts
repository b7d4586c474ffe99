/**
 * The signed trading REST client: orders, account, positions, settings and listen keys, on
 * the V1 (`/fapi/v1`, HMAC) or V3 (`/fapi/v3`, API wallet) paths chosen by the signer's
 * scheme.
 *
 * Safety rules:
 * - a `-1021` (V1) or nonce-window error (V3 `-4225`, duplicate nonce) resyncs the clock and
 *   retries the call exactly once;
 * - an order whose outcome is unknown (timeout, 5xx, `-1006`/`-1007`, connection lost after
 *   sending, unreadable 200) is resolved by querying its client order id, with bounded
 *   back-off, and is never re-sent: {@linkcode PlaceOrderResult} says `placed`, `rejected`
 *   or `unknown`;
 * - every new order takes from the {@linkcode OrderRateGate}: exits go before entries.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { type Clock, systemClock } from "../../time/clock.ts";
import {
  BannedError,
  ExchangeError,
  NetworkError,
  TimeoutError,
} from "../errors.ts";
import {
  type CallOptions,
  RestTransport,
  type RestTransportOptions,
} from "../rest_transport.ts";
import { NonceClockError } from "../sign/nonce.ts";
import type { Params } from "../sign/params.ts";
import type { HttpMethod, SecurityType, Signer } from "../sign/signer.ts";
import {
  isExitOrder,
  newClientOrderId,
  orderParams,
  type OrderRequest,
} from "./order_request.ts";
import {
  type OrderPriority,
  OrderRateGate,
  type OrderRateGateOptions,
} from "./order_rate.ts";
import {
  type Account,
  type Balance,
  type BatchItem,
  type CodeMsg,
  type CommissionRate,
  type Income,
  type LeverageResult,
  type Order,
  parseAccount,
  parseBalances,
  parseBatchItems,
  parseCodeMsg,
  parseCommissionRate,
  parseIncome,
  parseLeverage,
  parseListenKey,
  parseOrder,
  parseOrders,
  parsePositionMode,
  parsePositionRisk,
  parseUserTrades,
  type PositionRisk,
  type UserTrade,
} from "./parsers.ts";
import { type Endpoint, endpointPath } from "./paths.ts";
import { SigningHealth } from "./signing_health.ts";

const log = getLogger(["aster", "exchange", "trading"]);

/** What the client needs of `TimeSync`: a forced resync. */
export interface Resyncable {
  /** Measures the server-time offset again. */
  resync(): Promise<unknown>;
}

/** Options of {@linkcode TradingClient}. */
export interface TradingClientOptions {
  /** Signs requests; its scheme selects the V1 or V3 paths. */
  signer: Signer;
  /** The clock behind the signer, resynced after clock errors. */
  timeSync?: Resyncable;
  /** @default {"https://fapi.asterdex.com"} */
  baseUrl?: string;
  /** @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** Clock for rate windows and back-off. @default {systemClock} */
  clock?: Clock;
  /**
   * A monotonic clock, ms, that times the signing health's stretch (`signing`): not the
   * wall clock, whose steps are what such a stretch is usually about.
   * @default {performance.now}
   */
  monotonic?: () => number;
  /** Further transport options (timeouts, 429 policy, weight limit). */
  transport?: Omit<
    RestTransportOptions,
    "baseUrl" | "fetch" | "clock" | "signer"
  >;
  /** The order-rate gate, or options to build one. */
  orderRate?: OrderRateGate | OrderRateGateOptions;
  /**
   * Waits before each query that resolves an unknown order outcome; its length is the
   * number of queries. @default {[250, 500, 1000, 2000, 4000]}
   */
  resolveDelaysMs?: readonly number[];
  /** Prefix of generated client order ids. @default {"ast-"} */
  clientOrderIdPrefix?: string;
}

/** Options of {@linkcode TradingClient.placeOrder}. */
export interface PlaceOrderOptions extends CallOptions {
  /** Rate priority. @default {"exit" for reduce-only/close-position orders, else "entry"} */
  priority?: Exclude<OrderPriority, "cancel">;
  /**
   * An unknown outcome ends at the first "not found" answer (`unknown` with
   * `notFound: 1`) instead of querying through every resolve delay: for reduce-only
   * orders, which the caller may send again without risk (a duplicate cannot open or grow
   * a position), so a stop-loss that never reached the exchange is not left unplaced for
   * seconds of queries. Never for entries. @default {false}
   */
  notFoundEnds?: boolean;
}

/** The outcome of {@linkcode TradingClient.placeOrder}. */
export type PlaceOrderResult =
  | {
    /** The exchange holds the order. */
    readonly status: "placed";
    /** Its client order id. */
    readonly clientOrderId: string;
    /** The order as answered (or as found by the resolving query). */
    readonly order: Order;
    /** True when the placement reply was lost and a query found the order. */
    readonly resolved: boolean;
  }
  | {
    /** The exchange refused the order (it does not exist). */
    readonly status: "rejected";
    /** Its client order id. */
    readonly clientOrderId: string;
    /** Venue code (0 for a ban or a non-JSON body). */
    readonly code: number;
    /** Venue message. */
    readonly msg: string;
    /** The error. */
    readonly error: ExchangeError | BannedError;
  }
  | {
    /** Still unknown after every resolving query: reconcile before acting. */
    readonly status: "unknown";
    /** Its client order id (query it later; do not re-send blindly). */
    readonly clientOrderId: string;
    /** What made the outcome unknown. */
    readonly error: unknown;
    /** Resolving queries made. */
    readonly queries: number;
    /** Of those, how many answered "order does not exist" (-2013). */
    readonly notFound: number;
  };

/** Identifies one order: by exchange id or by client id. */
export type OrderRef =
  | { readonly orderId: number }
  | { readonly origClientOrderId: string };

/** Identifies several orders of one symbol (at most 10). */
export type OrderRefs =
  | { readonly orderIds: readonly number[] }
  | { readonly origClientOrderIds: readonly string[] };

/** Whether an error leaves an order's outcome unknown (aster-protocol §6). */
export function isUnknownOutcome(error: unknown): boolean {
  if (error instanceof TimeoutError || error instanceof NetworkError) {
    return true;
  }
  if (error instanceof ExchangeError) {
    return error.status >= 500 || error.status < 300 ||
      error.code === -1006 || error.code === -1007;
  }
  return false;
}

/**
 * Whether an error is a clock error of `scheme` that a resync may cure: V1 `-1021`; V3
 * `-4225` / `-1021` / a nonce-window answer, or a nonce the signer refused locally
 * ({@linkcode NonceClockError}: e.g. the local clock stepped back past the nonce counter,
 * which a resync cures by confirming the step, `TimeSync.steppedLocalNow`).
 */
export function isClockError(error: unknown, scheme: "v1" | "v3"): boolean {
  if (scheme === "v3" && error instanceof NonceClockError) return true;
  if (!(error instanceof ExchangeError)) return false;
  if (scheme === "v1") return error.code === -1021;
  return error.code === -4225 || error.code === -1021 ||
    /nonce/i.test(error.msg);
}

const NOT_FOUND = -2013;

/** The signed REST client; see the module doc. */
export class TradingClient {
  /** The transport (shared rate-weight and ban state of this client). */
  readonly transport: RestTransport;
  /** The order-rate gate. */
  readonly orderRate: OrderRateGate;
  /** `"v1"` or `"v3"`, from the signer. */
  readonly scheme: "v1" | "v3";
  /** The clock-error stretch of the signed requests (on the `monotonic` clock). */
  readonly signing: SigningHealth;
  #timeSync: Resyncable | undefined;
  #clock: Clock;
  #resolveDelays: readonly number[];
  #prefix: string;

  /** Creates the client; see {@linkcode TradingClientOptions}. */
  constructor(options: TradingClientOptions) {
    this.scheme = options.signer.scheme;
    this.#clock = options.clock ?? systemClock;
    this.#timeSync = options.timeSync;
    this.#resolveDelays = options.resolveDelaysMs ??
      [250, 500, 1000, 2000, 4000];
    this.#prefix = options.clientOrderIdPrefix ?? "ast-";
    this.signing = new SigningHealth(
      options.monotonic ?? (() => performance.now()),
    );
    this.orderRate = options.orderRate instanceof OrderRateGate
      ? options.orderRate
      : new OrderRateGate({ clock: this.#clock, ...options.orderRate });
    const inner = options.fetch ?? globalThis.fetch.bind(globalThis);
    const gate = this.orderRate;
    const observed: typeof fetch = async (input, init) => {
      const res = await inner(input, init);
      gate.noteHeaders(res.headers);
      return res;
    };
    this.transport = new RestTransport({
      ...options.transport,
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      fetch: observed,
      clock: this.#clock,
      signer: options.signer,
    });
  }

  /** The path of `endpoint` for this client's scheme. */
  path(endpoint: Endpoint): string {
    return endpointPath(this.scheme, endpoint);
  }

  /**
   * Places an order (`POST /order`, `newOrderRespType=RESULT`). Never throws for a venue
   * outcome: see {@linkcode PlaceOrderResult}. A lost reply is resolved by querying the
   * client order id (generated when the request has none) and never re-sent. Aborting
   * `options.signal` while the request is in flight gives `unknown` without queries.
   *
   * @throws {TypeError|RangeError} for a malformed request (nothing sent)
   * @throws {OrderRateLimitError} for an entry when the order budget is down to the reserve
   */
  async placeOrder(
    req: OrderRequest,
    options: PlaceOrderOptions = {},
  ): Promise<PlaceOrderResult> {
    const clientOrderId = req.newClientOrderId ??
      newClientOrderId(this.#prefix, this.#clock.now());
    const params = orderParams(req, clientOrderId);
    const priority = options.priority ?? (isExitOrder(req) ? "exit" : "entry");
    await this.orderRate.acquire(priority, options.signal);
    let error: unknown;
    try {
      const raw = await this.#call("POST", "order", "TRADE", params, options);
      return {
        status: "placed",
        clientOrderId,
        order: parseOrder(raw),
        resolved: false,
      };
    } catch (e) {
      error = e;
    }
    if (error instanceof ExchangeError && !isUnknownOutcome(error)) {
      log.warn("Order {id} rejected: {code} {msg}", {
        id: clientOrderId,
        code: error.code,
        msg: error.msg,
      });
      return {
        status: "rejected",
        clientOrderId,
        code: error.code,
        msg: error.msg,
        error,
      };
    }
    if (error instanceof BannedError) {
      return {
        status: "rejected",
        clientOrderId,
        code: 0,
        msg: error.message,
        error,
      };
    }
    if (options.signal?.aborted) {
      // Aborted while in flight: the order may exist; queries would abort too.
      log.warn("Order {id} aborted in flight; outcome unknown", {
        id: clientOrderId,
      });
      return {
        status: "unknown",
        clientOrderId,
        error,
        queries: 0,
        notFound: 0,
      };
    }
    const parseFailed = error instanceof TypeError ||
      error instanceof SyntaxError || error instanceof RangeError;
    if (!isUnknownOutcome(error) && !parseFailed) throw error;
    log.warn("Order {id} outcome unknown ({error}); resolving by query", {
      id: clientOrderId,
      error: error instanceof Error ? error.message : String(error),
    });
    return await this.#resolve(req.symbol, clientOrderId, error, options);
  }

  async #resolve(
    symbol: string,
    clientOrderId: string,
    cause: unknown,
    options: PlaceOrderOptions,
  ): Promise<PlaceOrderResult> {
    let notFound = 0;
    let queries = 0;
    for (const delay of this.#resolveDelays) {
      await this.#clock.sleep(delay, options.signal);
      queries++;
      try {
        const order = await this.queryOrder(
          symbol,
          { origClientOrderId: clientOrderId },
          options,
        );
        log.info("Order {id} resolved by query: {status}", {
          id: clientOrderId,
          status: order.status,
        });
        return { status: "placed", clientOrderId, order, resolved: true };
      } catch (e) {
        if (e instanceof ExchangeError && e.code === NOT_FOUND) {
          notFound++;
          if (options.notFoundEnds) break;
        } else if (options.signal?.aborted) throw e;
      }
    }
    log.error(
      "Order {id} still unknown after {queries} queries ({notFound} not found)",
      { id: clientOrderId, queries, notFound },
    );
    return {
      status: "unknown",
      clientOrderId,
      error: cause,
      queries,
      notFound,
    };
  }

  /** Queries one order (`GET /order`) by exchange id or client id. */
  async queryOrder(
    symbol: string,
    ref: OrderRef,
    options: CallOptions = {},
  ): Promise<Order> {
    return await this.#orderCall("GET", "USER_DATA", symbol, ref, options);
  }

  /** Cancels one order (`DELETE /order`); `-2011` when unknown or closed. */
  async cancelOrder(
    symbol: string,
    ref: OrderRef,
    options: CallOptions = {},
  ): Promise<Order> {
    return await this.#orderCall("DELETE", "TRADE", symbol, ref, options);
  }

  /** Cancels every open order of a symbol (`DELETE /allOpenOrders`). */
  async cancelAllOrders(
    symbol: string,
    options: CallOptions = {},
  ): Promise<CodeMsg> {
    return parseCodeMsg(
      await this.#call("DELETE", "allOpenOrders", "TRADE", [[
        "symbol",
        symbol,
      ]], options),
    );
  }

  /**
   * Cancels up to 10 orders of a symbol (`DELETE /batchOrders`); each item is the
   * cancelled order or its own error.
   *
   * @throws {RangeError} for 0 or more than 10 orders
   */
  async cancelOrders(
    symbol: string,
    refs: OrderRefs,
    options: CallOptions = {},
  ): Promise<BatchItem[]> {
    const list = "orderIds" in refs ? refs.orderIds : refs.origClientOrderIds;
    if (list.length === 0 || list.length > 10) {
      throw new RangeError(
        `Cannot cancel a batch: ${list.length} orders (1 to 10 allowed)`,
      );
    }
    const params: Params = "orderIds" in refs
      ? [["symbol", symbol], ["orderIdList", refs.orderIds]]
      : [["symbol", symbol], [
        "origClientOrderIdList",
        refs.origClientOrderIds,
      ]];
    return parseBatchItems(
      await this.#call("DELETE", "batchOrders", "TRADE", params, options),
    );
  }

  /** Open orders of a symbol, or of all symbols (weight 40) (`GET /openOrders`). */
  async openOrders(
    symbol?: string,
    options: CallOptions = {},
  ): Promise<Order[]> {
    return parseOrders(
      await this.#call(
        "GET",
        "openOrders",
        "USER_DATA",
        symbolParams(symbol),
        options,
        symbol === undefined ? 40 : 1,
      ),
    );
  }

  /** Positions (`GET /positionRisk`), of one symbol or all. */
  async positionRisk(
    symbol?: string,
    options: CallOptions = {},
  ): Promise<PositionRisk[]> {
    return parsePositionRisk(
      await this.#call(
        "GET",
        "positionRisk",
        "USER_DATA",
        symbolParams(symbol),
        options,
        5,
      ),
    );
  }

  /** The account (`/fapi/v4/account` or `/fapi/v3/accountWithJoinMargin`). */
  async account(options: CallOptions = {}): Promise<Account> {
    return parseAccount(
      await this.#call("GET", "account", "USER_DATA", [], options, 5),
    );
  }

  /** Balances (`/fapi/v2/balance` or `/fapi/v3/balance`). */
  async balance(options: CallOptions = {}): Promise<Balance[]> {
    return parseBalances(
      await this.#call("GET", "balance", "USER_DATA", [], options, 5),
    );
  }

  /**
   * Sets a symbol's leverage (`POST /leverage`).
   *
   * @throws {RangeError} unless `leverage` is an integer in 1..125
   */
  async setLeverage(
    symbol: string,
    leverage: number,
    options: CallOptions = {},
  ): Promise<LeverageResult> {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) {
      throw new RangeError(
        `Cannot set leverage: ${leverage} is not an integer in 1..125`,
      );
    }
    return parseLeverage(
      await this.#call(
        "POST",
        "leverage",
        "TRADE",
        [["symbol", symbol], ["leverage", leverage]],
        options,
      ),
    );
  }

  /**
   * Sets a symbol's margin type (`POST /marginType`); `changed: false` when it already
   * was (`-4046`).
   */
  async setMarginType(
    symbol: string,
    marginType: "ISOLATED" | "CROSSED",
    options: CallOptions = {},
  ): Promise<{ changed: boolean }> {
    return await this.#idempotent(
      -4046,
      () =>
        this.#call("POST", "marginType", "TRADE", [
          ["symbol", symbol],
          ["marginType", marginType],
        ], options),
    );
  }

  /**
   * Sets the account's position mode (`POST /positionSide/dual`, true = hedge);
   * `changed: false` when it already was (`-4059`).
   */
  async setPositionMode(
    dualSidePosition: boolean,
    options: CallOptions = {},
  ): Promise<{ changed: boolean }> {
    return await this.#idempotent(
      -4059,
      () =>
        this.#call("POST", "positionSideDual", "TRADE", [[
          "dualSidePosition",
          dualSidePosition,
        ]], options),
    );
  }

  /** The account's position mode (`GET /positionSide/dual`): true in hedge mode. */
  async positionMode(options: CallOptions = {}): Promise<boolean> {
    return parsePositionMode(
      await this.#call("GET", "positionSideDual", "USER_DATA", [], options, 30),
    );
  }

  /** The account's fee rates for a symbol (`GET /commissionRate`). */
  async commissionRate(
    symbol: string,
    options: CallOptions = {},
  ): Promise<CommissionRate> {
    return parseCommissionRate(
      await this.#call(
        "GET",
        "commissionRate",
        "USER_DATA",
        [["symbol", symbol]],
        options,
        20,
      ),
    );
  }

  /**
   * Income history (`GET /income`, weight 30): wallet changes (REALIZED_PNL, FUNDING_FEE,
   * COMMISSION, …) ascending by time; `startTime`/`endTime` inclusive, `limit` ≤ 1000.
   */
  async income(
    query: {
      readonly symbol?: string;
      readonly incomeType?: string;
      readonly startTime?: number;
      readonly endTime?: number;
      readonly limit?: number;
    } = {},
    options: CallOptions = {},
  ): Promise<Income[]> {
    const params = presentParams(query, [
      "symbol",
      "incomeType",
      "startTime",
      "endTime",
      "limit",
    ]);
    return parseIncome(
      await this.#call("GET", "income", "USER_DATA", params, options, 30),
    );
  }

  /**
   * The account's fills of one symbol (`GET /userTrades`, weight 5), ascending; with
   * `fromId` (trade id) or `startTime` the first `limit` (≤ 1000, default 500) from there;
   * `startTime`/`endTime` inclusive.
   */
  async userTrades(
    query: {
      readonly symbol: string;
      readonly orderId?: number;
      readonly fromId?: number;
      readonly startTime?: number;
      readonly endTime?: number;
      readonly limit?: number;
    },
    options: CallOptions = {},
  ): Promise<UserTrade[]> {
    const params = presentParams(query, [
      "symbol",
      "orderId",
      "fromId",
      "startTime",
      "endTime",
      "limit",
    ]);
    return parseUserTrades(
      await this.#call("GET", "userTrades", "USER_DATA", params, options, 5),
    );
  }

  /** Creates (or extends and returns the active) listen key (`POST /listenKey`). */
  async createListenKey(options: CallOptions = {}): Promise<string> {
    return parseListenKey(
      await this.#call("POST", "listenKey", "USER_STREAM", [], options),
    );
  }

  /** Extends the listen key by 60 minutes (`PUT /listenKey`); `-1125` when it is gone. */
  async keepAliveListenKey(options: CallOptions = {}): Promise<void> {
    await this.#call("PUT", "listenKey", "USER_STREAM", [], options);
  }

  /** Closes the listen key (`DELETE /listenKey`). */
  async closeListenKey(options: CallOptions = {}): Promise<void> {
    await this.#call("DELETE", "listenKey", "USER_STREAM", [], options);
  }

  /** `GET` (query) or `DELETE` (cancel) one order of `/order`. */
  async #orderCall(
    method: "GET" | "DELETE",
    security: SecurityType,
    symbol: string,
    ref: OrderRef,
    options: CallOptions,
  ): Promise<Order> {
    return parseOrder(
      await this.#call(
        method,
        "order",
        security,
        [["symbol", symbol], ...refParams(ref)],
        options,
      ),
    );
  }

  async #idempotent(
    unchanged: number,
    send: () => Promise<unknown>,
  ): Promise<{ changed: boolean }> {
    try {
      const answer = parseCodeMsg(await send());
      if (answer.code !== 200) {
        throw new SyntaxError(
          `Cannot read the answer: code ${answer.code} ${answer.msg}`,
        );
      }
      return { changed: true };
    } catch (error) {
      if (error instanceof ExchangeError && error.code === unchanged) {
        return { changed: false };
      }
      throw error;
    }
  }

  async #call(
    method: HttpMethod,
    endpoint: Endpoint,
    security: SecurityType,
    params: Params,
    options: CallOptions,
    weight = 1,
  ): Promise<unknown> {
    const req = {
      method,
      path: this.path(endpoint),
      params,
      security,
      weight,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.timeoutMs === undefined
        ? {}
        : { timeoutMs: options.timeoutMs }),
    };
    // every answer to a signed request tells whether the exchange accepts its clock
    const signed = security === "TRADE" || security === "USER_DATA" ||
      (security === "USER_STREAM" && this.scheme === "v3");
    const send = async (): Promise<unknown> => {
      // taken before signing: an answer to a request signed before a stretch began says
      // nothing of the clock since, so it does not end that stretch
      const ticket = this.signing.ticket();
      try {
        const raw = await this.transport.request(req);
        if (signed) this.signing.accepted(ticket);
        return raw;
      } catch (error) {
        if (signed && isClockError(error, this.scheme)) {
          // V3: a NonceClockError is the signer refusing the nonce locally (nothing sent)
          this.signing.clockError(clockErrorText(error));
        }
        throw error;
      }
    };
    // invariant: every clock error (the exchange's, or the V3 signer's local refusal)
    // re-measures the clock before the one retry, so a local clock step is confirmed by the
    // next signed request's resync (two agreeing measurements) instead of waiting for the
    // periodic refresh while no order can be signed
    try {
      return await send();
    } catch (error) {
      if (this.#timeSync === undefined || !isClockError(error, this.scheme)) {
        throw error;
      }
      log.warn("{what}: clock error ({error}); resyncing and retrying once", {
        what: `${method} ${req.path}`,
        error: clockErrorText(error),
      });
      await this.#timeSync.resync();
      return await send();
    }
  }
}

/** A clock error's text for the log and the signing health: `code msg`, or the message. */
function clockErrorText(error: unknown): string {
  return error instanceof ExchangeError
    ? `${error.code} ${error.msg}`
    : error instanceof Error
    ? error.message
    : String(error);
}

function symbolParams(symbol: string | undefined): Params {
  return symbol === undefined ? [] : [["symbol", symbol]];
}

function refParams(ref: OrderRef): [string, string | number][] {
  return "orderId" in ref
    ? [["orderId", ref.orderId]]
    : [["origClientOrderId", ref.origClientOrderId]];
}

/** The query's given values, in `keys` order, as request parameters. */
function presentParams<Q extends object>(
  query: Q,
  keys: readonly (keyof Q & string)[],
): [string, string][] {
  const params: [string, string][] = [];
  for (const k of keys) {
    const v = query[k];
    if (v !== undefined) params.push([k, String(v)]);
  }
  return params;
}
