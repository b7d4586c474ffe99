/**
 * Downloads exchange history (1m klines, 1m mark-price klines, funding rates and
 * optionally 1m index-price klines) into files `build-features --data_dir` reads.
 *
 * ```sh
 * deno task download --symbols BTCUSDT,ETHUSDT --from 2025-01-01 --to 2025-06-30 --out_dir ./data
 * deno task download --verify --out_dir ./data
 * ```
 *
 * @module
 */
import {
  checkInputDir,
  checkOutputDir,
  formatHelp,
  parseDateFlag,
  parseFlags,
  runMain,
  UsageError,
  writeStderr,
} from "../lib/cli/mod.ts";
import { checkUrlFlag, HTTP_PROTOCOLS } from "../lib/cli/url_flag.ts";
import { MarketRestClient } from "../lib/exchange/market_rest_client.ts";
import {
  DEFAULT_REST_URL,
  RestTransport,
} from "../lib/exchange/rest_transport.ts";
import { DEFAULT_KINDS, parseKinds } from "../lib/download/layout.ts";
import { PageFormatError } from "../lib/download/page_lines.ts";
import { DownloadStopped } from "../lib/download/retry.ts";
import {
  DownloadInputError,
  runDownload,
  verifyDirectory,
} from "../lib/download/run_download.ts";
import { systemClock } from "../lib/time/clock.ts";

const FLAGS = {
  symbols: { type: "list", help: "symbols to download, e.g. BTCUSDT,ETHUSDT" },
  from: { type: "string", help: "first UTC date (YYYY-MM-DD[THH:MM])" },
  to: {
    type: "string",
    help: "end UTC date, exclusive (default: now, the last closed minute)",
  },
  out_dir: {
    type: "string",
    default: "./data",
    help: "where the files and download.json go",
  },
  what: {
    type: "list",
    default: DEFAULT_KINDS.join(","),
    help: "kinds: klines, mark, funding, index",
  },
  rest_url: {
    type: "string",
    default: DEFAULT_REST_URL,
    help: "REST base URL (the simulator: http://127.0.0.1:PORT)",
  },
  max_weight_share: {
    type: "number",
    default: 0.5,
    min: 0.05,
    max: 1,
    help: "share of the IP's request weight per minute this may fill",
  },
  verify: {
    type: "boolean",
    default: false,
    help: "check --out_dir for continuity, duplicates and order; no download",
  },
  quiet: { type: "boolean", default: false, help: "no progress on stderr" },
} as const;

const USAGE =
  "Usage: deno task download --symbols BTCUSDT,ETHUSDT --from 2025-01-01 [--to 2025-07-01] [--out_dir ./data] [--what klines,mark,funding,index]\n       deno task download --verify [--out_dir ./data] [--symbols ...]";

/** Parses `args`, runs, prints; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, FLAGS);
  if (flags.help) {
    Deno.stdout.writeSync(
      new TextEncoder().encode(formatHelp(USAGE, FLAGS) + "\n"),
    );
    return 0;
  }
  const symbols = (flags.symbols ?? []).map((s) => s.toUpperCase());
  const say = (line: string) => writeStderr(line + "\n");
  if (flags.verify) {
    await checkInputDir("out_dir", flags.out_dir);
    try {
      const r = verifyDirectory(flags.out_dir, symbols, say);
      return r.bad > 0 ? 1 : 0;
    } catch (error) {
      if (error instanceof DownloadInputError) {
        throw new UsageError(error.message);
      }
      throw error;
    }
  }
  if (symbols.length === 0) throw new UsageError("Missing --symbols");
  if (flags.from === undefined) throw new UsageError("Missing --from");
  const from = parseDateFlag("from", flags.from);
  const to = flags.to === undefined ? undefined : parseDateFlag("to", flags.to);
  if (to !== undefined && from >= to) {
    throw new UsageError(
      `Invalid --from "${flags.from}": not before --to "${flags.to}"`,
    );
  }
  const kinds = parseKinds(flags.what);
  if ("unknown" in kinds) {
    throw new UsageError(
      `Invalid --what "${kinds.unknown}": expected klines, mark, funding or index`,
    );
  }
  checkUrlFlag("rest_url", flags.rest_url, HTTP_PROTOCOLS);
  await checkOutputDir("out_dir", flags.out_dir);
  const transport = new RestTransport({
    baseUrl: flags.rest_url,
    weightHeadroom: flags.max_weight_share,
  });
  const client = new MarketRestClient(transport);
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    await runDownload(
      { symbols, from, to, outDir: flags.out_dir, kinds: kinds.kinds },
      {
        client,
        clock: systemClock,
        report: say,
        signal: abort.signal,
        ...(flags.quiet ? {} : { progress: say }),
      },
    );
    return 0;
  } catch (error) {
    if (error instanceof DownloadInputError) {
      throw new UsageError(error.message);
    }
    if (abort.signal.aborted) {
      say("interrupted: the files hold whole lines; run again to resume");
      return 130;
    }
    if (
      error instanceof DownloadStopped || error instanceof PageFormatError ||
      error instanceof Error
    ) {
      say(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}

if (import.meta.main) await runMain(() => main(Deno.args));
