/**
 * A real Prometheus (Debian's `prometheus`, installed by .ci/run) scrapes `deno task
 * paper` on the simulator with the alert rules of deploy/monitoring loaded; the scraped
 * text passes `promtool check metrics`.
 */
import assert from "node:assert/strict";
import { promtoolCheckMetrics } from "../lib/metrics/_promtool.ts";
import { freePort, spawnScript } from "./_run_script.ts";

const RULES = new URL("../deploy/monitoring/aster_rules.yml", import.meta.url)
  .pathname;

async function eventually<T>(
  f: () => Promise<T | undefined>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch { /* not up yet */ }
    if (performance.now() > end) throw new Error(`Timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test("a real prometheus scrapes the paper bot; promtool check metrics passes on the scraped text", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aster_prom_" });
  const botPort = freePort();
  const promPort = freePort();
  await Deno.copyFile(RULES, `${dir}/aster_rules.yml`);
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "rule_files: [aster_rules.yml]",
      "scrape_configs:",
      "  - job_name: aster",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${botPort}"]`,
      "",
    ].join("\n"),
  );
  const bot = spawnScript("./paper.ts", [
    "--metrics_addr",
    `127.0.0.1:${botPort}`,
    "--minutes",
    "40",
    "--speed",
    "60",
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
  ], { stdout: "null" });
  const prom = new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      "--log.level=warn",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const api = `http://127.0.0.1:${promPort}/api/v1`;
  const query = async (q: string) => {
    const r = await fetch(`${api}/query?query=${encodeURIComponent(q)}`);
    const body = await r.json();
    return body.data.result as {
      metric: Record<string, string>;
      value: [number, string];
    }[];
  };
  try {
    // the target is up and the bot's own series arrive through the scrape
    await eventually(
      async () =>
        (await query('up{job="aster"} == 1')).length === 1 || undefined,
      "the bot's target up",
      40_000,
    );
    await eventually(
      async () => (await query("aster_ready == 1")).length === 1 || undefined,
      "aster_ready 1 in prometheus",
      40_000,
    );
    const decisions = await eventually(
      async () => {
        const r = await query("sum(aster_decisions_total)");
        return r.length === 1 && Number(r[0]!.value[1]) > 0 ? r : undefined;
      },
      "decisions counted in prometheus",
      40_000,
    );
    assert.ok(Number(decisions[0]!.value[1]) > 0);
    const positions = await query('aster_position_size{symbol="BTCUSDT"}');
    assert.equal(positions.length, 1);
    // the paper bot's signed requests are accepted: no clock-error stretch
    const signing = await query("aster_signing_failing_seconds");
    assert.equal(signing.length, 1);
    assert.equal(Number(signing[0]!.value[1]), 0);
    // the alert rules load and evaluate against the live series
    const rules = await (await fetch(`${api}/rules`)).json();
    const loaded = rules.data.groups.flatMap((g: { rules: unknown[] }) =>
      g.rules
    );
    assert.equal(loaded.length, 11);
    for (const r of loaded as { name: string; health: string }[]) {
      assert.equal(r.health, "ok", r.name);
    }
    // what prometheus scraped is valid exposition text
    const text = await (await fetch(`http://127.0.0.1:${botPort}/metrics`))
      .text();
    const check = await promtoolCheckMetrics(text);
    assert.equal(check.code, 0, check.output);
    assert.equal(check.output.trim(), "");
  } finally {
    prom.kill("SIGTERM");
    await prom.status;
    bot.kill("SIGTERM");
    const st = await bot.output();
    await Deno.remove(dir, { recursive: true });
    assert.equal(st.code, 0, new TextDecoder().decode(st.stderr));
  }
});
