/**
 * Security (issue 18, item 1), end to end: a poisoned book goes through the real stream
 * parser, the market caches, the bot and the order manager, and never becomes an order.
 */
import { deepEqual, equal, match, rejects, throws } from "node:assert/strict";
import type { KlineEvent } from "../exchange/events.ts";
import { closedBar } from "./_test_bars.ts";
import { parseStreamMessage } from "../exchange/stream_parser.ts";
import { MarketCaches } from "../market/mod.ts";
import { btcInfo } from "../order/_test_helpers.ts";
import {
  DEFAULT_ENTRY_LIMITS,
  type EntryLimits,
  FakeExchange,
  OrderManager,
  type OrderRecord,
} from "../order/mod.ts";
import { LiveBot } from "./live_bot.ts";

const MARK = "60600";
const bar = (i: number, close: number): KlineEvent => closedBar(i, close, 2);

/** Sends one long signal with the given book through parser → caches → bot → manager. */
async function enterWithBook(
  book: { bid: string; ask: string },
  orderNotional: number,
  limits: EntryLimits = DEFAULT_ENTRY_LIMITS,
): Promise<{ fake: FakeExchange; records: OrderRecord[] }> {
  const signalBar = bar(8, 60_650);
  const now = signalBar.closeTime + 1_000;
  const fake = new FakeExchange(() => now);
  fake.setPrice("BTCUSDT", { bid: "60599.9", ask: "60600", mark: MARK });
  const records: OrderRecord[] = [];
  const info = { ...btcInfo(), multiplierUp: "1.05", multiplierDown: "0.95" };
  const orders = new OrderManager(fake, {
    symbols: [info],
    orderNotional,
    tpBps: 40,
    slBps: 25,
    clock: () => now,
    onRecord: (r) => records.push(r),
    entryLimits: limits,
  });
  const caches = new MarketCaches(["BTCUSDT"]);
  caches.get("BTCUSDT").seed(
    Array.from({ length: 8 }, (_, i) => bar(i, 60_600 + i)),
    now - 5_000,
  );
  for (
    const text of [
      `{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":1,"s":"BTCUSDT","b":"${book.bid}","B":"3","a":"${book.ask}","A":"6","T":${
        now - 100
      },"E":${now - 100}}}`,
      `{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":${
        now - 100
      },"s":"BTCUSDT","p":"${MARK}","P":"${MARK}","i":"${MARK}","r":"0.00001","T":${
        now + 3_600_000
      }}}`,
    ]
  ) caches.onEvent(parseStreamMessage(text)!, now - 50);
  const bot = new LiveBot({
    symbols: ["BTCUSDT"],
    params: { k: 0, n: 0, t: 5, v: 5, maxSpreadBps: 1000, maxFundingBps: 1000 },
    budgets: { barMs: 10_000, bookMs: 5_000, markMs: 5_000 },
    market: caches,
    orders,
    orderNotional,
    clock: () => now,
  });
  bot.seed();
  bot.onBarClosed("BTCUSDT", signalBar, { source: "stream", gapBars: 0 });
  await bot.settle();
  return { fake, records };
}

function skip(records: OrderRecord[]): string | undefined {
  return records.find((r) => r.action === "entry_skipped")?.detail;
}

