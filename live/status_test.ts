import assert from "node:assert/strict";
import { BotMetrics } from "../lib/metrics/bot_metrics.ts";
import { startMetricsServer } from "../lib/metrics/metrics_server.ts";
import { fakeState, fakeView } from "../lib/metrics/_fake_view.ts";
import { JOURNAL_COLUMNS } from "../lib/live/journal.ts";
import { freePort, runScript } from "./_run_script.ts";

const run = (args: string[], env: Record<string, string> = {}) =>
  runScript("./status.ts", args, { env });

Deno.test("deno task status prints a running bot's screen; exit 0 when ready, 1 when not", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "live", processMetrics: false });
  m.attach(fakeView(st));
  m.setReady(true);
  const server = startMetricsServer({ hostname: "127.0.0.1", port: 0 }, m);
  try {
    const addr = `127.0.0.1:${server.port}`;
    let r = await run(["--metrics_addr", addr]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^aster bot at http://${addr}: READY \\(trading\\)`),
    );
    assert.match(
      r.stdout,
      /streams: market connected \(0 reconnects\), user connected/,
    );
    st.killed = true;
    // the environment layer, as on the VM with aster.env
    r = await run([], { ASTER_METRICS_ADDR: addr });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /NOT READY/);
    assert.match(r.stdout, /kill switch: TRIPPED \(margin\)/);
  } finally {
    await server.close();
  }
});

Deno.test("deno task status reads the state file and the journal when the bot is down", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aster_status_" });
  const port = freePort(); // nothing listens there now
  try {
    const t0 = Date.UTC(2026, 0, 5, 12);
    await Deno.writeTextFile(
      `${dir}/state.json`,
      JSON.stringify({
        version: 1,
        killSwitch: {
          trippedAtMs: t0,
          untilMs: null,
          reason: "margin",
          safetyMultiple: 1.1,
        },
        cooldowns: {},
      }),
    );
    const row = (t: number, action: string, detail: string) =>
      JOURNAL_COLUMNS.map((c) =>
        c === "time"
          ? String(t)
          : c === "symbol"
          ? "BTCUSDT"
          : c === "signal"
          ? "long"
          : c === "action"
          ? action
          : c === "detail"
          ? detail
          : "1"
      ).join(",");
    await Deno.writeTextFile(
      `${dir}/decisions.csv`,
      [
        JOURNAL_COLUMNS.join(","),
        row(t0, "entry_placed", "FILLED"),
        row(t0 + 60_000, "blocked", "kill_switch"),
        "",
      ].join("\n"),
    );
    const r = await run([
      "--metrics_addr",
      `127.0.0.1:${port}`,
      "--state_file",
      `${dir}/state.json`,
      "--journal",
      `${dir}/decisions.csv`,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^aster bot at http://127\\.0\\.0\\.1:${port}: DOWN \\(`),
    );
    assert.match(r.stdout, /kill switch: .*margin/);
    assert.match(
      r.stdout,
      /2026-01-05T12:00:00\.000Z {2}BTCUSDT {4}long {2}entry_placed FILLED/,
    );
    assert.match(
      r.stdout,
      /2026-01-05T12:01:00\.000Z {2}BTCUSDT {4}long {2}blocked kill_switch/,
    );
    // a missing journal and state file are said so, not an error
    const r2 = await run([
      "--metrics_addr",
      `127.0.0.1:${port}`,
      "--state_file",
      `${dir}/none.json`,
      "--journal",
      `${dir}/none.csv`,
    ]);
    assert.equal(r2.code, 1, r2.stderr);
    assert.match(r2.stdout, /kill switch: off/);
    assert.match(r2.stdout, /no journal/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task status refuses a bad --metrics_addr in one line, exit 2", async () => {
  const r = await run(["--metrics_addr", "nope"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /Invalid --metrics_addr "nope": expected host:port/);
});
