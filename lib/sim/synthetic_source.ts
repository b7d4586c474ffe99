/**
 * A deterministic synthetic market: a log random walk of the mid price with volatility
 * regimes and occasional volume bursts with a directional drift (so momentum/volume signals
 * fire now and then), Poisson trade arrivals at the bid or ask, a five-level book, a mark
 * price near mid with a small basis, and funding on an 8 h schedule.
 *
 * Every symbol draws from its own generator seeded by `(seed, symbol)`, so a symbol's path
 * does not depend on which other symbols are listed.
 *
 * @module
 */
import { hashString, Rng } from "./random.ts";
import {
  BOOK_LEVELS,
  type MarketSource,
  nextFundingAfter,
  type SymbolFeed,
  type TradeSink,
} from "./source.ts";
import { type SymbolSpec, symbolSpec } from "./symbols.ts";

/** Volatility per √second of the calm, normal and busy regimes. */
const REGIME_VOL = [0.00006, 0.0001, 0.00018];
/** Trades per second in each regime (before bursts). */
const REGIME_RATE = [2, 3, 5];
const SUBSTEP_MS = 100;

/** The synthetic market of one symbol. */
export class SyntheticFeed implements SymbolFeed {
  /** The symbol's rules. */
  readonly spec: SymbolSpec;
  /** Top of book, see {@linkcode SymbolFeed.book}. */
  readonly book: Float64Array = new Float64Array(4 * BOOK_LEVELS);
  #bookVersion = 0;
  #rng: Rng;
  #mid: number;
  #tick: number;
  #step: number;
  #baseQty: number;
  #regime = 1;
  #burstLeftMs = 0;
  #burstMult = 1;
  #drift = 0;
  #spreadTicks = 1;
  #basis = 0.0001;
  #fundingRate = 0.0001;
  #nextFunding = 0;
  #time = NaN;
  #lastBid = NaN;

  /**
   * @param spec the symbol's rules (its `price` is the starting mid)
   * @param seed the market seed
   */
  constructor(spec: SymbolSpec, seed: number) {
    this.spec = spec;
    this.#rng = new Rng(seed, hashString(spec.symbol));
    this.#tick = 10 ** -spec.priceDecimals;
    this.#step = 10 ** -spec.qtyDecimals;
    this.#mid = spec.price;
    this.#baseQty = 1500 / spec.price;
    this.#refreshBook(true);
  }

  /** See {@linkcode SymbolFeed.bookVersion}. */
  get bookVersion(): number {
    return this.#bookVersion;
  }
  /** Mark price: mid × (1 + basis). */
  get markPrice(): number {
    return this.#mid * (1 + this.#basis);
  }
  /** Index price: mid × (1 + basis/4). */
  get indexPrice(): number {
    return this.#mid * (1 + this.#basis / 4);
  }
  /** Predicted funding rate of the next settlement. */
  get fundingRate(): number {
    return this.#fundingRate;
  }
  /** Next funding settlement time. */
  get nextFundingTime(): number {
    return this.#nextFunding;
  }

