/**
 * Every command × each bad input a newcomer tried: run exactly as `deno task X` runs it (the
 * task's own permissions from deno.json), and assert the exit code, one line on stderr
 * naming the culprit, no stack frame, and no file created or changed.
 *
 * @module
 */
import { equal, match } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator } from "../lib/sim/mod.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const TASKS: Record<string, string> = JSON.parse(
  await Deno.readTextFile(join(ROOT, "deno.json")),
).tasks;

/** The `deno run` arguments of a task, its script made absolute. */
function taskArgs(task: string): string[] {
  const words = TASKS[task]!.split(/\s+/);
  equal(words[0], "deno", `task ${task} is a deno command`);
  return words.slice(1).map((w) => w.endsWith(".ts") ? join(ROOT, w) : w);
}

async function runTask(
  task: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stderr: string; stdout: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...taskArgs(task), ...args],
    cwd,
    env: { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return {
    code: out.code,
    stdout: d.decode(out.stdout),
    stderr: d.decode(out.stderr),
  };
}

/**
 * Every path under `dir`, files with their size and modification time (a directory's own
 * time moves when a writability probe is created and removed in it).
 */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      const info = await Deno.lstat(p);
      out.push(
        info.isDirectory
          ? `${p}/`
          : `${p} ${info.size} ${info.mtime?.getTime()}`,
      );
      if (e.isDirectory) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * A directory this process cannot write in: mode 0555, or for root (who ignores modes) the
 * immutable attribute; `undefined` when neither works here (those cases are then skipped,
 * visibly).
 */
