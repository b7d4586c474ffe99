import { equal } from "node:assert/strict";
import { evaluateSignal, type SignalInput } from "./evaluate_signal.ts";
import { checkStrategyParams } from "./params.ts";

// Hand-computed base case: threshold = 2 * 10 = 20 bp < ret 30 bp; volume 300 > 2 * 100;
// spread = 0.02 / 100 * 1e4 = 2 bp <= 5; funding = 1 bp <= 10;
// open loss long = (100.01 - 100) / 100 * 1e4 = 1 bp <= min(10, max(5, 4)) = 5.
const params = checkStrategyParams({
  k: 2,
  n: 2,
  t: 30,
  v: 30,
  maxSpreadBps: 5,
  maxFundingBps: 10,
});
const base: SignalInput = {
  retBps: 30,
  rsVolBps: 10,
  volume: 300,
  avgVolume: 100,
  bid: 99.99,
  ask: 100.01,
  mark: 100,
  fundingRate: 0.0001,
};

Deno.test("evaluateSignal() flips on each indicator and blocker alone", async (t) => {
  await t.step("the base case is long with every value reported", () => {
    const d = evaluateSignal(base, params);
    equal(d.side, "long");
    equal(d.reason, undefined);
    equal(d.threshold, 20);
    equal(d.momentum, 1);
    equal(Math.abs(d.spreadBps - 2) < 1e-9, true);
    equal(Math.abs(d.fundingBps - 1) < 1e-9, true);
    equal(Math.abs(d.openLossLongBps - 1) < 1e-9, true);
    equal(d.openLossLimitBps, 5);
  });
  await t.step("the mirrored return is short", () => {
    const d = evaluateSignal({ ...base, retBps: -30 }, params);
    equal(d.side, "short");
    equal(d.momentum, -1);
    // open loss short = (100 - 99.99) / 100 * 1e4 = 1 bp
    equal(Math.abs(d.openLossShortBps - 1) < 1e-9, true);
  });
  await t.step("a return at the threshold is not momentum (strict)", () => {
    const d = evaluateSignal({ ...base, retBps: 20 }, params);
    equal(d.side, "none");
    equal(d.reason, "no_momentum");
  });
  await t.step("volume at n * avg is not a regime (strict)", () => {
    const d = evaluateSignal({ ...base, volume: 200 }, params);
    equal(d.side, "none");
    equal(d.reason, "no_volume");
    equal(d.volumeOk, false);
  });
  await t.step("the spread blocker alone flips it", () => {
    const d = evaluateSignal(base, { ...params, maxSpreadBps: 1.9 });
    equal(d.side, "none");
    equal(d.reason, "spread");
    equal(d.spreadOk, false);
    equal(d.fundingOk, true);
    equal(d.openLossLongOk, true);
  });
  await t.step("the funding blocker alone flips it, both signs", () => {
    for (const rate of [0.0011, -0.0011]) {
      const d = evaluateSignal({ ...base, fundingRate: rate }, params);
      equal(d.side, "none");
      equal(d.reason, "funding");
      equal(d.spreadOk, true);
    }
    equal(
      evaluateSignal({ ...base, fundingRate: -0.001 }, params).side,
      "long",
    );
  });
  await t.step("the opening-loss blocker alone flips the long side", () => {
    // mark 99.95: long loss = 0.06 / 99.95 * 1e4 = 6.003 bp > 5
    const d = evaluateSignal({ ...base, mark: 99.95 }, params);
    equal(d.side, "none");
    equal(d.reason, "open_loss");
    equal(d.spreadOk && d.fundingOk, true);
    equal(d.openLossLongOk, false);
    equal(d.openLossShortOk, true); // (99.95 - 99.99) < 0
    // the short side at the same quote passes
    equal(
      evaluateSignal({ ...base, retBps: -30, mark: 99.95 }, params).side,
      "short",
    );
  });
  await t.step(
    "the opening-loss limit grows with the spread, up to 10 bp",
    () => {
      // spread 8 bp (bid 99.96, ask 100.04): limit = min(10, 16) = 10; long loss 4 bp
      const wide = { ...base, bid: 99.96, ask: 100.04 };
      const d = evaluateSignal(wide, { ...params, maxSpreadBps: 10 });
      equal(d.openLossLimitBps, 10);
      equal(d.side, "long");
    },
  );
  await t.step("missing window values give none (warming up)", () => {
    for (const k of ["retBps", "rsVolBps", "avgVolume"] as const) {
      const d = evaluateSignal({ ...base, [k]: NaN }, params);
      equal(d.side, "none");
      equal(d.reason, "warming_up");
      equal(d.ready, false);
    }
  });
  await t.step("a crossed or empty book gives none", () => {
    equal(evaluateSignal({ ...base, bid: 0 }, params).reason, "bad_quote");
    equal(evaluateSignal({ ...base, bid: 100.02 }, params).reason, "bad_quote");
  });
});
