/**
 * The REST history of one simulated symbol: `klines`, `markPriceKlines`,
 * `indexPriceKlines` and `fundingRate` rows over the whole listed life of the symbol —
 * the synthetic archive (if any) before the live market, then the market's own closed
 * bars, then its open bar — with the exchange's paging rules (`startTime` forward, else the
 * newest `limit` rows up to `endTime`; any interval aggregated from 1m bars; bars the
 * exchange has none for are simply absent).
 *
 * Rows are written straight into the bytes of a JSON page: a 1,500-row page costs no
 * per-row objects or strings.
 *
 * @module
 */
import type { RawFundingRate, RawKlineRow } from "../exchange/wire.ts";
import { type BarValues, emptyBar, klineRow } from "./bar_ring.ts";
import { AsciiWriter } from "./ascii_writer.ts";
import { fixed } from "./format.ts";
import type { HistoryKind, SyntheticArchive } from "./history_archive.ts";
import type { SymbolMarket } from "./market.ts";
import { FUNDING_INTERVAL_MS as FUNDING_MS } from "../features/funding_rule.ts";

const MINUTE = 60_000;
/** Decimals of mark and index prices on the wire. */
const PRICE_INDEX_DECIMALS = 8;

/** The paging parameters of a klines request (already validated). */
export interface KlinesQuery {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

/** One symbol's history; see the module doc. */
export class SymbolHistory {
  /** The symbol's market (ring bars and the open bar). */
  readonly market: SymbolMarket;
  /** Bars before the live market, or undefined (replays: the ring is all there is). */
  readonly archive: SyntheticArchive | undefined;
  #tmp = emptyBar();
  #out = new AsciiWriter();

  /**
   * @param market the live market of the symbol
   * @param archive its synthetic history before the market's first bar
   */
  constructor(market: SymbolMarket, archive?: SyntheticArchive) {
    this.market = market;
    this.archive = archive;
  }

  /** The listing time: the archive's start, else the market's first bar. */
  get listedAt(): number {
    if (this.archive) return this.archive.listedAt;
    const m = this.market;
    return m.bars.size > 0 ? m.bars.openTime(0) : m.bar.openTime;
  }

  /** Copies the `kind` 1m bar of minute `t` into `out`; false when there is none. */
  read(kind: HistoryKind, t: number, out: BarValues): boolean {
    const m = this.market;
    const open = m.bar.openTime;
    if (t === open) {
      Object.assign(
        out,
        kind === "trade" ? m.bar : kind === "mark" ? m.markBar : m.indexBar,
      );
      if (kind !== "trade") priceOnly(out);
      return true;
    }
    const ring = kind === "trade"
      ? m.bars
      : kind === "mark"
      ? m.markBars
      : m.indexBars;
    if (ring.size > 0 && t >= ring.openTime(0) && t < open) {
      const i = (t - ring.openTime(0)) / MINUTE;
      if (!Number.isInteger(i) || i >= ring.size) return false;
      // a recorder gap of a log replay: no trade bar (mark and index bars stay)
      if (kind === "trade" && !ring.served(i)) return false;
      ring.read(i, out);
      if (kind !== "trade") priceOnly(out);
      return true;
    }
    return this.archive?.read(kind, t, out) ?? false;
  }

