import { deepEqual, equal, match, ok } from "node:assert/strict";
import { startSimulator } from "../lib/sim/mod.ts";

const RECORD = new URL("./record.ts", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function spawnRecord(
  args: string[],
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      RECORD,
      "--metrics_addr=127.0.0.1:0",
      ...args,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(child: Deno.ChildProcess): Promise<Run> {
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

async function dataRows(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path).catch(() => "");
  if (text === "") return [];
  ok(text.endsWith("\n"), `${path} ends with a whole line`);
  return text.slice(0, -1).split("\n").slice(1);
}

const KINDS = ["kline", "bookTicker", "markPrice", "aggTrade_1s", "depth5"];

Deno.test("record.ts records the simulator into five CSV logs and stops on SIGTERM without losing a row", async () => {
  await using sim = await startSimulator({
    symbols: ["BTCUSDT", "ETHUSDT"],
    speed: 60,
  });
  const dir = await Deno.makeTempDir();
  try {
    const child = spawnRecord([
      "--symbols",
      "BTCUSDT,ETHUSDT",
      "--log_dir",
      dir,
      "--poll_time",
      "0",
      "--rest_url",
      sim.restUrl,
      "--ws_url",
      sim.wsUrl,
    ]);
    // Wait until some rows were flushed, then stop the recorder in the middle of its run.
    const deadline = Date.now() + 20_000;
    while (
      (await dataRows(`${dir}/markPrice.csv`)).length < 6 &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGTERM");
    const run = await finish(child);
    equal(run.code, 0, run.stderr);
    const m = /recorded (\d+) snapshots, (\d+) rows .*\((.*)\)/.exec(
      run.stdout,
    );
    ok(m, run.stdout);
    const reported = Object.fromEntries(
      m[3]!.split(" ").map((kv) => kv.split("=")).map((
        [k, v],
      ) => [k, Number(v)]),
    );
    for (const kind of KINDS) {
      const rows = await dataRows(`${dir}/${kind}.csv`);
      equal(
        rows.length,
        reported[kind],
        `${kind}: every reported row is in the file`,
      );
      ok(rows.length >= 6, `${kind} has rows`);
      for (const row of rows) {
        const cols =
          (await Deno.readTextFile(`${dir}/${kind}.csv`)).split("\n")[0]!
            .split(",").length;
        equal(row.split(",").length, cols, `${kind}: whole row "${row}"`);
      }
    }
    // Read back: kline rows agree with the bars the simulator produced.
    const closed = new Map(
      sim.closedKlines("BTCUSDT").map((k) => [k[0], k]),
    );
    let checked = 0;
    for (const row of await dataRows(`${dir}/kline.csv`)) {
      const f = row.split(",");
      if (f[1] !== "BTCUSDT" || f[12] !== "true") continue;
      const bar = closed.get(Number(f[2]));
      ok(bar, `closed bar ${f[2]} exists in the simulator`);
      deepEqual([f[4], f[5], f[6], f[7], f[8]], [
        bar[1],
        bar[2],
        bar[3],
        bar[4],
        bar[5],
      ]);
      checked++;
    }
    const ts = (await dataRows(`${dir}/bookTicker.csv`)).map((r) =>
      Number(r.split(",")[0])
    );
    ok(
      ts.every((t, i) => i === 0 || t >= ts[i - 1]!),
      "snapshot times increase",
    );

    // A restart appends to the same files without a second header.
    const before = (await dataRows(`${dir}/kline.csv`)).length;
    const again = await finish(
      spawnRecord([
        "--symbols",
        "BTCUSDT",
        "--log_dir",
        dir,
        "--poll_time",
        "2",
        "--rest_url",
        sim.restUrl,
        "--ws_url",
        sim.wsUrl,
      ]),
    );
    equal(again.code, 0, again.stderr);
    const text = await Deno.readTextFile(`${dir}/kline.csv`);
    equal(text.split("\n").filter((l) => l.startsWith("ts,")).length, 1);
    ok((await dataRows(`${dir}/kline.csv`)).length > before);
    void checked;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("record.ts exits with code 2 and one clear line on user errors", async (t) => {
  await using sim = await startSimulator({ symbols: ["BTCUSDT"], speed: 1 });
  const dir = await Deno.makeTempDir();
  const urls = ["--rest_url", sim.restUrl, "--ws_url", sim.wsUrl];
  try {
    await t.step("bad flag value", async () => {
      const run = await finish(spawnRecord(["--poll_time", "soon", ...urls]));
      equal(run.code, 2);
      match(run.stderr, /error: Invalid --poll_time "soon": not a number/);
      equal(run.stderr.includes("    at "), false, "no stack trace");
    });
    await t.step("unknown flag", async () => {
      const run = await finish(spawnRecord(["--symbolz", "BTCUSDT", ...urls]));
      equal(run.code, 2);
      match(run.stderr, /--symbolz/);
    });
    await t.step("unwritable log directory", async () => {
      await Deno.writeTextFile(`${dir}/file`, "");
      const run = await finish(
        spawnRecord([
          "--log_dir",
          `${dir}/file/logs`,
          "--symbols",
          "BTCUSDT",
          ...urls,
        ]),
      );
      equal(run.code, 2);
      match(
        run.stderr,
        /error: Invalid --log_dir .*file\/logs: .*file is a file/,
      );
    });
    await t.step("unknown symbol", async () => {
      const run = await finish(
        spawnRecord([
          "--log_dir",
          `${dir}/logs`,
          "--symbols",
          "NOPEUSDT",
          ...urls,
        ]),
      );
      equal(run.code, 2);
      match(run.stderr, /error: .*unknown symbol\(s\) NOPEUSDT/);
      // nothing is created: no log directory, no header-only files
      equal(
        await Deno.stat(`${dir}/logs`).then(() => true, () => false),
        false,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("record.ts reads every flag from ASTER_<FLAG> and --config, below the command line", async () => {
  await using sim = await startSimulator({ symbols: ["BTCUSDT"], speed: 60 });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/record.json`,
      JSON.stringify({ symbols: ["BTCUSDT"], poll_time: 600 }),
    );
    const run = await finish(spawnRecord(["--config", `${dir}/record.json`], {
      ASTER_LOG_DIR: `${dir}/env_logs`,
      ASTER_POLL_TIME: "2",
      ASTER_REST_URL: sim.restUrl,
      ASTER_WS_URL: sim.wsUrl,
    }));
    equal(run.code, 0, run.stderr);
    // the environment's 2 s beat the file's 600 s; the logs went to ASTER_LOG_DIR
    match(run.stdout, /recorded \d+ snapshots, \d+ rows into .*env_logs/);
    ok((await dataRows(`${dir}/env_logs/kline.csv`)).length > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
