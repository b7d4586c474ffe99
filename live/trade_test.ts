import assert from "node:assert/strict";
import {
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "../lib/exchange/sign/_testdata.ts";
import { startSimulator } from "../lib/sim/mod.ts";

const TRADE = new URL("./trade.ts", import.meta.url).pathname;

function spawn(
  args: string[],
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys=uid",
      TRADE,
      "--metrics_addr=127.0.0.1:0",
      ...args,
    ],
    env: { NO_COLOR: "1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function run(args: string[], env: Record<string, string> = {}) {
  const out = await spawn(args, env).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

Deno.test("trade.ts --help lists every flag and the precedence", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0);
  for (
    const flag of [
      "symbols",
      "poll_time",
      "enable_trading",
      "update_logs",
      "order_notional",
      "k",
      "n",
      "T",
      "V",
      "max_spread_bps",
      "max_funding_bps",
      "tp_bps",
      "sl_bps",
      "trail_activation_bps",
      "trail_callback_pct",
      "cooldown",
      "leverage",
      "margin_type",
      "kill_threshold",
      "max_bar_age",
      "max_book_age",
      "max_mark_age",
      "close_on_exit",
      "rest_url",
      "ws_url",
      "log_dir",
      "journal",
      "log_json",
      "config",
      "state_file",
      "clear_kill_switch",
    ]
  ) assert.match(r.stdout, new RegExp(`--${flag} `));
  assert.match(r.stdout, /flag > environment > config file > default/);
});

