/**
 * Test helpers for the feature builders: in-memory part stores, CSV table parsing and
 * recorder log rows.
 *
 * @module
 */
import type { PartStore } from "./build_from_logs.ts";
import { type MemorySink, memorySink, memorySource } from "./io.ts";

/** A {@linkcode PartStore} in memory. */
export function memoryParts(): PartStore {
  const parts = new Map<number, MemorySink>();
  return {
    create(id) {
      const sink = memorySink();
      parts.set(id, sink);
      return sink;
    },
    open(id) {
      return memorySource(parts.get(id)!.text());
    },
  };
}

/** Parses a CSV table (header first) into rows keyed by column name. */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split("\n").filter((l) => l !== "");
  const header = lines[0]!.split(",");
  return lines.slice(1).map((line) => {
    const fields = line.split(",");
    if (fields.length !== header.length) {
      throw new SyntaxError(`Cannot parse table: bad row ${line}`);
    }
    return Object.fromEntries(header.map((h, i) => [h, fields[i]!]));
  });
}

/** The logs' first minute start. */
export const T0 = 1_700_000_040_000; // a minute start
/** The recorder's `kline.csv` header. */
export const KLINE_HEADER =
  "ts,symbol,open_time,close_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,is_closed";
/** The recorder's `bookTicker.csv` header. */
export const BOOK_HEADER =
  "ts,symbol,event_time,bid_price,bid_qty,ask_price,ask_qty";
/** The recorder's `markPrice.csv` header. */
export const MARK_HEADER =
  "ts,symbol,event_time,mark_price,index_price,funding_rate,next_funding_time";

/** A kline row: `rel` is ts after T0, `minute` the bar index. */
export function k(
  rel: number,
  sym: string,
  minute: number,
  o: number,
  h: number,
  l: number,
  c: number,
  v = 1,
  closed = false,
): string {
  const ot = T0 + minute * 60_000;
  return `${T0 + rel},${sym},${ot},${
    ot + 59_999
  },${o},${h},${l},${c},${v},0,1,0,${closed}`;
}
/** A bookTicker row at `rel`; its exchange event time is `ev` ms before (default 0). */
export function b(
  rel: number,
  sym: string,
  bid: number,
  ask: number,
  ev = 0,
): string {
  return `${T0 + rel},${sym},${T0 + rel - ev},${bid},1.5,${ask},2.5`;
}
/** A markPrice row at `rel`; its exchange event time is `ev` ms before (default 0). */
export function m(
  rel: number,
  sym: string,
  mark: number,
  rate: string,
  ev = 0,
): string {
  return `${T0 + rel},${sym},${T0 + rel - ev},${mark},${mark},${rate},0`;
}
