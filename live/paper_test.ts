import assert from "node:assert/strict";
import { BINANCE_1M } from "../tests/fixtures/real_data.ts";
import { generateLogs } from "../bench/gen_logs.ts";

const PAPER = new URL("./paper.ts", import.meta.url).pathname;
const OHLCV = BINANCE_1M.BTCUSDT;
const FAST = [
  "--T",
  "5",
  "--V",
  "5",
  "--k",
  "0",
  "--n",
  "0",
  "--max_spread_bps",
  "1000",
  "--max_funding_bps",
  "1000",
  "--journal",
  "",
  "--log_level",
  "error",
];

async function run(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      PAPER,
      "--metrics_addr=127.0.0.1:0",
      ...args,
    ],
    env: { NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

function totals(
  stdout: string,
): { fills: number; pnl: number; fees: number; net: number } {
  const m =
    /(\d+) fills; realized PnL (-?[\d.]+), fees ([\d.]+), net (-?[\d.]+) USDT/
      .exec(stdout);
  assert.ok(m, stdout);
  return {
    fills: Number(m[1]),
    pnl: Number(m[2]),
    fees: Number(m[3]),
    net: Number(m[4]),
  };
}

Deno.test("paper.ts trades a fresh simulated account and prints the trades and PnL", async (t) => {
  await t.step("synthetic market", async () => {
    const r = await run(["--minutes", "15", "--speed", "300", ...FAST]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /paper trading BTCUSDT for 1\d\.\d simulated minutes/,
    );
    const tot = totals(r.stdout);
    assert.ok(tot.fills >= 2, r.stdout);
    // an entry may fill in several trades: the bought and sold quantities match
    let net = 0;
    for (
      const m of r.stdout.matchAll(/ BTCUSDT +(BUY|SELL) +\S+ +([\d.]+) /g)
    ) {
      net += (m[1] === "BUY" ? 1 : -1) * Number(m[2]);
    }
    assert.ok(
      Math.abs(net) < 1e-9,
      `every position is closed at the end: ${r.stdout}`,
    );
    assert.ok(Math.abs(tot.pnl - tot.fees - tot.net) < 1e-3);
    assert.match(r.stdout, / BTCUSDT +(BUY|SELL) +LIMIT /);
  });
  await t.step("replay of a real 1m OHLCV file", async () => {
    const r = await run([
      "--minutes",
      "15",
      "--speed",
      "300",
      "--replay",
      OHLCV,
      ...FAST,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^2025-05-2\d/m); // fills carry the replay's time
    assert.ok(totals(r.stdout).fills >= 2, r.stdout);
    // the account's funding (none settled in these 15 minutes) and the net with it
    const f =
      /funding (-?[\d.]+) USDT \((\d+) settlements\); net with funding (-?[\d.]+) USDT/
        .exec(r.stdout);
    assert.ok(f, r.stdout);
    assert.equal(Number(f[2]), 0);
    assert.ok(Math.abs(Number(f[3]) - totals(r.stdout).net) < 1e-4);
  });
  await t.step("lockstep on a replay of recorded logs", async () => {
    const dir = await Deno.makeTempDir({ prefix: "paper_logs_test_" });
    try {
      // 4 h 20 min of generated recorder logs: the 240-minute history, then the trading
      generateLogs(dir, { sizeMb: 16, symbols: 1, seed: 5 });
      const r = await run([
        "--lockstep",
        "--minutes",
        "10",
        "--replay",
        dir,
        ...FAST,
        "--order_notional",
        "110",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /paper trading BTCUSDT for 10\.\d simulated minutes/,
      );
      assert.match(r.stdout, /^2025-06-15/m); // fills carry the logs' time
      // entries on the bar's close, in lockstep: at a whole minute
      assert.match(
        r.stdout,
        /^\S+T\d\d:\d\d:00\.000Z BTCUSDT +(BUY|SELL) +LIMIT /m,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step(
    "a replay without a file for a symbol is a usage error",
    async () => {
      const r = await run(["--symbols", "BTCUSDT,ETHUSDT", "--replay", OHLCV]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no file for symbol ETHUSDT/);
    },
  );
  await t.step(
    "a --config file missing a strategy key: one line naming key and file, exit 2",
    async () => {
      const dir = await Deno.makeTempDir({ prefix: "paper_config_test_" });
      try {
        const path = `${dir}/bot.json`;
        const full: Record<string, unknown> = {
          symbols: "BTCUSDT",
          k: 1,
          n: 1,
          T: 30,
          V: 30,
          "max_spread_bps": 5,
          "max_funding_bps": 10,
          "tp_bps": 40,
          "sl_bps": 25,
          "trail_activation_bps": 0,
          "trail_callback_pct": 0.5,
          cooldown: 60,
        };
        await Deno.writeTextFile(path, JSON.stringify(full));
        const r = await run(["--config", path, "--replay", OHLCV]);
        assert.equal(r.code, 2);
        assert.equal(
          r.stderr.trim(),
          `error: Invalid config file ${path}: missing key "order_notional" (a bot config file carries the whole strategy: symbols, k, n, T, V, max_spread_bps, max_funding_bps, tp_bps, sl_bps, trail_activation_bps, trail_callback_pct, cooldown, order_notional, as backtest --model bot writes top/*_live.json)`,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
});
