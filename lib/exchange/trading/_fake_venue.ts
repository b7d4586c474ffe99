/**
 * Private test helper: a small loopback fake of Aster's signed endpoints (both schemes).
 * It verifies every signature with `../sign/verify.ts`, checks timestamps/nonces against its
 * own clock, records each request and answers in the protocol's JSON shapes, with faults
 * (reply lost after accepting an order) on request.
 *
 * @module
 */
import {
  extractSignature,
  recoverV3Signer,
  verifyV1Signature,
} from "../sign/verify.ts";
import type { RawOrder } from "./wire.ts";

/** One received request. */
export interface Recorded {
  /** HTTP method. */
  readonly method: string;
  /** URL path. */
  readonly path: string;
  /** Raw query string (no `?`). */
  readonly query: string;
  /** Raw body. */
  readonly body: string;
  /** Query and body parameters, decoded (query wins). */
  readonly params: URLSearchParams;
  /** Request headers. */
  readonly headers: Headers;
}

/** How the next order placement misbehaves after storing the order. */
export type OrderFault = "503" | "html503" | "drop" | "slow";

/** Options of {@linkcode FakeVenue}. */
export interface FakeVenueOptions {
  /** Signing scheme accepted. */
  scheme: "v1" | "v3";
  /** V1 API key expected in `X-MBX-APIKEY`. */
  apiKey?: string;
  /** V1 HMAC secret. */
  secret?: string;
  /** V3 agent address expected to have signed. */
  signer?: string;
  /** V3 chain id. @default {1666} */
  chainId?: number;
}

const ORDER_ENDPOINTS = new Set(["order", "batchOrders", "allOpenOrders"]);

/** The loopback fake; see the module doc. */
export class FakeVenue {
  /** Every request received, in order. */
  readonly requests: Recorded[] = [];
  /** Orders by client id. */
  readonly orders = new Map<string, RawOrder>();
  /** Server clock offset against `Date.now()`, ms. */
  offsetMs = 0;
  /** Faults applied to the next placements, in order. */
  orderFaults: OrderFault[] = [];
  /** Value of `X-MBX-ORDER-COUNT-1M` on order endpoints; counts placements when unset. */
  orderCountHeader: number | undefined;
  /** Errors to answer the next matching requests with: `[method, pathSuffix, status, code, msg]`. */
  scripted: [string, string, number, number, string][] = [];
  /** Margin type per symbol. */
  readonly marginTypes = new Map<string, string>();
  /** Hedge mode. */
  dualSide = false;
  /** Active listen key. */
  listenKey: string | undefined;
  /** Listen keys created. */
  keysCreated = 0;
  #options: FakeVenueOptions;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #abort = new AbortController();
  #nextId = 1000;
  #placed = 0;
  #slow = new Set<Promise<void>>();