  /** Produces the trades of `[from, to)` and moves book, mark and funding to `to`. */
  advance(from: number, to: number, sink: TradeSink): void {
    if (Number.isNaN(this.#time)) this.#nextFunding = nextFundingAfter(from);
    const rng = this.#rng;
    // Long spans (history generation) walk in 1 s substeps: same model, a tenth of the work.
    const sub = to - from >= 60_000 ? 1000 : SUBSTEP_MS;
    let t = from;
    while (t < to) {
      const next = Math.min(to, (Math.floor(t / sub) + 1) * sub);
      const dtMs = next - t;
      const dt = dtMs / 1000;
      // Regime switches every ~5 minutes; bursts start every ~40 minutes and last 1-3 minutes.
      if (rng.next() < dt / 300) this.#regime = rng.int(3);
      if (this.#burstLeftMs > 0) {
        this.#burstLeftMs -= dtMs;
        if (this.#burstLeftMs <= 0) {
          this.#burstMult = 1;
          this.#drift = 0;
        }
      } else if (rng.next() < dt / 2400) {
        this.#burstLeftMs = 60_000 + rng.int(120_000);
        this.#burstMult = 4 + 4 * rng.next();
        const sigma = REGIME_VOL[this.#regime]!;
        this.#drift = (rng.next() < 0.5 ? -1 : 1) * (3 + 3 * rng.next()) *
          sigma / Math.sqrt(60);
      }
      const sigma = REGIME_VOL[this.#regime]! * (this.#burstMult > 1 ? 1.5 : 1);
      const dlog = sigma * Math.sqrt(dt) * rng.normal() + this.#drift * dt;
      // Mean reversion towards the spec price keeps long runs in a sane range.
      const pull = -0.00002 * dt * Math.log(this.#mid / this.spec.price);
      this.#mid *= Math.exp(dlog + pull);
      const n = rng.poisson(REGIME_RATE[this.#regime]! * this.#burstMult * dt);
      if (n > 0) {
        const bid = Math.floor(this.#mid / this.#tick) * this.#tick;
        const ask = bid + this.#spreadTicks * this.#tick;
        const buyBias = this.#drift > 0 ? 0.7 : this.#drift < 0 ? 0.3 : 0.5;
        for (let i = 0; i < n; i++) {
          const time = t + Math.floor(((i + rng.next()) / n) * dtMs);
          const buy = rng.next() < buyBias;
          const q = this.#baseQty * Math.exp(0.8 * rng.normal()) *
            (this.#burstMult > 1 ? 1.5 : 1);
          const qty = Math.max(
            this.#step,
            Math.round(q / this.#step) * this.#step,
          );
          sink.trade(time, buy ? ask : bid, qty, !buy);
        }
      }
      t = next;
    }
    this.#time = to;
    this.#basis += 0.00001 * rng.normal() - 0.01 * (this.#basis - 0.0001);
    if (to >= this.#nextFunding) this.#nextFunding = nextFundingAfter(to);
    this.#fundingRate = Math.max(
      -0.003,
      Math.min(0.003, 0.0001 + 0.3 * (this.#basis - 0.0001)),
    );
    this.#refreshBook(false);
  }

  #refreshBook(force: boolean): void {
    const rng = this.#rng, bk = this.book, tick = this.#tick, step = this.#step;
    if (rng.next() < 0.02) this.#spreadTicks = 1 + rng.int(3);
    else if (this.#spreadTicks > 1 && rng.next() < 0.2) this.#spreadTicks = 1;
    const bid = Math.floor(this.#mid / tick) * tick;
    const moved = bid !== this.#lastBid;
    if (!force && !moved && rng.next() < 0.6) return;
    this.#lastBid = bid;
    const ask = bid + this.#spreadTicks * tick;
    for (let i = 0; i < BOOK_LEVELS; i++) {
      bk[i] = bid - i * tick;
      bk[10 + i] = ask + i * tick;
      if (moved || force || rng.next() < 0.3) {
        bk[5 + i] = Math.max(
          step,
          Math.round(this.#baseQty * (1 + i) * 2 * rng.next() / step) * step,
        );
        bk[15 + i] = Math.max(
          step,
          Math.round(this.#baseQty * (1 + i) * 2 * rng.next() / step) * step,
        );
      }
    }
    this.#bookVersion++;
  }
}

/** A synthetic source for `symbols`, deterministic from `seed`. */
export function syntheticSource(
  symbols: readonly string[],
  seed: number,
): MarketSource {
  const feeds = new Map(
    symbols.map((s) => [s, new SyntheticFeed(symbolSpec(s), seed)]),
  );
  return {
    startTime: undefined,
    feed(symbol: string): SymbolFeed {
      const f = feeds.get(symbol);
      if (!f) {
        throw new RangeError(`Cannot feed "${symbol}": not a listed symbol`);
      }
      return f;
    },
    close(): void {},
  };
}
