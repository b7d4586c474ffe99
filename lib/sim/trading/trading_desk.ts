/**
 * Wires the account and order engine into the running simulator: signed V1 and V3 routes
 * (authentication, order-rate headers and limit, trading faults), listenKey endpoints and
 * the user-data WebSocket at `/ws/<listenKey>`, market updates into the engine (book top 5,
 * each trade's price, mark), funding settlement at each funding time.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  Engine,
  ENGINE_ROUTES,
  type EngineRoute,
  type MarketUpdate,
  symbolSpecFromExchangeInfo,
} from "../engine/mod.ts";
import type { SimClock } from "../clock.ts";
import { faultResponse } from "../faults.ts";
import { fixed } from "../format.ts";
import type { Market, SymbolMarket } from "../market.ts";
import { ApiError, type RouteTable } from "../router.ts";
import type { StreamHub } from "../stream_hub.ts";
import { symbolInfo } from "../symbols.ts";
import {
  AccountDirectory,
  DEFAULT_BALANCE,
  type SimAccount,
} from "./accounts.ts";
import { Authenticator, type SignedInput } from "./auth.ts";
import { ListenKeys } from "./listen_keys.ts";
import { OrderCounter, ORDERS_PER_MINUTE } from "./order_counter.ts";
import type { LostReplyMode, TradingFaults } from "./trading_faults.ts";
import { UserStreams } from "./user_streams.ts";

const log = getLogger(["aster", "sim", "trading"]);

/** Trading options of the simulator. */
export interface TradingOptions {
  /** Accounts created at start. @default {[]} */
  accounts?: readonly SimAccount[];
  /** Maker fee rate. @default {"0.0001"} */
  makerRate?: string;
  /** Taker fee rate. @default {"0.00035"} */
  takerRate?: string;
  /** Leverage of a fresh position. @default {20} (capped by the symbol's brackets) */
  defaultLeverage?: number;
  /** Orders per minute per account. @default {1200} */
  ordersPerMinute?: number;
}

/** What the desk plugs into. */
export interface TradingDeps {
  readonly routes: RouteTable;
  readonly market: Market;
  /** The market clock (engine time). */
  readonly clock: SimClock;
  readonly faults: TradingFaults;
}

/** The trading handle of a running simulator (for tests and demos). */
export interface SimTrading {
  /** The engine, for assertions (positions, open orders, account totals). */
  readonly engine: Engine;
  /** Engine ids of every account (V1 API key, or V3 user in lowercase). */
  readonly accountIds: readonly string[];
  /** Adds an account (or more signers to a V3 user); returns its engine id. */
  addAccount(account: SimAccount): string;
  /** The active listenKey of an account. */
  listenKeyOf(accountId: string): string | undefined;
  /** The number of open user-data sockets. */
  readonly userStreams: number;
}

/** A WebSocket route as `Simulator.registerWebSocket` takes it. */
export type UserStreamRoute = (
  name: string,
  req: Request,
  hub: Pick<StreamHub, "acceptPush">,
) => Response | undefined;

interface SymbolTrack {
  readonly market: SymbolMarket;
  bookVersion: number;
  bids: [string, string][];
  asks: [string, string][];
  mark: number;
  markText: string;
  lastText: string | undefined;
  /** Last trade price not yet given to the engine (NaN: none). */
  lastPending: number;
  fundingSeen: number;
  /** Whether the engine may have work in this symbol (orders, positions). */
  active: boolean;
  /** Sim time of the next idle check while active. */
  checkAt: number;
}

/** How often an active symbol is checked for idleness, sim ms. */
const IDLE_CHECK_MS = 1000;

const LOST_503 = {
  code: -1007,
  msg:
    "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
};

function isTrue(value: string | null): boolean {
  return value !== null && value.toLowerCase() === "true";
}

async function readInput(req: Request): Promise<SignedInput> {
  const url = new URL(req.url);
  const query = url.search.slice(1);
  const body = req.body === null ? "" : await req.text();
  const params = new URLSearchParams(body);
  for (const [k, v] of new URLSearchParams(query)) params.set(k, v);
  return { query, body, params, headers: req.headers };
}

/** The engine behind the simulator's signed endpoints; see the module doc. */
export class TradingDesk implements SimTrading {
  /** The engine. */
  readonly engine: Engine;
  #dir = new AccountDirectory();
  #auth: Authenticator;
  #keys = new ListenKeys();
  #streams = new UserStreams();
  #counter: OrderCounter;
  #clock: SimClock;
  #faults: TradingFaults;
  #tracks: SymbolTrack[];
  #bySymbol = new Map<string, SymbolTrack>();
  #held = new Set<() => void>();
  /** Orders under the `omitAvgPrice` fault whose stream updates lose `ap`. */
  #noAvgOrders = new Set<number>();
  #removeListener: () => void;

