/**
 * `deno task paper`: the live bot, unchanged, trading a fresh simulated account on an
 * in-process simulator (loopback only): a synthetic market, or a replay of recorded logs
 * (`--replay DIR`) or of real 1m OHLCV files (`--replay BTCUSDT_1m_….csv,…`) at
 * `--speed`. Prints the trades and the PnL at the end.
 *
 * @module
 */
import {
  type FlagSpec,
  formatHelp,
  runMain,
  setupLogging,
  UsageError,
} from "../lib/cli/mod.ts";
import {
  checkLiveConfig,
  EntrySizeError,
  fundingPayments,
  LIVE_FLAGS,
  liveConfig,
  parseLiveFlags,
  runLiveSession,
  startPaperExchange,
  withMetrics,
} from "../lib/live/mod.ts";
import { parseMetricsAddr, startMonitoring } from "../lib/metrics/mod.ts";
import { replaySource } from "../lib/live/replay_source.ts";
import {
  DecisionBarrier,
  driveLockstep,
  LOCKSTEP_STEP_FLAGS,
  lockstepStart,
  replayDeciders,
} from "../lib/live/lockstep.ts";
import { FundingFileError, ManualClock } from "../lib/sim/mod.ts";

const {
  rest_url: _rest,
  ws_url: _ws,
  enable_trading: _trading,
  poll_time: _poll,
  close_on_exit: _close,
  ...BOT_FLAGS
} = LIVE_FLAGS;

const FLAGS = {
  ...BOT_FLAGS,
  // one 0.001 BTC step is ~100 USDT: the live default (25) would be refused by the
  // --max_upsize cap on every entry
  order_notional: { ...BOT_FLAGS.order_notional, default: 100 },
  journal: {
    type: "string",
    default: "./logs/paper_decisions.csv",
    help: "decision journal CSV; empty = none",
  },
  minutes: {
    type: "number",
    default: 120,
    min: 1,
    help: "simulated minutes to trade",
  },
  speed: {
    type: "number",
    default: 120,
    min: 1,
    max: 600,
    help: "simulated ms per real ms",
  },
  lockstep: {
    type: "boolean",
    default: false,
    help:
      "step the simulator's clock instead of running it at --speed: the same fills at any machine load (synthetic market, OHLCV files or recorded logs)",
  },
  ...LOCKSTEP_STEP_FLAGS,
  replay: {
    type: "list",
    help:
      "replay: a recorded log directory, or 1m OHLCV CSV files (symbol from the file name, or SYMBOL=path)",
  },
  funding: {
    type: "list",
    help:
      "with OHLCV files: funding-rate files (funding_time,funding_rate), SYMBOL=path or a file named SYMBOL_…, settled at each 8 h funding time (default: 1 bp)",
  },
  seed: {
    type: "number",
    default: 1,
    integer: true,
    help: "seed of the synthetic market",
  },
  balance: {
    type: "number",
    default: 10000,
    min: 1,
    help: "initial USDT balance",
  },
  leave_open: {
    type: "boolean",
    default: false,
    help: "leave the last position open at the end (default: close it)",
  },
} as const satisfies Record<string, FlagSpec>;

const USAGE =
  "Usage: deno task paper [--symbols BTCUSDT] [--minutes 120] [--speed 120] " +
  "[--replay tests/fixtures/real/binance_um/klines_1m/BTCUSDT_1m_2025-05-26_2025-05-27.csv] " +
  "[strategy flags of deno task live]";

