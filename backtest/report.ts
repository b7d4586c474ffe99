/**
 * `deno task report`: build the interactive HTML report of a grid backtest's outputs.
 *
 * ```sh
 * deno task report --in_dir ./out/backtest            # writes ./out/backtest/report.html
 * deno task report --in_dir ./out/backtest --out r.html --top 3 --table_rows 200
 * ```
 *
 * @module
 */
import { join } from "node:path";
import {
  checkInputDir,
  checkOutputFile,
  CONFIG_FLAG,
  formatHelp,
  parseCommandFlags,
  runMain,
  UsageError,
} from "../lib/cli/mod.ts";
import { ReportInputError, writeReport } from "../lib/report/mod.ts";
import { isBotRun, writeBotReport } from "../lib/report/bot_report.ts";

const SPECS = {
  ...CONFIG_FLAG,
  in_dir: {
    type: "string",
    alias: "in",
    default: "out/backtest",
    help: "the backtest's output directory (its --out_dir)",
  },
  out: {
    type: "string",
    help: "the report file (default: <in>/report.html)",
  },
  top: {
    type: "number",
    integer: true,
    min: 0,
    help:
      "most configs per ranking (each symbol and the aggregate) with embedded curves (default: all the run wrote)",
  },
  table_rows: {
    type: "number",
    default: 100,
    integer: true,
    min: 1,
    help: "rows per ranking table",
  },
  buckets: {
    type: "number",
    default: 4000,
    integer: true,
    min: 10,
    help: "display buckets per curve (min/max kept per bucket)",
  },
  title: { type: "string", default: "Backtest report", help: "page title" },
  parity: {
    type: "string",
    help:
      "a parity.json of deno task parity to show with a bot-model run (default: <in>/parity.json if present)",
  },
} as const;

const USAGE =
  "Usage: deno task report [--in_dir DIR] [--out FILE] [--top N] [--table_rows N]";

/**
 * Runs the report command.
 *
 * @param args the command line
 * @param env reads an environment variable (`ASTER_<FLAG>` settings)
 * @param print where the report's path is written
 * @returns the exit code
 * @throws {UsageError} for bad flags or missing/malformed backtest outputs
 */
export async function main(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
  print: (line: string) => void = (line) =>
    Deno.stdout.writeSync(new TextEncoder().encode(line + "\n")),
): Promise<number> {
  const flags = await parseCommandFlags(SPECS, [...args], env);
  if (flags.help) {
    print(formatHelp(USAGE, SPECS));
    return 0;
  }
  await checkInputDir("in_dir", flags.in_dir);
  await checkOutputFile("out", flags.out ?? join(flags.in_dir, "report.html"));
  const bot = await isBotRun(flags.in_dir);
  if (!bot && flags.parity !== undefined) {
    throw new UsageError(
      "Invalid --parity: it applies to the report of a bot-model run (deno task backtest --model bot)",
    );
  }
  try {
    const written = bot
      ? await writeBotReport(flags.in_dir, {
        title: flags.title,
        ...(flags.out !== undefined ? { out: flags.out } : {}),
        ...(flags.parity !== undefined ? { parity: flags.parity } : {}),
      })
      : await writeReport(flags.in_dir, {
        title: flags.title,
        tableRows: flags.table_rows,
        buckets: flags.buckets,
        ...(flags.out !== undefined ? { out: flags.out } : {}),
        ...(flags.top !== undefined ? { top: flags.top } : {}),
      });
    print(
      `report: ${written.path} (${
        (written.bytes / 1e6).toFixed(2)
      } MB, ${written.curves} configs with curves)`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ReportInputError) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (name) => Deno.env.get(name)));
}
