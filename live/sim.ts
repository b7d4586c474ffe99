/**
 * `deno task sim`: runs the exchange simulator on 127.0.0.1 until SIGINT/SIGTERM. Unless
 * `--no-demo_accounts`, it creates a V1 and a V3 demo account with fresh random keys and
 * prints them as the credential variables of the signed client (`export ASTER_API_KEY=…`).
 *
 * ```sh
 * deno task sim --symbols BTCUSDT,ETHUSDT --speed 60
 * deno task sim --no-demo_accounts --account_v1 MYKEY:MYSECRET --balance 2500
 * deno task sim --source ohlcv --ohlcv BTCUSDT=tests/fixtures/real/aster/klines_1m/BTCUSDT_1m_2026-03-02_0005-1013.csv --symbols BTCUSDT
 * ```
 *
 * @module
 */
import { configure, getConsoleSink, getLogger } from "@logtape/logtape";
import {
  CONFIG_FLAG,
  type Flags,
  formatHelp,
  parseCommandFlags,
  parseDateFlag,
  runMain,
  UsageError,
} from "../lib/cli/mod.ts";
import {
  armMoneyFault,
  clearMoneyFaults,
  FundingFileError,
  MONEY_FAULT_HELP,
  MONEY_FAULTS,
  parseMoneyFaults,
  type SimAccount,
  type SourceSpec,
  startSimulator,
} from "../lib/sim/mod.ts";
import {
  demoAccounts,
  demoEnvLines,
  generateDemoCredentials,
  parseAccountFlag,
} from "../lib/sim/trading/demo_accounts.ts";
import { symbolFiles } from "../lib/live/replay_source.ts";

const FLAGS = {
  ...CONFIG_FLAG,
  symbols: {
    type: "list",
    alias: "symbol",
    default: "BTCUSDT,ETHUSDT",
    help: "symbols to list",
  },
  port: {
    type: "number",
    default: 0,
    integer: true,
    min: 0,
    max: 65535,
    help: "port (0 = any free port)",
  },
  speed: {
    type: "number",
    default: 1,
    min: 0.001,
    help: "sim ms per real ms (60 = a sim minute per second)",
  },
  seed: {
    type: "number",
    default: 1,
    integer: true,
    help: "seed of the synthetic market",
  },
  source: {
    type: "string",
    default: "synthetic",
    choices: ["synthetic", "ohlcv", "logs"],
    help: "market source",
  },
  ohlcv: {
    type: "list",
    help: "SYMBOL=path.csv pairs of 1m OHLCV files (--source ohlcv)",
  },
  funding: {
    type: "list",
    help:
      "--source ohlcv: funding-rate files (funding_time,funding_rate), SYMBOL=path or a file named SYMBOL_…; settled at each 8 h funding time (default: 1 bp)",
  },
  log_dir: { type: "string", help: "recorder log directory (--source logs)" },
  history_minutes: {
    type: "number",
    integer: true,
    min: 0,
    help:
      "closed 1m bars served before the start (default: 1440; 0 for --source logs)",
  },
  listed_since: {
    type: "string",
    default: "2025-01-01",
    help:
      "synthetic source: REST history (klines, mark/index klines, funding) from this UTC date",
  },
  demo_accounts: {
    type: "boolean",
    default: true,
    help:
      "create a V1 and a V3 account with random sim-only keys and print them as ASTER_* variables",
  },
  account_v1: {
    type: "list",
    help: "V1 accounts as KEY:SECRET (HMAC, /fapi/v1)",
  },
  account_v3: {
    type: "list",
    help: "V3 accounts as USER:SIGNER addresses (API wallet, /fapi/v3)",
  },
  balance: {
    type: "string",
    default: "10000",
    help: "initial USDT wallet balance of every account",
  },
  faults: {
    type: "list",
    help:
      "money-path faults armed at random, one every --fault_every seconds (the names are listed below)",
  },
  fault_every: {
    type: "number",
    default: 30,
    min: 0.1,
    help: "real seconds between two --faults",
  },
  maker_rate: { type: "string", default: "0.0001", help: "maker fee rate" },
  taker_rate: { type: "string", default: "0.00035", help: "taker fee rate" },
} as const;

const USAGE =
  "Usage: deno task sim [flags]\n\nA local Aster-compatible exchange on 127.0.0.1: market data, and signed\n" +
  "trading endpoints (V1 HMAC and V3 API wallet) with a user-data stream. Point the\n" +
  "client's REST/WS base URLs at the printed addresses and use the printed ASTER_*\n" +
  "variables (simulator-only keys) as its credentials.";

/** The fault names of `--faults`, one line each. */
const FAULTS_HELP = "Faults (--faults NAME,...):\n" +
  MONEY_FAULTS.map((f) => `  ${f.padEnd(14)} ${MONEY_FAULT_HELP[f]}`).join(
    "\n",
  );

