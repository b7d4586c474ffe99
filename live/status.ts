/**
 * `deno task status`: one screen on the bot — asks a running bot's `/health` and
 * `/metrics`, or, when it does not answer, reads its state file and the tail of its
 * decision journal. Settings as for the bot (flag > `ASTER_<FLAG>` environment >
 * default), so on the VM `aster-status` with aster.env finds the same files.
 *
 * @module
 */
import { formatHelp, runMain, UsageError } from "../lib/cli/mod.ts";
import { parseLayeredFlags } from "../lib/live/live_flags.ts";
import {
  describeKillSwitch,
  readStateFile,
  StateFileError,
} from "../lib/live/state_file.ts";
import type { HealthReport } from "../lib/metrics/health.ts";
import { parseMetricsAddr } from "../lib/metrics/metrics_addr.ts";
import {
  formatOffline,
  formatOnline,
  journalTail,
  type JournalTailRow,
  parseExposition,
} from "../lib/metrics/status_screen.ts";

const FLAGS = {
  metrics_addr: {
    type: "string",
    default: "127.0.0.1:9464",
    help: "host:port of the bot's /health and /metrics",
  },
  state_file: {
    type: "string",
    default: "./state/bot_state.json",
    help: "the bot's safety-state file, read when the bot is down",
  },
  journal: {
    type: "string",
    default: "./logs/decisions.csv",
    help: "the bot's decision journal, read when the bot is down",
  },
  timeout: {
    type: "number",
    default: 2,
    min: 0.1,
    help: "seconds to wait for the bot",
  },
} as const;

const USAGE =
  "Usage: deno task status [--metrics_addr 127.0.0.1:9464] [--state_file ./state/bot_state.json] " +
  "[--journal ./logs/decisions.csv]";

/** Prints the screen; exit 0 when the bot is up and ready, 1 when not (or down). */
export async function main(
  argv: readonly string[],
  env: (name: string) => string | undefined = () => undefined,
): Promise<number> {
  const flags = await parseLayeredFlags(FLAGS, {
    argv,
    env,
    readTextFile: (p) => Deno.readTextFile(p),
  });
  if (flags.help) {
    writeStdout(formatHelp(USAGE, FLAGS) + "\n");
    return 0;
  }
  // the status command may ask any address it is told to: no loopback rule here
  const addr = parseMetricsAddr(flags.metrics_addr, true);
  if (!addr) {
    throw new UsageError(
      'Invalid --metrics_addr "": the status command needs the bot\'s address',
    );
  }
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  const url = `http://${host}:${addr.port}`;
  const timeoutMs = flags.timeout * 1000;
  let why: string;
  try {
    const [h, m] = await Promise.all([
      fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) }),
      fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) }),
    ]);
    const health = await h.json() as HealthReport;
    const metrics = m.ok ? await m.text() : (await m.body?.cancel(), "");
    writeStdout(formatOnline(url, health, parseExposition(metrics)));
    return health.ready ? 0 : 1;
  } catch (error) {
    why = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error) why += `: ${cause.message}`;
    if (error instanceof DOMException && error.name === "TimeoutError") {
      why = `no answer within ${flags.timeout} s`;
    }
  }
  const now = Date.now();
  let killSwitch: string;
  let cooldowns: Record<string, number> = {};
  try {
    const st = await readStateFile(flags.state_file);
    killSwitch = st.killSwitch === null
      ? "off"
      : describeKillSwitch(st.killSwitch, now);
    cooldowns = st.cooldowns;
  } catch (error) {
    if (!(error instanceof StateFileError)) throw error;
    killSwitch = `unreadable: ${error.message}`;
  }
  writeStdout(formatOffline({
    url,
    why,
    statePath: flags.state_file,
    killSwitch,
    cooldowns,
    journalPath: flags.journal,
    decisions: await readJournalTail(flags.journal, 10),
    nowMs: now,
  }));
  return 1;
}

/** The last `n` rows of the journal (reads at most its header and last 64 KiB). */
async function readJournalTail(
  path: string,
  n: number,
): Promise<JournalTailRow[] | string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    return error instanceof Deno.errors.NotFound
      ? "no journal (none written yet, or another --journal)"
      : `unreadable: ${error instanceof Error ? error.message : error}`;
  }
  try {
    const size = (await file.stat()).size;
    const head = new Uint8Array(Math.min(size, 4096));
    await readFull(file, head);
    const headText = new TextDecoder().decode(head);
    const header = headText.split("\n")[0] ?? "";
    const from = Math.max(0, size - 65536);
    await file.seek(from, Deno.SeekMode.Start);
    const tail = new Uint8Array(size - from);
    await readFull(file, tail);
    let text = new TextDecoder().decode(tail);
    if (from > 0) text = text.slice(text.indexOf("\n") + 1);
    return journalTail(header, text, n);
  } finally {
    file.close();
  }
}

async function readFull(file: Deno.FsFile, buf: Uint8Array): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const n = await file.read(buf.subarray(off));
    if (n === null) break;
    off += n;
  }
}

function writeStdout(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (n) => Deno.env.get(n)));
}
