import { equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { MarketRestClient, RestTransport } from "../exchange/mod.ts";
import { buildFeatureFile } from "../features/mod.ts";
import { MarketFeed } from "../market/mod.ts";
import { recordMarket } from "../recorder/mod.ts";
import { followClock } from "../time/clock.ts";
import { ManualClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";

const SYMBOLS = ["BTCUSDT", "ETHUSDT"];
const SPEED = 120;
const RECORD_MS = 7 * 60_000;

function budgets(ms: number) {
  return { kline: ms, bookTicker: ms, markPrice: ms, aggTrade: ms, depth: ms };
}

/** Records the synthetic market through the real feed and recorder into `dir`. */
async function record(dir: string): Promise<void> {
  await using sim = await startSimulator({
    symbols: SYMBOLS,
    seed: 7,
    speed: SPEED,
    historyMinutes: 5,
  });
  const clock = followClock(sim.clock, SPEED);
  const feed = new MarketFeed({
    symbols: SYMBOLS,
    rest: new MarketRestClient(
      new RestTransport({ baseUrl: sim.restUrl, clock }),
      clock.now,
    ),
    stream: { wsUrl: sim.wsUrl, silenceBudgetMs: budgets(60_000) },
    now: clock.now,
  });
  await recordMarket({
    feed,
    logDir: dir,
    clock,
    staleAfterMs: 5000 * SPEED,
    durationMs: RECORD_MS,
  });
}

/** The feature builder's bars: `symbol|openTime` → [open, high, low, close, volume]. */
async function featureBars(
  dir: string,
): Promise<Map<string, number[]>> {
  const out = join(dir, "out", "features.csv");
  await buildFeatureFile({ logDir: dir }, out, {
    windows: [5],
    latenessMs: 10_000,
  });
  const lines = (await Deno.readTextFile(out)).trim().split("\n");
  const header = lines[0]!.split(",");
  const col = (name: string) => header.indexOf(name);
  const cols = ["open", "high", "low", "close", "vol1m", "mark_price"].map(col);
  const bars = new Map<string, number[]>();
  for (const line of lines.slice(1)) {
    const f = line.split(",");
    bars.set(
      `${f[col("symbol")]}|${f[col("ts")]}`,
      cols.map((c) => Number(f[c])),
    );
  }
  return bars;
}

Deno.test("startSimulator() replays recorded logs to the bars the feature builder reads", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await record(dir);
    const expected = await featureBars(dir);
    ok(expected.size >= 10, `${expected.size} bars built`);
    // The replay starts at the first bar the log holds: the recorder's first kline row may be
    // the previous bar's closing snapshot, received just after the minute turned (its `ts` is
    // in the next minute), and the feature builder makes a bar of it too.
    const first = (await Deno.readTextFile(join(dir, "kline.csv"))).split(
      "\n",
    )[1]!
      .split(",");
    const clock = new ManualClock(
      Math.min(
        Math.floor(Number(first[0]) / 60_000) * 60_000,
        Number(first[2]),
      ),
    );
    await using sim = await startSimulator({
      clock,
      symbols: SYMBOLS,
      historyMinutes: 0,
      source: { kind: "logs", logDir: dir },
    });
    // The trades a client sees, folded into bars: symbol|openTime → [o, h, l, c, v].
    const traded = new Map<string, number[]>();
    // The mark price at each bar's end: symbol|openTime → mark.
    const marks = new Map<string, number>();
    sim.market.addListener({
      onTick(time) {
        if (time % 60_000 !== 0) return;
        for (const symbol of SYMBOLS) {
          marks.set(
            `${symbol}|${time - 60_000}`,
            sim.market.symbol(symbol)!.feed.markPrice,
          );
        }
      },
      onTrade(m, time, price, qty) {
        const key = `${m.spec.symbol}|${Math.floor(time / 60_000) * 60_000}`;
        const b = traded.get(key);
        if (!b) traded.set(key, [price, price, price, price, qty]);
        else {
          b[1] = Math.max(b[1]!, price);
          b[2] = Math.min(b[2]!, price);
          b[3] = price;
          b[4] = b[4]! + qty;
        }
      },
    });
    clock.advance(RECORD_MS + 3 * 60_000);
    for (const symbol of SYMBOLS) {
      await t.step(
        `${symbol}: every closed bar has the recorded OHLCV and mark`,
        () => {
          let compared = 0;
          const diffs: string[] = [];
          for (const k of sim.closedKlines(symbol)) {
            const want = expected.get(`${symbol}|${k[0]}`);
            if (!want) continue;
            compared++;
            const got = [k[1], k[2], k[3], k[4], k[5]].map(Number);
            got.push(marks.get(`${symbol}|${k[0]}`) ?? NaN);
            if (got.some((v, i) => v !== want[i])) {
              diffs.push(`${k[0]}: ${got.join(" ")} vs ${want.join(" ")}`);
            }
          }
          const built = [...expected.keys()].filter((k) =>
            k.startsWith(`${symbol}|`)
          ).length;
          ok(compared >= 5, `${compared} bars compared`);
          equal(
            compared,
            built,
            "every bar the feature builder made is replayed",
          );
          equal(diffs.length, 0, diffs.slice(0, 5).join("\n"));
        },
      );
      await t.step(`${symbol}: the replayed trades add up to each bar`, () => {
        const qd = sim.market.symbol(symbol)!.spec.qtyDecimals;
        let compared = 0;
        const diffs: string[] = [];
        for (const k of sim.closedKlines(symbol)) {
          const want = expected.get(`${symbol}|${k[0]}`);
          const got = traded.get(`${symbol}|${k[0]}`);
          if (!want || !got) continue;
          compared++;
          got[4] = Number(got[4]!.toFixed(qd));
          if (got.some((v, i) => v !== want[i]!)) {
            diffs.push(`${k[0]}: ${got.join(" ")} vs ${want.join(" ")}`);
          }
        }
        ok(compared >= 5, `${compared} bars compared`);
        equal(diffs.length, 0, diffs.slice(0, 5).join("\n"));
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
