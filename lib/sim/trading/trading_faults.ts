/**
 * The trading half of the simulator's fault state: lost order replies, clock skew, HTML
 * error pages on signed routes, exits rejected with `-2021`. Read by the signed-route
 * handlers; armed through `Simulator.faults`.
 *
 * @module
 */

import type { LostReplyMode } from "../faults.ts";

export type { LostReplyMode };

/** Options of {@linkcode TradingFaults.loseNextOrderReply}. */
export interface LostReplyOptions {
  /**
   * `"503"`: HTTP 503 `{code:-1007}`; `"html503"`: an HTML 503 page; `"drop"`: the
   * connection breaks in the middle of the body; `"timeout"`: no reply until the client
   * gives up. @default {"503"}
   */
  mode?: LostReplyMode;
}

const MODES: readonly LostReplyMode[] = ["503", "html503", "drop", "timeout"];

function count(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`Cannot ${what}: ${n} is not a count`);
  }
  return n;
}

/** An armed rejection of {@linkcode TradingFaults.rejectNextOrders}. */
export interface OrderRejection {
  /** Only orders of this type (`STOP_MARKET`, `MARKET`, ...); any when absent. */
  readonly type?: string;
  /** The error code. @default {-2021} */
  readonly code?: number;
  /** The error message. @default {the exchange's text for the code, if known} */
  readonly msg?: string;
}

const REJECTION_TEXT: Readonly<Record<number, string>> = {
  [-2021]: "Order would immediately trigger.",
  [-4131]:
    "The counterparty's best price does not meet the PERCENT_PRICE filter limit.",
  [-1111]: "Precision is over the maximum defined for this asset.",
  [-4142]: "REJECT: take profit or stop order will be triggered immediately.",
};

/** Armed trading faults; each `take*` consumes one. */
export class TradingFaults {
  #rejections: { type?: string; code: number; msg: string; left: number }[] =
    [];
  #lost: LostReplyMode[] = [];
  #lateMs: number[] = [];
  #noAvg = 0;
  #skewMs = 0;
  #html = 0;
  #exits = 0;

  /** The next `n` order placements are executed but their replies are lost. */
  loseNextOrderReply(n: number, options: LostReplyOptions = {}): void {
    const mode = options.mode ?? "503";
    if (!MODES.includes(mode)) {
      throw new RangeError(
        `Cannot lose order replies: mode "${mode}" is not one of ${
          MODES.join(", ")
        }`,
      );
    }
    this.#lost = Array.from(
      { length: count(n, "lose order replies") },
      () => mode,
    );
  }

  /** Takes the next lost-reply mode, if armed. */
  takeLostReply(): LostReplyMode | undefined {
    return this.#lost.shift();
  }

  /**
   * The next `n` order placements are executed at once but their (real) replies reach
   * the client `ms` real milliseconds late: a slow entry reply, while the fill is already
   * on the user stream.
   */
  delayNextOrderReply(n: number, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(
        `Cannot delay order replies: ${ms} ms is not a non-negative number`,
      );
    }
    this.#lateMs = Array.from(
      { length: count(n, "delay order replies") },
      () => ms,
    );
  }

  /** Takes the next armed reply delay (ms), if any. */
  takeReplyDelay(): number | undefined {
    return this.#lateMs.shift();
  }

  /** Offset of the authentication clock (and `/time`) from the market clock, ms. */
  get skewMs(): number {
    return this.#skewMs;
  }

  /** Sets the offset of the authentication clock from the market clock. */
  skew(ms: number): void {
    if (!Number.isFinite(ms)) {
      throw new RangeError(`Cannot skew the clock: ${ms} ms is not finite`);
    }
    this.#skewMs = Math.trunc(ms);
  }

  /** The next `n` signed requests get an HTML 502 page without reaching the engine. */
  htmlErrors(n: number): void {
    this.#html = count(n, "send HTML errors");
  }

  /** Takes one armed HTML error. */
  takeHtmlError(): boolean {
    if (this.#html <= 0) return false;
    this.#html--;
    return true;
  }

  /** The next `n` exit orders (reduce-only, close-position, or against the position) get `-2021`. */
  rejectNextExits(n: number): void {
    this.#exits = count(n, "reject exits");
  }

  /** Takes one armed exit rejection. */
  takeExitRejection(): boolean {
    if (this.#exits <= 0) return false;
    this.#exits--;
    return true;
  }

  /**
   * The next `n` order placements of `rejection.type` (any type when absent) are refused
   * with `rejection.code` (HTTP 400) without reaching the engine; several armed
   * rejections are matched in the order they were armed.
   */
  rejectNextOrders(n: number, rejection: OrderRejection = {}): void {
    const left = count(n, "reject orders");
    const code = rejection.code ?? -2021;
    if (!Number.isInteger(code) || code >= 0) {
      throw new RangeError(
        `Cannot reject orders: code ${code} is not a negative integer`,
      );
    }
    if (left === 0) return;
    this.#rejections.push({
      ...(rejection.type === undefined ? {} : { type: rejection.type }),
      code,
      msg: rejection.msg ?? REJECTION_TEXT[code] ?? `Rejected (${code}).`,
      left,
    });
  }

  /** Takes the first armed rejection matching an order of `type`, if any. */
  takeOrderRejection(type: string): { code: number; msg: string } | undefined {
    const i = this.#rejections.findIndex((r) =>
      r.type === undefined || r.type === type
    );
    if (i < 0) return undefined;
    const r = this.#rejections[i]!;
    if (--r.left <= 0) this.#rejections.splice(i, 1);
    return { code: r.code, msg: r.msg };
  }

  /** The replies of the next `n` order placements come without `avgPrice`. */
  omitAvgPrice(n: number): void {
    this.#noAvg = count(n, "omit avgPrice");
  }

  /** Takes one armed `avgPrice` omission. */
  takeOmitAvgPrice(): boolean {
    if (this.#noAvg <= 0) return false;
    this.#noAvg--;
    return true;
  }

  /** Whether an exit rejection is armed (without taking it). */
  get exitRejectionArmed(): boolean {
    return this.#exits > 0;
  }
}