  /** Starts the server on 127.0.0.1, port 0. */
  constructor(options: FakeVenueOptions) {
    this.#options = options;
    this.#server = Deno.serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        signal: this.#abort.signal,
        onListen() {},
      },
      (req) => this.#handle(req),
    );
  }

  /** Base URL. */
  get url(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** The fake's clock (what `GET /time` would answer). */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Requests whose path ends with `suffix`. */
  calls(suffix: string): Recorded[] {
    return this.requests.filter((r) => r.path.endsWith(suffix));
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await Promise.all(this.#slow);
    this.#abort.abort();
    await this.#server.finished;
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const query = url.search.slice(1);
    const body = await req.text();
    const params = new URLSearchParams(body);
    for (const [k, v] of new URLSearchParams(query)) params.set(k, v);
    const rec: Recorded = {
      method: req.method,
      path: url.pathname,
      query,
      body,
      params,
      headers: req.headers,
    };
    this.requests.push(rec);
    const endpoint = url.pathname.replace(/^\/fapi\/v\d\//, "");
    const auth = this.#authenticate(rec, endpoint);
    if (auth !== undefined) return auth;
    const script = this.scripted.findIndex(([method, suffix]) =>
      method === req.method && url.pathname.endsWith(suffix)
    );
    if (script >= 0) {
      const [, , status, code, msg] = this.scripted.splice(script, 1)[0]!;
      return json({ code, msg }, status);
    }
    const response = await this.#route(req.method, endpoint, params).promise;
    if (ORDER_ENDPOINTS.has(endpoint)) {
      response.headers.set(
        "X-MBX-ORDER-COUNT-1M",
        String(this.orderCountHeader ?? this.#placed),
      );
    }
    return response;
  }

  #authenticate(rec: Recorded, endpoint: string): Response | undefined {
    const o = this.#options;
    const p = rec.params;
    const userStream = endpoint === "listenKey";
    if (o.scheme === "v1") {
      if (rec.headers.get("x-mbx-apikey") !== o.apiKey) {
        return json({ code: -2015, msg: "Invalid API-key" }, 401);
      }
      if (userStream) return undefined;
      const sig = extractSignature(rec.query, rec.body);
      if (
        sig === undefined ||
        !verifyV1Signature(o.secret!, sig.payload, sig.signature)
      ) {
        return json({ code: -1022, msg: "Signature invalid" }, 400);
      }
      const ts = Number(p.get("timestamp"));
      const window = Number(p.get("recvWindow") ?? 5000);
      const server = this.now();
      if (!(ts < server + 1000 && server - ts <= window)) {
        return json({
          code: -1021,
          msg: "Timestamp for this request is outside of the recvWindow.",
        }, 400);
      }
      return undefined;
    }
    if (rec.headers.has("x-mbx-apikey")) {
      return json({ code: -1000, msg: "unexpected API key header" }, 400);
    }
    const sig = extractSignature(rec.query, rec.body);
    const recovered = sig === undefined
      ? undefined
      : recoverV3Signer(sig.payload, sig.signature, o.chainId ?? 1666);
    if (
      recovered === undefined ||
      recovered.toLowerCase() !== o.signer!.toLowerCase() ||
      p.get("signer")?.toLowerCase() !== o.signer!.toLowerCase() ||
      !p.has("user")
    ) {
      return json({ code: -1022, msg: "Signature invalid" }, 400);
    }
    const nonceMs = Number(p.get("nonce")) / 1000;
    if (Math.abs(this.now() - nonceMs) > 10_000) {
      return json({ code: -4225, msg: "Nonce Expired" }, 400);
    }
    return undefined;
  }

  #route(
    method: string,
    endpoint: string,
    p: URLSearchParams,
  ): { headers: Headers; promise: Promise<Response> } {
    const headers = new Headers({ "Content-Type": "application/json" });
    const reply = (value: unknown, status = 200) => ({
      headers,
      promise: Promise.resolve(
        new Response(JSON.stringify(value), { status, headers }),
      ),
    });
    const symbol = p.get("symbol") ?? "";
    const find = () => {
      const cid = p.get("origClientOrderId");
      if (cid !== null) return this.orders.get(cid);
      const id = Number(p.get("orderId"));
      return [...this.orders.values()].find((o) => o.orderId === id);
    };
    switch (`${method} ${endpoint}`) {
      case "POST order": {
        const order = this.#newOrder(p);
        const fault = this.orderFaults.shift();
        if (fault === "503") {
          return reply(
            { code: -1007, msg: "Timeout waiting for response" },
            503,
          );
        }
        if (fault === "html503") {
          return {
            headers,
            promise: Promise.resolve(
              new Response(
                "<html><body>503 Service Unavailable</body></html>",
                {
                  status: 503,
                },
              ),
            ),
          };
        }
        if (fault === "drop") {
          const stream = new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(new TextEncoder().encode('{"orderId":'));
              c.error(new Error("connection dropped"));
            },
          });
          return {
            headers,
            promise: Promise.resolve(
              new Response(stream, { status: 200, headers }),
            ),
          };
        }
        if (fault === "slow") {
          const later = new Promise<void>((r) => setTimeout(r, 300));
          this.#slow.add(later);
          return {
            headers,
            promise: later.then(() =>
              new Response(JSON.stringify(order), { headers })
            ),
          };
        }
        return reply(order);
      }
      case "GET order": {
        const o = find();
        return o === undefined
          ? reply({ code: -2013, msg: "Order does not exist." }, 400)
          : reply({ ...o, time: o.updateTime });
      }
      case "DELETE order": {
        const o = find();
        if (o === undefined || o.status !== "NEW") {
          return reply({ code: -2011, msg: "Unknown order sent." }, 400);
        }
        o.status = "CANCELED";
        return reply(o);
      }
      case "DELETE allOpenOrders":
        for (const o of this.orders.values()) {
          if (o.symbol === symbol && o.status === "NEW") o.status = "CANCELED";
        }
        return reply({
          code: "200",
          msg: "The operation of cancel all open order is done.",
        });
      case "DELETE batchOrders": {
        const ids = p.has("orderIdList")
          ? (JSON.parse(p.get("orderIdList")!) as number[]).map((id) =>
            [...this.orders.values()].find((o) => o.orderId === id)
          )
          : (JSON.parse(p.get("origClientOrderIdList")!) as string[]).map((
            c,
          ) => this.orders.get(c));
        return reply(ids.map((o) => {
          if (o === undefined || o.status !== "NEW") {
            return { code: -2011, msg: "Unknown order sent." };
          }
          o.status = "CANCELED";
          return o;
        }));
      }
      case "GET openOrders":
        return reply(
          [...this.orders.values()].filter((o) =>
            o.status === "NEW" && (symbol === "" || o.symbol === symbol)
          ).map((o) => ({ ...o, time: o.updateTime })),
        );
      case "GET positionRisk":
        return reply([{
          symbol: "BTCUSDT",
          positionAmt: "-0.010",
          entryPrice: "60000.0",
          markPrice: "59000.00000000",
          unRealizedProfit: "10.00000000",
          liquidationPrice: "119000.5",
          leverage: "10",
          maxNotionalValue: "1000000",
          marginType: "cross",
          isolatedMargin: "0.00000000",
          isAutoAddMargin: "false",
          positionSide: "BOTH",
          notional: "-590.00000000",
          isolatedWallet: "0",
          updateTime: 1700000000000,
        }, {
          symbol: "ETHUSDT",
          positionAmt: "0.000",
          entryPrice: "0.0",
          markPrice: "3000.00",
          unRealizedProfit: "0.00000000",
          liquidationPrice: "0",
          leverage: "20",
          maxNotionalValue: "250000",
          marginType: "isolated",
          isolatedMargin: "0.00000000",
          isAutoAddMargin: "false",
          positionSide: "BOTH",
          updateTime: 0,
        }].filter((r) => symbol === "" || r.symbol === symbol));
      case "GET balance":
        return reply([{
          accountAlias: "SgsR",
          asset: "USDT",
          balance: "1000.00000000",
          crossWalletBalance: "1000.00000000",
          crossUnPnl: "10.00000000",
          availableBalance: "950.00000000",
          maxWithdrawAmount: "950.00000000",
          marginAvailable: true,
          updateTime: 1700000000000,
        }]);
      case "GET account":
      case "GET accountWithJoinMargin":
        return reply({
          feeTier: 0,
          canTrade: true,
          canDeposit: true,
          canWithdraw: true,
          updateTime: 0,
          totalInitialMargin: "59.00000000",
          totalMaintMargin: "2.95000000",
          totalWalletBalance: "1000.00000000",
          totalUnrealizedProfit: "10.00000000",
          totalMarginBalance: "1010.00000000",
          totalPositionInitialMargin: "59.00000000",
          totalOpenOrderInitialMargin: "0.00000000",
          totalCrossWalletBalance: "1000.00000000",
          totalCrossUnPnl: "10.00000000",
          availableBalance: "951.00000000",
          maxWithdrawAmount: "951.00000000",
          assets: [{
            asset: "USDT",
            walletBalance: "1000.00000000",
            unrealizedProfit: "10.00000000",
            marginBalance: "1010.00000000",
            maintMargin: "2.95000000",
            initialMargin: "59.00000000",
            positionInitialMargin: "59.00000000",
            openOrderInitialMargin: "0.00000000",
            crossWalletBalance: "1000.00000000",
            crossUnPnl: "10.00000000",
            availableBalance: "951.00000000",
            maxWithdrawAmount: "951.00000000",
            marginAvailable: true,
            updateTime: 1700000000000,
          }],
          positions: [{
            symbol: "BTCUSDT",
            initialMargin: "59",
            maintMargin: "2.95",
            unrealizedProfit: "10.00000000",
            positionInitialMargin: "59",
            openOrderInitialMargin: "0",
            leverage: "10",
            isolated: false,
            entryPrice: "60000.0",
            maxNotional: "1000000",
            positionSide: "BOTH",
            positionAmt: "-0.010",
            updateTime: 1700000000000,
          }],
        });
      case "POST leverage":
        return reply({
          leverage: Number(p.get("leverage")),
          maxNotionalValue: "1000000",
          symbol,
        });
      case "POST marginType": {
        const type = p.get("marginType")!;
        if ((this.marginTypes.get(symbol) ?? "CROSSED") === type) {
          return reply(
            { code: -4046, msg: "No need to change margin type." },
            400,
          );
        }
        this.marginTypes.set(symbol, type);
        return reply({ code: 200, msg: "success" });
      }
      case "POST positionSide/dual": {
        const dual = p.get("dualSidePosition") === "true";
        if (dual === this.dualSide) {
          return reply(
            { code: -4059, msg: "No need to change position side." },
            400,
          );
        }
        this.dualSide = dual;
        return reply({ code: 200, msg: "success" });
      }
      case "GET positionSide/dual":
        return reply({ dualSidePosition: this.dualSide });
      case "GET commissionRate":
        return reply({
          symbol,
          makerCommissionRate: "0.0001",
          takerCommissionRate: "0.00035",
        });
      case "POST listenKey":
        if (this.listenKey === undefined) {
          this.keysCreated++;
          this.listenKey = `key${this.keysCreated}${"x".repeat(56)}`;
        }
        return reply({ listenKey: this.listenKey });
      case "PUT listenKey":
        return this.listenKey === undefined
          ? reply({ code: -1125, msg: "This listenKey does not exist." }, 400)
          : reply({});
      case "DELETE listenKey":
        this.listenKey = undefined;
        return reply({});
      default:
        return reply(
          { code: -1000, msg: `no route ${method} ${endpoint}` },
          404,
        );
    }
  }

  #newOrder(p: URLSearchParams): RawOrder {
    this.#placed++;
    const cid = p.get("newClientOrderId")!;
    const type = p.get("type")!;
    const order: RawOrder = {
      orderId: this.#nextId++,
      symbol: p.get("symbol")!,
      status: type === "MARKET" ? "FILLED" : "NEW",
      clientOrderId: cid,
      price: p.get("price") ?? "0",
      avgPrice: type === "MARKET" ? "60000.0" : "0.00000",
      origQty: p.get("quantity") ?? "0",
      executedQty: type === "MARKET" ? p.get("quantity")! : "0",
      cumQty: type === "MARKET" ? p.get("quantity")! : "0",
      cumQuote: "0",
      timeInForce: p.get("timeInForce") ?? "GTC",
      type,
      origType: type,
      reduceOnly: p.get("reduceOnly") === "true",
      closePosition: p.get("closePosition") === "true",
      side: p.get("side")!,
      positionSide: p.get("positionSide") ?? "BOTH",
      stopPrice: p.get("stopPrice") ?? "0",
      workingType: p.get("workingType") ?? "CONTRACT_PRICE",
      priceProtect: p.get("priceProtect") === "TRUE",
      updateTime: this.now(),
    };
    if (p.has("activationPrice")) {
      order.activatePrice = p.get("activationPrice")!;
    }
    if (p.has("callbackRate")) order.priceRate = p.get("callbackRate")!;
    this.orders.set(cid, order);
    return order;
  }
}

function json(value: unknown, status: number): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}
