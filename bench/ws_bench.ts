/**
 * Market-stream hot-path benchmark: parse + validate + cache update of a realistic mix of
 * the five combined streams (bookTicker, aggTrade, depth5@100ms, markPrice@1s,
 * kline_1m), fed through `MarketStream.handleMessage`, the handler the socket uses.
 *
 * Messages are built from the real Binance USDⓈ-M capture in
 * ../shared/data/real/binance_um/ws_raw (bookTicker and markPrice verbatim; trades turned
 * into aggTrades; depth diffs into top-5 snapshots; 1m klines assembled from the trades
 * every 250 ms), replayed in several rounds with ids and times shifted forward so no
 * message is a duplicate.
 *
 * Run: `deno task bench:ws`
 *
 * @module
 */
import { MarketStream } from "../lib/exchange/market_stream.ts";
import { MarketCaches } from "../lib/market/market_caches.ts";

const FILE = new URL(
  "../../shared/data/real/binance_um/ws_raw/BTCUSDT_ws_2023-04-04.jsonl.gz",
  import.meta.url,
);
const ROUNDS = 12;
const TARGET = 200_000;

// deno-lint-ignore no-explicit-any
type Json = any;

async function readLines(url: URL): Promise<string[]> {
  const file = await Deno.open(url);
  const text = await new Response(
    file.readable.pipeThrough(new DecompressionStream("gzip")),
  ).text();
  return text.split("\n").filter((l) => l.length > 0);
}

function buildMessages(lines: string[]): Json[] {
  const out: Json[] = [];
  let bar: Json | undefined;
  let lastKlineTs = 0;
  let bid = 28000;
  let ask = 28000.1;
  for (const line of lines) {
    const sp = line.indexOf(" ");
    const msg = JSON.parse(line.slice(sp + 1));
    const d = msg.data;
    if (!d) continue;
    const stream: string = msg.stream;
    if (stream.endsWith("@bookTicker")) {
      bid = +d.b;
      ask = +d.a;
      out.push(msg);
    } else if (stream.endsWith("@markPrice@1s")) {
      out.push(msg);
    } else if (stream.endsWith("@trade")) {
      out.push({
        stream: "btcusdt@aggTrade",
        data: {
          e: "aggTrade",
          E: d.E,
          s: d.s,
          a: d.t,
          p: d.p,
          q: d.q,
          f: d.t,
          l: d.t,
          T: d.T,
          m: d.m,
        },
      });
      const t = Math.floor(d.T / 60_000) * 60_000;
      if (!bar || bar.t !== t) {
        const closed = bar;
        if (closed) {
          out.push(klineMessage(d.E, { ...closed, x: true }));
        }
        bar = {
          t,
          T: t + 59_999,
          s: "BTCUSDT",
          i: "1m",
          f: d.t,
          L: d.t,
          o: d.p,
          c: d.p,
          h: d.p,
          l: d.p,
          v: 0,
          n: 0,
          x: false,
          q: 0,
          V: 0,
          Q: 0,
          B: "0",
        };
      }
      const p = +d.p;
      const q = +d.q;
      bar.L = d.t;
      bar.c = d.p;
      if (p > +bar.h) bar.h = d.p;
      if (p < +bar.l) bar.l = d.p;
      bar.v += q;
      bar.q += p * q;
      bar.n++;
      if (!d.m) {
        bar.V += q;
        bar.Q += p * q;
      }
      if (d.E - lastKlineTs >= 250) {
        lastKlineTs = d.E;
        out.push(klineMessage(d.E, bar));
      }
    } else if (stream.includes("@depth")) {
      const qtys = [...d.b, ...d.a].map((l: string[]) => l[1]);
      const level = (px: number, i: number) => [
        px.toFixed(2),
        qtys[i % Math.max(1, qtys.length)] ?? "1.000",
      ];
      out.push({
        stream: "btcusdt@depth5@100ms",
        data: {
          e: "depthUpdate",
          E: d.E,
          T: d.T,
          s: d.s,
          U: d.U,
          u: d.u,
          pu: d.pu,
          b: [0, 1, 2, 3, 4].map((i) => level(bid - i * 0.1, i)),
          a: [0, 1, 2, 3, 4].map((i) => level(ask + i * 0.1, i + 5)),
        },
      });
    }
  }
  return out;
}

