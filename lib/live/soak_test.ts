import assert from "node:assert/strict";
import {
  armMoneyFault,
  clearMoneyFaults,
  MONEY_FAULTS,
  type MoneyFault,
} from "../sim/mod.ts";
import { type Rig, startRig } from "./_test_rig.ts";

/** A small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Episode {
  openedAt: number;
  /** The symbol and the simulator's time at the opening (to find its records). */
  symbol: string;
  openedSim: number;
  /** When the stop-loss was first on the exchange. */
  protectedAt?: number;
  /** When a take-profit or trailing stop was first on the exchange too. */
  fullyAt?: number;
  closedAt?: number;
}

/** Watches the engine in real time and checks the invariants. */
class Watcher {
  episodes = new Map<string, Episode[]>();
  maxAbs = new Map<string, number>();
  orphanSince = new Map<string, number>();
  orphanViolations = 0;
  maxOrphanMs = 0;
  maxUnprotectedMs = 0;
  #rig: Rig;
  #symbols: readonly string[];
  constructor(rig: Rig, symbols: readonly string[]) {
    this.#rig = rig;
    this.#symbols = symbols;
  }

  sample(now: number): void {
    const positions = this.#rig.positions();
    const orders = this.#rig.openOrders();
    for (const s of this.#symbols) {
      const amt = Math.abs(
        Number(positions.find((p) => p.symbol === s)?.positionAmt ?? 0),
      );
      this.maxAbs.set(s, Math.max(this.maxAbs.get(s) ?? 0, amt));
      const exits = orders.filter((o) => o.symbol === s && o.reduceOnly);
      const list = this.episodes.get(s) ?? [];
      this.episodes.set(s, list);
      const cur = list.at(-1);
      const open = cur !== undefined && cur.closedAt === undefined;
      if (amt > 0) {
        this.orphanSince.delete(s);
        const ep = open ? cur : {
          openedAt: now,
          symbol: s,
          openedSim: this.#rig.ex.sim.clock.now(),
        };
        if (!open) list.push(ep);
        const types = new Set(exits.map((o) => o.origType));
        // the invariant is the stop; a crossed or refused TP/trailing (injected) may
        // legitimately stay off the exchange
        const covered = types.has("STOP_MARKET");
        if (
          covered &&
          (types.has("TAKE_PROFIT_MARKET") ||
            types.has("TRAILING_STOP_MARKET"))
        ) ep.fullyAt ??= now;
        if (covered) ep.protectedAt ??= now;
        else if (ep.protectedAt === undefined) {
          this.maxUnprotectedMs = Math.max(
            this.maxUnprotectedMs,
            now - ep.openedAt,
          );
        }
      } else {
        if (open) cur.closedAt = now;
        if (exits.length > 0) {
          const since = this.orphanSince.get(s) ?? now;
          this.orphanSince.set(s, since);
          this.maxOrphanMs = Math.max(this.maxOrphanMs, now - since);
        } else this.orphanSince.delete(s);
      }
    }
  }
}

