import { equal, match, ok } from "node:assert/strict";
import type { CheckResult } from "./doctor_port.ts";
import {
  fakePort,
  goodConfig,
  goodState,
  riskRow,
  symbolInfo,
} from "./_fake_port.ts";
import { type DoctorReport, runDoctor } from "./run_doctor.ts";

const probeOk = () => Promise.resolve();

function failed(report: DoctorReport): CheckResult[] {
  return report.results.filter((r) => r.status === "fail");
}

function only(report: DoctorReport, check: string, subject = "-"): CheckResult {
  const r = report.results.find((x) =>
    x.check === check && x.subject === subject
  );
  ok(r, `no row ${check}/${subject}`);
  return r;
}

Deno.test("runDoctor() passes a good setup and flags each misconfiguration", async (t) => {
  const now = () => 1_700_000_000_000;
  await t.step("good setup: every row passes", async () => {
    const report = await runDoctor(fakePort(goodState(), now), goodConfig(), {
      now,
      probeWritable: probeOk,
    });
    equal(report.ok, true, JSON.stringify(failed(report)));
    equal(report.clockOffsetMs, 0);
    // clock, credentials, accepted, position mode, 2 x (status, notional, leverage), log dir
    equal(report.results.length, 11);
    // 0.002 would be 120 USD, above 100 × (1 + 0.1): a step below, 60 USD
    match(
      only(report, "order notional", "BTCUSDT").detail,
      /qty 0\.001 = 60\.00 USD/,
    );
  });
  await t.step(
    "a tripped kill switch in the state file fails the preflight",
    async () => {
      const path = "/var/lib/aster/bot_state.json";
      const report = await runDoctor(
        fakePort(goodState(), now),
        { ...goodConfig(), stateFile: path },
        {
          now,
          probeWritable: probeOk,
          readState: () =>
            Promise.resolve({
              killSwitch: {
                trippedAtMs: now() - 1000,
                untilMs: null,
                reason: "margin",
              },
              cooldowns: {},
            }),
        },
      );
      equal(report.ok, false);
      match(only(report, "state file", path).detail, /--clear_kill_switch/);
    },
  );
  await t.step("skewed clock fails with the offset", async () => {
    const s = goodState();
    s.skewMs = -2500;
    const report = await runDoctor(fakePort(s, now), goodConfig(), {
      now,
      probeWritable: probeOk,
    });
    equal(report.ok, false);
    equal(failed(report).length, 1);
    match(only(report, "clock offset").detail, /offset -2500 ms .*skewed/);
  });
  await t.step("hedge mode fails", async () => {
    const s = goodState();
    s.hedge = true;
    const report = await runDoctor(fakePort(s, now), goodConfig(), {
      now,
      probeWritable: probeOk,
    });
    equal(failed(report).map((r) => r.check).join(), "position mode");
    match(only(report, "position mode").detail, /hedge mode/);
  });
  await t.step("notional below the minimum fails for that symbol", async () => {
    const s = goodState();
    s.symbols = [
      symbolInfo("BTCUSDT", { minNotional: "150" }),
      symbolInfo("ETHUSDT"),
    ];
    const report = await runDoctor(fakePort(s, now), goodConfig(), {
      now,
      probeWritable: probeOk,
    });
    equal(failed(report).length, 1);
    match(
      only(report, "order notional", "BTCUSDT").detail,
      /order_notional 100 USD is below the minimum notional 150 USD/,
    );
  });
  await t.step("a minQty worth more than the notional fails", async () => {
    const s = goodState();
    s.symbols = [
      symbolInfo("BTCUSDT", { minQty: "0.01" }),
      symbolInfo("ETHUSDT"),
    ];
    const report = await runDoctor(fakePort(s, now), goodConfig(), {
      now,
      probeWritable: probeOk,
    });
    match(
      only(report, "order notional", "BTCUSDT").detail,
      /order_notional 100 USD buys 0\.01 BTCUSDT = 600\.00 USD .*minimum quantity 0\.01/,
    );
  });
  await t.step("rejected credentials fail the signed checks", async () => {
    const s = goodState();
    s.rejectSigned = "HTTP 401, code -2015: Invalid API-key";
    const report = await runDoctor(fakePort(s, now), goodConfig(), {
      now,
      probeWritable: probeOk,
    });
    match(
      only(report, "credentials accepted").detail,
      /refused a signed request: .*-2015/,
    );
    equal(only(report, "leverage/margin", "ETHUSDT").status, "fail");
  });
  await t.step(
    "missing credentials fail, unsigned checks still run",
    async () => {
      const report = await runDoctor(
        fakePort(goodState(), now),
        goodConfig({
          credentials: { error: "Cannot load credentials: none configured" },
        }),
        { now, probeWritable: probeOk },
      );
      equal(only(report, "credentials").status, "fail");
      equal(
        only(report, "position mode").detail,
        "not run: no usable credentials",
      );
      equal(only(report, "order notional", "BTCUSDT").status, "pass");
    },
  );
  await t.step("a dry run only warns about missing credentials", async () => {
    const report = await runDoctor(
      fakePort(goodState(), now),
      goodConfig({
        credentials: { error: "Cannot load credentials: none configured" },
        credentialsRequired: false,
      }),
      { now, probeWritable: probeOk },
    );
    equal(report.ok, true, JSON.stringify(failed(report)));
    equal(only(report, "credentials").status, "warn");
    equal(only(report, "leverage/margin", "BTCUSDT").status, "warn");
  });
  await t.step("every written directory gets a row", async () => {
    const probed: string[] = [];
    const report = await runDoctor(
      fakePort(goodState(), now),
      goodConfig({ writableDirs: ["/j", "/tmp/unused"] }),
      {
        now,
        probeWritable: (dir) => {
          probed.push(dir);
          return dir === "/j"
            ? Promise.reject(new Error("Cannot write to /j: EROFS"))
            : Promise.resolve();
        },
      },
    );
    equal(probed.join(), "/tmp/unused,/j");
    match(only(report, "log dir writable", "/j").detail, /EROFS/);
  });
  await t.step("unlisted or halted symbol fails", async () => {
    const s = goodState();
    s.symbols = [symbolInfo("BTCUSDT", { status: "SETTLING" })];
    const report = await runDoctor(fakePort(s, now), goodConfig(), {
      now,
      probeWritable: probeOk,
    });
    match(only(report, "symbol status", "BTCUSDT").detail, /SETTLING/);
    match(only(report, "symbol status", "ETHUSDT").detail, /not listed/);
  });
  await t.step(
    "leverage differences warn; margin type under a position fails",
    async () => {
      const s = goodState();
      s.risks = [
        riskRow("BTCUSDT", { leverage: 20 }),
        riskRow("ETHUSDT", { marginType: "cross", positionAmt: "-0.5" }),
      ];
      const report = await runDoctor(fakePort(s, now), goodConfig(), {
        now,
        probeWritable: probeOk,
      });
      equal(only(report, "leverage/margin", "BTCUSDT").status, "warn");
      const eth = only(report, "leverage/margin", "ETHUSDT");
      equal(eth.status, "fail");
      match(eth.detail, /cannot change while a position is open/);
    },
  );
  await t.step(
    "an unwritable log dir fails; a throwing call becomes a row",
    async () => {
      const s = goodState();
      const port = fakePort(s, now);
      port.symbols = () => Promise.reject(new Error("HTTP 503"));
      const report = await runDoctor(port, goodConfig(), {
        now,
        probeWritable: () =>
          Promise.reject(new Error("Cannot write to /x: EACCES")),
      });
      match(only(report, "exchange info").detail, /HTTP 503/);
      match(only(report, "log dir writable", "/tmp/unused").detail, /EACCES/);
    },
  );
});