Deno.test("security: a poisoned book never becomes an order", async (t) => {
  await t.step("control: a sane book at mark 60,600 enters 0.001", async () => {
    const { fake } = await enterWithBook({ bid: "60599.9", ask: "60600" }, 60);
    const entries = fake.placed.filter((o) => o.type === "LIMIT");
    deepEqual(entries.map((o) => [o.side, o.type, o.quantity, o.price]), [
      ["BUY", "LIMIT", "0.001", "60600"],
    ]);
  });
  // before the guard: ask 60.6 → BUY 0.413 (25,028 USDT at mark); 6.06 → 4.126 (250k)
  for (
    const [bid, ask, reason] of [
      ["60.5", "60.6", "price_band"],
      ["6.05", "6.06", "price_band"],
      // a sane price, but 0.001 BTC is 60.6 USDT: above 25 × 1.1
      ["60598", "60599", "notional_cap"],
    ] as const
  ) {
    await t.step(`book ${bid}/${ask} at mark ${MARK}: ${reason}`, async () => {
      const { fake, records } = await enterWithBook({ bid, ask }, 25);
      equal(fake.placed.length, 0, JSON.stringify(fake.placed));
      equal(skip(records), reason);
    });
  }
  await t.step(
    "ask 10 % below mark: PERCENT_PRICE (±5 %) refuses it even with a loose max_upsize",
    async () => {
      const { fake, records } = await enterWithBook(
        { bid: "54539", ask: "54540" },
        25,
        { ...DEFAULT_ENTRY_LIMITS, maxUpsize: 10 },
      );
      equal(fake.placed.length, 0);
      equal(skip(records), "price_band");
    },
  );
  await t.step(
    "a tighter --max_price_deviation_bps refuses an ask 1 % off",
    async () => {
      const limits = { ...DEFAULT_ENTRY_LIMITS, maxPriceDeviationBps: 50 };
      const off = await enterWithBook(
        { bid: "59993", ask: "59994" },
        60,
        limits,
      );
      equal(off.fake.placed.length, 0);
      equal(skip(off.records), "price_band");
    },
  );
  await t.step(
    "--max_position_notional below the entry refuses it",
    async () => {
      const { fake, records } = await enterWithBook(
        { bid: "60599.9", ask: "60600" },
        60,
        { ...DEFAULT_ENTRY_LIMITS, maxPositionNotional: 50 },
      );
      equal(fake.placed.length, 0);
      equal(skip(records), "notional_cap");
    },
  );
});

Deno.test("security: the live config refuses clear text to a remote host while trading", async () => {
  const { LIVE_FLAGS, liveConfig } = await import("./live_flags.ts");
  const { parseFlags, UsageError } = await import("../cli/mod.ts");
  const flags = (args: string[]) => parseFlags(args, LIVE_FLAGS);
  const remote = ["--rest_url", "http://fapi.asterdex.com"];
  throws(
    () => liveConfig(flags(["--enable_trading", "true", ...remote])),
    (e) => e instanceof UsageError && /clear-text http/.test(e.message),
  );
  throws(
    () =>
      liveConfig(
        flags([
          "--enable_trading",
          "true",
          "--ws_url",
          "ws://fstream.asterdex.com",
        ]),
      ),
    (e) =>
      e instanceof UsageError && /--ws_url .*clear-text ws/.test(e.message),
  );
  // a dry run sends no credentials; the simulator on loopback stays reachable
  equal(liveConfig(flags(remote)).restUrl, "http://fapi.asterdex.com");
  equal(
    liveConfig(
      flags([
        "--enable_trading",
        "true",
        "--rest_url",
        "http://127.0.0.1:8800",
      ]),
    )
      .restUrl,
    "http://127.0.0.1:8800",
  );
});