Deno.test("LiveSession survives a soak of simulated hours with random faults", async (t) => {
  const symbols = ["BTCUSDT", "ETHUSDT"];
  const speed = 240; // 3 simulated hours in 45 s
  const rig = await startRig({
    speed,
    symbols,
    config: {
      tpBps: 10,
      slBps: 10,
      trailing: { activationBps: 5, callbackPct: 0.1 },
      cooldownMs: 120_000,
      budgets: { barMs: 60_000, bookMs: 60_000, markMs: 60_000 },
      housekeepingMs: 5_000,
      reconcileMs: 20_000,
    },
    // the rig signs with the largest recvWindow (60 s: 250 ms of real latency here)
    deps: { timeoutMs: 1_000 },
  });
  const watcher = new Watcher(rig, symbols);
  const random = rng(42);
  const faults = {
    drops: 0,
    userDrops: 0,
    lostReplies: 0,
    http5xx: 0,
    delays: 0,
    silences: 0,
    moneyFaults: 0,
  };
  const money: Record<MoneyFault, number> = Object.fromEntries(
    MONEY_FAULTS.map((m) => [m, 0]),
  ) as Record<MoneyFault, number>;
  const f = rig.ex.sim.faults;
  const t0 = performance.now();
  const simStart = rig.ex.sim.clock.now();
  const endSim = simStart + 3 * 3_600_000;
  let nextFault = t0 + 300;
  let silenced = false;
  try {
    while (rig.ex.sim.clock.now() < endSim) {
      await new Promise((r) => setTimeout(r, 4));
      const now = performance.now();
      watcher.sample(now);
      if (silenced && now > nextFault - 200) {
        f.resume();
        silenced = false;
      }
      if (now < nextFault) continue;
      nextFault = now + 150 + random() * 350;
      f.delayResponses(0);
      clearMoneyFaults(f, symbols);
      const x = random();
      if (x < 0.4) {
        // the money-path faults (issue 11): a crossed TP or stop, a refused trailing
        // stop, refused market closes, a fill without avgPrice, a lost reply, a slow
        // symbol (REST replies 150 ms late until the next fault), a fill split into two
        // trades of one millisecond, an order reply 1.5 s late (past the bot's 1 s
        // timeout: resolved by a query, while the stream already brought the fill)
        // in turn, so every one of them is armed several times in the three hours
        const m = MONEY_FAULTS[faults.moneyFaults % MONEY_FAULTS.length]!;
        armMoneyFault(f, m, symbols[Math.floor(random() * 2)]!, 150, 1_500);
        money[m]++;
        faults.moneyFaults++;
      } else if (x < 0.49) {
        f.dropConnections();
        faults.drops++;
      } else if (x < 0.58) {
        f.dropUserStreams();
        faults.userDrops++;
      } else if (x < 0.73) {
        const modes = ["503", "html503", "drop"] as const;
        f.loseNextOrderReply(1, { mode: modes[Math.floor(random() * 3)]! });
        faults.lostReplies++;
      } else if (x < 0.85) {
        f.failNext(1, { status: random() < 0.5 ? 502 : 503 });
        faults.http5xx++;
      } else if (x < 0.94) {
        f.delayResponses(Math.floor(20 + random() * 150));
        faults.delays++;
      } else {
        f.silence();
        silenced = true;
        faults.silences++;
      }
    }
    f.delayResponses(0);
    clearMoneyFaults(f, symbols);
    f.resume();
    await rig.session.stop();
    // let the exchange settle after the stop: the last exits stay with their position
    for (let i = 0; i < 20; i++) {
      watcher.sample(performance.now());
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    f.resume();
    f.delayResponses(0);
    clearMoneyFaults(f, symbols);
    await rig.close();
  }
  const entryQty = new Map<string, number>();
  for (const r of rig.records) {
    if (r.action === "entry_placed" && r.data?.["quantity"] !== undefined) {
      entryQty.set(
        r.symbol,
        Math.max(entryQty.get(r.symbol) ?? 0, Number(r.data["quantity"])),
      );
    }
  }
  const episodes = [...watcher.episodes.values()].flat();
  const late = episodes.filter((e) =>
    (e.protectedAt ?? e.closedAt ?? Infinity) - e.openedAt > 2_000
  );
  const counts = {
    simHours: (rig.ex.sim.clock.now() - simStart) / 3_600_000,
    realSeconds: (performance.now() - t0) / 1000,
    positions: episodes.length,
    protectedInTime:
      episodes.filter((e) =>
        e.protectedAt !== undefined && e.protectedAt - e.openedAt <= 2_000
      ).length,
    closedBeforeProtection:
      episodes.filter((e) =>
        e.protectedAt === undefined && e.closedAt !== undefined
      ).length,
    maxUnprotectedMs: Math.round(watcher.maxUnprotectedMs),
    maxOrphanExitMs: Math.round(watcher.maxOrphanMs),
    entries: rig.records.filter((r) => r.action === "entry_placed").length,
    unknownEntries: rig.records.filter((r) => r.action === "entry_unknown")
      .length,
    marketCloses: rig.records.filter((r) => r.action === "market_close").length,
    errors: rig.records.filter((r) => r.action === "error").length,
    fills: rig.session.fills.fills.length,
    withTpOrTrailingInTime:
      episodes.filter((e) =>
        e.fullyAt !== undefined && e.fullyAt - e.openedAt <= 2_000
      ).length,
    unprotectedAlarms:
      rig.records.filter((r) => r.action === "position_unprotected").length,
    exitsGivenUp: rig.records.filter((r) => r.action === "exit_given_up")
      .length,
    ...faults,
    money,
    // same_ms_fills takes effect on the next taker fill of two lot steps or more
    splitFills: rig.ex.sim.trading.engine.splitFills,
  };
  // the report of the soak (test output, shown by `deno test`)
  Deno.stderr.writeSync(
    new TextEncoder().encode(`soak: ${JSON.stringify(counts)}\n`),
  );
  await t.step("three simulated hours under every fault", () => {
    assert.ok(counts.simHours >= 3, `${counts.simHours} simulated hours`);
    for (const m of MONEY_FAULTS) {
      assert.ok(money[m] >= 2, `${m} armed ${money[m]} times`);
    }
    for (const [k, n] of Object.entries(faults)) {
      assert.ok(n >= 1, `${k}: ${n}`);
    }
  });
  await t.step("several positions were traded under faults", () => {
    assert.ok(counts.positions >= 5, `only ${counts.positions} positions`);
    assert.ok(faults.lostReplies + faults.drops + faults.http5xx >= 10);
  });
  await t.step("never more than one position per symbol", () => {
    for (const s of symbols) {
      const q = entryQty.get(s) ?? 0;
      assert.ok(
        (watcher.maxAbs.get(s) ?? 0) <= q + 1e-12,
        `${s}: max |position| ${watcher.maxAbs.get(s)} > entry ${q}`,
      );
    }
  });
  await t.step(
    "every position had its stop on the exchange within 2 s (or closed)",
    () => {
      // what the bot did around each late one (sim ms from its opening), to tell a
      // starved process from a bug
      const trace = late.map((e) => ({
        ...e,
        records: rig.records.filter((r) =>
          r.symbol === e.symbol && r.timeMs >= e.openedSim - 60_000 &&
          r.timeMs <= e.openedSim + 10 * 60_000
        ).map((r) =>
          `${r.timeMs - e.openedSim} ${r.action} ${r.detail.slice(0, 60)}`
        ),
      }));
      assert.deepEqual(trace, []);
    },
  );
  await t.step("no exit order outlived its position by more than 5 s", () => {
    assert.ok(watcher.maxOrphanMs <= 5_000, `${watcher.maxOrphanMs} ms`);
  });
});