  /**
   * The rows of `kind` at `intervalMs` (a multiple of 1m) as the UTF-8 bytes of a JSON
   * array, written digit by digit (no per-row strings); the bytes are the response's own.
   */
  klinesJson(
    kind: HistoryKind,
    intervalMs: number,
    q: KlinesQuery,
  ): Uint8Array<ArrayBuffer> {
    const w = this.#out;
    w.reset();
    w.byte(91); // [
    const spec = this.market.spec;
    const pd = kind === "trade" ? spec.priceDecimals : PRICE_INDEX_DECIMALS;
    const qd = spec.qtyDecimals;
    const qq = Math.min(8, spec.priceDecimals + qd);
    const trade = kind === "trade";
    let first = true;
    this.#collect(kind, intervalMs, q, (b, bucket) => {
      w.text(first ? "[" : ",[");
      first = false;
      w.int(bucket);
      w.text(',"');
      w.fixed(b.open, pd);
      w.text('","');
      w.fixed(b.high, pd);
      w.text('","');
      w.fixed(b.low, pd);
      w.text('","');
      w.fixed(b.close, pd);
      if (trade) {
        w.text('","');
        w.fixed(b.volume, qd);
        w.text('",');
        w.int(bucket + intervalMs - 1);
        w.text(',"');
        w.fixed(b.quoteVolume, qq);
        w.text('",');
        w.int(b.trades);
        w.text(',"');
        w.fixed(b.takerBuyVolume, qd);
        w.text('","');
        w.fixed(b.takerBuyQuote, qq);
        w.text('","0"]');
      } else {
        w.text('","0",');
        w.int(bucket + intervalMs - 1);
        w.text(',"0",');
        w.int(b.trades);
        w.text(',"0","0","0"]');
      }
    });
    w.byte(93); // ]
    return w.bytes().slice();
  }

  /** The trade rows as {@linkcode RawKlineRow}s (for tests and in-process callers). */
  klines(intervalMs: number, q: KlinesQuery): RawKlineRow[] {
    const spec = this.market.spec;
    const rows: RawKlineRow[] = [];
    this.#collect("trade", intervalMs, q, (b, bucket) => {
      const row = klineRow(b, spec.priceDecimals, spec.qtyDecimals);
      row[0] = bucket;
      row[6] = bucket + intervalMs - 1;
      rows.push(row);
    });
    return rows;
  }

  /**
   * Settled funding rates with `start <= fundingTime <= end`, ascending: the `limit` first
   * from `start`, or without `start` the `limit` newest.
   */
  fundingRates(
    start: number | undefined,
    end: number | undefined,
    limit: number,
  ): RawFundingRate[] {
    const live = this.market.funding.toArray().filter((r) =>
      (start === undefined || r.fundingTime >= start) &&
      (end === undefined || r.fundingTime <= end)
    );
    const archive = this.archive;
    const old: RawFundingRate[] = [];
    if (archive) {
      const hi = Math.floor(
        Math.min(end ?? Infinity, archive.seam - 1) / FUNDING_MS,
      ) * FUNDING_MS;
      let lo = start ?? hi - (limit - 1) * FUNDING_MS;
      lo = Math.max(lo, archive.listedAt);
      const first = Math.ceil(lo / FUNDING_MS) * FUNDING_MS;
      const symbol = this.market.spec.symbol;
      for (let t = first; t <= hi; t += FUNDING_MS) {
        if (start !== undefined && old.length >= limit) break;
        const rate = archive.fundingRate(t);
        if (rate !== undefined && !live.some((r) => r.fundingTime === t)) {
          old.push({ symbol, fundingRate: fixed(rate, 8), fundingTime: t });
        }
      }
    }
    const all = old.concat(live);
    return start === undefined ? all.slice(-limit) : all.slice(0, limit);
  }

  #any(
    kind: HistoryKind,
    bucket: number,
    intervalMs: number,
    open: number,
  ): boolean {
    for (let t = bucket; t < bucket + intervalMs && t <= open; t += MINUTE) {
      if (this.read(kind, t, this.#tmp)) return true;
    }
    return false;
  }

  /** Walks the 1m bars of the query's window, aggregating them per interval bucket. */
  #collect(
    kind: HistoryKind,
    intervalMs: number,
    q: KlinesQuery,
    emit: (bar: BarValues, bucket: number) => void,
  ): void {
    const open = this.market.bar.openTime;
    const first = Math.floor(this.listedAt / intervalMs) * intervalMs;
    const lastBucket = Math.floor(open / intervalMs) * intervalMs;
    let from: number; // the first bucket start
    const to = Math.min( // the last bucket start
      lastBucket,
      q.endTime === undefined
        ? Infinity
        : Math.floor(q.endTime / intervalMs) * intervalMs,
    );
    if (q.startTime !== undefined) {
      from = Math.max(first, Math.ceil(q.startTime / intervalMs) * intervalMs);
    } else {
      // The newest `limit` buckets that hold a bar, up to `to`.
      from = to + intervalMs;
      let found = 0;
      for (
        let bucket = to;
        bucket >= first && found < q.limit;
        bucket -= intervalMs
      ) {
        if (this.#any(kind, bucket, intervalMs, open)) {
          from = bucket;
          found++;
        }
      }
    }
    const agg = emptyBar();
    const b = this.#tmp;
    let count = 0;
    if (intervalMs === MINUTE) {
      // 1m: the bars themselves, no aggregation.
      for (let t = from; t <= to && count < q.limit; t += MINUTE) {
        if (!this.read(kind, t, b)) continue;
        emit(b, t);
        count++;
      }
      return;
    }
    for (let bucket = from; bucket <= to; bucket += intervalMs) {
      let have = false;
      for (let t = bucket; t < bucket + intervalMs && t <= open; t += MINUTE) {
        if (!this.read(kind, t, b)) continue;
        if (!have) {
          Object.assign(agg, b);
          have = true;
        } else {
          if (b.high > agg.high) agg.high = b.high;
          if (b.low < agg.low) agg.low = b.low;
          agg.close = b.close;
          agg.volume += b.volume;
          agg.quoteVolume += b.quoteVolume;
          agg.trades += b.trades;
          agg.takerBuyVolume += b.takerBuyVolume;
          agg.takerBuyQuote += b.takerBuyQuote;
        }
      }
      if (!have) continue;
      emit(agg, bucket);
      if (++count >= q.limit) break;
    }
  }
}

function priceOnly(b: BarValues): void {
  b.volume =
    b.quoteVolume =
    b.takerBuyVolume =
    b.takerBuyQuote =
      0;
}
