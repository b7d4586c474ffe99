/**
 * `deno task merge --in SHARD_DIR... --out_dir DIR`: joins the shard directories of a
 * `deno task backtest ... --shard i/n` run into the outputs the single run writes
 * (`ranked.csv`, `ranked.json`, `pbo.json`, `manifest.json`, `top/`), byte for byte except
 * the timings; shards of a `--model bot` run merge into the bot model's outputs. An incomplete or mismatched set is refused in one line (exit code 2) before
 * anything is written.
 *
 * @module
 */
import {
  formatHelp,
  parseFlags,
  runMain,
  UsageError,
  writeStderr,
} from "../lib/cli/mod.ts";
import {
  BacktestInputError,
  mergeShards,
  readShardSet,
  summaryLines,
} from "../lib/backtest/mod.ts";
import { mergeBotShards } from "../lib/backtest/bot_model/bot_shard.ts";
import { printBotSummary } from "../lib/backtest/bot_model/bot_cli.ts";

/** The flags (exported for the deploy definitions' tests). */
export const SPECS = {
  in: {
    type: "list",
    help:
      "shard directories (comma-separated, or several after --in), all n of one run",
  },
  "out_dir": {
    type: "string",
    help: "output directory (required)",
  },
  out: { type: "string", help: "alias of --out_dir" },
  features: {
    type: "string",
    help:
      "the feature table, when it is not at the path the shards recorded (same contents)",
  },
  quiet: { type: "boolean", default: false, help: "no status output" },
} as const;

const USAGE =
  "Usage: deno task merge --in SHARD_DIR [SHARD_DIR ...] --out_dir DIR [--features FILE]";

const encoder = new TextEncoder();

function print(text: string): void {
  const bytes = encoder.encode(`${text}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** `--in a b c` -> `--in a,b,c` (the flag parser takes one value per flag). */
function joinInDirs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a !== "--in") {
      out.push(a);
      continue;
    }
    const dirs: string[] = [];
    while (i + 1 < args.length && !args[i + 1]!.startsWith("--")) {
      dirs.push(args[++i]!);
    }
    out.push("--in", dirs.join(","));
  }
  return out;
}

/** Parses `args`, merges, prints; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const flags = parseFlags(joinInDirs(args), SPECS);
  if (flags.help) {
    print(formatHelp(USAGE, SPECS));
    return 0;
  }
  const dirs = (flags.in ?? []).filter((d) => d !== "");
  if (dirs.length === 0) {
    throw new UsageError("Missing --in SHARD_DIR... (the shard directories)");
  }
  if (
    flags.out_dir !== undefined && flags.out !== undefined &&
    flags.out_dir !== flags.out
  ) {
    throw new UsageError("--out is an alias of --out_dir: give one of them");
  }
  const out = flags.out_dir ?? flags.out;
  if (out === undefined) {
    throw new UsageError("Missing --out_dir DIR (where the merged outputs go)");
  }
  const onStatus = (line: string) => {
    if (!flags.quiet) writeStderr(`${line}\n`);
  };
  const features = flags.features !== undefined
    ? { features: flags.features }
    : {};
  let merged;
  try {
    const docs = await readShardSet(dirs);
    if ((docs[0]!.run as unknown as Record<string, unknown>).model === "bot") {
      const bot = await mergeBotShards(docs, { out, ...features, onStatus });
      printBotSummary(bot.summary, {
        rankBy: bot.run.rankBy ?? "net_pnl",
        minTrades: bot.run.minTrades ?? 1,
        top: bot.run.top ?? 5,
        out,
      }, print);
      return 0;
    }
    merged = await mergeShards({ dirs, out, ...features, onStatus });
  } catch (error) {
    if (error instanceof BacktestInputError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
  const { summary, run } = merged;
  for (
    const line of summaryLines(summary, {
      minTrades: run.minTrades ?? 1,
      rankBy: run.rankBy ?? "sharpe",
      rankRule: run.rankRule ?? "max",
      out,
    })
  ) print(line);
  return 0;
}

if (import.meta.main) await runMain(() => main(Deno.args));
