/**
 * One symbol's market as the bot model sees it: the decision-time touch (bid/ask) of each
 * bar, the mark/price basis for stop-losses on the mark, and the entry sizes and exit
 * levels of `lib/order` (the live bot's own pure functions: `entryPrice`,
 * `entryQuantity`, `exitLevels`, `trailingParams`), computed once per (bar, side) and
 * shared by every config. Pure apart from lazily filled caches.
 *
 * Touch per bar, at the bar's close (the bot's decision time):
 * - tables with book columns: `ask = mark * (1 + open_loss_long_bps / 1e4)` and `bid =
 *   mark * (1 - open_loss_short_bps / 1e4)`, snapped to the nearest tick (the feature
 *   builder derived those columns from the recorded book, whose prices are on the tick);
 * - OHLCV-only tables (no book column anywhere): `close * (1 ± spread_bps / 2 / 1e4)`
 *   with the required `spreadBps`; the mark is the table's mark or else the close, and
 *   the spread and opening-loss columns the decision reads are filled from this quote
 *   with `lib/features`' `quoteFeatures`, so the blockers see what the bot would;
 * - OHLCV-only tables replayed by the simulator (`deno task parity`, quote `"replay"`):
 *   the replay's own book after the bar's last trade (`lib/features/intrabar_path.ts`:
 *   one tick around the close, on the side its last move took), filled the same way.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import { quoteFeatures } from "../../features/formulas.ts";
import {
  closeDirections,
  replayAsk,
  replayBid,
} from "../../features/intrabar_path.ts";
import {
  entryPrice,
  entryQuantity,
  exitLevels,
  type OrderFilters,
  OrderSizeError,
  trailingParams,
} from "../../order/filters.ts";
import { DEFAULT_MAX_UPSIZE } from "../../order/entry_plan.ts";
import type { SymbolFeatures } from "../feature_table.ts";
import {
  FUNDING_INTERVAL_MS,
  type FundingSeriesKind,
  settledFundingBar,
  upcomingFundingBars,
} from "../../features/funding_rule.ts";
import { SecondPaths } from "./second_paths.ts";
import {
  checkEntry,
  type EntryLimits,
  type PriceBand,
} from "../../order/entry_guard.ts";

/** The live bot's last check before an entry (`lib/order`'s entry guard). */
export interface EntryGuard {
  /** The symbol's price band around the mark (`priceBand`). */
  readonly band: PriceBand;
  /** The notional caps (`--max_upsize`, `--max_position_notional`, ...). */
  readonly limits: EntryLimits;
}

/** Funding settles every 8 hours (00:00, 08:00, 16:00 UTC). */
export const FUNDING_MS = FUNDING_INTERVAL_MS;

/** Thrown for a table the bot model cannot use as given (exit code 2 at the edge). */
export class BotInputError extends Error {
  /** @param message the one line shown to the user */
  constructor(message: string) {
    super(message);
    this.name = "BotInputError";
  }
}

/** Whether the table has book columns (any finite spread). */
export function hasBook(f: SymbolFeatures): boolean {
  for (let i = 0; i < f.bars; i++) if (f.spread[i] === f.spread[i]) return true;
  return false;
}

