import { deepEqual, equal, match } from "node:assert/strict";
import { DEFAULT_ENTRY_LIMITS } from "../order/entry_guard.ts";
import type { CheckResult } from "./doctor_port.ts";
import { fakePort, goodConfig, goodState, symbolInfo } from "./_fake_port.ts";
import { runDoctor } from "./run_doctor.ts";

const now = () => 1_700_000_000_000;
const PROTECTION = {
  leverage: 10,
  slBps: 25,
  killThreshold: 1.2,
  allowWeakProtection: false,
  entryLimits: DEFAULT_ENTRY_LIMITS,
};

async function rows(
  over: {
    protection?: Partial<typeof PROTECTION>;
    balance?: string;
    orderNotional?: number;
    percentPrice?: boolean;
  } = {},
): Promise<{ ok: boolean; rows: CheckResult[] }> {
  const state = goodState();
  if (over.balance !== undefined) state.balance = over.balance;
  if (over.percentPrice !== false) {
    state.symbols = state.symbols.map((s) =>
      symbolInfo(s.symbol, { multiplierUp: "1.05", multiplierDown: "0.95" })
    );
  }
  const protection = { ...PROTECTION, ...over.protection };
  const report = await runDoctor(fakePort(state, now), {
    ...goodConfig(),
    ...(over.orderNotional === undefined
      ? {}
      : { orderNotional: over.orderNotional }),
    leverage: protection.leverage,
    protection,
  }, { now, probeWritable: () => Promise.resolve() });
  return {
    ok: report.ok,
    rows: report.results.filter((r) =>
      ["protection", "entry limits", "price band", "balance"].includes(r.check)
    ),
  };
}

Deno.test("security: the doctor checks the entry guard and the protection settings", async (t) => {
  await t.step("a good setup passes every row", async () => {
    const r = await rows();
    equal(r.ok, true, JSON.stringify(r.rows));
    deepEqual(r.rows.map((x) => [x.check, x.subject, x.status]), [
      ["protection", "-", "pass"],
      ["entry limits", "-", "pass"],
      ["price band", "BTCUSDT", "pass"],
      ["price band", "ETHUSDT", "pass"],
      ["balance", "-", "pass"],
    ]);
    match(r.rows[2]!.detail, /−500\/\+500 bp of the mark/);
  });
  await t.step(
    "a kill threshold of 1 fails unless explicitly allowed",
    async () => {
      const r = await rows({ protection: { killThreshold: 1 } });
      equal(r.ok, false);
      match(
        r.rows[0]!.detail,
        /--kill_threshold 1 .*--allow_weak_protection true/,
      );
      const allowed = await rows({
        protection: { killThreshold: 1, allowWeakProtection: true },
      });
      equal(allowed.ok, true);
      equal(allowed.rows[0]!.status, "warn");
    },
  );
  await t.step(
    "a leverage putting the stop past liquidation fails",
    async () => {
      const r = await rows({ protection: { leverage: 125, slBps: 50 } });
      equal(r.ok, false);
      match(r.rows[0]!.detail, /--leverage 125 with --sl_bps 50/);
    },
  );
  await t.step("order_notional against the balance", async () => {
    // 2 symbols × 500 × 1.1 / 10 = 110 USDT of margin
    const r = await rows({
      orderNotional: 500,
      balance: "100",
      protection: { entryLimits: { ...DEFAULT_ENTRY_LIMITS } },
    });
    equal(r.ok, false);
    const balance = r.rows.find((x) => x.check === "balance")!;
    equal(balance.status, "fail");
    match(balance.detail, /= 110 USDT of margin; available 100 USDT/);
    equal((await rows({ orderNotional: 500, balance: "110" })).ok, true);
  });
  await t.step("order_notional above max_position_notional fails", async () => {
    const r = await rows({
      protection: {
        entryLimits: { ...DEFAULT_ENTRY_LIMITS, maxPositionNotional: 50 },
      },
    });
    equal(r.ok, false);
    match(
      r.rows.find((x) => x.check === "entry limits")!.detail,
      /above --max_position_notional 50/,
    );
  });
  await t.step(
    "no PERCENT_PRICE and no --max_price_deviation_bps fails",
    async () => {
      const r = await rows({ percentPrice: false });
      equal(r.ok, false);
      match(
        r.rows.find((x) => x.check === "price band")!.detail,
        /no PERCENT_PRICE filter; set --max_price_deviation_bps/,
      );
      const user = await rows({
        percentPrice: false,
        protection: {
          entryLimits: { ...DEFAULT_ENTRY_LIMITS, maxPriceDeviationBps: 100 },
        },
      });
      equal(user.ok, true, JSON.stringify(user.rows));
    },
  );
});
