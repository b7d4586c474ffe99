/**
 * `startSimulator()`: a local exchange on 127.0.0.1 speaking Aster's public REST and
 * WebSocket protocol, driven by a sim clock and a market source.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { RawKlineRow } from "../exchange/wire.ts";
import { emptyBar, klineRow } from "./bar_ring.ts";
import { isSteppedClock, ScaledClock, type SimClock } from "./clock.ts";
import { RestFaults, type SimFaults } from "./faults.ts";
import { SymbolHistory } from "./history.ts";
import { SyntheticArchive } from "./history_archive.ts";
import { Market, MARKET_STREAM_SUFFIXES } from "./market.ts";
import { registerMarketRoutes } from "./market_routes.ts";
import { WeightMeter } from "./rate_limit.ts";
import { createRestHandler } from "./rest_handler.ts";
import { RouteTable } from "./router.ts";
import { createSource, type SourceSpec } from "./sources.ts";
import { MAX_STREAMS, StreamHub } from "./stream_hub.ts";
import { symbolSpec } from "./symbols.ts";
import type { SimAccount } from "./trading/accounts.ts";
import {
  type SimTrading,
  TradingDesk,
  type TradingOptions,
} from "./trading/trading_desk.ts";
import { TradingFaults } from "./trading/trading_faults.ts";

const log = getLogger(["aster", "sim"]);

/** Options of {@linkcode startSimulator}. */
export interface SimulatorOptions {
  /** Listed symbols. @default {["BTCUSDT", "ETHUSDT"]} */
  symbols?: string[];
  /** Where the market comes from. @default {{ kind: "synthetic" }} */
  source?: SourceSpec;
  /** Seed of the synthetic source. @default {1} */
  seed?: number;
  /**
   * The sim clock. A {@linkcode ManualClock} drives the market synchronously on each move;
   * any other clock is polled by a timer. @default a {@linkcode ScaledClock} at `startTime`
   */
  clock?: SimClock;
  /** Sim ms per real ms for the default clock. @default {1} */
  speed?: number;
  /**
   * Epoch ms of the sim clock at start. @default the source's start (replays), else the given
   * clock's time, else `Date.now()` floored to the minute (the default clock then starts at
   * `Date.now()` itself, the market catching up at once)
   */
  startTime?: number;
  /** Closed 1m bars available over REST before the start. @default {1440} */
  historyMinutes?: number;
  /**
   * Synthetic source only: the listing time (epoch ms), one for all symbols or per symbol.
   * REST history (klines, mark/index klines, funding) then reaches back to it, generated
   * deterministically on demand; `exchangeInfo` reports it as `onboardDate`.
   * @default no deep history: the market's first bar is the listing
   */
  listedAt?: number | Readonly<Record<string, number>>;
  /** Windows `[from, to)` (epoch ms) of the deep history without any bar (maintenance). */
  historyGaps?: readonly (readonly [number, number])[];
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** @default {0} (any free port) */
  port?: number;
  /**
   * Trading accounts: `{ kind: "v1", apiKey, secretKey, balance? }` or
   * `{ kind: "v3", user, signer, balance? }` (balance in USDT, default "10000").
   * @default {[]}
   */
  accounts?: readonly SimAccount[];
  /** Maker fee rate. @default {"0.0001"} */
  makerRate?: string;
  /** Taker fee rate. @default {"0.00035"} */
  takerRate?: string;
  /** Leverage of a fresh position (capped by the symbol's brackets). @default {20} */
  defaultLeverage?: number;
  /** Orders per minute per account before 429 `-1015`. @default {1200} */
  ordersPerMinute?: number;
  /**
   * Request weight per minute per IP before 429 (also `exchangeInfo`'s `REQUEST_WEIGHT`).
   * @default {2400}
   */
  requestWeightLimit?: number;
}

/**
 * A WebSocket route for `/ws/<name>` names that are not market streams (e.g. listenKeys):
 * returns undefined to decline, or a response, typically `hub.acceptPush(req, onOpen)` so
 * the socket shares the simulator's faults and limits.
 */
export type WebSocketRoute = (
  name: string,
  req: Request,
  hub: Pick<StreamHub, "acceptPush">,
) => Response | undefined;

/** A running simulator. */
export interface Simulator extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` (REST paths `/fapi/v1/...`). */
  readonly restUrl: string;
  /** `ws://127.0.0.1:PORT` (`/stream?streams=a/b` and `/ws/<stream>`). */
  readonly wsUrl: string;
  /** The sim clock. */
  readonly clock: SimClock;
  /** Fault injection. */
  readonly faults: SimFaults;
  /** Listed symbols. */
  readonly symbols: readonly string[];
  /** The REST route table (register more endpoints here). */
  readonly routes: RouteTable;
  /** The market state (for engines and tests). */
  readonly market: Market;
  /** The account and order engine behind the signed endpoints (for tests and demos). */
  readonly trading: SimTrading;
  /** Closed 1m bars the sim has served for a symbol (for assertions in tests; a log replay's
   * recorder gaps are not bars). */
  closedKlines(symbol: string): readonly RawKlineRow[];
  /** Adds a WebSocket route tried for `/ws/<name>` when `name` is not a market stream. */
  registerWebSocket(route: WebSocketRoute): void;
  /** Stops the server, closes every connection and releases the source. */
  close(): Promise<void>;
}