function sourceOf(
  flags: Flags<typeof FLAGS>,
): SourceSpec {
  switch (flags.source) {
    case "ohlcv": {
      if (!flags.ohlcv) {
        throw new UsageError(
          "Missing --ohlcv: --source ohlcv needs SYMBOL=path pairs",
        );
      }
      const files: Record<string, string> = {};
      for (const pair of flags.ohlcv) {
        const eq = pair.indexOf("=");
        if (eq <= 0 || eq === pair.length - 1) {
          throw new UsageError(
            `Invalid --ohlcv "${pair}": expected SYMBOL=path.csv`,
          );
        }
        files[pair.slice(0, eq).toUpperCase()] = pair.slice(eq + 1);
      }
      if (!flags.funding || flags.funding.length === 0) {
        return { kind: "ohlcv", files };
      }
      const funding = symbolFiles(flags.funding, "funding");
      for (const s of Object.keys(funding)) {
        if (files[s] === undefined) {
          throw new UsageError(
            `Invalid --funding: no --ohlcv file for ${s}`,
          );
        }
      }
      return { kind: "ohlcv", files, funding };
    }
    case "logs":
      if (flags.funding && flags.funding.length > 0) {
        throw new UsageError("Invalid --funding: only with --source ohlcv");
      }
      if (!flags.log_dir) {
        throw new UsageError(
          "Missing --log_dir: --source logs needs a directory",
        );
      }
      return { kind: "logs", logDir: flags.log_dir };
    default:
      if (flags.funding && flags.funding.length > 0) {
        throw new UsageError("Invalid --funding: only with --source ohlcv");
      }
      return { kind: "synthetic" };
  }
}

/** Parses the layered flags, runs the simulator until SIGINT/SIGTERM; the exit code. */
export async function main(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<number> {
  const flags = await parseCommandFlags(FLAGS, args, env);
  if (flags.help) {
    await Deno.stdout.write(
      new TextEncoder().encode(
        formatHelp(USAGE, FLAGS) + "\n\n" + FAULTS_HELP + "\n",
      ),
    );
    return 0;
  }
  const source = sourceOf(flags);
  const listedAt = parseDateFlag("listed_since", flags.listed_since);
  const symbols = flags.symbols.map((s) => s.toUpperCase());
  let faultNames;
  try {
    faultNames = parseMoneyFaults(flags.faults ?? []);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(
      "Invalid fault",
      "Invalid --faults",
    ));
  }
  await configure({
    sinks: { console: getConsoleSink() },
    loggers: [
      { category: ["aster"], lowestLevel: "info", sinks: ["console"] },
      {
        category: ["logtape", "meta"],
        lowestLevel: "warning",
        sinks: ["console"],
      },
    ],
  });
  if (!/^\d+(\.\d+)?$/.test(flags.balance) || !(Number(flags.balance) > 0)) {
    throw new UsageError(
      `Invalid --balance "${flags.balance}": expected a positive decimal amount of USDT`,
    );
  }
  const accounts: SimAccount[] = [];
  const demo = flags.demo_accounts ? generateDemoCredentials() : undefined;
  try {
    if (demo) accounts.push(...demoAccounts(demo, flags.balance));
    for (const [i, a] of (flags.account_v1 ?? []).entries()) {
      accounts.push(parseAccountFlag("v1", a, flags.balance, i + 1));
    }
    for (const [i, a] of (flags.account_v3 ?? []).entries()) {
      accounts.push(parseAccountFlag("v3", a, flags.balance, i + 1));
    }
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  let sim;
  try {
    sim = await startSimulator({
      accounts,
      makerRate: flags.maker_rate,
      takerRate: flags.taker_rate,
      symbols,
      source,
      seed: flags.seed,
      speed: flags.speed,
      port: flags.port,
      ...(source.kind === "synthetic" ? { listedAt } : {}),
      historyMinutes: flags.history_minutes ??
        (source.kind === "logs" ? 0 : 1440),
    });
  } catch (error) {
    if (error instanceof FundingFileError) {
      throw new UsageError(`Invalid --funding: ${error.message}`, {
        cause: error,
      });
    }
    if (
      error instanceof RangeError || error instanceof SyntaxError ||
      error instanceof TypeError || error instanceof Deno.errors.NotFound
    ) {
      throw new UsageError(error.message, { cause: error });
    }
    if (error instanceof Deno.errors.AddrInUse) {
      throw new UsageError(
        `Invalid --port ${flags.port}: already in use on 127.0.0.1 (pick another, or 0 for any free port)`,
        { cause: error },
      );
    }
    throw error;
  }
  const lines = [`REST ${sim.restUrl}`, `WS   ${sim.wsUrl}`];
  if (demo) {
    lines.push(
      `Demo accounts (${flags.balance} USDT each, valid on this simulator only):`,
      ...demoEnvLines(demo),
    );
  }
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  // --faults: one at random every --fault_every seconds (a slow symbol lasts one period)
  let timer: ReturnType<typeof setInterval> | undefined;
  if (faultNames.length > 0) {
    const simFaults = sim.faults;
    let n = 0;
    timer = setInterval(() => {
      clearMoneyFaults(simFaults, symbols);
      const fault = faultNames[Math.floor(Math.random() * faultNames.length)]!;
      const symbol = symbols[n++ % symbols.length]!;
      armMoneyFault(simFaults, fault, symbol);
      getLogger(["aster", "sim"]).warn("Fault armed: {fault} ({symbol})", {
        fault,
        symbol,
      });
    }, flags.fault_every * 1000);
  }
  const { promise, resolve } = Promise.withResolvers<void>();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, resolve);
  await promise;
  for (const s of signals) Deno.removeSignalListener(s, resolve);
  if (timer !== undefined) clearInterval(timer);
  await sim.close();
  return 0;
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (name) => Deno.env.get(name)));
}