Deno.test("trade.ts rejects bad settings with exit 2 before connecting", async (t) => {
  // nothing listens on port 9: a connect attempt would fail differently (exit 1)
  const base = [
    "--rest_url",
    "http://127.0.0.1:9",
    "--ws_url",
    "ws://127.0.0.1:9",
  ];
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ["a bad flag", ["--sl_bps", "-3"], {}, /Invalid --sl_bps "-3"/],
    [
      "a bad env value",
      [],
      { ASTER_LEVERAGE: "1000" },
      /ASTER_LEVERAGE: Invalid --leverage/,
    ],
    ["T too large for the history", ["--T", "2000"], {}, /--T "2000"/],
    [
      "trading without credentials",
      ["--enable_trading", "true"],
      {},
      /Cannot load credentials/,
    ],
  ];
  // a config file is the whole strategy: a missing key is named with the file
  const dir = await Deno.makeTempDir({ prefix: "trade_config_test_" });
  const partial = `${dir}/partial.json`;
  await Deno.writeTextFile(
    partial,
    JSON.stringify({ symbols: "BTCUSDT", k: 1 }),
  );
  cases.push([
    "a --config file missing a strategy key",
    ["--config", partial],
    {},
    new RegExp(`Invalid config file ${partial}: missing key "n"`),
  ]);
  try {
    for (const [name, args, env, re] of cases) {
      await t.step(name, async () => {
        const r = await run([...base, ...args], env);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, re);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trade.ts dry run evaluates bars, journals, records, places nothing and exits 0 on SIGTERM", async () => {
  await using sim = await startSimulator({
    symbols: ["BTCUSDT"],
    speed: 60,
    historyMinutes: 30,
  });
  const dir = await Deno.makeTempDir();
  try {
    const journal = `${dir}/j/decisions.csv`;
    const child = spawn([
      "--rest_url",
      sim.restUrl,
      "--ws_url",
      sim.wsUrl,
      "--journal",
      journal,
      "--T",
      "5",
      "--V",
      "5",
      "--n",
      "0",
      "--max_spread_bps",
      "1000",
      "--max_funding_bps",
      "1000",
      "--log_json",
      "--update_logs",
      "true",
      "--log_dir",
      `${dir}/logs`,
    ], { ASTER_K: "0" });
    const stdout = new Response(child.stdout).text();
    const reader = child.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    let err = "";
    while (!/would enter/.test(err)) {
      const { value, done } = await reader.read();
      if (done) break;
      err += value;
    }
    await new Promise((r) => setTimeout(r, 1_500)); // a housekeeping tick or more
    child.kill("SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      err += value;
    }
    const status = await child.status;
    assert.equal(status.code, 0, err);
    const first = JSON.parse(err.split("\n")[0]!);
    assert.equal(typeof first.level, "string"); // --log_json: one JSON object per line
    const rows = (await Deno.readTextFile(journal)).trimEnd().split("\n");
    assert.ok(rows.length >= 2);
    assert.match(rows.slice(1).join("\n"), /,would_enter,(BUY|SELL) /);
    assert.equal(sim.trading.accountIds.length, 0);
    // --update_logs: the recorder's snapshots ran in the housekeeping loop
    const klines = await Deno.readTextFile(`${dir}/logs/kline.csv`);
    assert.ok(klines.trimEnd().split("\n").length >= 2, klines);
    assert.match(await stdout, /dry-run orders [1-9]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trade.ts keeps the safety state in --state_file and clears it on --clear_kill_switch", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "trade_state_" });
  const path = `${dir}/bot_state.json`;
  const future = Date.now() + 3_600_000;
  const tripped = {
    version: 1,
    savedAt: "2026-01-01T00:00:00.000Z",
    killSwitch: {
      trippedAtMs: 1_767_225_600_000,
      untilMs: null,
      reason: "margin",
      safetyMultiple: 1.15,
    },
    cooldowns: { BTCUSDT: future },
  };
  try {
    await t.step("--help lists both flags", async () => {
      const r = await run(["--help"]);
      assert.match(r.stdout, /--state_file /);
      assert.match(r.stdout, /--clear_kill_switch /);
    });
    await t.step(
      "--clear_kill_switch clears it, prints it, exits 0",
      async () => {
        await Deno.writeTextFile(path, JSON.stringify(tripped));
        const r = await run(["--clear_kill_switch", "--state_file", path]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stdout,
          /Cleared in .*bot_state\.json: kill switch \(margin, safety multiple 1\.15\) tripped 2026-01-01T00:00:00\.000Z, until an operator clears it/,
        );
        assert.match(r.stdout, /Cooldowns kept: BTCUSDT until /);
        const after = JSON.parse(await Deno.readTextFile(path));
        assert.equal(after.killSwitch, null);
        assert.deepEqual(after.cooldowns, { BTCUSDT: future });
      },
    );
    await t.step("nothing to clear: says so, exits 0", async () => {
      const r = await run(["--clear_kill_switch"], { ASTER_STATE_FILE: path });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /No kill switch set in .*: nothing to clear/);
    });
    await t.step(
      "only on the command line, never from the environment",
      async () => {
        await Deno.writeTextFile(path, JSON.stringify(tripped));
        const r = await run(["--state_file", path], {
          ASTER_CLEAR_KILL_SWITCH: "true",
        });
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--clear_kill_switch: an operator action/);
        assert.notEqual(
          JSON.parse(await Deno.readTextFile(path)).killSwitch,
          null,
        );
      },
    );
    await t.step(
      "a corrupt state file: exit 2, for the clear and for trading",
      async () => {
        await Deno.writeTextFile(path, '{"version":1,"killSwitch":');
        const clear = await run(["--clear_kill_switch", "--state_file", path]);
        assert.equal(clear.code, 2);
        assert.match(
          clear.stderr,
          /Cannot use state file .*bot_state\.json: not JSON/,
        );
        await Deno.writeTextFile(`${dir}/key`, "a".repeat(64), { mode: 0o600 });
        await Deno.writeTextFile(`${dir}/secret`, "b".repeat(64), {
          mode: 0o600,
        });
        // nothing listens on port 9: the state file must refuse before any connect
        const trade = await run([
          "--enable_trading",
          "true",
          "--state_file",
          path,
          "--rest_url",
          "http://127.0.0.1:9",
          "--ws_url",
          "ws://127.0.0.1:9",
          "--journal",
          "",
        ], { ORDER_API_KEY: `${dir}/key`, ORDER_SECRET_KEY: `${dir}/secret` });
        assert.equal(trade.code, 2, trade.stderr);
        assert.match(trade.stderr, /Cannot use state file .*: not JSON/);
        assert.equal(
          await Deno.readTextFile(path),
          '{"version":1,"killSwitch":',
        );
        // a dry run refuses it too, before any connect, and leaves it as it is
        const dry = await run([
          "--state_file",
          path,
          "--rest_url",
          "http://127.0.0.1:9",
          "--ws_url",
          "ws://127.0.0.1:9",
          "--journal",
          "",
        ]);
        assert.equal(dry.code, 2, dry.stderr);
        assert.match(dry.stderr, /Cannot use state file .*: not JSON/);
        assert.equal(
          await Deno.readTextFile(path),
          '{"version":1,"killSwitch":',
        );
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trade.ts refuses an entry far above --order_notional and prints the planned entry", async (t) => {
  await using sim = await startSimulator({
    symbols: ["BTCUSDT"],
    startTime: Date.now(),
    historyMinutes: 40,
    accounts: [
      { kind: "v1", apiKey: DEMO_V1_API_KEY, secretKey: DEMO_V1_SECRET },
    ],
  });
  const dir = await Deno.makeTempDir();
  const env = {
    ASTER_API_KEY: DEMO_V1_API_KEY,
    ASTER_API_SECRET: DEMO_V1_SECRET,
  };
  const base = [
    "--symbols",
    "BTCUSDT",
    "--enable_trading",
    "true",
    "--rest_url",
    sim.restUrl,
    "--ws_url",
    sim.wsUrl,
    "--journal",
    "",
    "--state_file",
    `${dir}/state.json`,
  ];
  try {
    await t.step(
      "--order_notional 25: exit 2 naming order_notional and the minimum notional",
      async () => {
        const r = await run([...base, "--order_notional", "25"], env);
        assert.equal(r.code, 2, r.stderr);
        const last = r.stderr.trim().split("\n").at(-1)!;
        assert.match(last, /order_notional 25 USD buys 0\.001 BTCUSDT = /);
        assert.match(last, /minimum notional 5 USD/);
        assert.match(last, /max_upsize 0\.1/);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      },
    );
    await t.step(
      "--order_notional 120: starts and prints the planned entry notional",
      async () => {
        const child = spawn([...base, "--order_notional", "120"], env);
        const stdout = new Response(child.stdout).text();
        const reader = child.stderr.pipeThrough(new TextDecoderStream())
          .getReader();
        let err = "";
        while (!/Bot ready/.test(err)) {
          const { value, done } = await reader.read();
          if (done) break;
          err += value;
        }
        child.kill("SIGTERM");
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          err += value;
        }
        const status = await child.status;
        await stdout;
        assert.equal(status.code, 0, err);
        assert.match(
          err,
          /BTCUSDT planned entry: 0\.001 at [\d.]+ = \d+\.\d\d USD \(limit 132\.00 USD\)/,
        );
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