/** A prepared symbol for {@linkcode simulateBot}. */
export class BotMarket {
  /**
   * The features the decision reads: synthetic quote columns for OHLCV tables, and for a
   * table of settlement files the funding the replay shows at each close (the upcoming
   * settlement's rate, `lib/features/funding_rule.ts`'s `upcomingFundingBars`).
   */
  readonly features: SymbolFeatures;
  /** The symbol's exchange filters. */
  readonly filters: OrderFilters;
  /** Best bid at each bar's close (NaN = none). */
  readonly bid: Float64Array;
  /** Best ask at each bar's close (NaN = none). */
  readonly ask: Float64Array;
  /** Mark / close of each bar (1 when the mark is unknown): the SL's mark path factor. */
  readonly basis: Float64Array;
  /** The price tick (0 = none); the OHLCV intrabar path rounds to it. */
  readonly tick: number;
  /** Where the touch came from. */
  readonly quoteSource: "book" | "spread_bps" | "replay";
  /**
   * The funding time (a multiple of 8 hours) in `(ts[i-1], ts[i]]` of each bar, 0 when
   * none: a position open across it pays or receives funding.
   */
  readonly fundingTime: Float64Array;
  /**
   * The rate (bp) the settlement at `fundingTime[i]` charges, NaN when none or unknown:
   * the table's funding of the bar `lib/features/funding_rule.ts` names for the table's
   * kind of funding series (the simulator's replays charge by the same rule).
   */
  readonly settledFunding: Float64Array;
  /** Where the table's funding column comes from (see `fundingKind` in the constructor). */
  readonly fundingKind: FundingSeriesKind;
  /**
   * When the table ends at a funding time (its last bar closes then): that time, else NaN.
   * A position still open at the end is open at that settlement (the exchange settles it
   * before the close that follows), so it pays {@linkcode endFunding}.
   */
  readonly endFundingTime: number;
  /** The rate (bp) of the settlement at {@linkcode endFundingTime}; NaN when unknown. */
  readonly endFunding: number;
  /**
   * The per-second paths (from the table's `.1s` companion file): exits are walked on
   * them and the entry touch is their book at the bar's close. Undefined = 1m bars only.
   */
  readonly seconds: SecondPaths | undefined;
  #entry = new Map<number, Float64Array>();
  #levels = new Map<string, Float64Array>();
  #trail = new Map<string, Float64Array>();
  #fill: Float64Array;
  /** Per (bar, side) the recorded quantity at the touch (NaN = unknown). */
  #touchQty: Float64Array | undefined;
  #guard: EntryGuard | undefined;
  #closeBuy: Uint8Array | undefined;
  #bars: SymbolFeatures;

