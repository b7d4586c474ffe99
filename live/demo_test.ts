import { deepEqual, ok } from "node:assert/strict";
import { demoPaperSession } from "./demo.ts";

Deno.test("demo paper step: lockstep gives the same trades on every run, under load", async () => {
  const dir = await Deno.makeTempDir({ prefix: "demo_paper_" });
  try {
    const start = Date.UTC(2026, 0, 5, 12, 0);
    const run = async (i: number) => {
      // Load while it runs: the event loop blocked 25 ms every 100 ms. At the old 240x
      // scaled clock each such stall let the simulator run 6 s ahead of the bot (beyond
      // the 5 s recvWindow: -1021 rejections), and fills moved by many seconds from run
      // to run. In lockstep a stall can delay the bot's reaction by a step (1 s) at most.
      const hog = setInterval(() => {
        const until = performance.now() + 25;
        while (performance.now() < until) { /* busy */ }
      }, 100);
      try {
        const summary = await demoPaperSession(
          ["BTCUSDT", "ETHUSDT"],
          7,
          `${dir}/journal_${i}.csv`,
          start,
        );
        return summary.fills.fills;
      } finally {
        clearInterval(hog);
      }
    };
    const a = await run(1);
    const b = await run(2);
    ok(a.length > 0, "the demo's paper step trades");
    const trades = (fills: typeof a) =>
      fills.map((f) => [f.symbol, f.side, f.type, f.qty].join(" "));
    deepEqual(trades(b), trades(a));
    for (let i = 0; i < a.length; i++) {
      const late = Math.abs(b[i]!.timeMs - a[i]!.timeMs);
      ok(late <= 2_000, `fill ${i} moved by ${late} ms`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