function klineMessage(eventTime: number, bar: Json): Json {
  return {
    stream: "btcusdt@kline_1m",
    data: {
      e: "kline",
      E: eventTime,
      s: "BTCUSDT",
      k: {
        ...bar,
        v: bar.v.toFixed(3),
        q: bar.q.toFixed(4),
        V: bar.V.toFixed(3),
        Q: bar.Q.toFixed(4),
      },
    },
  };
}

/** Shifts ids and times of a message forward by `round` captures. */
function shifted(msg: Json, round: number, spanMs: number): string {
  const d = { ...msg.data };
  const dt = round * spanMs;
  d.E += dt;
  if (typeof d.T === "number" && d.e !== "markPriceUpdate") d.T += dt;
  if (d.e === "aggTrade") {
    d.a += round * 1e8;
    d.f += round * 1e8;
    d.l += round * 1e8;
  } else if (d.e === "bookTicker" || d.e === "depthUpdate") {
    d.u += round * 1e9;
  } else if (d.e === "markPriceUpdate") {
    d.T += Math.ceil(dt / 28_800_000) * 28_800_000;
  } else if (d.e === "kline") {
    const span = Math.ceil(spanMs / 60_000) * 60_000 * round;
    d.k = { ...d.k, t: d.k.t + span, T: d.k.T + span };
  }
  return JSON.stringify({ stream: msg.stream, data: d });
}

const lines = await readLines(FILE);
const base = buildMessages(lines);
const first = base[0].data.E as number;
const last = base[base.length - 1].data.E as number;
const spanMs = last - first + 60_000;
const texts: string[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const m of base) texts.push(shifted(m, r, spanMs));
}
const mix = new Map<string, number>();
for (const m of base) {
  const kind = (m.stream as string).split("@")[1]!;
  mix.set(kind, (mix.get(kind) ?? 0) + 1);
}

function run(): {
  seconds: number;
  stream: MarketStream;
  caches: MarketCaches;
} {
  const caches = new MarketCaches(["BTCUSDT"]);
  for (const s of caches.symbols) caches.get(s).release();
  const stream = new MarketStream({ symbols: ["BTCUSDT"], sink: caches });
  const n = texts.length;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) stream.handleMessage(texts[i]!, Date.now());
  return { seconds: (performance.now() - t0) / 1000, stream, caches };
}

run(); // warm-up
const results: number[] = [];
let lastRun = run();
for (let i = 0; i < 5; i++) {
  lastRun = run();
  results.push(texts.length / lastRun.seconds);
}
results.sort((a, b) => a - b);
const median = results[Math.floor(results.length / 2)]!;
const { stats } = lastRun.stream;
const out = [
  `ws_bench: ${texts.length} messages per run (${ROUNDS} rounds of ${base.length})`,
  `mix: ${[...mix].map(([k, v]) => `${k} ${v}`).join(", ")}`,
  `events ${stats.events}, malformed ${stats.malformed}, sink errors ${stats.sinkErrors}, cache drops ${
    lastRun.caches.get("BTCUSDT").dropped
  }`,
  `parse+validate+cache: median ${
    Math.round(median).toLocaleString("en-US")
  } msgs/s (min ${Math.round(results[0]!).toLocaleString("en-US")}, max ${
    Math.round(results[results.length - 1]!).toLocaleString("en-US")
  }); target ${TARGET.toLocaleString("en-US")} ${
    median >= TARGET ? "OK" : "MISSED"
  }`,
];
Deno.stdout.writeSync(new TextEncoder().encode(out.join("\n") + "\n"));
