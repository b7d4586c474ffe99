/**
 * Private test helper for the money path: the simulator on a manual clock, one V1 demo
 * account, the real {@linkcode TradingClient} behind the {@linkcode TradingPort} adapter,
 * and an {@linkcode OrderManager} on it whose symbol rules come from the simulator's own
 * `exchangeInfo`. Faults are armed on `rig.sim.faults`; assertions read the engine.
 *
 * @module
 */
import { parseExchangeInfo } from "../exchange/exchange_info.ts";
import { type SimRig, startSimRig } from "../exchange/trading/_sim_rig.ts";
import type { RawOrder, RawPositionRisk } from "../exchange/trading/wire.ts";
import type { TradingClientOptions } from "../exchange/trading/trading_client.ts";
import type { TimeSync, TimeSyncOptions } from "../exchange/sign/time_sync.ts";
import {
  type ExchangePort,
  OrderManager,
  type OrderManagerOptions,
  type OrderRecord,
} from "../order/mod.ts";
import type { SimulatorOptions } from "../sim/simulator.ts";
import { TradingPort } from "./trading_port.ts";

/** The symbol of the money-path tests. */
export const S = "BTCUSDT";

/** A manager trading one demo account of a manual-clock simulator. */
export interface MoneyRig extends AsyncDisposable {
  /** The simulator and its clients. */
  readonly sim: SimRig;
  /** The traded symbol. */
  readonly symbol: string;
  /** The time sync of the manager's client. */
  readonly sync: TimeSync;
  /** The manager under test. */
  mgr: OrderManager;
  /** Every record of the manager, in order. */
  readonly records: OrderRecord[];
  /** The engine's account id of the demo account. */
  readonly accountId: string;
  /** Sends an entry signal at the simulator's touch. */
  enter(direction: "long" | "short", barOpenTime?: number): Promise<
    OrderRecord[]
  >;
  /** The engine's signed position amount of `symbol`. */
  amount(symbol?: string): number;
  /** The engine's open reduce-only orders of `symbol` (the exits). */
  exits(symbol?: string): RawOrder[];
  /** The action names of the records since index `from`. */
  actions(from?: number): string[];
  /** A fresh manager on the same account (a restart). */
  restart(options?: Partial<OrderManagerOptions>): OrderManager;
}

/**
 * Starts a {@linkcode MoneyRig}: notional 100, TP 40 bp, SL 25 bp, trailing 20 bp /
 * 0.2 %, no cooldown; the market-close back-off moves the manual clock. `clientOptions`
 * and `syncOptions` build the manager's own trading client (e.g. a transport timeout,
 * the time sync's limits).
 */
export async function startMoneyRig(
  options: Partial<OrderManagerOptions> & {
    noTrailing?: boolean;
    /** Wraps the manager's port (e.g. to act between a call and its reply). */
    wrapPort?: (port: ExchangePort) => ExchangePort;
    /** The account's signing scheme; V3 bounds the nonce as the live session does. @default {"v1"} */
    scheme?: "v1" | "v3";
  } = {},
  simOptions: Partial<SimulatorOptions> = {},
  symbol: string = S,
  clientOptions?: Partial<TradingClientOptions>,
  syncOptions?: Partial<Omit<TimeSyncOptions, "serverTime" | "clock">>,
): Promise<MoneyRig> {
  const sim = await startSimRig({
    symbols: [...new Set([symbol, S, "ETHUSDT"])],
    ...simOptions,
  });
  const scheme = options.scheme ?? "v1";
  const { client, accountId, sync } =
    clientOptions || syncOptions || scheme === "v3"
      ? sim.makeClient(scheme, {}, clientOptions, syncOptions, scheme === "v3")
      : sim.clients.v1;
  const info = parseExchangeInfo(
    await (await fetch(`${sim.sim.restUrl}/fapi/v1/exchangeInfo`)).json(),
  );
  const records: OrderRecord[] = [];
  const { noTrailing, wrapPort, scheme: _scheme, ...rest } = options;
  const port = wrapPort
    ? wrapPort(new TradingPort(client))
    : new TradingPort(client);
  const make = (extra: Partial<OrderManagerOptions> = {}) =>
    new OrderManager(port, {
      symbols: info.symbols.filter((s) => s.symbol === symbol),
      orderNotional: 100,
      tpBps: 40,
      slBps: 25,
      ...(noTrailing
        ? {}
        : { trailing: { activationBps: 20, callbackPct: 0.2 } }),
      cooldownMs: 0,
      clock: () => sim.clock.now(),
      sleep: (ms) => Promise.resolve(sim.clock.advance(ms)),
      onRecord: (r) => records.push(r),
      ...rest,
      ...extra,
    });
  const engine = sim.sim.trading.engine;
  const rig: MoneyRig = {
    sim,
    symbol,
    sync,
    mgr: make(),
    records,
    accountId,
    enter(direction, barOpenTime = sim.clock.now() - 60_000) {
      const book = sim.sim.market.symbol(symbol)!.bookTicker(sim.clock.now());
      return rig.mgr.onSignal({
        symbol,
        direction,
        barOpenTime,
        bid: book.bidPrice,
        ask: book.askPrice,
      });
    },
    amount(of = symbol) {
      const r = engine.positionRisk(accountId, { symbol: of });
      const rows = (Array.isArray(r.body) ? r.body : []) as RawPositionRisk[];
      return Number(rows.find((p) => p.symbol === of)?.positionAmt ?? 0);
    },
    exits(of = symbol) {
      const r = engine.openOrders(accountId, { symbol: of });
      const rows = (Array.isArray(r.body) ? r.body : []) as RawOrder[];
      return rows.filter((o) => o.reduceOnly);
    },
    actions(from = 0) {
      return records.slice(from).map((r) => r.action);
    },
    restart(extra = {}) {
      rig.mgr = make(extra);
      return rig.mgr;
    },
    async [Symbol.asyncDispose]() {
      await sim[Symbol.asyncDispose]();
    },
  };
  return rig;
}

/** The exit types on the exchange, sorted. */
export function exitTypes(rig: MoneyRig, symbol = rig.symbol): string[] {
  return rig.exits(symbol).map((o) => o.origType).sort();
}

/**
 * `inner` with some of its methods replaced (e.g. to fail a call, or act between a call
 * and its reply); the others pass through.
 */
export function portWith(
  inner: ExchangePort,
  over: Partial<ExchangePort>,
): ExchangePort {
  return {
    placeOrder: (spec) => inner.placeOrder(spec),
    cancelOrder: (symbol, id) => inner.cancelOrder(symbol, id),
    cancelAll: (symbol) => inner.cancelAll(symbol),
    queryOrder: (symbol, id) => inner.queryOrder(symbol, id),
    openOrders: (symbol) => inner.openOrders(symbol),
    positionRisk: (symbol) => inner.positionRisk(symbol),
    account: () => inner.account(),
    setLeverage: (symbol, leverage) => inner.setLeverage(symbol, leverage),
    setMarginType: (symbol, type) => inner.setMarginType(symbol, type),
    ...over,
  };
}

/** A manual MARKET order of the rig's account on the engine (e.g. from the web UI). */
export function manualMarket(
  rig: MoneyRig,
  side: "BUY" | "SELL",
  quantity: string,
  extra: Record<string, string> = {},
): void {
  const r = rig.sim.sim.trading.engine.newOrder(rig.accountId, {
    symbol: rig.symbol,
    side,
    type: "MARKET",
    quantity,
    ...extra,
  }, rig.sim.clock.now());
  if (r.status !== 200) {
    throw new Error(`Cannot place a manual order: ${JSON.stringify(r.body)}`);
  }
}
