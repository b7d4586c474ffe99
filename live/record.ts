/**
 * `deno task record`: records Aster market data (1m klines, book ticker, mark price and
 * funding, aggregate trades, depth5) for some symbols into five CSV logs, once a second.
 *
 * @module
 */
import {
  checkOutputDir,
  CONFIG_FLAG,
  formatHelp,
  LOG_FLAGS,
  LOG_LEVELS,
  parseCommandFlags,
  runMain,
  setupLogging,
  UsageError,
} from "../lib/cli/mod.ts";
import {
  checkUrlFlag,
  HTTP_PROTOCOLS,
  WS_PROTOCOLS,
} from "../lib/cli/url_flag.ts";
import { MarketRestClient, RestTransport } from "../lib/exchange/mod.ts";
import { MarketFeed, UnknownSymbolError } from "../lib/market/mod.ts";
import { LogFileError, recordMarket } from "../lib/recorder/mod.ts";
import { systemClock } from "../lib/time/clock.ts";
import {
  METRICS_FLAGS,
  parseMetricsAddr,
  startMonitoring,
} from "../lib/metrics/mod.ts";
import { recorderView } from "../lib/metrics/recorder_view.ts";

const FLAGS = {
  ...CONFIG_FLAG,
  symbols: {
    type: "list",
    alias: "symbol",
    default: "BTCUSDT,ETHUSDT",
    help: "symbols to record",
  },
  log_dir: {
    type: "string",
    default: "./logs",
    help: "directory of the CSV logs",
  },
  poll_time: {
    type: "number",
    default: 600,
    min: 0,
    help: "seconds to run; 0 = until stopped (SIGINT/SIGTERM)",
  },
  delete_logs: {
    type: "boolean",
    default: false,
    help: "delete existing logs first",
  },
  rest_url: {
    type: "string",
    default: "https://fapi.asterdex.com",
    help: "REST base URL (e.g. the simulator's)",
  },
  ws_url: {
    type: "string",
    default: "wss://fstream.asterdex.com",
    help: "WebSocket base URL",
  },
  ...LOG_FLAGS,
  ...METRICS_FLAGS,
} as const;

const USAGE =
  "Usage: deno task record [--symbols BTCUSDT,ETHUSDT] [--log_dir ./logs] " +
  "[--poll_time 600] [--delete_logs]";

/** Parses flags, records, prints a summary. */
export async function main(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<number> {
  const flags = await parseCommandFlags(FLAGS, args, env);
  if (flags.help) {
    writeStdout(formatHelp(USAGE, FLAGS) + "\n");
    return 0;
  }
  setupLogging({
    level: flags.log_level as (typeof LOG_LEVELS)[number],
    json: flags.log_json,
  });
  checkUrlFlag("rest_url", flags.rest_url, HTTP_PROTOCOLS);
  checkUrlFlag("ws_url", flags.ws_url, WS_PROTOCOLS);
  await checkOutputDir("log_dir", flags.log_dir);
  parseMetricsAddr(flags.metrics_addr, flags.metrics_public);
  const monitoring = startMonitoring(flags, "record");
  const metrics = monitoring.metrics;
  const stop = new AbortController();
  const onSignal = () => {
    metrics?.setStopping();
    stop.abort(new Error("signal"));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const transport = new RestTransport({ baseUrl: flags.rest_url });
  const feed = new MarketFeed({
    symbols: flags.symbols.map((s) => s.toUpperCase()),
    rest: new MarketRestClient(transport),
    stream: { wsUrl: flags.ws_url },
  });
  try {
    const summary = await recordMarket({
      feed,
      logDir: flags.log_dir,
      deleteLogs: flags.delete_logs,
      clock: systemClock,
      durationMs: flags.poll_time * 1000,
      signal: stop.signal,
      onStart: (recorder) => {
        metrics?.attach(recorderView(feed, recorder, transport, systemClock));
        metrics?.setReady(true);
      },
    });
    const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    writeStdout(
      `recorded ${summary.snapshots} snapshots, ${total} rows into ${flags.log_dir} ` +
        `(${
          Object.entries(summary.rows).map(([k, v]) => `${k}=${v}`).join(" ")
        })\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof LogFileError || error instanceof UnknownSymbolError) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await monitoring.close();
  }
}

function writeStdout(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (name) => Deno.env.get(name)));
}