  /** Creates the engine, registers the routes and listens to the market. */
  constructor(deps: TradingDeps, options: TradingOptions = {}) {
    this.#clock = deps.clock;
    this.#faults = deps.faults;
    this.#auth = new Authenticator(this.#dir);
    this.#counter = new OrderCounter(
      options.ordersPerMinute ?? ORDERS_PER_MINUTE,
    );
    this.engine = new Engine({
      symbols: deps.market.symbols.map((m) =>
        symbolSpecFromExchangeInfo(symbolInfo(m.spec))
      ),
      ...(options.makerRate === undefined
        ? {}
        : { makerRate: options.makerRate }),
      ...(options.takerRate === undefined
        ? {}
        : { takerRate: options.takerRate }),
      ...(options.defaultLeverage === undefined
        ? {}
        : { defaultLeverage: options.defaultLeverage }),
    });
    for (const account of options.accounts ?? []) this.addAccount(account);
    this.#tracks = deps.market.symbols.map((m) => {
      const last = m.funding.at(m.funding.size - 1);
      const track: SymbolTrack = {
        market: m,
        bookVersion: NaN,
        bids: [],
        asks: [],
        mark: NaN,
        markText: "0",
        lastText: m.bar.trades > 0 || m.bars.size > 0
          ? fixed(m.bar.close, m.spec.priceDecimals)
          : undefined,
        lastPending: NaN,
        fundingSeen: last?.fundingTime ?? -Infinity,
        active: false,
        checkAt: 0,
      };
      this.#bySymbol.set(m.spec.symbol, track);
      return track;
    });
    const now = deps.clock.now();
    for (const t of this.#tracks) this.#update(t, now);
    this.#registerRoutes(deps.routes);
    this.#removeListener = deps.market.addListener({
      onTrade: (m, time, price) => {
        const t = this.#bySymbol.get(m.spec.symbol);
        if (!t) return;
        t.lastPending = price;
        // Idle symbols catch up lazily (before the next command): the hot path stays cheap.
        if (!t.active) return;
        this.#update(t, time);
        this.#flush();
      },
      onTick: (time) => this.#tick(time),
    });
  }

  /** Engine ids of every account. */
  get accountIds(): readonly string[] {
    return this.#dir.ids;
  }

  /** The number of open user-data sockets. */
  get userStreams(): number {
    return this.#streams.size;
  }

  /** Adds an account (or more signers to a V3 user); returns its engine id. */
  addAccount(account: SimAccount): string {
    const { id, created } = this.#dir.add(account);
    if (created) {
      this.engine.addAccount({
        id,
        walletBalance: account.balance ?? DEFAULT_BALANCE,
      });
    }
    return id;
  }

  /** The active listenKey of an account. */
  listenKeyOf(accountId: string): string | undefined {
    return this.#keys.keyOf(accountId);
  }

  /** Breaks every user-data socket. */
  dropUserStreams(): void {
    this.#streams.dropAll();
  }

  /** The `/ws/<listenKey>` route. */
  readonly wsRoute: UserStreamRoute = (name, req, hub) => {
    this.#expireKeys(this.#clock.now());
    if (this.#keys.accountOf(name) === undefined) return undefined;
    return hub.acceptPush(req, (socket) => {
      if (this.#keys.accountOf(name) === undefined) {
        socket.send(
          JSON.stringify({ e: "listenKeyExpired", E: this.#clock.now() }),
        );
        return;
      }
      this.#streams.add(name, socket);
    });
  };

  /** Releases held replies and stops listening to the market. */
  close(): void {
    this.#removeListener();
    for (const release of this.#held) release();
    this.#held.clear();
  }

  #registerRoutes(routes: RouteTable): void {
    for (const route of ENGINE_ROUTES) {
      for (const scheme of ["v1", "v3"] as const) {
        routes.add(
          route.method,
          route[scheme],
          route.weight,
          (req) => this.#signed(route, scheme, req),
        );
      }
    }
    for (const scheme of ["v1", "v3"] as const) {
      const path = `/fapi/${scheme}/listenKey`;
      for (const method of ["POST", "PUT", "DELETE"]) {
        routes.add(
          method,
          path,
          1,
          (req) => this.#listenKey(method, scheme, req),
        );
      }
    }
  }

  async #authenticate(
    scheme: "v1" | "v3",
    req: Request,
    keyOnly: boolean,
  ): Promise<{ input: SignedInput; accountId: string; now: number }> {
    const input = await readInput(req);
    const now = this.#clock.now();
    const authNow = now + this.#faults.skewMs;
    const accountId = scheme === "v1"
      ? this.#auth.v1(input, authNow, keyOnly)
      : this.#auth.v3(input, authNow);
    return { input, accountId, now };
  }

  async #signed(
    route: EngineRoute,
    scheme: "v1" | "v3",
    req: Request,
  ): Promise<Response> {
    if (this.#faults.takeHtmlError()) {
      return faultResponse(
        { status: 502, html: true },
        this.#clock.now(),
        new Headers(),
      );
    }
    const { input, accountId, now } = await this.#authenticate(
      scheme,
      req,
      false,
    );
    const headers = new Headers();
    if (route.order) {
      const count = this.#counter.count(accountId, now);
      headers.set("X-MBX-ORDER-COUNT-10S", String(count.tenSec));
      headers.set("X-MBX-ORDER-COUNT-1M", String(count.minute));
      if (count.limited) {
        return Response.json({
          code: -1015,
          msg:
            `Too many new orders; current limit is ${this.#counter.limit} orders per MINUTE.`,
        }, { status: 429, headers });
      }
      const rejection = this.#faults.takeOrderRejection(
        input.params.get("type") ?? "",
      );
      if (rejection) {
        return Response.json(rejection, { status: 400, headers });
      }
      if (
        this.#faults.exitRejectionArmed && this.#isExit(accountId, input.params)
      ) {
        this.#faults.takeExitRejection();
        return Response.json(
          { code: -2021, msg: "Order would immediately trigger." },
          { status: 400, headers },
        );
      }
    }
    this.#sync(now);
    const reply = route.call(this.engine, accountId, input.params, now);
    this.#activate(now);
    const noAvg = route.order && reply.status === 200 &&
      typeof reply.body === "object" && reply.body !== null &&
      "avgPrice" in reply.body && this.#faults.takeOmitAvgPrice();
    if (noAvg) {
      // the fault covers the order's user-stream updates too (no `ap`), until it is final
      this.#noAvgOrders.add(
        (reply.body as unknown as { orderId: number }).orderId,
      );
    }
    this.#flush();
    if (route.order) {
      if (noAvg) {
        const { avgPrice: _, ...rest } = reply.body as Record<string, unknown>;
        return Response.json(rest, { status: reply.status, headers });
      }
      const lost = this.#faults.takeLostReply();
      if (lost !== undefined) {
        log.debug("Losing the reply of an order ({mode})", { mode: lost });
        return this.#lose(lost, headers);
      }
      const lateMs = this.#faults.takeReplyDelay();
      if (lateMs !== undefined) {
        log.debug("Delaying the reply of an order by {ms} ms", { ms: lateMs });
        return this.#late(
          lateMs,
          () => Response.json(reply.body, { status: reply.status, headers }),
        );
      }
    }
    return Response.json(reply.body, { status: reply.status, headers });
  }

  async #listenKey(
    method: string,
    scheme: "v1" | "v3",
    req: Request,
  ): Promise<Response> {
    const { accountId, now } = await this.#authenticate(scheme, req, true);
    this.#expireKeys(now);
    switch (method) {
      case "POST":
        return Response.json({ listenKey: this.#keys.create(accountId, now) });
      case "PUT":
        if (!this.#keys.keepAlive(accountId, now)) {
          throw new ApiError(400, -1125, "This listenKey does not exist.");
        }
        return Response.json({});
      default: {
        const key = this.#keys.close(accountId);
        if (key !== undefined) this.#streams.close(key);
        return Response.json({});
      }
    }
  }

  #isExit(accountId: string, params: URLSearchParams): boolean {
    if (
      isTrue(params.get("reduceOnly")) || isTrue(params.get("closePosition"))
    ) {
      return true;
    }
    const symbol = params.get("symbol");
    if (symbol === null) return false;
    const reply = this.engine.positionRisk(accountId, { symbol });
    if (reply.status !== 200 || !Array.isArray(reply.body)) return false;
    const amount = Number(reply.body[0]?.positionAmt ?? 0);
    const side = params.get("side");
    return (amount > 0 && side === "SELL") || (amount < 0 && side === "BUY");
  }

  #lose(
    mode: LostReplyMode,
    headers: Headers,
  ): Response | Promise<Response> {
    switch (mode) {
      case "503":
        return Response.json(LOST_503, { status: 503, headers });
      case "html503":
        return faultResponse(
          { status: 503, html: true },
          this.#clock.now(),
          headers,
        );
      case "drop": {
        // Headers go out, then the body breaks: the client cannot read the reply. (Deno
        // prints the reason on stderr; a string keeps that to one line.)
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"orderId":'));
            controller.error("sim fault: order reply dropped");
          },
        });
        headers.set("Content-Type", "application/json");
        return new Response(stream, { status: 200, headers });
      }
      default:
        // Held until the simulator closes: the client's own timeout ends the wait.
        return new Promise((resolve) => {
          this.#held.add(() =>
            resolve(Response.json(LOST_503, { status: 503, headers }))
          );
        });
    }
  }

  /** The reply `make` builds, `ms` real ms from now (at once when the simulator closes). */
  #late(ms: number, make: () => Response): Promise<Response> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.#held.delete(release);
        resolve(make());
      };
      const timer = setTimeout(release, ms);
      this.#held.add(release);
    });
  }

  /** Brings every symbol's engine view up to date (before a command). */
  #sync(now: number): void {
    for (const t of this.#tracks) {
      if (
        t.market.feed.bookVersion !== t.bookVersion ||
        t.market.feed.markPrice !== t.mark || !Number.isNaN(t.lastPending)
      ) this.#update(t, now);
    }
  }

  /** After a command: every symbol may have work until its next idle check. */
  #activate(now: number): void {
    for (const t of this.#tracks) {
      t.active = true;
      t.checkAt = now + IDLE_CHECK_MS;
    }
  }

  /** Whether no account has an open order or a position in `symbol`. */
  #idle(symbol: string): boolean {
    const params = { symbol };
    for (const id of this.#dir.ids) {
      const open = this.engine.openOrders(id, params).body;
      if (Array.isArray(open) && open.length > 0) return false;
      const rows = this.engine.positionRisk(id, params).body;
      if (
        Array.isArray(rows) && rows.some((r) => Number(r.positionAmt) !== 0)
      ) return false;
    }
    return true;
  }

  #update(t: SymbolTrack, now: number): void {
    const m = t.market;
    const feed = m.feed;
    if (!Number.isNaN(t.lastPending)) {
      t.lastText = fixed(t.lastPending, m.spec.priceDecimals);
      t.lastPending = NaN;
    }
    if (feed.bookVersion !== t.bookVersion) {
      t.bookVersion = feed.bookVersion;
      const { bids, asks } = m.levels(5);
      t.bids = bids;
      t.asks = asks;
    }
    if (feed.markPrice !== t.mark) {
      t.mark = feed.markPrice;
      t.markText = fixed(feed.markPrice, 8);
    }
    const update: MarketUpdate = t.lastText === undefined
      ? { bids: t.bids, asks: t.asks, markPrice: t.markText }
      : {
        bids: t.bids,
        asks: t.asks,
        lastPrice: t.lastText,
        markPrice: t.markText,
      };
    this.engine.onMarket(m.spec.symbol, update, now);
  }

  #tick(time: number): void {
    for (const t of this.#tracks) {
      const feed = t.market.feed;
      if (t.active) {
        if (feed.bookVersion !== t.bookVersion || feed.markPrice !== t.mark) {
          this.#update(t, time);
        }
        if (time >= t.checkAt) {
          t.checkAt = time + IDLE_CHECK_MS;
          t.active = !this.#idle(t.market.spec.symbol);
        }
      }
      const funding = t.market.funding;
      const row = funding.at(funding.size - 1);
      if (row !== undefined && row.fundingTime > t.fundingSeen) {
        t.fundingSeen = row.fundingTime;
        this.engine.settleFunding(
          t.market.spec.symbol,
          row.fundingRate,
          t.markText,
          row.fundingTime,
        );
      }
    }
    this.#expireKeys(time);
    this.#flush();
  }

  /** Strips `ap` from the updates of orders under the `omitAvgPrice` fault. */
  #omitAp(events: readonly object[]): void {
    for (const e of events) {
      const o = (e as { e?: string; o?: Record<string, unknown> }).o;
      if (
        (e as { e?: string }).e !== "ORDER_TRADE_UPDATE" || o === undefined ||
        !this.#noAvgOrders.has(o["i"] as number)
      ) continue;
      delete o["ap"];
      if (o["X"] !== "NEW" && o["X"] !== "PARTIALLY_FILLED") {
        this.#noAvgOrders.delete(o["i"] as number);
      }
    }
  }

  #expireKeys(now: number): void {
    for (const key of this.#keys.expire(now)) this.#streams.expire(key, now);
  }

  #flush(): void {
    for (const id of this.#dir.ids) {
      const events = this.engine.drainEvents(id);
      if (events.length === 0) continue;
      if (this.#noAvgOrders.size > 0) this.#omitAp(events);
      const key = this.#keys.keyOf(id);
      if (key !== undefined) this.#streams.push(key, events);
    }
  }
}
