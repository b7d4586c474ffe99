/**
 * `deno task live`: the live bot on Aster perpetuals. Evaluates the strategy on each
 * closed 1m bar, enters with a taker IOC, protects every position with exchange-side
 * exits, reconciles against REST, and stops cleanly on SIGINT/SIGTERM. `--enable_trading
 * false` (the default) is a dry run: everything but the orders, no credentials needed.
 *
 * Settings: flag > environment (`ASTER_<FLAG>`, e.g. `ASTER_K=1.5`) > `--config FILE`
 * (JSON keyed by flag name) > default. Credentials come from the environment
 * (`ASTER_USER`/`ASTER_SIGNER`/`ASTER_AGENT_KEY[_FILE]` or `ORDER_API_KEY`/`ORDER_SECRET_KEY`).
 *
 * The kill switch and the cooldowns live in `--state_file` and survive restarts; a corrupt
 * or unreadable state file refuses the start (exit 2). `--clear_kill_switch` (command line
 * only, with the bot stopped) clears a tripped kill switch there and exits 0.
 *
 * @module
 */
import {
  formatHelp,
  parseFlags,
  runMain,
  setupLogging,
  UsageError,
} from "../lib/cli/mod.ts";
import { CredentialError, loadCredentials } from "../lib/exchange/sign/mod.ts";
import { UnknownSymbolError } from "../lib/market/mod.ts";
import { LogFileError } from "../lib/recorder/mod.ts";
import {
  checkLiveConfig,
  clearKillSwitchFile,
  describeKillSwitch,
  EntrySizeError,
  initStateFile,
  type LiveConfig,
  parseLiveFlags,
  readStateFile,
  runLiveSession,
  StateFileError,
  TRADE_FLAGS,
  tradeConfig,
  type TradeFlags,
} from "../lib/live/mod.ts";
import { parseMetricsAddr, startMonitoring } from "../lib/metrics/mod.ts";
import { withMetrics } from "../lib/live/mod.ts";
import { SystemdNotifier, WatchdogGate } from "../lib/systemd/mod.ts";

const USAGE =
  "Usage: deno task live [--symbols BTCUSDT,ETHUSDT] [--enable_trading true] " +
  "[--order_notional 25] [--config bot.json] [--poll_time 0] …\n" +
  "       deno task live --clear_kill_switch [--state_file ./state/bot_state.json]";

/** Parses the layered flags into a checked config (exit 2 on any bad value). */
export async function readConfig(
  argv: readonly string[],
  env: (name: string) => string | undefined,
): Promise<
  { help: true } | { help: false; config: LiveConfig; flags: TradeFlags }
> {
  const flags = await parseLiveFlags(TRADE_FLAGS, {
    argv,
    env,
    readTextFile: (p) => Deno.readTextFile(p),
  });
  if (flags.help) return { help: true };
  // operator actions, never standing settings: a restart must not repeat them
  const cli = parseFlags(argv, TRADE_FLAGS);
  for (const action of ["clear_kill_switch", "init_state_file"] as const) {
    if (flags[action] && !cli[action]) {
      throw new UsageError(
        `Invalid --${action}: an operator action, allowed on the command line only (not in the environment or --config)`,
      );
    }
  }
  const config = tradeConfig(flags);
  // checked before anything starts: a bad address is a usage error
  parseMetricsAddr(flags.metrics_addr, flags.metrics_public);
  try {
    checkLiveConfig(config);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  return { help: false, config, flags };
}

/** Runs the bot; returns the exit code. */
export async function main(
  argv: readonly string[],
  env: (name: string) => string | undefined,
): Promise<number> {
  const read = await readConfig(argv, env);
  if (read.help) {
    writeStdout(
      formatHelp(USAGE, TRADE_FLAGS) +
        "\n\nEvery flag can also be set as ASTER_<FLAG> (e.g. ASTER_ORDER_NOTIONAL) or in --config; " +
        "precedence: flag > environment > config file > default.\n",
    );
    return 0;
  }
  const { config, flags } = read;
  if (flags.clear_kill_switch) return await clearKillSwitch(flags.state_file);
  if (flags.init_state_file) return await initState(flags.state_file);
  setupLogging({
    level: flags.log_level as "info",
    json: flags.log_json,
  });
  let credentials;
  if (config.enableTrading) {
    try {
      credentials = await loadCredentials({
        env,
        statFile: (path: string) => Deno.stat(path),
        uid: () => Deno.uid(),
        readTextFile: (p) => Deno.readTextFile(p),
      });
    } catch (error) {
      if (error instanceof CredentialError) {
        throw new UsageError(error.message);
      }
      throw error;
    }
  }
  const monitoring = startMonitoring(flags, "live");
  const notifier = await SystemdNotifier.fromEnv(env);
  const stop = new AbortController();
  const onSignal = () => {
    monitoring.metrics?.setStopping();
    stop.abort(new Error("signal"));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let healthy = false;
  const gate = new WatchdogGate({ notifier, isHealthy: () => healthy });
  try {
    const summary = await runLiveSession(
      config,
      withMetrics({
        ...(credentials ? { credentials } : {}),
        durationMs: flags.poll_time * 1000,
        signal: stop.signal,
        onReady: async (status: string) => {
          await notifier.ready(status);
          gate.start();
        },
        onHealth: (h: boolean) => {
          healthy = h;
        },
      }, monitoring.metrics),
    );
    gate.stop();
    await notifier.stopping();
    writeStdout(
      `evaluations ${summary.evaluations}, signals ${summary.signals}, entries ${summary.entriesSent}, ` +
        `stale skips ${summary.staleSkips}, dry-run orders ${summary.wouldEnter}, journal rows ${summary.journalRows}\n`,
    );
    if (summary.fills.fills.length > 0) {
      writeStdout(summary.fills.format() + "\n");
    }
    return 0;
  } catch (error) {
    if (
      error instanceof LogFileError || error instanceof UnknownSymbolError ||
      error instanceof StateFileError || error instanceof EntrySizeError
    ) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  } finally {
    gate.stop();
    await notifier.close();
    await monitoring.close();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

/** `--clear_kill_switch`: clears the kill switch in the state file, prints it, exits 0. */
async function clearKillSwitch(path: string): Promise<number> {
  const now = Date.now();
  try {
    const cleared = await clearKillSwitchFile(path, now);
    const kept = Object.entries((await readStateFile(path)).cooldowns)
      .filter(([, until]) => until > now)
      .map(([symbol, until]) =>
        `${symbol} until ${new Date(until).toISOString()}`
      );
    writeStdout(
      (cleared === null
        ? `No kill switch set in ${path}: nothing to clear\n`
        : `Cleared in ${path}: ${describeKillSwitch(cleared, now)}\n`) +
        (kept.length > 0 ? `Cooldowns kept: ${kept.join(", ")}\n` : "") +
        (cleared === null
          ? ""
          : "Entries are allowed from the next start (a bot still running keeps its kill switch and writes it back: stop it first).\n"),
    );
    return 0;
  } catch (error) {
    if (error instanceof StateFileError) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
}

/** `--init_state_file`: creates a fresh state file where none exists, exits 0. */
async function initState(path: string): Promise<number> {
  try {
    const created = await initStateFile(path, Date.now());
    writeStdout(
      created
        ? `Created a fresh state file ${path} (no kill switch, no cooldowns)\n`
        : `State file ${path} already exists: left untouched\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof StateFileError) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
}

function writeStdout(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (n) => Deno.env.get(n)));
}
