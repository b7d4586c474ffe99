import { equal, match, throws } from "node:assert/strict";
import {
  checkEntry,
  checkEntryLimits,
  DEFAULT_ENTRY_LIMITS,
  priceBand,
} from "./entry_guard.ts";

const BINANCE_LIKE = {
  symbol: "BTCUSDT",
  multiplierUp: "1.05",
  multiplierDown: "0.95",
};
const band = priceBand(BINANCE_LIKE, 0);
const base = {
  symbol: "BTCUSDT",
  direction: "long" as const,
  price: "60600",
  quantity: "0.001",
  mark: "60600",
  positionAmount: "0",
  orderNotional: 60,
};

Deno.test("priceBand: PERCENT_PRICE by default, the tighter user band when given", () => {
  equal(band.upBps.toNumber(), 500);
  equal(band.downBps.toNumber(), 500);
  const user = priceBand(BINANCE_LIKE, 50);
  equal(user.upBps.toNumber(), 50);
  equal(user.downBps.toNumber(), 50);
  // a wider user band never loosens the exchange's
  equal(priceBand(BINANCE_LIKE, 2000).upBps.toNumber(), 500);
  // the simulator's defaults (5 / 0.2): +40000 / −8000 bp
  const sim = priceBand({
    symbol: "X",
    multiplierUp: "5",
    multiplierDown: "0.2",
  }, 0);
  equal(sim.upBps.toNumber(), 40_000);
  equal(sim.downBps.toNumber(), 8_000);
  throws(
    () =>
      priceBand({
        symbol: "X",
        multiplierUp: undefined,
        multiplierDown: undefined,
      }, 0),
    /no PERCENT_PRICE filter; set --max_price_deviation_bps/,
  );
  equal(
    priceBand({
      symbol: "X",
      multiplierUp: undefined,
      multiplierDown: undefined,
    }, 100)
      .upBps.toNumber(),
    100,
  );
});

Deno.test("checkEntry: prices outside mark ± band are refused on both sides", () => {
  equal(checkEntry(base, band, DEFAULT_ENTRY_LIMITS), undefined);
  // the poisoned asks, at mark 60,600: 60.6 and 6.06
  for (const price of ["60.6", "6.06", "57569.9", "63630.1"]) {
    const v = checkEntry({ ...base, price }, band, DEFAULT_ENTRY_LIMITS);
    equal(v?.reason, "price_band", price);
  }
  for (const price of ["57570", "63630"]) {
    equal(
      checkEntry({ ...base, price }, band, DEFAULT_ENTRY_LIMITS),
      undefined,
      price,
    );
  }
  const short = { ...base, direction: "short" as const };
  equal(
    checkEntry({ ...short, price: "70000" }, band, DEFAULT_ENTRY_LIMITS)
      ?.reason,
    "price_band",
  );
});

Deno.test("checkEntry: no mark, no entry", () => {
  for (const mark of [undefined, "", "0", "-1", "1e5", " 60600", "0x10"]) {
    equal(
      checkEntry({ ...base, mark }, band, DEFAULT_ENTRY_LIMITS)?.reason,
      "no_mark",
      String(mark),
    );
  }
});

Deno.test("checkEntry: quantity × mark within order_notional × (1 + max_upsize)", () => {
  // the 0.413 BTC for a 25 USDT notional: 25,028 USDT at mark
  const v = checkEntry(
    { ...base, quantity: "0.413", orderNotional: 25 },
    band,
    DEFAULT_ENTRY_LIMITS,
  );
  equal(v?.reason, "notional_cap");
  match(
    v!.message,
    /25027\.8 USD at mark, above order_notional 25 × \(1 \+ max_upsize 0\.1\)/,
  );
  // 0.001 BTC = 60.6 USDT: fine for 55.1 (× 1.1 = 60.61), refused for 55
  equal(
    checkEntry({ ...base, orderNotional: 55.1 }, band, DEFAULT_ENTRY_LIMITS),
    undefined,
  );
  equal(
    checkEntry({ ...base, orderNotional: 55 }, band, DEFAULT_ENTRY_LIMITS)
      ?.reason,
    "notional_cap",
  );
  // a wider upsize allows it
  equal(
    checkEntry({ ...base, orderNotional: 25 }, band, {
      ...DEFAULT_ENTRY_LIMITS,
      maxUpsize: 2,
    }),
    undefined,
  );
});

Deno.test("checkEntry: the position after the entry stays within max_position_notional", () => {
  const limits = { ...DEFAULT_ENTRY_LIMITS, maxPositionNotional: 100 };
  equal(checkEntry(base, band, limits), undefined);
  const v = checkEntry({ ...base, positionAmount: "0.001" }, band, limits);
  equal(v?.reason, "notional_cap");
  match(v!.message, /max_position_notional 100/);
  // a short entry reduces a long position: allowed
  equal(
    checkEntry(
      { ...base, direction: "short", positionAmount: "0.001" },
      band,
      limits,
    ),
    undefined,
  );
});

Deno.test("checkEntryLimits refuses unusable or contradicting limits, naming the flag", () => {
  checkEntryLimits(DEFAULT_ENTRY_LIMITS, 25);
  throws(
    () => checkEntryLimits({ ...DEFAULT_ENTRY_LIMITS, maxUpsize: -0.1 }, 25),
    /--max_upsize/,
  );
  throws(
    () =>
      checkEntryLimits({ ...DEFAULT_ENTRY_LIMITS, maxPositionNotional: 0 }, 25),
    /--max_position_notional/,
  );
  throws(
    () =>
      checkEntryLimits({
        ...DEFAULT_ENTRY_LIMITS,
        maxPriceDeviationBps: 10_000,
      }, 25),
    /--max_price_deviation_bps/,
  );
  throws(
    () => checkEntryLimits(DEFAULT_ENTRY_LIMITS, 2000),
    /--order_notional 2000: above --max_position_notional 1000/,
  );
});