async function readOnlyDir(tmp: string): Promise<string | undefined> {
  const dir = join(tmp, "logs", "readonly");
  await Deno.mkdir(dir);
  await Deno.chmod(dir, 0o555);
  if (!(await writable(dir))) return dir;
  await Deno.chmod(dir, 0o755);
  const r = await new Deno.Command("chattr", {
    args: ["+i", dir],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  if (r?.success && !(await writable(dir))) return dir;
  return undefined;
}

async function writable(dir: string): Promise<boolean> {
  try {
    await Deno.writeTextFile(join(dir, "probe"), "");
    await Deno.remove(join(dir, "probe"));
    return true;
  } catch {
    return false;
  }
}

async function releaseReadOnly(tmp: string): Promise<void> {
  const dir = join(tmp, "logs", "readonly");
  await new Deno.Command("chattr", {
    args: ["-i", dir],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  await Deno.chmod(dir, 0o755).catch(() => {});
}

interface Case {
  readonly task: string;
  readonly what: string;
  readonly args: (p: Paths) => string[];
  /** What the one line must say (the flag, path or reason). */
  readonly culprit: RegExp;
  readonly code?: number;
  /** Needs a read-only directory. */
  readonly readOnly?: boolean;
}

interface Paths {
  readonly tmp: string;
  readonly file: string;
  readonly dir: string;
  /** A read-only directory, or undefined where none can be made. */
  readonly ro: string | undefined;
  readonly features: string;
  readonly outputs: string;
  readonly sim: string;
  readonly ws: string;
  readonly closed: string;
  readonly port: number;
}

/** Unreadable `--replay` files: name and content. */
const REPLAY_FILES = [
  ["empty", ""],
  ["header-only", "open_time,open,high,low,close,volume\n"],
  ["missing-column", "open_time,open,high\n1,2,3\n"],
  ["malformed", "open_time,open,high,low,close,volume\n1,x,y\n"],
] as const;

const CASES: readonly Case[] = [
  {
    task: "record:sim",
    what: "an unreachable --rest_url",
    args: (p) => [
      "--rest_url",
      p.closed,
      "--log_dir",
      join(p.tmp, "logs", "new_logs"),
      "--poll_time",
      "2",
    ],
    culprit: /127\.0\.0\.1:\d+: connection refused/,
  },
  {
    task: "record:sim",
    what: "an unknown symbol",
    args: (p) => [
      "--rest_url",
      p.sim,
      "--ws_url",
      p.ws,
      "--symbols",
      "FOOUSDT",
      "--log_dir",
      join(p.tmp, "logs", "new_logs"),
    ],
    culprit: /unknown symbol\(s\) FOOUSDT/,
  },
  {
    task: "record:sim",
    what: "--log_dir a file",
    args: (p) => ["--rest_url", p.sim, "--log_dir", p.file],
    culprit: /--log_dir .*a_file: is a file/,
  },
  {
    task: "record:sim",
    what: "--log_dir read-only",
    readOnly: true,
    args: (p) => ["--rest_url", p.sim, "--log_dir", join(p.ro!, "rec")],
    culprit: /--log_dir .*rec: cannot write in/,
  },
  {
    task: "record",
    what: "--log_dir outside the task's permissions",
    args: (p) => ["--log_dir", join(p.tmp, "elsewhere")],
    culprit: /--log_dir .*elsewhere: outside this command's write permissions/,
  },
  {
    task: "live:sim",
    what: "an unreachable --rest_url",
    args: (p) => [
      "--rest_url",
      p.closed,
      "--journal",
      join(p.tmp, "logs", "new_logs", "decisions.csv"),
      "--poll_time",
      "2",
    ],
    culprit: /127\.0\.0\.1:\d+: connection refused/,
  },
  {
    task: "live:sim",
    what: "an unknown symbol",
    args: (p) => [
      "--rest_url",
      p.sim,
      "--ws_url",
      p.ws,
      "--symbols",
      "FOOUSDT",
      "--journal",
      join(p.tmp, "logs", "new_logs", "decisions.csv"),
    ],
    culprit: /unknown symbol\(s\) FOOUSDT/,
  },
  {
    task: "build-features",
    what: "--out_csv a directory",
    args: (p) => ["--ohlcv", p.features, "--symbol", "X", "--out_csv", p.dir],
    culprit: /--out_csv .*a_dir: is a directory/,
  },
  {
    task: "build-features",
    what: "--out_csv read-only",
    readOnly: true,
    args: (p) => [
      "--ohlcv",
      p.features,
      "--symbol",
      "X",
      "--out_csv",
      join(p.ro!, "f.csv"),
    ],
    culprit: /--out_csv .*f\.csv: cannot write in/,
  },
  {
    task: "build-features",
    what: "--out_csv empty",
    args: (p) => ["--ohlcv", p.features, "--symbol", "X", "--out_csv", ""],
    culprit: /--out_csv: empty path/,
  },
  {
    task: "build-features",
    what: "--log_dir a file",
    args: (p) => ["--log_dir", p.file, "--out_csv", join(p.tmp, "f.csv")],
    culprit: /--log_dir .*a_file: is a file/,
  },
  {
    task: "backtest",
    what: "--out a file",
    args: (p) => ["--features", p.features, "--out", p.file],
    culprit: /--out_dir .*a_file: is a file/,
  },
  {
    task: "backtest",
    what: "--out read-only",
    readOnly: true,
    args: (p) => ["--features", p.features, "--out", join(p.ro!, "bt")],
    culprit: /--out_dir .*bt: cannot write in/,
  },
  {
    task: "backtest",
    what: "--features a directory",
    args: (p) => ["--features", p.dir, "--out", join(p.tmp, "bt")],
    culprit: /--features .*a_dir: is a directory/,
  },
  {
    task: "report",
    what: "--in a file",
    args: (p) => ["--in", p.file],
    culprit: /--in_dir .*a_file: is a file/,
  },
  {
    task: "report",
    what: "--out a directory",
    args: (p) => ["--in", p.outputs, "--out", p.dir],
    culprit: /--out .*a_dir: is a directory/,
  },
  {
    task: "report",
    what: "--out read-only",
    readOnly: true,
    args: (p) => ["--in", p.outputs, "--out", join(p.ro!, "r.html")],
    culprit: /--out .*r\.html: cannot write in/,
  },
  {
    task: "compile",
    what: "--out_dir read-only",
    readOnly: true,
    args: (p) => ["--bundle", "--out_dir", join(p.ro!, "bin")],
    culprit: /--out_dir .*bin: cannot write in/,
  },
  {
    task: "compile",
    what: "--out_dir a file",
    args: (p) => ["--bundle", "--out_dir", p.file],
    culprit: /--out_dir .*a_file: is a file/,
  },
  {
    task: "compile",
    what: "--deno missing",
    args: (p) => [
      "--bundle",
      "--deno",
      "/nonexistent",
      "--out_dir",
      join(p.tmp, "bin"),
    ],
    culprit: /--deno \/nonexistent: file not found/,
  },
  ...(
    [
      ["empty", ""],
      ["header-only", "open_time,open,high,low,close,volume\n"],
      ["missing-column", "open_time,open,high\n1,2,3\n"],
      ["malformed", "open_time,open,high,low,close,volume\n1,x,y\n"],
    ] as const
  ).map(([what]): Case => ({
    task: "paper",
    what: `--replay ${what}`,
    args: (p) => [
      "--replay",
      `BTCUSDT=${join(p.tmp, `${what}.csv`)}`,
      "--journal",
      "",
    ],
    culprit: new RegExp(`--replay: .*${what}\\.csv`),
  })),
  {
    task: "compile",
    what: "--hosts a URL",
    args: (p) => [
      "--bundle",
      "--hosts",
      "http://x.com",
      "--out_dir",
      join(p.tmp, "bin"),
    ],
    culprit: /--hosts "http:\/\/x\.com": expected a host name/,
  },
  {
    task: "record:sim",
    what: "--poll_time in hexadecimal",
    args: () => ["--poll_time", "0x10"],
    culprit: /--poll_time "0x10": not a number/,
  },
  {
    task: "record:sim",
    what: "--symbols without a value before another flag",
    args: () => ["--symbols", "--poll_time", "5"],
    culprit: /--symbols/,
  },
  {
    task: "sim",
    what: "--balance negative",
    args: () => ["--balance", "-5"],
    culprit: /--balance "-5": expected a positive/,
  },
  {
    task: "sim",
    what: "--account_v1 not KEY:SECRET",
    args: () => ["--account_v1", "foo"],
    culprit: /--account_v1 entry 1: expected KEY:SECRET, got 1 part/,
  },
  {
    task: "demo",
    what: "--out_dir a file",
    args: (p) => ["--out_dir", p.file],
    culprit: /--out_dir .*a_file: is a file/,
  },
  {
    task: "parity",
    what: "--replay an empty file",
    args: (p) => ["--replay", `BTCUSDT=${join(p.tmp, "empty.csv")}`],
    culprit: /--replay: .*empty\.csv/,
  },
  {
    task: "sim",
    what: "--port in use",
    args: (p) => ["--port", String(p.port)],
    culprit: /--port \d+: already in use/,
  },
];

Deno.test("every command answers a bad input with one line, exit 2 and nothing written", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "cli-errors-" });
  await using sim = await startSimulator({ symbols: ["BTCUSDT"], speed: 1 });
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (free.addr as Deno.NetAddr).port;
  free.close();
  try {
    const features = join(tmp, "features.csv");
    await Deno.writeTextFile(
      features,
      "open_time,open,high,low,close,volume\n60000,1,2,0.5,1.5,10\n",
    );
    const outputs = join(tmp, "outputs");
    await Deno.mkdir(outputs);
    // under ./logs: the only place the scoped record and live tasks may write
    await Deno.mkdir(join(tmp, "logs"));
    await Deno.writeTextFile(join(tmp, "logs", "a_file"), "x\n");
    await Deno.mkdir(join(tmp, "logs", "a_dir"));
    for (const [name, text] of REPLAY_FILES) {
      await Deno.writeTextFile(join(tmp, `${name}.csv`), text);
    }
    const paths: Paths = {
      tmp,
      file: join(tmp, "logs", "a_file"),
      dir: join(tmp, "logs", "a_dir"),
      ro: await readOnlyDir(tmp),
      features,
      outputs,
      sim: sim.restUrl,
      ws: sim.wsUrl,
      closed: `http://127.0.0.1:${closedPort}`,
      port: (busy.addr as Deno.NetAddr).port,
    };
    for (const c of CASES) {
      if (c.readOnly && paths.ro === undefined) {
        await t.step({
          name:
            `SKIPPED ${c.task}: ${c.what} (no read-only directory can be made here)`,
          ignore: true,
          fn: () => {},
        });
        continue;
      }
      await t.step(`${c.task}: ${c.what}`, async () => {
        const before = await tree(tmp);
        // record and live serve metrics on a fixed port by default: none here (parallel runs)
        const quiet = /^(record|live)/.test(c.task)
          ? ["--metrics_addr", ""]
          : [];
        const r = await runTask(c.task, [...c.args(paths), ...quiet], tmp);
        equal(r.code, c.code ?? 2, r.stderr);
        const lines = r.stderr.trimEnd().split("\n");
        equal(lines.length, 1, `one line:\n${r.stderr}`);
        match(lines[0]!, /^error: /);
        match(lines[0]!, c.culprit);
        equal(r.stderr.includes("    at "), false, "no stack frame");
        equal((await tree(tmp)).join("\n"), before.join("\n"), "no file");
      });
    }
  } finally {
    busy.close();
    await releaseReadOnly(tmp);
    await Deno.remove(tmp, { recursive: true });
  }
});
