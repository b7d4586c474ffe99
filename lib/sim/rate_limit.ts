/**
 * Request-weight accounting per sim-clock minute, as the exchange does per IP: weight over
 * the limit → 429 `-1003` with `Retry-After`; requests during repeated 429s → a 418 ban that
 * grows from 2 minutes.
 *
 * @module
 */

/** The outcome of {@linkcode WeightMeter.use}. */
export type WeightVerdict =
  | { readonly kind: "ok"; readonly used: number }
  | {
    readonly kind: "limited";
    readonly used: number;
    readonly retryAfterSec: number;
  }
  | {
    readonly kind: "banned";
    readonly used: number;
    readonly until: number;
    readonly retryAfterSec: number;
  };

/** Options of {@linkcode WeightMeter}. */
export interface WeightMeterOptions {
  /** Weight per minute. @default {2400} */
  limit?: number;
  /** 429s in one minute after which the next request is banned. @default {10} */
  strikes?: number;
  /** First ban length in ms (doubles per ban). @default {120000} */
  banMs?: number;
}

/** Counts request weight per sim minute. */
export class WeightMeter {
  #limit: number;
  #strikes: number;
  #banMs: number;
  #minute = NaN;
  #used = 0;
  #rejected = 0;
  #bannedUntil = -Infinity;
  #bans = 0;

  /** @param options limit and ban rules */
  constructor(options: WeightMeterOptions = {}) {
    this.#limit = options.limit ?? 2400;
    this.#strikes = options.strikes ?? 10;
    this.#banMs = options.banMs ?? 120_000;
  }

  /** The weight used in the minute of `now`. */
  used(now: number): number {
    this.#roll(now);
    return this.#used;
  }

  /** Accounts a request of `weight` at sim time `now`. */
  use(weight: number, now: number): WeightVerdict {
    this.#roll(now);
    this.#used += weight;
    if (now < this.#bannedUntil) {
      return {
        kind: "banned",
        used: this.#used,
        until: this.#bannedUntil,
        retryAfterSec: Math.ceil((this.#bannedUntil - now) / 1000),
      };
    }
    if (this.#used <= this.#limit) return { kind: "ok", used: this.#used };
    this.#rejected++;
    if (this.#rejected > this.#strikes) {
      this.#bannedUntil = now + this.#banMs * 2 ** this.#bans++;
      this.#rejected = 0;
      return {
        kind: "banned",
        used: this.#used,
        until: this.#bannedUntil,
        retryAfterSec: Math.ceil((this.#bannedUntil - now) / 1000),
      };
    }
    const nextMinute = (Math.floor(now / 60_000) + 1) * 60_000;
    return {
      kind: "limited",
      used: this.#used,
      retryAfterSec: Math.max(1, Math.ceil((nextMinute - now) / 1000)),
    };
  }

  #roll(now: number): void {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.#minute) {
      this.#minute = minute;
      this.#used = 0;
      this.#rejected = 0;
    }
  }
}