/**
 * Starts a simulator.
 *
 * @example Start, query, stop
 * ```ts
 * import { startSimulator } from "./mod.ts";
 * await using sim = await startSimulator({ symbols: ["BTCUSDT"], historyMinutes: 10 });
 * const res = await fetch(`${sim.restUrl}/fapi/v1/time`);
 * await res.json(); // { serverTime: ... }
 * ```
 *
 * @throws {RangeError} on a bad symbol name or option value
 */
export async function startSimulator(
  options: SimulatorOptions = {},
): Promise<Simulator> {
  const symbols = [...new Set(options.symbols ?? ["BTCUSDT", "ETHUSDT"])];
  if (symbols.length === 0) {
    throw new RangeError("Cannot start simulator: no symbols");
  }
  for (const s of symbols) symbolSpec(s);
  const historyMinutes = options.historyMinutes ?? 1440;
  if (!Number.isInteger(historyMinutes) || historyMinutes < 0) {
    throw new RangeError(
      `Cannot start simulator: historyMinutes ${historyMinutes} is not a count`,
    );
  }
  const source = await createSource(options.source ?? { kind: "synthetic" }, {
    symbols,
    seed: options.seed ?? 1,
    historyMinutes,
  });
  try {
    // By default the market starts at the current minute's start and the clock at the
    // wall time, so the first drive catches the market up to "now": at speed 1 the
    // simulator's time is the wall time, like a real exchange's (bar ages make sense).
    const wallNow = Date.now();
    const startTime = options.startTime ?? source.startTime ??
      (options.clock
        ? options.clock.now()
        : Math.floor(wallNow / 60_000) * 60_000);
    const clockStart = options.startTime ?? source.startTime ?? wallNow;
    const clock = options.clock ??
      new ScaledClock(
        clockStart,
        options.speed === undefined ? {} : { speed: options.speed },
      );
    const known = new Set<string>();
    for (const s of symbols) {
      for (const suffix of MARKET_STREAM_SUFFIXES) {
        known.add(s.toLowerCase() + suffix);
      }
    }
    const hub = new StreamHub({ clock, isKnownStream: (n) => known.has(n) });
    const market = new Market(
      symbols.map((s) => source.feed(s)),
      hub,
      historyMinutes,
    );
    market.start(startTime);
    const histories = new Map<string, SymbolHistory>();
    for (const m of market.symbols) {
      const symbol = m.spec.symbol;
      const listedAt = typeof options.listedAt === "number"
        ? options.listedAt
        : options.listedAt?.[symbol];
      const seam = m.bars.size > 0 ? m.bars.openTime(0) : m.bar.openTime;
      const archive = listedAt === undefined || listedAt >= seam ||
          (options.source ?? { kind: "synthetic" }).kind !== "synthetic"
        ? undefined
        : new SyntheticArchive(m.spec, {
          listedAt,
          seam,
          seamPrice: m.bars.size > 0
            ? m.bars.read(0, emptyBar()).open
            : m.bar.open,
          seed: options.seed ?? 1,
          ...(options.historyGaps ? { gaps: options.historyGaps } : {}),
        });
      histories.set(symbol, new SymbolHistory(m, archive));
    }
    const drive = (now: number): void => {
      market.advanceTo(now);
      hub.expire(now);
    };
    drive(clock.now());
    let stopDriving: () => void;
    if (isSteppedClock(clock)) {
      stopDriving = clock.onMove(drive);
    } else {
      const speed = clock instanceof ScaledClock ? clock.speed : 1;
      const every = Math.max(5, Math.min(50, Math.round(100 / speed)));
      const timer = setInterval(() => {
        try {
          drive(clock.now());
        } catch (error) {
          // A broken replay file must not kill the process from a timer: stop the market.
          clearInterval(timer);
          log.error("Market stopped: {error}", { error });
        }
      }, every);
      stopDriving = () => clearInterval(timer);
    }
    const routes = new RouteTable();
    const tradingFaults = new TradingFaults();
    // The server's clock: the market clock plus the injected skew.
    const serverClock = { now: () => clock.now() + tradingFaults.skewMs };
    registerMarketRoutes(
      routes,
      market,
      serverClock,
      histories,
      options.requestWeightLimit ?? 2400,
    );
    const tradingOptions: TradingOptions = {};
    if (options.accounts) tradingOptions.accounts = options.accounts;
    if (options.makerRate !== undefined) {
      tradingOptions.makerRate = options.makerRate;
    }
    if (options.takerRate !== undefined) {
      tradingOptions.takerRate = options.takerRate;
    }
    if (options.defaultLeverage !== undefined) {
      tradingOptions.defaultLeverage = options.defaultLeverage;
    }
    if (options.ordersPerMinute !== undefined) {
      tradingOptions.ordersPerMinute = options.ordersPerMinute;
    }
    let desk: TradingDesk;
    try {
      desk = new TradingDesk(
        { routes, market, clock, faults: tradingFaults },
        tradingOptions,
      );
    } catch (error) {
      stopDriving();
      throw error;
    }
    const restFaults = new RestFaults();
    const rest = createRestHandler({
      routes,
      meter: new WeightMeter(
        options.requestWeightLimit === undefined
          ? {}
          : { limit: options.requestWeightLimit },
      ),
      clock,
      faults: restFaults,
    });
    const wsRoutes: WebSocketRoute[] = [desk.wsRoute];
    const handleWs = (req: Request): Response => {
      const url = new URL(req.url);
      let streams: string[];
      let combined: boolean;
      if (url.pathname === "/stream") {
        const raw = url.searchParams.get("streams") ?? "";
        streams = raw === "" ? [] : raw.split("/");
        combined = true;
      } else if (url.pathname === "/ws" || url.pathname.startsWith("/ws/")) {
        const rest = url.pathname.slice(4);
        streams = rest === "" ? [] : rest.split("/");
        combined = false;
        if (streams.length === 1 && !known.has(streams[0]!)) {
          for (const route of wsRoutes) {
            const res = route(streams[0]!, req, hub);
            if (res) return res;
          }
        }
      } else {
        return Response.json({
          code: -5000,
          msg: `Path ${url.pathname} is invalid`,
        }, {
          status: 404,
        });
      }
      if (streams.length > MAX_STREAMS) {
        return Response.json({
          code: 2,
          msg: `Invalid request: too many streams (max ${MAX_STREAMS})`,
        }, { status: 400 });
      }
      const unknown = streams.find((s) => !known.has(s));
      if (unknown !== undefined) {
        return Response.json({
          code: 2,
          msg: `Invalid request: unknown stream ${unknown}`,
        }, {
          status: 400,
        });
      }
      return hub.accept(req, streams, combined);
    };
    const server = Deno.serve(
      {
        hostname: options.hostname ?? "127.0.0.1",
        port: options.port ?? 0,
        onListen() {},
      },
      (req) =>
        req.headers.get("upgrade")?.toLowerCase() === "websocket"
          ? handleWs(req)
          : rest(req),
    );
    const host = server.addr.hostname.includes(":")
      ? `[${server.addr.hostname}]`
      : server.addr.hostname;
    const restUrl = `http://${host}:${server.addr.port}`;
    const wsUrl = `ws://${host}:${server.addr.port}`;
    log.info("Simulator listening on {restUrl} ({symbols})", {
      restUrl,
      symbols: symbols.join(","),
    });
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        stopDriving();
        desk.close();
        await hub.close();
        await server.shutdown();
        source.close();
        log.info("Simulator stopped");
      })();
      return closing;
    };
    const faults: SimFaults = {
      dropConnections: () => hub.dropConnections(),
      silence: () => hub.silence(),
      resume: () => hub.resume(),
      delayResponses: (ms) => restFaults.delay(ms),
      failNext: (n, fault) => restFaults.failNext(n, fault),
      sendMalformed: (n) => hub.sendMalformed(n),
      loseNextOrderReply: (n, o) => tradingFaults.loseNextOrderReply(n, o),
      delayNextOrderReply: (n, ms) => tradingFaults.delayNextOrderReply(n, ms),
      skewMs: (ms) => tradingFaults.skew(ms),
      htmlErrors: (n) => tradingFaults.htmlErrors(n),
      dropUserStreams: () => desk.dropUserStreams(),
      rejectNextExits: (n) => tradingFaults.rejectNextExits(n),
      rejectNextOrders: (n, r) => tradingFaults.rejectNextOrders(n, r),
      omitAvgPrice: (n) => tradingFaults.omitAvgPrice(n),
      splitNextFills: (n) => desk.engine.splitNextTakerFills(n),
      delaySymbol: (symbol, ms) => restFaults.delaySymbol(symbol, ms),
    };
    return {
      restUrl,
      wsUrl,
      clock,
      faults,
      symbols,
      routes,
      market,
      trading: desk,
      closedKlines(symbol: string): readonly RawKlineRow[] {
        const m = market.symbol(symbol);
        if (!m) {
          throw new RangeError(
            `Cannot list klines of "${symbol}": not a listed symbol`,
          );
        }
        const out: RawKlineRow[] = [];
        const tmp = { ...m.bar };
        for (let i = 0; i < m.bars.size; i++) {
          if (!m.bars.served(i)) continue;
          out.push(
            klineRow(
              m.bars.read(i, tmp),
              m.spec.priceDecimals,
              m.spec.qtyDecimals,
            ),
          );
        }
        return out;
      },
      registerWebSocket(route: WebSocketRoute): void {
        wsRoutes.push(route);
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    source.close();
    throw error;
  }
}
