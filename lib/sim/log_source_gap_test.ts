import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { generateLogs } from "../../bench/gen_logs.ts";
import type { RawKlineRow } from "../exchange/wire.ts";
import { buildFeatureFile } from "../features/mod.ts";
import { SignalWindows } from "../strategy/mod.ts";
import { ManualClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";

const SYMBOLS = ["BTCUSDT", "ETHUSDT"];
const W = 3;

/** The table's rows per symbol: open time → [rs_vol, avg_vol] (NaN when empty). */
async function tableRows(
  dir: string,
): Promise<Map<string, Map<number, number[]>>> {
  const out = join(dir, "out", "features.csv");
  await buildFeatureFile({ logDir: dir }, out, { windows: [W] });
  const lines = (await Deno.readTextFile(out)).trim().split("\n");
  const header = lines[0]!.split(",");
  const col = (name: string) => header.indexOf(name);
  const rows = new Map<string, Map<number, number[]>>();
  for (const line of lines.slice(1)) {
    const f = line.split(",");
    const s = f[col("symbol")]!;
    if (!rows.has(s)) rows.set(s, new Map());
    const num = (c: string) => f[col(c)] === "" ? NaN : Number(f[col(c)]);
    rows.get(s)!.set(Number(f[col("ts")]), [
      num(`rs_vol_${W}m_bps`),
      num(`avg_vol_${W}m`),
    ]);
  }
  return rows;
}

Deno.test("startSimulator() on logs with recorder gaps serves exactly the feature table's bars, so the bot's windows are the table's", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "log_gap_test_" });
  try {
    // about 25 minutes; symbol j's kline rows of minute i are missing when
    // (i + 7j) mod 6 < 1 (the other files go on, as when the kline stream alone is silent)
    const start = Date.UTC(2026, 0, 5, 10, 0, 0);
    generateLogs(dir, {
      sizeMb: 1.5,
      symbols: 2,
      seed: 5,
      startMs: start,
      klineGapEvery: 6,
    });
    const table = await tableRows(dir);
    const clock = new ManualClock(start);
    await using sim = await startSimulator({
      clock,
      symbols: SYMBOLS,
      historyMinutes: 0,
      source: { kind: "logs", logDir: dir },
    });
    clock.advance(30 * 60_000);
    for (const symbol of SYMBOLS) {
      const rows = table.get(symbol)!;
      const served = (await (await fetch(
        `${sim.restUrl}/fapi/v1/klines?symbol=${symbol}&interval=1m&startTime=${start}&limit=1500`,
      )).json()) as RawKlineRow[];
      const closed = served.filter((r) => r[6] < clock.now());
      const last = Math.max(...rows.keys());
      await t.step(`${symbol}: a minute without a kline row is no bar`, () => {
        const gaps = [...Array(25).keys()].map((i) => start + i * 60_000)
          .filter((m) => m <= last && !rows.has(m));
        ok(gaps.length >= 3, `${gaps.length} missing minutes`);
        const servedTimes = closed.map((r) => r[0]).filter((m) => m <= last);
        deepEqual(servedTimes, [...rows.keys()]);
        for (const m of gaps) {
          equal(sim.market.symbol(symbol)!.barServed(m), false);
        }
        equal(
          sim.closedKlines(symbol).filter((r) => r[0] <= last).length,
          rows.size,
        );
      });
      await t.step(
        `${symbol}: the bot's windows over the served bars are the table's`,
        () => {
          const w = new SignalWindows({
            k: 1,
            n: 1,
            t: W,
            v: W,
            maxSpreadBps: 5,
            maxFundingBps: 10,
          });
          let compared = 0, full = 0;
          // every bar the bot would get, as its feed gets them (stream or REST)
          for (const r of closed) {
            if (r[0] > last) break;
            w.push({
              openTime: r[0],
              open: Number(r[1]),
              high: Number(r[2]),
              low: Number(r[3]),
              close: Number(r[4]),
              volume: Number(r[5]),
            });
            const want = rows.get(r[0]) ?? [-1, -1]; // a served bar the table lacks
            const f = w.features();
            // equal up to the table's shortest round-trip printing
            const got = [f.rsVolBps, f.avgVolume];
            for (let i = 0; i < 2; i++) {
              if (Number.isNaN(want[i]!)) ok(Number.isNaN(got[i]!), `${r[0]}`);
              else {
                ok(Math.abs(got[i]! - want[i]!) <= 1e-9 * want[i]!, `${r[0]}`);
              }
            }
            compared++;
            if (!Number.isNaN(want[0]!)) full++;
          }
          ok(compared >= 15, `${compared} bars compared`);
          ok(full >= 3 && full < compared, `${full} full windows`);
        },
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
