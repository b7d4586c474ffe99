/**
 * Order-rate budget of the account (exchangeInfo `ORDERS`, default 1200 per minute), fed by
 * the `X-MBX-ORDER-COUNT-1M` response header and local counting, with priorities: cancels
 * never count; exits (reduce-only, close-position) may use the whole budget and wait for the
 * next minute when it is spent; entries are refused with {@linkcode OrderRateLimitError}
 * once the remaining budget would fall below the reserve kept for exits.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { ExchangeInfo } from "../exchange_info.ts";
import { type Clock, systemClock } from "../../time/clock.ts";

const log = getLogger(["aster", "exchange", "trading"]);
const MINUTE = 60_000;

/** Who asks for order budget. */
export type OrderPriority = "cancel" | "exit" | "entry";

/** An entry was refused because the order budget is down to the exit reserve. */
export class OrderRateLimitError extends Error {
  /** Epoch ms of the next minute, when the budget refills. */
  readonly retryAtMs: number;
  /** Creates the error. */
  constructor(message: string, retryAtMs: number) {
    super(message);
    this.name = "OrderRateLimitError";
    this.retryAtMs = retryAtMs;
  }
}

/** Options of {@linkcode OrderRateGate}. */
export interface OrderRateGateOptions {
  /** Orders per minute. @default {1200} */
  limit?: number;
  /** Orders kept for exits. @default {max(5, 10 % of limit)} */
  reserve?: number;
  /** Clock for minute windows and waits. @default {systemClock} */
  clock?: Clock;
}

/** The `ORDERS` per-minute limit of exchangeInfo, if listed. */
export function ordersPerMinute(info: ExchangeInfo): number | undefined {
  for (const r of info.rateLimits) {
    if (r.rateLimitType === "ORDERS" && r.interval === "MINUTE") {
      return Math.floor(r.limit / r.intervalNum);
    }
  }
  return undefined;
}

/** The order-rate budget; see the module doc. */
export class OrderRateGate {
  #limit: number;
  #reserve: number | undefined;
  #clock: Clock;
  #used = 0;
  #minute = -1;

  /** Creates a gate; see {@linkcode OrderRateGateOptions}. */
  constructor(options: OrderRateGateOptions = {}) {
    this.#limit = checkLimit(options.limit ?? 1200);
    this.#reserve = options.reserve;
    this.#clock = options.clock ?? systemClock;
  }

  /** Orders per minute in force. */
  get limit(): number {
    return this.#limit;
  }

  /** Orders kept for exits. */
  get reserve(): number {
    return this.#reserve ?? Math.max(5, Math.ceil(this.#limit * 0.1));
  }

  /** Orders counted in the current minute. */
  get used(): number {
    return this.#roll() ? 0 : this.#used;
  }

  /** Orders left in the current minute. */
  get remaining(): number {
    return Math.max(0, this.#limit - this.used);
  }

  /** Sets the per-minute limit (e.g. from {@linkcode ordersPerMinute}). */
  setLimit(limit: number): void {
    this.#limit = checkLimit(limit);
  }

  /** Reads `X-MBX-ORDER-COUNT-1M` (the server's count) from a response. */
  noteHeaders(headers: Headers): void {
    const value = headers.get("x-mbx-order-count-1m");
    if (value === null) return;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) return;
    this.#roll();
    this.#used = n;
  }

  /**
   * Takes one order from the budget for `priority`. Cancels pass at once without counting;
   * exits wait for the next minute when nothing is left; entries are refused below the
   * reserve.
   *
   * @throws {OrderRateLimitError} for an entry when `remaining - 1 < reserve`
   */
  async acquire(priority: OrderPriority, signal?: AbortSignal): Promise<void> {
    if (priority === "cancel") return;
    this.#roll();
    const next = (this.#minute + 1) * MINUTE;
    if (priority === "entry") {
      if (this.#limit - this.#used - 1 < this.reserve) {
        throw new OrderRateLimitError(
          `Cannot place an entry: ${this.#used}/${this.#limit} orders used this minute, ${this.reserve} kept for exits`,
          next,
        );
      }
    } else if (this.#used + 1 > this.#limit) {
      const wait = next - this.#clock.now();
      log.warn("Order budget spent; exit waits {wait} ms", { wait });
      await this.#clock.sleep(wait, signal);
      this.#roll();
    }
    this.#used++;
  }

  /** Starts a new window when the minute changed; true when it did. */
  #roll(): boolean {
    const minute = Math.floor(this.#clock.now() / MINUTE);
    if (minute === this.#minute) return false;
    this.#minute = minute;
    this.#used = 0;
    return true;
  }
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new RangeError(
      `Cannot set the order limit: ${limit} is not a positive integer`,
    );
  }
  return limit;
}