/** Runs a paper-trading session; returns the exit code. */
export async function main(
  argv: readonly string[],
  env: (name: string) => string | undefined,
): Promise<number> {
  const flags = await parseLiveFlags(FLAGS, {
    argv,
    env,
    readTextFile: (p) => Deno.readTextFile(p),
  });
  if (flags.help) {
    writeStdout(formatHelp(USAGE, FLAGS) + "\n");
    return 0;
  }
  const base = liveConfig({
    ...flags,
    rest_url: "http://127.0.0.1",
    ws_url: "ws://127.0.0.1",
    enable_trading: true,
    poll_time: 0,
    close_on_exit: !flags.leave_open,
    config: undefined,
  });
  try {
    checkLiveConfig(base);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  parseMetricsAddr(flags.metrics_addr, flags.metrics_public);
  const source = replaySource(flags.replay, base.symbols, flags.funding);
  const historyMinutes = Math.max(240, Math.max(flags.T, flags.V) + 10);
  let manual: ManualClock | undefined;
  if (flags.lockstep) {
    try {
      manual = new ManualClock(await lockstepStart(source, historyMinutes));
    } catch (error) {
      if (
        error instanceof RangeError || error instanceof Deno.errors.NotFound
      ) {
        throw new UsageError(`Invalid --lockstep: ${error.message}`);
      }
      throw error;
    }
  }
  setupLogging({ level: flags.log_level as "info", json: flags.log_json });
  let exchange;
  try {
    exchange = await startPaperExchange({
      symbols: base.symbols,
      source,
      speed: flags.speed,
      seed: flags.seed,
      balance: String(flags.balance),
      historyMinutes,
      ...(manual ? { manualClock: manual } : {}),
    });
  } catch (error) {
    if (error instanceof RangeError || error instanceof Deno.errors.NotFound) {
      throw new UsageError(`Cannot start the simulator: ${error.message}`);
    }
    if (error instanceof FundingFileError) {
      throw new UsageError(`Invalid --funding: ${error.message}`);
    }
    if (error instanceof SyntaxError) {
      // an unreadable replay file: empty, header-only, missing columns, malformed rows
      throw new UsageError(`Invalid --replay: ${error.message}`);
    }
    throw error;
  }
  let monitoring;
  try {
    monitoring = startMonitoring(flags, "paper");
  } catch (error) {
    await exchange.close();
    throw error;
  }
  const metrics = monitoring.metrics;
  const stop = new AbortController();
  const onSignal = () => {
    metrics?.setStopping();
    stop.abort(new Error("signal"));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    const startedAt = exchange.sim.clock.now();
    let ready = false, done = false;
    // lockstep: each bar's decisions and entries happen at its close (lockstep.ts)
    const barrier = new DecisionBarrier(
      base.symbols.length,
      undefined,
      replayDeciders(exchange.sim.market, base.symbols),
    );
    const session = runLiveSession(
      {
        ...base,
        restUrl: exchange.sim.restUrl,
        wsUrl: exchange.sim.wsUrl,
      },
      withMetrics({
        credentials: exchange.credentials,
        clock: exchange.clock,
        serverNow: () => exchange.sim.clock.now(),
        marketSilenceBudgetMs: exchange.silenceBudgetMs,
        resolveDelaysMs: [50, 100, 200, 400],
        durationMs: flags.minutes * 60_000,
        signal: stop.signal,
        onReady: () => {
          ready = true;
        },
        onDecision: (row) => barrier.decided(row.barOpenTime),
        onSession: (s) => {
          barrier.follow(s);
        },
      }, metrics),
    ).catch((error) => {
      if (error instanceof EntrySizeError) {
        throw new UsageError(error.message, { cause: error });
      }
      throw error;
    }).finally(() => {
      done = true;
    });
    if (manual) {
      await driveLockstep(
        manual,
        {
          stepMs: flags.step_ms,
          settleMs: flags.settle_ms,
        },
        () => ready,
        () => done,
        (now) => barrier.idle(now),
      );
    }
    const summary = await session;
    const endedAt = exchange.sim.clock.now();
    const simMinutes = (endedAt - startedAt) / 60_000;
    // funding as the exchange reports it: the account's FUNDING_FEE income rows
    const funding = await fundingPayments(
      exchange,
      base.symbols,
      startedAt,
      endedAt,
    );
    const paid = funding.reduce((a, p) => a + p.amount, 0);
    writeStdout(
      `paper trading ${base.symbols.join(",")} for ${
        simMinutes.toFixed(1)
      } simulated minutes: ${summary.evaluations} evaluations, ${summary.signals} signals, ` +
        `${summary.entriesSent} entries sent, ${summary.staleSkips} stale skips\n` +
        summary.fills.format() + "\n" +
        `funding ${
          paid.toFixed(4)
        } USDT (${funding.length} settlements); net with funding ${
          (summary.fills.totals().net + paid).toFixed(4)
        } USDT\n`,
    );
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await monitoring.close();
    await exchange.close();
  }
}

function writeStdout(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (n) => Deno.env.get(n)));
}