  /**
   * @param f the symbol's feature columns
   * @param filters its exchange filters
   * @param spreadBps the quoted spread for OHLCV-only tables, or `"replay"`: the
   *   simulator's OHLCV replay's book at each close
   * @param guard the entry guard; without it no entry is refused for its price or size
   * @param seconds the symbol's records of the per-second companion file
   * @param fundingKind what the table's funding column is: `predictions` (the recorded
   *   `markPrice` rates: a table built from logs, the one kind with book columns) or
   *   `settlements` (funding files or a constant rate: OHLCV tables); by default from
   *   whether the table has book columns
   * @param endSettlementBps the rate (bp) of the first settlement at or after the table's
   *   end (its last bar's close), which the table cannot show (settlements appear in the
   *   bar opening at the funding time): from a longer table of the same data (parity).
   *   A position open at the end pays it when the table ends at a funding time, and the
   *   decisions after the table's last settlement read it (the replay shows it then).
   *   Without it that end settlement is not charged and those decisions read the
   *   table's last settled rate
   * @throws {BotInputError} for an OHLCV-only table without `spreadBps`, or `spreadBps`
   * with a table that has a book
   */
  constructor(
    f: SymbolFeatures,
    filters: OrderFilters,
    spreadBps?: number | "replay",
    guard?: EntryGuard,
    seconds?: Float64Array,
    fundingKind?: FundingSeriesKind,
    endSettlementBps?: number,
  ) {
    const n = f.bars;
    this.#bars = f;
    this.seconds = seconds === undefined
      ? undefined
      : new SecondPaths(seconds, f.ts);
    this.filters = filters;
    this.#guard = guard;
    this.bid = new Float64Array(n);
    this.ask = new Float64Array(n);
    this.basis = new Float64Array(n);
    this.#fill = new Float64Array(2 * n).fill(NaN);
    this.fundingTime = new Float64Array(n);
    this.settledFunding = new Float64Array(n).fill(NaN);
    const kind = fundingKind ?? (hasBook(f) ? "predictions" : "settlements");
    this.fundingKind = kind;
    for (let i = 1; i < n; i++) {
      const b = Math.floor(f.ts[i]! / FUNDING_MS) * FUNDING_MS;
      if (b > f.ts[i - 1]!) {
        this.fundingTime[i] = b;
        const k = settledFundingBar(f.ts, b, kind);
        if (k >= 0) this.settledFunding[i] = f.funding[k]!;
      }
    }
    const end = n > 0 ? f.ts[n - 1]! + 60_000 : NaN;
    this.endFundingTime = end % FUNDING_MS === 0 ? end : NaN;
    const ke = end % FUNDING_MS === 0 ? settledFundingBar(f.ts, end, kind) : -1;
    this.endFunding = ke >= 0
      ? f.funding[ke]!
      : end % FUNDING_MS === 0 && endSettlementBps !== undefined
      ? endSettlementBps
      : NaN;
    // the funding the decision's blocker (`--max_funding_bps`) reads: from logs the
    // recorded prediction of each bar (what the bot saw); from settlement files the rate
    // the OHLCV replay shows at the close, the upcoming settlement's (past the table:
    // `endSettlementBps`, else the table's last settled rate)
    let funding = f.funding;
    if (kind === "settlements") {
      funding = new Float64Array(n);
      const up = upcomingFundingBars(f.ts);
      for (let i = 0; i < n; i++) {
        const k = up[i]!;
        funding[i] = k >= 0
          ? f.funding[k]!
          : endSettlementBps !== undefined
          ? endSettlementBps
          : f.funding[i]!;
      }
    }
    const tick = Number(filters.tickSize);
    this.tick = tick;
    const dp = filters.tickSize.decimalPlaces();
    // nearest tick, as a clean double (100.1, not 100.10000000000001)
    const snap = (x: number) =>
      tick > 0 ? Number((Math.round(x / tick) * tick).toFixed(dp)) : x;
    for (let i = 0; i < n; i++) {
      const m = f.mark[i]!, c = f.close[i]!;
      this.basis[i] = m > 0 && m < Infinity ? m / c : 1;
    }
    if (hasBook(f)) {
      if (spreadBps !== undefined) {
        throw new BotInputError(
          `Invalid --spread_bps: ${f.symbol} has book columns (spread_bps); --spread_bps is only for OHLCV-only tables`,
        );
      }
      this.quoteSource = "book";
      const sp = this.seconds;
      // with per-second paths the decision sees the quote as the bot has it at the close
      const olL = sp ? f.openLossLong.slice() : f.openLossLong;
      const olS = sp ? f.openLossShort.slice() : f.openLossShort;
      const spread = sp ? f.spread.slice() : f.spread;
      this.features = sp || funding !== f.funding
        ? { ...f, spread, funding, openLossLong: olL, openLossShort: olS }
        : f;
      for (let i = 0; i < n; i++) {
        const m = f.mark[i]!;
        this.ask[i] = snap(m * (1 + f.openLossLong[i]! / 10_000));
        this.bid[i] = snap(m * (1 - f.openLossShort[i]! / 10_000));
        // the recorded book at the close, where the table has a usable quote
        if (sp === undefined || f.spread[i] !== f.spread[i]) continue;
        const [b, a, bq, aq] = sp.bookAt(i);
        if (!(b > 0 && a >= b)) continue;
        this.bid[i] = b;
        this.ask[i] = a;
        this.#touchQty ??= new Float64Array(2 * n).fill(NaN);
        this.#touchQty[2 * i] = aq;
        this.#touchQty[2 * i + 1] = bq;
        // the mark the bot has: markPrice@1s pushes each second's mark at the next
        // whole second, after that second's closed kline (the simulator's order)
        const seen = sp.markBefore(i, f.ts[i]! + 58_000);
        if (seen > 0) {
          const q = quoteFeatures(b, a, seen);
          spread[i] = q.spreadBps;
          olL[i] = q.openLossLongBps;
          olS[i] = q.openLossShortBps;
        }
      }
      return;
    }
    if (spreadBps === undefined) {
      throw new BotInputError(
        `Missing --spread_bps: ${f.symbol} has no book columns (an OHLCV-only table), so the entry touch needs a quoted spread`,
      );
    }
    const replay = spreadBps === "replay";
    if (!replay && !(spreadBps >= 0 && spreadBps < 10_000)) {
      throw new BotInputError(
        `Invalid --spread_bps ${spreadBps}: not in [0, 10000)`,
      );
    }
    this.quoteSource = replay ? "replay" : "spread_bps";
    const spread = new Float64Array(n),
      olL = new Float64Array(n),
      olS = new Float64Array(n);
    const half = replay ? 0 : spreadBps / 2 / 10_000;
    const buy = replay ? this.closeDirections() : undefined;
    for (let i = 0; i < n; i++) {
      const c = f.close[i]!;
      const b = buy ? replayBid(c, buy[i] === 1, tick) : c * (1 - half);
      const a = buy ? replayAsk(c, buy[i] === 1, tick) : c * (1 + half);
      const q = quoteFeatures(b, a, c * this.basis[i]!);
      this.bid[i] = b;
      this.ask[i] = a;
      spread[i] = q.spreadBps;
      olL[i] = q.openLossLongBps;
      olS[i] = q.openLossShortBps;
    }
    this.features = {
      ...f,
      spread,
      funding,
      openLossLong: olL,
      openLossShort: olS,
    };
  }

