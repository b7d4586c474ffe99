/**
 * The money-path faults by name, for `deno task sim --faults …` and the soak test: each
 * arms one fault on a running simulator (a crossed take-profit, a refused trailing stop,
 * a crossed stop, refused market closes, a fill without `avgPrice`, a lost order reply,
 * a slow symbol, a fill split into two trades of one millisecond, a late order reply).
 *
 * @module
 */
import type { SimFaults } from "./faults.ts";

/** The fault names. */
export const MONEY_FAULTS = [
  "tp_crossed",
  "trail_refused",
  "sl_crossed",
  "close_refused",
  "no_avg_price",
  "lost_reply",
  "slow_symbol",
  "same_ms_fills",
  "slow_reply",
] as const;

/** One line per fault name, for `deno task sim --help`. */
export const MONEY_FAULT_HELP: Readonly<Record<MoneyFault, string>> = {
  "tp_crossed": "the next take-profit is refused with -2021 (would trigger)",
  "trail_refused": "the next trailing stop is refused with -1111 (precision)",
  "sl_crossed": "the next stop-loss is refused with -2021 (would trigger)",
  "close_refused": "the next two market orders are refused with -4131",
  "no_avg_price":
    "the next order's reply has no avgPrice and its stream updates no ap",
  "lost_reply": "the next order executes but its reply is lost (HTTP 503)",
  "slow_symbol": "every REST reply about one symbol is 2 s late for one period",
  "same_ms_fills":
    "the next taker fill (any symbol) executes as two trades in one millisecond",
  "slow_reply":
    "the next order executes at once but its reply comes 3 s late (the stream is not)",
};

/** One of {@linkcode MONEY_FAULTS}. */
export type MoneyFault = typeof MONEY_FAULTS[number];

/**
 * Checks a list of fault names.
 *
 * @throws {RangeError} naming the first unknown one and the known ones
 */
export function parseMoneyFaults(names: readonly string[]): MoneyFault[] {
  for (const n of names) {
    if (!(MONEY_FAULTS as readonly string[]).includes(n)) {
      throw new RangeError(
        `Invalid fault "${n}": expected one of ${MONEY_FAULTS.join(", ")}`,
      );
    }
  }
  return [...names] as MoneyFault[];
}

/**
 * Arms `fault` once on `faults`. `slow_symbol` delays `symbol`'s REST replies by
 * `slowMs` until {@linkcode clearMoneyFaults}; `slow_reply` delays the next order's
 * reply by `lateMs`.
 */
export function armMoneyFault(
  faults: SimFaults,
  fault: MoneyFault,
  symbol: string,
  slowMs = 2_000,
  lateMs = 3_000,
): void {
  switch (fault) {
    case "tp_crossed":
      return faults.rejectNextOrders(1, {
        type: "TAKE_PROFIT_MARKET",
        code: -2021,
      });
    case "trail_refused":
      return faults.rejectNextOrders(1, {
        type: "TRAILING_STOP_MARKET",
        code: -1111,
      });
    case "sl_crossed":
      return faults.rejectNextOrders(1, { type: "STOP_MARKET", code: -2021 });
    case "close_refused":
      return faults.rejectNextOrders(2, { type: "MARKET", code: -4131 });
    case "no_avg_price":
      return faults.omitAvgPrice(1);
    case "lost_reply":
      return faults.loseNextOrderReply(1);
    case "slow_symbol":
      return faults.delaySymbol(symbol, slowMs);
    case "same_ms_fills":
      return faults.splitNextFills(1);
    case "slow_reply":
      return faults.delayNextOrderReply(1, lateMs);
  }
}

/** Turns the lasting money faults (a slow symbol) off. */
export function clearMoneyFaults(
  faults: SimFaults,
  symbols: readonly string[],
): void {
  for (const s of symbols) faults.delaySymbol(s, 0);
}
