import { ok } from "node:assert/strict";
import { demoPaperSession } from "./demo.ts";

Deno.test("demo paper step: the simulator's clock is stepped (lockstep), not a 240x real-time clock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "demo_paper_" });
  try {
    const summary = await demoPaperSession(
      ["BTCUSDT", "ETHUSDT"],
      7,
      `${dir}/journal.csv`,
      Date.UTC(2026, 0, 5, 12, 0),
    );
    const placed = summary.fills.fills.filter((f) =>
      f.type === "LIMIT" || f.type === "MARKET"
    );
    ok(placed.length > 0, "the demo's paper step trades");
    // Orders the bot sends fill at the simulator's time of the request. In lockstep that
    // time moves only in whole 1 s steps from a minute start, and the bot's clock is the
    // simulator's: no -1021 however late the bot is. At 240x real time (the old paper
    // step) it is any millisecond, and a 21 ms stall of the bot passed the 5 s recvWindow.
    for (const f of placed) {
      ok(f.timeMs % 1_000 === 0, `${f.type} ${f.symbol} filled at ${f.timeMs}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
