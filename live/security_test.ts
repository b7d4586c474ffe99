/**
 * Security (issue 18, item 2), end to end: a full-length secret in any credential variable
 * never reaches the output of `live` (stderr), `doctor` (its table and JSON) or `paper`.
 */
import { equal, match } from "node:assert/strict";
import {
  assertNoSecret,
  MISPLACED_SECRETS,
} from "../lib/exchange/sign/_secret_cases.ts";
import { main as doctorMain } from "./doctor.ts";
import { runScript as runEntry } from "./_run_script.ts";

/** Trading against a closed port: anything that fails, fails before connecting. */
const TRADING_OFFLINE = [
  "--enable_trading",
  "true",
  "--rest_url",
  "http://127.0.0.1:9",
  "--ws_url",
  "ws://127.0.0.1:9",
];

/** Runs `live/<script>`; stdout and stderr together. */
async function runScript(
  script: string,
  args: string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; output: string }> {
  const r = await runEntry(script, args, {
    // never the default metrics port in tests: a bot may be running on this machine
    env: { ASTER_METRICS_ADDR: "127.0.0.1:0", ...env },
  });
  return { code: r.code, output: r.stdout + r.stderr };
}

Deno.test("security: live never prints a credential variable's value", async (t) => {
  for (const c of MISPLACED_SECRETS) {
    await t.step(c.name, async () => {
      const { code, output } = await runScript("./trade.ts", [
        ...TRADING_OFFLINE,
      ], c.env);
      equal(code, 2, output);
      match(output, c.says);
      assertNoSecret(`live: ${c.name}`, output);
    });
  }
});

Deno.test("security: doctor never prints a credential variable's value", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "doctor_security" });
  try {
    for (const c of MISPLACED_SECRETS) {
      await t.step(c.name, async () => {
        for (const json of [false, true]) {
          let out = "";
          const code = await doctorMain(
            [
              "--enable_trading",
              "true",
              "--rest_url",
              "http://127.0.0.1:9",
              "--log_dir",
              dir,
              "--journal",
              "",
              "--state_file",
              `${dir}/state.json`,
              "--json",
              String(json),
            ],
            (name) => c.env[name],
            {
              fetch: () => Promise.reject(new TypeError("connection refused")),
              write: (text) => {
                out += text;
              },
            },
          );
          equal(code, 1, out);
          match(out, c.says);
          assertNoSecret(`doctor: ${c.name}`, out);
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("security: paper never prints a credential variable's value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "paper_security" });
  try {
    const all = MISPLACED_SECRETS.at(-1)!.env;
    const { code, output } = await runScript("./paper.ts", [
      "--minutes",
      "2",
      "--speed",
      "60",
      "--journal",
      `${dir}/journal.csv`,
      "--log_dir",
      dir,
      "--log_level",
      "debug",
    ], all);
    equal(code, 0, output);
    assertNoSecret("paper output", output);
    assertNoSecret(
      "paper journal",
      await Deno.readTextFile(`${dir}/journal.csv`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("security: live refuses settings that switch protection off, unless told", async (t) => {
  const base = [
    "--rest_url",
    "http://127.0.0.1:9",
    "--ws_url",
    "ws://127.0.0.1:9",
  ];
  for (
    const [args, says] of [
      [["--kill_threshold", "1"], /--kill_threshold 1 is below 1\.1/],
      [
        ["--leverage", "125", "--sl_bps", "40"],
        /--leverage 125 with --sl_bps 40/,
      ],
      [["--order_notional", "2000"], /above --max_position_notional 1000/],
      [["--max_upsize", "-1"], /--max_upsize/],
    ] as const
  ) {
    await t.step(args.join(" "), async () => {
      const { code, output } = await runScript(
        "./trade.ts",
        [...base, ...args],
        {},
      );
      equal(code, 2, output);
      match(output, says);
    });
  }
  await t.step("--allow_weak_protection true lets it start", async () => {
    const { code, output } = await runScript("./trade.ts", [
      ...base,
      "--kill_threshold",
      "1",
      "--allow_weak_protection",
      "true",
      "--poll_time",
      "1",
      "--journal",
      "",
    ], {});
    // it gets past the config check and fails only at the (closed) port
    equal(code === 2 && /kill_threshold/.test(output), false, output);
  });
});

Deno.test("security: live refuses a key file others can read, and says chmod 600", async () => {
  const dir = await Deno.makeTempDir({ prefix: "key_mode" });
  try {
    const { DEMO_V1_API_KEY, DEMO_V1_SECRET } = await import(
      "../lib/exchange/sign/_testdata.ts"
    );
    await Deno.writeTextFile(`${dir}/key`, DEMO_V1_API_KEY, { mode: 0o600 });
    await Deno.writeTextFile(`${dir}/secret`, DEMO_V1_SECRET, { mode: 0o600 });
    await Deno.chmod(`${dir}/secret`, 0o644);
    const { code, output } = await runScript("./trade.ts", [
      ...TRADING_OFFLINE,
      "--journal",
      "",
    ], { ORDER_API_KEY: `${dir}/key`, ORDER_SECRET_KEY: `${dir}/secret` });
    equal(code, 2, output);
    match(
      output,
      /the file named by ORDER_SECRET_KEY is accessible to group or others \(mode 644\): run chmod 600 on it/,
    );
    assertNoSecret("key mode error", output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
