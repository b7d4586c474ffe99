import { equal } from "node:assert/strict";
import { rig } from "./_test_helpers.ts";
import type { PlaceFault } from "./fake_exchange.ts";

const S = "BTCUSDT";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("OrderManager keeps its invariants under random prices, faults and lost events", async (t) => {
  for (const seed of [1, 2, 3]) {
    await t.step(`seed ${seed}`, async () => {
      const rnd = mulberry32(seed);
      const r = rig({ cooldownMs: 30_000 });
      let mid = 1000; // ticks of 0.1
      const faults: PlaceFault[] = [
        "lost_reply",
        "lost_request",
        "throw_after",
        { code: -1001, message: "Internal error" },
      ];
      let entries = 0, checks = 0, doubled = 0, unprotected = 0, orphans = 0;
      for (let step = 0; step < 1500; step++) {
        mid += Math.round((rnd() - 0.5) * 6);
        const bid = (mid / 10).toFixed(1), ask = ((mid + 1) / 10).toFixed(1);
        const mark = ((mid + 0.5 + (rnd() - 0.5) * 2) / 10).toFixed(2);
        r.fake.setPrice(S, { bid, ask, mark });
        r.advance(1_000 + Math.floor(rnd() * 10_000));
        if (rnd() < 0.1) r.fake.failNextPlace(faults[Math.floor(rnd() * 4)]!);
        if (rnd() < 0.3) {
          const before = r.fake.positionAmount(S);
          const n = r.fake.placed.filter((o) => o.type === "LIMIT").length;
          await r.mgr.onSignal({
            symbol: S,
            direction: rnd() < 0.5 ? "long" : "short",
            barOpenTime: 1_700_000_000_000 + step * 60_000,
            bid,
            ask,
          });
          const placedEntry = r.fake.placed.filter((o) =>
            o.type === "LIMIT"
          ).length > n;
          if (placedEntry) entries++;
          if (placedEntry && before !== "0") doubled++;
        }
        for (const e of r.fake.takeEvents()) {
          if (rnd() < 0.2) continue; // a lost event
          await r.mgr.onEvent(e);
        }
        if (step % 5 === 4) {
          r.fake.clearFaults();
          await r.mgr.reconcile();
          for (const e of r.fake.takeEvents()) await r.mgr.onEvent(e);
          checks++;
          const pos = r.fake.positionAmount(S);
          const open = r.fake.open(S);
          equal(r.mgr.status(S).amount, pos, `step ${step}`);
          if (pos === "0") {
            if (open.length > 0) orphans++;
          } else {
            const qty = pos.replace("-", "");
            const types = open.filter((o) => o.quantity === qty && o.reduceOnly)
              .map((o) => o.type).sort().join(",");
            if (
              types !== "STOP_MARKET,TAKE_PROFIT_MARKET,TRAILING_STOP_MARKET"
            ) unprotected++;
          }
        }
      }
      // the run must have traded for the invariants to mean anything
      equal(entries > 20, true, `only ${entries} entries`);
      equal(checks, 300);
      equal(doubled, 0, "entries while a position was open");
      equal(unprotected, 0, "positions without their three exits");
      equal(orphans, 0, "exit orders on a flat symbol");
    });
  }
});
