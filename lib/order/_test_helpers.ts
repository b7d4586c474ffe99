/**
 * Test helpers: symbol rules with awkward filters and a manager wired to a fake.
 *
 * @module
 */
import { parseSymbolInfo, type SymbolInfo } from "../exchange/exchange_info.ts";
import { FakeExchange } from "./fake_exchange.ts";
import { OrderManager, type OrderManagerOptions } from "./order_manager.ts";
import type { OrderRecord } from "./records.ts";

/** Rules with tick 0.1, step 0.001, min notional 5 and the given maxQty. */
export function btcInfo(
  overrides: {
    symbol?: string;
    tickSize?: string;
    stepSize?: string;
    minQty?: string;
    maxQty?: string;
    minNotional?: string;
    marketMaxQty?: string;
  } = {},
): SymbolInfo {
  return parseSymbolInfo({
    symbol: overrides.symbol ?? "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    marginAsset: "USDT",
    contractType: "PERPETUAL",
    pricePrecision: 1,
    quantityPrecision: 3,
    filters: [
      {
        filterType: "PRICE_FILTER",
        tickSize: overrides.tickSize ?? "0.1",
        minPrice: "0.1",
        maxPrice: "1000000",
      },
      {
        filterType: "LOT_SIZE",
        stepSize: overrides.stepSize ?? "0.001",
        minQty: overrides.minQty ?? "0.001",
        maxQty: overrides.maxQty ?? "100",
      },
      {
        filterType: "MARKET_LOT_SIZE",
        stepSize: overrides.stepSize ?? "0.001",
        minQty: overrides.minQty ?? "0.001",
        maxQty: overrides.marketMaxQty ?? "50",
      },
      { filterType: "MIN_NOTIONAL", notional: overrides.minNotional ?? "5" },
    ],
  });
}

/** A manager on a fake exchange with a settable clock. */
export interface Rig {
  readonly fake: FakeExchange;
  readonly mgr: OrderManager;
  readonly records: OrderRecord[];
  /** Moves the clock forward. */
  advance(ms: number): void;
  /** Feeds every queued user-stream event to the manager, until none are left. */
  pump(): Promise<void>;
  /** A new manager on the same fake and clock (a restart). */
  restart(): OrderManager;
}

/** Builds a {@linkcode Rig}: BTCUSDT at bid 99.9 / ask 100.0, notional 50 USD. */
export function rig(options: Partial<OrderManagerOptions> = {}): Rig {
  let now = 1_700_000_000_000;
  const clock = () => now;
  const fake = new FakeExchange(clock);
  fake.setPrice("BTCUSDT", { bid: "99.9", ask: "100.0" });
  const records: OrderRecord[] = [];
  const make = () =>
    new OrderManager(fake, {
      symbols: [btcInfo()],
      orderNotional: 50,
      tpBps: 40,
      slBps: 25,
      trailing: { activationBps: 20, callbackPct: 0.2 },
      cooldownMs: 60_000,
      clock,
      // the market-close back-off moves the test clock instead of waiting
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
      onRecord: (r) => records.push(r),
      ...options,
    });
  const r: Rig = {
    fake,
    mgr: make(),
    records,
    advance(ms) {
      now += ms;
    },
    async pump() {
      for (
        let evs = fake.takeEvents();
        evs.length > 0;
        evs = fake.takeEvents()
      ) {
        for (const e of evs) await r.mgr.onEvent(e);
      }
    },
    restart() {
      (r as { mgr: OrderManager }).mgr = make();
      return r.mgr;
    },
  };
  return r;
}

/** The bar open time the tests signal on. */
export const BAR = 1_699_999_940_000;
/** The symbol of the tests. */
export const S = "BTCUSDT";

/** Sends a signal for {@linkcode S} with the book at 99.9 / 100.0. */
export function signal(
  r: Rig,
  direction: "long" | "short",
  bar: number,
): ReturnType<Rig["mgr"]["onSignal"]> {
  return r.mgr.onSignal({
    symbol: S,
    direction,
    barOpenTime: bar,
    bid: "99.9",
    ask: "100.0",
  });
}

/** The action names of some records. */
export function actions(recs: { action: string }[]): string[] {
  return recs.map((r) => r.action);
}