Deno.test("security: the state file cannot be lost or poisoned silently", async (t) => {
  const {
    decodeSafetyState,
    initStateFile,
    StateFile,
    StateFileError,
  } = await import("./state_file.ts");
  const { checkStateFile, readStateOrNull } = await import(
    "../doctor/check_state_file.ts"
  );
  const { journalShowsTrading } = await import("./state_file.ts");
  await t.step(
    "times out of range are refused at read, not thrown later",
    () => {
      for (const bad of ["1e300", "1.5", "-1", "9e15"]) {
        throws(
          () =>
            decodeSafetyState(
              `{"version":1,"killSwitch":{"trippedAtMs":${bad},"untilMs":null,"reason":"margin"},"cooldowns":{}}`,
              "s.json",
            ),
          (e) =>
            e instanceof StateFileError &&
            /trippedAtMs is not a time/.test(e.message),
          bad,
        );
      }
      throws(
        () =>
          decodeSafetyState(
            `{"version":1,"killSwitch":null,"cooldowns":{"BTCUSDT":1e300}}`,
            "s.json",
          ),
        /cooldowns\.BTCUSDT is not a time/,
      );
    },
  );
  const dir = await Deno.makeTempDir({ prefix: "state_security" });
  try {
    const state = `${dir}/state/bot_state.json`;
    const journal = `${dir}/decisions.csv`;
    await t.step(
      "missing state + a journal without orders: a first start",
      async () => {
        await Deno.writeTextFile(
          journal,
          "time,symbol,action,detail\n1,BTCUSDT,would_enter,\n1,BTCUSDT,entry_skipped,notional_cap\n",
        );
        const file = await StateFile.open(state, { journal });
        equal(file.initial.killSwitch, null);
        deepEqual(
          await checkStateFile(state, readStateOrNull, 0, {
            path: journal,
            showsTrading: journalShowsTrading,
          }).then((r) => r.map((x) => x.status)),
          ["pass"],
        );
      },
    );
    await t.step(
      "missing state + a journal with orders: refused, and the doctor fails",
      async () => {
        await Deno.writeTextFile(journal, "2,BTCUSDT,entry_placed,FILLED\n", {
          append: true,
        });
        await rejects(
          StateFile.open(state, { journal }),
          (e: Error) =>
            e instanceof StateFileError &&
            /is missing, but the journal .* shows past trading/.test(
              e.message,
            ) &&
            /--init_state_file/.test(e.message),
        );
        const rows = await checkStateFile(state, readStateOrNull, 0, {
          path: journal,
          showsTrading: journalShowsTrading,
        });
        equal(rows[0]!.status, "fail");
        match(rows[0]!.detail, /shows past trading/);
      },
    );
    await t.step(
      "--init_state_file makes the fresh start explicit",
      async () => {
        equal(await initStateFile(state, 1_700_000_000_000), true);
        equal(await initStateFile(state, 1_700_000_000_000), false);
        const file = await StateFile.open(state, { journal });
        equal(file.initial.killSwitch, null);
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("security: the margin is read before entries are enabled", async () => {
  const { fastConfig } = await import("./_test_rig.ts");
  const { LiveSession } = await import("./live_session.ts");
  const { startPaperExchange } = await import("./paper_exchange.ts");
  const { startRestProxy } = await import("./_rest_proxy.ts");
  const ex = await startPaperExchange({
    symbols: ["BTCUSDT"],
    speed: 60,
    historyMinutes: 30,
  });
  const seen: string[] = [];
  const proxy = startRestProxy(ex.sim.restUrl, (method, u) => {
    seen.push(`${method} ${u.pathname}`);
  });
  let atReady: string[] = [];
  try {
    const session = await LiveSession.start(
      fastConfig(ex, {
        restUrl: `http://127.0.0.1:${proxy.addr.port}`,
        // no housekeeping tick before ready can account for the read
        marginCheckMs: 3_600_000,
      }),
      {
        credentials: ex.credentials,
        clock: ex.clock,
        serverNow: () => ex.sim.clock.now(),
        marketSilenceBudgetMs: ex.silenceBudgetMs,
        onReady: () => {
          atReady = [...seen];
        },
      },
    );
    await session.stop();
    equal(
      atReady.some((c) => c.startsWith("GET ") && c.endsWith("/account")),
      true,
      atReady.join("\n"),
    );
  } finally {
    await proxy.shutdown();
    await ex.close();
  }
});

Deno.test("security: the state file's temp name cannot be predicted and planted", async (t) => {
  const { writeFileAtomic } = await import("./state_file.ts");
  const dir = await Deno.makeTempDir({ prefix: "state_tmp" });
  const victim = `${dir}/victim.txt`;
  await Deno.writeTextFile(victim, "precious\n");
  try {
    await t.step("the state file's temp file cannot be planted", async () => {
      const path = `${dir}/bot_state.json`;
      // the name the writer used to use: predictable from the pid
      await Deno.symlink(victim, `${dir}/.bot_state.json.${Deno.pid}.tmp`);
      await writeFileAtomic(path, '{"version":1}\n');
      equal(await Deno.readTextFile(victim), "precious\n");
      equal(await Deno.readTextFile(path), '{"version":1}\n');
      equal((await Deno.lstat(path)).isSymlink, false);
      equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