  /**
   * Whether each bar's last trade on the OHLCV replay's path is a buy (`closeDirections`
   * of `lib/features/intrabar_path.ts`, from the table's first bar): the side of the
   * replay's book at the close. Computed once.
   */
  closeDirections(): Uint8Array {
    if (this.#closeBuy === undefined) {
      const t = this.#bars;
      this.#closeBuy = closeDirections(
        t.open,
        t.high,
        t.low,
        t.close,
        this.tick,
      );
    }
    return this.#closeBuy;
  }

  /** The mark at bar `i`'s close: the table's, else the close. */
  markAt(i: number): number {
    const m = this.features.mark[i]!;
    return m > 0 && m < Infinity ? m : this.features.close[i]!;
  }

  /**
   * The entry fill price (the IOC limit at the touch, rounded as the bot rounds) of bar
   * `i`, side `s` (+1 long, -1 short); NaN without a quote.
   */
  fillPrice(i: number, s: number): number {
    const k = 2 * i + (s > 0 ? 0 : 1);
    let p = this.#fill[k]!;
    if (p !== p) {
      const b = this.bid[i]!, a = this.ask[i]!;
      p = b > 0 && a >= b
        ? Number(entryPrice(this.filters, s > 0 ? "long" : "short", b, a))
        : -1;
      this.#fill[k] = p;
    }
    return p > 0 ? p : NaN;
  }

  /**
   * The entry quantities for a target notional, one per (bar, side): `out[2 * i]` long,
   * `out[2 * i + 1]` short; NaN = not computed yet, -1 = refused. Fill a slot with
   * {@linkcode BotMarket.sizeEntry}. One table per notional, shared by every config.
   */
  quantities(notional: number): Float64Array {
    let cache = this.#entry.get(notional);
    if (cache === undefined) {
      cache = new Float64Array(2 * this.bid.length).fill(NaN);
      this.#entry.set(notional, cache);
    }
    return cache;
  }

  /**
   * Sizes the entry of bar `i`, side `s` (+1 long, -1 short) as `lib/order`'s
   * `entryQuantity` does and checks it with its entry guard (`checkEntry`: price band
   * around the mark, `quantity × mark <= order_notional × (1 + max_upsize)`), into `table`
   * (from {@linkcode BotMarket.quantities}); returns the filled quantity (with per-second
   * paths at most the recorded quantity at the touch: the IOC's partial fill), or NaN
   * when the bot would refuse the order (no quote, above maxQty, refused by the guard).
   */
  sizeEntry(
    table: Float64Array,
    notional: number,
    i: number,
    s: number,
  ): number {
    const k = 2 * i + (s > 0 ? 0 : 1);
    const p = this.fillPrice(i, s);
    let q = -1;
    if (p === p) {
      try {
        // the live bot's sizing: a step below the target rather than above --max_upsize
        const qty = entryQuantity(
          this.filters,
          notional,
          new Decimal(p),
          this.#guard?.limits.maxUpsize ?? DEFAULT_MAX_UPSIZE,
        );
        q = Number(qty);
        const g = this.#guard;
        if (
          g !== undefined && checkEntry(
              {
                symbol: this.filters.symbol,
                direction: s > 0 ? "long" : "short",
                price: new Decimal(p).toFixed(),
                quantity: qty,
                mark: new Decimal(this.features.close[i]! * this.basis[i]!)
                  .toFixed(),
                positionAmount: 0,
                orderNotional: notional,
              },
              g.band,
              g.limits,
            ) !== undefined
        ) q = -1;
      } catch (error) {
        if (!(error instanceof OrderSizeError)) throw error;
      }
      // the IOC at the touch fills at most the recorded quantity there (per-second book)
      const tq = this.#touchQty?.[k] ?? NaN;
      if (q > 0 && tq > 0 && tq < q) q = tq;
    }
    table[k] = q;
    return q > 0 ? q : NaN;
  }

  /**
   * The TP and SL trigger prices after an entry, per (bar, side): `out[4 * i]` TP and
   * `out[4 * i + 1]` SL of a long, `+2`/`+3` of a short; NaN = not computed yet (fill with
   * {@linkcode BotMarket.armLevels}). One table per (tp, sl) pair.
   */
  levelTable(tpBps: number, slBps: number): Float64Array {
    const key = `${tpBps},${slBps}`;
    let cache = this.#levels.get(key);
    if (cache === undefined) {
      cache = new Float64Array(4 * this.bid.length).fill(NaN);
      this.#levels.set(key, cache);
    }
    return cache;
  }

  /** Fills the slots of bar `i`, side `s` of a {@linkcode BotMarket.levelTable} with
   * `lib/order`'s `exitLevels` from the fill price. */
  armLevels(
    table: Float64Array,
    tpBps: number,
    slBps: number,
    i: number,
    s: number,
  ): void {
    const k = 4 * i + (s > 0 ? 0 : 2);
    const l = exitLevels(
      this.filters,
      s > 0 ? "long" : "short",
      new Decimal(this.fillPrice(i, s)),
      tpBps,
      slBps,
    );
    table[k] = Number(l.takeProfit);
    table[k + 1] = Number(l.stopLoss);
  }

  /**
   * The trailing stop's activation price and callback fraction per (bar, side), laid out
   * as {@linkcode BotMarket.levelTable}; fill with {@linkcode BotMarket.armTrailing}.
   */
  trailTable(activationBps: number, callbackPct: number): Float64Array {
    const key = `${activationBps},${callbackPct}`;
    let cache = this.#trail.get(key);
    if (cache === undefined) {
      cache = new Float64Array(4 * this.bid.length).fill(NaN);
      this.#trail.set(key, cache);
    }
    return cache;
  }

  /** Fills a {@linkcode BotMarket.trailTable} slot with `lib/order`'s `trailingParams`. */
  armTrailing(
    table: Float64Array,
    activationBps: number,
    callbackPct: number,
    i: number,
    s: number,
  ): void {
    const k = 4 * i + (s > 0 ? 0 : 2);
    const t = trailingParams(
      this.filters,
      s > 0 ? "long" : "short",
      new Decimal(this.fillPrice(i, s)),
      activationBps,
      callbackPct,
    );
    table[k] = Number(t.activationPrice);
    table[k + 1] = Number(t.callbackRate) / 100;
  }
}
