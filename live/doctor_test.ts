import { equal, match } from "node:assert/strict";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_USER,
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "../lib/exchange/sign/_testdata.ts";
import { startSimulator } from "../lib/sim/mod.ts";
import { main } from "./doctor.ts";

Deno.test("doctor main() checks a simulator account", async (t) => {
  await using sim = await startSimulator({
    symbols: ["BTCUSDT", "ETHUSDT"],
    startTime: Date.now(),
    accounts: [
      { kind: "v1", apiKey: DEMO_V1_API_KEY, secretKey: DEMO_V1_SECRET },
      { kind: "v3", user: DEMO_USER, signer: DEMO_AGENT_ADDRESS },
    ],
  });
  const logDir = await Deno.makeTempDir({ prefix: "doctor_test" });
  const v1Env = {
    ASTER_API_KEY: DEMO_V1_API_KEY,
    ASTER_API_SECRET: DEMO_V1_SECRET,
    ASTER_REST_URL: sim.restUrl,
    ASTER_LOG_DIR: logDir,
    ASTER_JOURNAL: `${logDir}/journal/decisions.csv`,
    ASTER_ORDER_NOTIONAL: "200",
    ASTER_ENABLE_TRADING: "true",
  };
  async function run(
    vars: Record<string, string>,
    args: string[] = [],
    fetchFn?: typeof fetch,
  ): Promise<{ code: number; out: string }> {
    let out = "";
    const code = await main(args, (name) => vars[name], {
      ...(fetchFn === undefined ? {} : { fetch: fetchFn }),
      write: (text) => {
        out += text;
      },
    });
    return { code, out };
  }
  function line(out: string, check: string, subject = "-"): string {
    const re = new RegExp(
      `^(PASS|WARN|FAIL) +${check.replace("/", "\\/")} +${subject} .*$`,
      "m",
    );
    return re.exec(out)?.[0] ?? `(no ${check} line in)\n${out}`;
  }
  try {
    await t.step("passes on a good V1 setup", async () => {
      const { code, out } = await run(v1Env);
      equal(code, 0, out);
      match(line(out, "credentials"), /^PASS .*V1 API key/);
      match(line(out, "position mode"), /^PASS .*one-way/);
      match(
        line(out, "order notional", "BTCUSDT"),
        /^PASS .*200 USD -> qty 0\.00\d = [\d.]+ USD at mark/,
      );
      match(out, /preflight passed/);
    });
    await t.step("passes on a good V3 setup", async () => {
      const { code, out } = await run({
        ASTER_USER: DEMO_USER,
        ASTER_SIGNER: DEMO_AGENT_ADDRESS,
        ASTER_AGENT_KEY: DEMO_AGENT_KEY,
        ASTER_REST_URL: sim.restUrl,
        ASTER_LOG_DIR: logDir,
        ASTER_JOURNAL: `${logDir}/decisions.csv`,
      }, ["--order_notional", "200", "--enable_trading", "true"]);
      equal(code, 0, out);
      match(line(out, "credentials"), /^PASS .*V3 API wallet/);
    });
    await t.step("skewed clock fails", async () => {
      sim.faults.skewMs(5_000);
      try {
        const { code, out } = await run(v1Env);
        equal(code, 1, out);
        match(
          line(out, "clock offset"),
          /^FAIL .*offset \+(49|50)\d\d ms.*skewed/,
        );
      } finally {
        sim.faults.skewMs(0);
      }
    });
    await t.step("hedge position mode fails", async () => {
      // The simulator only supports one-way mode: the reply is altered on the way.
      const hedgeFetch: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        const url = input instanceof Request ? input.url : String(input);
        if (!url.includes("/positionSide/dual")) return res;
        await res.body?.cancel();
        return Response.json({ dualSidePosition: true });
      };
      const { code, out } = await run(v1Env, [], hedgeFetch);
      equal(code, 1, out);
      match(line(out, "position mode"), /^FAIL .*hedge mode/);
    });
    await t.step("notional below the minimum fails", async () => {
      const { code, out } = await run(v1Env, ["--order_notional", "1"]);
      equal(code, 1, out);
      match(
        line(out, "order notional", "BTCUSDT"),
        /^FAIL .*order_notional 1 USD is below the minimum notional/,
      );
    });
    await t.step("bad credentials fail", async () => {
      const { code, out } = await run({
        ...v1Env,
        ASTER_API_SECRET: "0".repeat(64),
      });
      equal(code, 1, out);
      match(
        line(out, "credentials accepted"),
        /^FAIL .*refused a signed request/,
      );
    });
    await t.step("no credentials fail with the variables to set", async () => {
      const { ASTER_API_KEY: _k, ASTER_API_SECRET: _s, ...noCreds } = v1Env;
      const { code, out } = await run(noCreds);
      equal(code, 1, out);
      match(line(out, "credentials"), /^FAIL .*none configured/);
    });
    await t.step("a dry run only warns about missing credentials", async () => {
      const { ASTER_API_KEY: _k, ASTER_API_SECRET: _s, ...noCreds } = v1Env;
      const { code, out } = await run({
        ...noCreds,
        ASTER_ENABLE_TRADING: "false",
      });
      equal(code, 0, out);
      match(line(out, "credentials"), /^WARN .*not needed for a dry run/);
      match(line(out, "position mode"), /^WARN .*not run/);
    });
    await t.step("the journal's directory is checked too", async () => {
      const { out } = await run(v1Env);
      match(line(out, "log dir writable", `${logDir}/journal`), /^PASS/);
    });
    await t.step(
      "--help lists the flags; a bad flag is a usage error",
      async () => {
        const { code, out } = await run({}, ["--help"]);
        equal(code, 0);
        match(out, /--order_notional/);
        await main(
          ["--margin_type", "HEDGED", "--journal", ""],
          () => undefined,
        ).then(
          () => {
            throw new Error("expected a UsageError");
          },
          (error: Error) => equal(error.name, "UsageError"),
        );
      },
    );
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
