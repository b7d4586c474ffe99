import assert from "node:assert/strict";
import { BotMetrics } from "../../lib/metrics/bot_metrics.ts";
import { isLoopback, METRICS_FLAGS } from "../../lib/metrics/metrics_addr.ts";
import { fakeState, fakeView } from "../../lib/metrics/_fake_view.ts";

const DIR = new URL(".", import.meta.url).pathname;

async function tool(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: DIR,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    text: dec.decode(out.stdout) + dec.decode(out.stderr),
  };
}

Deno.test("promtool: the scrape config and the rules are valid, and the rule unit tests pass", async (t) => {
  await t.step("promtool check config prometheus.yml", async () => {
    const r = await tool("promtool", ["check", "config", "prometheus.yml"]);
    assert.equal(r.code, 0, r.text);
  });
  await t.step("promtool check rules aster_rules.yml", async () => {
    const r = await tool("promtool", ["check", "rules", "aster_rules.yml"]);
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /SUCCESS: 11 rules found/);
  });
  await t.step("promtool test rules aster_rules_test.yml", async () => {
    const r = await tool("promtool", ["test", "rules", "aster_rules_test.yml"]);
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /SUCCESS/);
  });
});

Deno.test("every alert the issue asks for has a rule and a unit test", async () => {
  const rules = await Deno.readTextFile(`${DIR}aster_rules.yml`);
  const tests = await Deno.readTextFile(`${DIR}aster_rules_test.yml`);
  for (
    const name of [
      "AsterBotDown",
      "AsterBotNotReady",
      "AsterMarketStreamStale",
      "AsterUserStreamDown",
      "AsterKillSwitchTripped",
      "AsterPositionUnprotected",
      "AsterSigningFailing",
      "AsterMarginNearKillThreshold",
      "AsterOrderRejections",
      "AsterNoDecisions",
      "AsterRestWeightHigh",
    ]
  ) {
    assert.match(rules, new RegExp(`alert: ${name}\\n`), name);
    // a firing expectation, not only a silent one
    assert.match(
      tests,
      new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
      name,
    );
  }
});

Deno.test("amtool: the Alertmanager example is valid and routes to a webhook and Telegram", async () => {
  const r = await tool("amtool", ["check-config", "alertmanager.yml"]);
  assert.equal(r.code, 0, r.text);
  const text = await Deno.readTextFile(`${DIR}alertmanager.yml`);
  assert.match(text, /webhook_configs:/);
  assert.match(text, /telegram_configs:/);
});

/** Metric names the bot exports (histogram series included). */
async function exportedNames(): Promise<Set<string>> {
  const st = fakeState();
  const m = new BotMetrics({ component: "live" });
  m.attach({
    ...fakeView(st),
    recorderRows: () => ({ kline: 1 }),
    recorderDropped: () => ({ kline: 0 }),
  });
  // touch every labelled family once so it is rendered
  m.decision({
    timeMs: 0,
    symbol: "BTCUSDT",
    gapBars: 1,
    action: "none",
    detail: "",
    decision: { reason: "spread" },
  });
  m.orderPlaced("LIMIT", { kind: "rejected", code: -2019 });
  m.orderPlaced("LIMIT", { kind: "unknown" });
  m.userEvent({ kind: "orderUpdate", status: "FILLED", origType: "LIMIT" });
  m.orderRecord({ timeMs: 0, symbol: "*", action: "setup", detail: "" });
  m.restCall("account", 1);
  m.barClosed("BTCUSDT", 0);
  m.entrySent("BTCUSDT", 1);
  const names = new Set<string>(["up"]);
  for (const line of (await m.render()).split("\n")) {
    const n = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1];
    if (n && !line.startsWith("#")) names.add(n);
  }
  return names;
}

/** Metric-looking names in a PromQL expression. */
function referenced(expr: string): string[] {
  return [...expr.matchAll(/\b(aster_[a-z0-9_]+|process_[a-z0-9_]+|up)\b/g)]
    .map((m) => m[1]!);
}

Deno.test("the alert rules and the Grafana dashboard only use metrics the bot exports", async () => {
  const names = await exportedNames();
  const rules = await Deno.readTextFile(`${DIR}aster_rules.yml`);
  const exprs = [...rules.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!);
  assert.equal(exprs.length, 11);
  const dash = JSON.parse(
    await Deno.readTextFile(`${DIR}grafana/aster_dashboard.json`),
  );
  const panels = dash.panels as {
    type: string;
    title: string;
    targets?: { expr: string }[];
  }[];
  const dashExprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  assert.ok(dashExprs.length >= 20, `${dashExprs.length} panel queries`);
  for (
    const title of [
      "Position notional",
      "Unrealized PnL",
      "Decisions by outcome (per minute)",
      "Closed kline → entry order",
      "Input ages",
    ]
  ) {
    assert.ok(panels.some((p) => p.title === title), title);
  }
  for (const e of [...exprs, ...dashExprs]) {
    const refs = referenced(e);
    assert.ok(refs.length > 0, e);
    for (const n of refs) {
      assert.ok(names.has(n), `${n} (in ${e}) is not exported`);
    }
  }
});

Deno.test("the endpoint defaults to loopback and the systemd unit does not open it up", async () => {
  assert.ok(
    isLoopback(METRICS_FLAGS.metrics_addr.default.split(":")[0]!),
    METRICS_FLAGS.metrics_addr.default,
  );
  assert.equal(METRICS_FLAGS.metrics_public.default, false);
  const unit = await Deno.readTextFile(
    new URL("../aster.service", import.meta.url),
  );
  assert.doesNotMatch(unit, /METRICS_PUBLIC|metrics_public|0\.0\.0\.0/i);
  const scrape = await Deno.readTextFile(`${DIR}prometheus.yml`);
  assert.match(scrape, /targets: \["127\.0\.0\.1:9464"\]/);
});
