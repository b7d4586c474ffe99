/**
 * Writes large synthetic recorder logs (the five CSV files of the recorder's schema) for
 * benchmarks: a random walk per symbol, one snapshot per symbol per second, a closing
 * kline snapshot a second after each minute, jittered `ts` and a few rows written late.
 *
 * ```sh
 * deno run --allow-write bench/gen_logs.ts --out DIR --size_mb 1000 --symbols 5
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { formatHelp, parseFlags, runMain } from "../lib/cli/mod.ts";
import { BufferedWriter } from "../lib/features/mod.ts";

/** Options of {@linkcode generateLogs}. */
export interface GenerateOptions {
  /** Stop once this many MiB were written (all five files together). */
  readonly sizeMb: number;
  /** Number of symbols. @default {5} */
  readonly symbols?: number;
  /** The first second, epoch ms. @default {1750000000000 rounded to the minute} */
  readonly startMs?: number;
  /** Random seed. @default {1} */
  readonly seed?: number;
  /**
   * Recorder gaps in the kline stream: symbol j has no `kline.csv` row for minute i (from
   * the first, counted from 0) when `(i + 7 j) mod klineGapEvery < klineGapMinutes`; the
   * other files go on (as when only the kline stream falls silent). 0 = none.
   * @default {0}
   */
  readonly klineGapEvery?: number;
  /** Minutes per kline gap (see {@linkcode klineGapEvery}). @default {1} */
  readonly klineGapMinutes?: number;
}

/** What {@linkcode generateLogs} wrote. */
export interface GenerateReport {
  readonly bytes: number;
  /** Rows per file kind. */
  readonly rows: Record<string, number>;
  readonly seconds: number;
}

const NAMES = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT"];
const START = 1_750_000_020_000;

/**
 * Writes `kline.csv`, `bookTicker.csv`, `markPrice.csv`, `aggTrade_1s.csv` and
 * `depth5.csv` into `dir` (which must exist).
 */
