/**
 * `deno task doctor` (the `aster-doctor` binary): the preflight the service runs before it
 * starts. Checks the configured exchange and this machine (clock offset, credentials and
 * their scheme, one-way position mode, per symbol status, filters versus `order_notional`
 * and leverage/margin type, a writable log directory, the bot's state file: kill switch and
 * cooldowns; the entry price band per symbol, the notional limits, the margin the entries
 * need against the available balance, and a kill threshold or leverage that would switch
 * protection off), prints a pass/fail table, and exits
 * 1 when a check fails. Every flag can also come from `ASTER_<FLAG>` in the environment
 * (the unit's `EnvironmentFile=`); the command line wins.
 *
 * @module
 */
import {
  type FlagSpec,
  formatHelp,
  type LOG_LEVELS,
  runMain,
  setupLogging,
} from "../lib/cli/mod.ts";
import {
  type CredentialStatus,
  exchangeDoctorPort,
  formatReport,
  type MarginType,
  probeWritable,
  runDoctor,
} from "../lib/doctor/mod.ts";
import { MarketRestClient, RestTransport } from "../lib/exchange/mod.ts";
import {
  createSigner,
  CredentialError,
  loadCredentials,
} from "../lib/exchange/sign/mod.ts";
import { TradingClient } from "../lib/exchange/trading/mod.ts";
import {
  LIVE_FLAGS,
  parseLayeredFlags,
  TRADE_FLAGS,
} from "../lib/live/live_flags.ts";
import { checkUrlFlag, HTTP_PROTOCOLS } from "../lib/cli/url_flag.ts";
import { dirname } from "node:path";

/**
 * The bot's own flags (so the preflight sees exactly the configuration the bot will run
 * with, from the same flag > ASTER_<FLAG> > --config file > default layers), plus the
 * preflight's.
 */
export const DOCTOR_FLAGS = {
  ...LIVE_FLAGS,
  state_file: TRADE_FLAGS.state_file,
  max_clock_offset_ms: {
    type: "number",
    default: 500,
    min: 1,
    help: "doctor: largest tolerated clock offset to the exchange, ms",
  },
  credentials_scheme: {
    type: "string",
    default: "auto",
    choices: ["auto", "v1", "v3"],
    help: "doctor: force the credential scheme (auto = from the variables set)",
  },
  json: {
    type: "boolean",
    default: false,
    help: "doctor: print the report as JSON instead of a table",
  },
} as const satisfies Record<string, FlagSpec>;

const USAGE =
  "Usage: deno task doctor [the live bot's flags] [--max_clock_offset_ms 500] [--json]\n" +
  "Checks the exchange and this machine against the bot's configuration. Every flag can " +
  "also be set as ASTER_<FLAG> or in --config (flag > environment > config file > default); " +
  "credentials come from ORDER_API_KEY/ORDER_SECRET_KEY (files) or " +
  "ASTER_API_KEY/ASTER_API_SECRET (V1), or ASTER_USER, ASTER_SIGNER, " +
  "ASTER_AGENT_KEY_FILE|ASTER_AGENT_KEY (V3).\n" +
  "Exit code: 0 all checks passed (warnings allowed), 1 a check failed, 2 bad flags.";

/** Effects `main` uses (injected by tests). */
export interface DoctorMainDeps {
  /** Writes the report. @default {stdout} */
  write?: (text: string) => void;
  /** The fetch used for REST calls. @default {globalThis.fetch} */
  fetch?: typeof fetch;
}

/** Parses flags, runs the preflight, prints the table; returns the exit code. */
export async function main(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
  deps: DoctorMainDeps = {},
): Promise<number> {
  const write = deps.write ??
    ((text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text)));
  const flags = await parseLayeredFlags(DOCTOR_FLAGS, {
    argv: args,
    env,
    readTextFile: (path) => Deno.readTextFile(path),
  });
  if (flags.help) {
    write(formatHelp(USAGE, DOCTOR_FLAGS) + "\n");
    return 0;
  }
  setupLogging({
    level: flags.log_level as (typeof LOG_LEVELS)[number],
    json: flags.log_json,
  });
  // the doctor signs requests with the configured credentials: never in clear to a remote
  checkUrlFlag("rest_url", flags.rest_url, HTTP_PROTOCOLS, { secure: true });
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const market = new MarketRestClient(
    new RestTransport({
      baseUrl: flags.rest_url,
      fetch: fetchFn,
      maxRetries: 1,
    }),
  );
  // Signed calls are stamped with the server-corrected clock, so a skewed clock shows up
  // as the clock row failing rather than as confusing signature errors.
  let offsetMs = 0;
  const scheme = flags.credentials_scheme === "auto"
    ? undefined
    : flags.credentials_scheme as "v1" | "v3";
  let credentials: CredentialStatus;
  let trading: TradingClient | undefined;
  try {
    const loaded = await loadCredentials({
      env,
      statFile: (path: string) => Deno.stat(path),
      uid: () => Deno.uid(),
      readTextFile: (path) => Deno.readTextFile(path),
      ...(scheme === undefined ? {} : { scheme }),
    });
    credentials = loaded.scheme === "v3"
      ? { scheme: "v3", who: `user ${loaded.user}` }
      : { scheme: "v1" };
    trading = new TradingClient({
      signer: createSigner(loaded, { clock: () => Date.now() + offsetMs }),
      baseUrl: flags.rest_url,
      fetch: fetchFn,
      resolveDelaysMs: [],
    });
  } catch (error) {
    if (!(error instanceof CredentialError)) throw error;
    credentials = { error: error.message };
  }
  const port = exchangeDoctorPort(market, trading);
  const report = await runDoctor(
    port,
    {
      symbols: flags.symbols.map((s) => s.toUpperCase()),
      orderNotional: flags.order_notional,
      leverage: flags.leverage,
      marginType: flags.margin_type as MarginType,
      maxClockOffsetMs: flags.max_clock_offset_ms,
      logDir: flags.log_dir,
      writableDirs: flags.journal === "" ? [] : [dirname(flags.journal)],
      stateFile: flags.state_file.trim(),
      ...(flags.journal === "" ? {} : { journalPath: flags.journal }),
      credentialsRequired: flags.enable_trading,
      credentials,
      protection: {
        leverage: flags.leverage,
        slBps: flags.sl_bps,
        killThreshold: flags.kill_threshold,
        allowWeakProtection: flags.allow_weak_protection,
        entryLimits: {
          maxPriceDeviationBps: flags.max_price_deviation_bps,
          maxUpsize: flags.max_upsize,
          maxPositionNotional: flags.max_position_notional,
        },
      },
    },
    {
      probeWritable,
      onClockOffset: (ms: number) => {
        offsetMs = ms;
      },
    },
  );
  write(
    flags.json ? JSON.stringify(report, null, 2) + "\n" : formatReport(report),
  );
  return report.ok ? 0 : 1;
}

if (import.meta.main) {
  await runMain(() => main(Deno.args));
}
