/**
 * Benchmark of the feature builder: generates recorder logs (or reuses `--dir`), runs
 * `backtest/build_features.ts` as a subprocess, and prints input rows/s end to end and the
 * child's peak RSS (VmHWM from /proc).
 *
 * ```sh
 * deno task bench:features                 # ~1 GB of logs, 5 symbols
 * deno task bench:features --size_mb 100   # a quick run
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { formatHelp, parseFlags, runMain } from "../lib/cli/mod.ts";
import { generateLogs } from "./gen_logs.ts";

const FLAGS = {
  size_mb: {
    type: "number",
    default: 1000,
    min: 1,
    help: "MiB of logs to generate (all five files)",
  },
  symbols: {
    type: "number",
    default: 5,
    integer: true,
    min: 1,
    help: "symbols",
  },
  dir: { type: "string", help: "reuse the logs in this directory" },
  windows: { type: "string", default: "10,30,60", help: "builder windows" },
} as const;

const encoder = new TextEncoder();
function say(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text + "\n"));
}

function hasGnuTime(): boolean {
  try {
    return Deno.statSync("/usr/bin/time").isFile;
  } catch {
    return false;
  }
}

/**
 * Runs `cmd` and measures its peak RSS: with GNU time when present, else with a shell loop
 * polling /proc/<pid>/status (Deno itself may not read /proc without --allow-all).
 */
async function runMeasured(
  cmd: string[],
  cwd: string,
): Promise<{ code: number; stderr: string; peakKb: number; wall: number }> {
  const gnu = hasGnuTime();
  const poll =
    '"$@" & pid=$!; hwm=0; while kill -0 $pid 2>/dev/null; do v=$(sed -n "s/^VmHWM:[^0-9]*\\([0-9]*\\).*/\\1/p" /proc/$pid/status 2>/dev/null); [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v; sleep 0.02; done; wait $pid; code=$?; echo "peak_rss_kb: $hwm" >&2; exit $code';
  const [bin, args] = gnu
    ? ["/usr/bin/time", ["-v", ...cmd]]
    : ["sh", ["-c", poll, "sh", ...cmd]];
  const t0 = performance.now();
  const out = await new Deno.Command(bin, {
    args,
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  const wall = (performance.now() - t0) / 1000;
  const stderr = new TextDecoder().decode(out.stderr);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr) ??
    /peak_rss_kb: (\d+)/.exec(stderr);
  return { code: out.code, stderr, peakKb: Number(m?.[1] ?? NaN), wall };
}

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args, FLAGS);
  if (flags.help) {
    say(formatHelp("Usage: deno task bench:features [--size_mb 1000]", FLAGS));
    return 0;
  }
  const root = new URL("..", import.meta.url).pathname;
  const work = await Deno.makeTempDir({ prefix: "features_bench_" });
  try {
    let dir = flags.dir;
    if (dir === undefined) {
      dir = join(work, "logs");
      await Deno.mkdir(dir);
      const t0 = performance.now();
      const g = generateLogs(dir, {
        sizeMb: flags.size_mb,
        symbols: flags.symbols,
      });
      say(
        `generated ${
          (g.bytes / 2 ** 20).toFixed(0)
        } MiB of logs (${flags.symbols} symbols, ${g.seconds} s of data) in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
      );
    }
    let logBytes = 0;
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile && e.name.endsWith(".csv")) {
        logBytes += Deno.statSync(join(dir, e.name)).size;
      }
    }
    const out = join(work, "features.csv");
    const run = await runMeasured([
      Deno.execPath(),
      "run",
      "--frozen",
      "--allow-read",
      "--allow-write",
      "--allow-env=ASTER_*",
      join(root, "backtest/build_features.ts"),
      "--log_dir",
      dir,
      "--out_csv",
      out,
      "--windows",
      flags.windows,
    ], root);
    const { stderr, wall } = run;
    if (run.code !== 0) {
      say(stderr);
      say(`builder failed with exit code ${run.code}`);
      return 1;
    }
    const done = /done: (\d+) rows \((\d+) bytes\) in ([\d.]+) s/.exec(stderr);
    const rows = Number(done?.[1] ?? NaN);
    const bytes = Number(done?.[2] ?? NaN);
    const bars = /(\d+) bars/.exec(stderr)?.[1] ?? "?";
    say(
      `logs: ${(logBytes / 2 ** 20).toFixed(0)} MiB in ${dir}; builder read ${
        (bytes / 2 ** 20).toFixed(0)
      } MiB (kline, bookTicker, markPrice), ${rows} rows, wrote ${bars} bars`,
    );
    say(
      `rows/s: ${Math.round(rows / wall)} end to end (wall ${
        wall.toFixed(2)
      } s incl. Deno start-up; ${done?.[3]} s inside the builder)`,
    );
    say(
      `peak RSS: ${(run.peakKb / 1024).toFixed(1)} MB (max RSS of the builder)`,
    );
    return 0;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) await runMain(main);