export function generateLogs(
  dir: string,
  options: GenerateOptions,
): GenerateReport {
  const n = options.symbols ?? 5;
  const names = Array.from(
    { length: n },
    (_, i) => NAMES[i] ?? `SYM${i}USDT`,
  );
  let seed = options.seed ?? 1;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const limit = options.sizeMb * (1 << 20);
  const kinds = [
    [
      "kline",
      "ts,symbol,open_time,close_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,is_closed",
    ],
    ["bookTicker", "ts,symbol,event_time,bid_price,bid_qty,ask_price,ask_qty"],
    [
      "markPrice",
      "ts,symbol,event_time,mark_price,index_price,funding_rate,next_funding_time",
    ],
    [
      "aggTrade_1s",
      "ts,symbol,trades,volume,buy_volume,sell_volume,vwap,last_price,first_agg_id,last_agg_id",
    ],
    [
      "depth5",
      "ts,symbol,event_time," +
      ["bid_px", "bid_qty", "ask_px", "ask_qty"].flatMap((p) =>
        [1, 2, 3, 4, 5].map((i) => `${p}_${i}`)
      ).join(","),
    ],
  ] as const;
  const files = kinds.map(([kind]) =>
    Deno.openSync(join(dir, `${kind}.csv`), {
      write: true,
      create: true,
      truncate: true,
    })
  );
  const writers = files.map((f) => new BufferedWriter(f, 1 << 20));
  const rows: Record<string, number> = {};
  let bytes = 0;
  const put = (k: number, line: string): void => {
    writers[k]!.write(line);
    bytes += line.length;
    rows[kinds[k]![0]] = (rows[kinds[k]![0]] ?? 0) + 1;
  };
  kinds.forEach(([, header], k) => {
    writers[k]!.write(header + "\n");
    bytes += header.length + 1;
  });
  const decimals = names.map((_, i) => [1, 2, 3, 2, 4][i % 5]!);
  const price = names.map((_, i) =>
    [65000, 3200, 150, 600, 0.6][i % 5]! * (1 + i / 10)
  );
  const bar = names.map((_, i) => ({
    o: price[i]!,
    h: price[i]!,
    l: price[i]!,
    v: 0,
    q: 0,
    t: 0,
    b: 0,
  }));
  const funding = names.map(() => 0.0001);
  let aggId = 1;
  const delayed: [number, string][] = [];
  const start = options.startMs ?? START;
  const gapEvery = options.klineGapEvery ?? 0;
  const gapLength = options.klineGapMinutes ?? 1;
  // whether symbol j's kline row of the bar opening at `open` is left out
  const gap = (j: number, open: number): boolean =>
    gapEvery > 0 &&
    (Math.floor((open - start) / 60_000) + 7 * j) % gapEvery < gapLength;
  let sec = 0;
  while (bytes < limit) {
    const now = start + sec * 1000;
    const openTime = now - (now % 60_000);
    const newMinute = now === openTime;
    for (let i = 0; i < n; i++) {
      const d = decimals[i]!;
      const s = names[i]!;
      const ts = now + Math.floor(rand() * 200);
      const b = bar[i]!;
      if (newMinute && sec > 0) {
        // The recorder still holds the closed kline for a moment.
        if (!gap(i, openTime - 60_000)) {
          put(
            0,
            `${ts},${s},${openTime - 60_000},${openTime - 1},${
              b.o.toFixed(d)
            },${b.h.toFixed(d)},${b.l.toFixed(d)},${price[i]!.toFixed(d)},${
              b.v.toFixed(3)
            },${b.q.toFixed(2)},${b.t},${b.b.toFixed(3)},true\n`,
          );
        }
        b.o = b.h = b.l = price[i]!;
        b.v =
          b.q =
          b.t =
          b.b =
            0;
      }
      const step = price[i]! * 0.0002 * (rand() - 0.5);
      const p = Math.max(price[i]! + step, 10 ** -d);
      price[i] = p;
      b.h = Math.max(b.h, p);
      b.l = Math.min(b.l, p);
      const trades = Math.floor(rand() * 20);
      const vol = trades * rand() * 0.5;
      const buy = vol * rand();
      b.v += vol;
      b.q += vol * p;
      b.t += trades;
      b.b += buy;
      const tick = 10 ** -d;
      const bid = p - tick * Math.floor(1 + rand() * 2);
      const ask = bid + tick * Math.floor(1 + rand() * 3);
      const mark = p * (1 + (rand() - 0.5) * 0.0002);
      if (sec % 3600 === 0) funding[i] = (rand() - 0.3) * 0.0003;
      if (!gap(i, openTime)) {
        put(
          0,
          `${ts},${s},${openTime},${openTime + 59_999},${b.o.toFixed(d)},${
            b.h.toFixed(d)
          },${b.l.toFixed(d)},${p.toFixed(d)},${b.v.toFixed(3)},${
            b.q.toFixed(2)
          },${b.t},${b.b.toFixed(3)},false\n`,
        );
      }
      const bookLine = `${ts},${s},${ts - 3},${bid.toFixed(d)},${
        (rand() * 10).toFixed(3)
      },${ask.toFixed(d)},${(rand() * 10).toFixed(3)}\n`;
      if (rand() < 0.001) delayed.push([now + 3000, bookLine]);
      else put(1, bookLine);
      put(
        2,
        `${ts},${s},${ts - 5},${mark.toFixed(d + 1)},${
          (mark * 0.9999).toFixed(d + 1)
        },${funding[i]!.toFixed(8)},${
          openTime - (openTime % 28_800_000) + 28_800_000
        }\n`,
      );
      if (trades === 0) put(3, `${ts},${s},0,0,0,0,,,,\n`);
      else {
        put(
          3,
          `${ts},${s},${trades},${vol.toFixed(3)},${buy.toFixed(3)},${
            (vol - buy).toFixed(3)
          },${p},${p.toFixed(d)},${aggId},${aggId + trades - 1}\n`,
        );
        aggId += trades;
      }
      let depth = `${ts},${s},${ts - 4}`;
      for (let j = 0; j < 5; j++) depth += "," + (bid - j * tick).toFixed(d);
      for (let j = 0; j < 5; j++) depth += "," + (rand() * 20).toFixed(3);
      for (let j = 0; j < 5; j++) depth += "," + (ask + j * tick).toFixed(d);
      for (let j = 0; j < 5; j++) depth += "," + (rand() * 20).toFixed(3);
      put(4, depth + "\n");
    }
    while (delayed.length > 0 && delayed[0]![0] <= now) {
      put(1, delayed.shift()![1]);
    }
    sec++;
  }
  for (const [, line] of delayed) put(1, line);
  for (const w of writers) w.close();
  return { bytes, rows, seconds: sec };
}

const FLAGS = {
  out: { type: "string", help: "output directory (created)" },
  size_mb: { type: "number", default: 100, min: 0, help: "MiB to write" },
  symbols: {
    type: "number",
    default: 5,
    integer: true,
    min: 1,
    help: "symbols",
  },
  seed: { type: "number", default: 1, integer: true, help: "random seed" },
  kline_gap_every: {
    type: "number",
    default: 0,
    integer: true,
    min: 0,
    help:
      "recorder gaps: symbol j has no kline row for minute i when (i + 7j) mod N < kline_gap_minutes (0 = none)",
  },
  kline_gap_minutes: {
    type: "number",
    default: 1,
    integer: true,
    min: 1,
    help: "minutes per kline gap",
  },
} as const;

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args, FLAGS);
  if (flags.help || flags.out === undefined) {
    Deno.stdout.writeSync(
      new TextEncoder().encode(
        formatHelp(
          "Usage: gen_logs.ts --out DIR [--size_mb 100] [--symbols 5]",
          FLAGS,
        ) + "\n",
      ),
    );
    return flags.help ? 0 : 2;
  }
  await Deno.mkdir(flags.out, { recursive: true });
  const t0 = performance.now();
  const r = generateLogs(flags.out, {
    sizeMb: flags.size_mb,
    symbols: flags.symbols,
    seed: flags.seed,
    klineGapEvery: flags.kline_gap_every,
    klineGapMinutes: flags.kline_gap_minutes,
  });
  Deno.stdout.writeSync(
    new TextEncoder().encode(
      `wrote ${(r.bytes / 2 ** 20).toFixed(0)} MiB (${
        JSON.stringify(r.rows)
      }) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    ),
  );
  return 0;
}

if (import.meta.main) await runMain(main);
