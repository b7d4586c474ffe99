/**
 * An exchange outage while recording: the simulator is killed in the middle of a
 * recording and restarted on the same port. Nothing may be written from the frozen caches
 * during the outage, the recording resumes about a second after the exchange is back, and
 * no feature uses a quote older than its staleness limit.
 *
 * @module
 */
import { equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { MarketRestClient, RestTransport } from "../exchange/mod.ts";
import { buildFeatureFile } from "../features/mod.ts";
import { MarketFeed } from "../market/mod.ts";
import { recordMarket } from "../recorder/mod.ts";
import { followClock, sleepReal } from "../time/clock.ts";
import { ScaledClock } from "./clock.ts";
import { startSimulator } from "./simulator.ts";

const SPEED = 10;
/** Real ms: recording before the kill, the outage, recording after the restart. */
const BEFORE_MS = 3_000, OUTAGE_MS = 9_000, AFTER_MS = 4_000;

function csvRows(text: string): string[][] {
  return text.trimEnd().split("\n").slice(1).map((l) => l.split(","));
}

Deno.test({
  name:
    "recording through an exchange outage: no rows from frozen caches, a fast reconnect, no stale features",
  // the killed simulator's sockets close in the background
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "recorder_outage_" });
    const simClock = new ScaledClock(Date.now(), { speed: SPEED });
    const clock = followClock(simClock, SPEED);
    const options = {
      symbols: ["BTCUSDT"],
      seed: 3,
      clock: simClock,
      historyMinutes: 5,
    };
    let sim = await startSimulator(options);
    const port = Number(new URL(sim.restUrl).port);
    try {
      const feed = new MarketFeed({
        symbols: ["BTCUSDT"],
        rest: new MarketRestClient(
          new RestTransport({ baseUrl: sim.restUrl, clock }),
          clock.now,
        ),
        stream: { wsUrl: sim.wsUrl },
        now: clock.now,
      });
      const recording = recordMarket({
        feed,
        logDir: dir,
        clock,
        // 5 real seconds of silence on the sped-up clock
        staleAfterMs: 5_000 * SPEED,
        durationMs: (BEFORE_MS + OUTAGE_MS + AFTER_MS) * SPEED,
      });
      await sleepReal(BEFORE_MS);
      await sim.close();
      const killedAt = clock.now();
      await sleepReal(OUTAGE_MS);
      const restartedAt = clock.now();
      sim = await startSimulator({ ...options, port });
      await recording;

      const rows = new Map<string, string[][]>();
      for (const kind of ["kline", "bookTicker", "markPrice", "depth5"]) {
        rows.set(
          kind,
          csvRows(await Deno.readTextFile(join(dir, `${kind}.csv`))),
        );
      }
      const agg = csvRows(
        await Deno.readTextFile(join(dir, "aggTrade_1s.csv")),
      );
      rows.set("aggTrade_1s", agg);
      // the staleness limit (5 s) plus 2 s of slack, in sim ms
      const quietFrom = killedAt + 7_000 * SPEED;
      for (const [kind, list] of rows) {
        ok(
          list.some((r) => Number(r[0]) < killedAt),
          `${kind} before the kill`,
        );
        const during = list.filter((r) =>
          Number(r[0]) >= quietFrom && Number(r[0]) < restartedAt
        );
        equal(during.length, 0, `${kind}: rows from frozen caches`);
        const after = list.filter((r) => Number(r[0]) >= restartedAt);
        ok(after.length > 0, `${kind}: recording resumed`);
        // reconnect about a second after the exchange is back (2.5 s real of slack); the
        // book and depth caches wait for the restarted simulator's update ids (they start
        // again from 1, which a real exchange never does), so only the others are timed
        if (
          kind === "kline" || kind === "markPrice" || kind === "aggTrade_1s"
        ) {
          const resumedMs = (Number(after[0]![0]) - restartedAt) / SPEED;
          ok(resumedMs < 2_500, `${kind} resumed ${resumedMs} real ms late`);
        }
      }

      // no feature of a bar ending in the outage uses a quote from before it
      const out = join(dir, "features.csv");
      await buildFeatureFile({ logDir: dir }, out, {
        windows: [1],
        maxStalenessMs: 60_000,
        latenessMs: 0,
      });
      const [header, ...features] = (await Deno.readTextFile(out)).trimEnd()
        .split("\n").map((l) => l.split(","));
      const col = (name: string) => header!.indexOf(name);
      for (const f of features) {
        const end = Number(f[col("ts")]) + 60_000;
        if (end - killedAt > 60_000 && end <= restartedAt) {
          equal(f[col("spread_bps")], "", `bar ending ${end}: stale book`);
          equal(f[col("mark_price")], "", `bar ending ${end}: stale mark`);
        }
      }
    } finally {
      await sim.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
