/**
 * `deno task parity`: replay recorded logs or 1m OHLCV files to the live bot on the
 * in-process simulator (paper trading) and give the same data to the bot-model backtest
 * (from logs: the feature table and its per-second file), then compare them
 * trade by trade; writes `<out_dir>/parity.json` and prints one summary line.
 *
 * @module
 */
import { FeatureInputError } from "../lib/features/mod.ts";
import {
  type FlagSpec,
  formatHelp,
  runMain,
  setupLogging,
  UsageError,
} from "../lib/cli/mod.ts";
import {
  EntrySizeError,
  LIVE_FLAGS,
  liveConfig,
  parseLiveFlags,
} from "../lib/live/mod.ts";
import { runParity } from "../lib/parity/run_parity.ts";
import { replaySource } from "../lib/live/replay_source.ts";
import { LOCKSTEP_STEP_FLAGS } from "../lib/live/lockstep.ts";
import { FundingFileError, FundingSchedule } from "../lib/sim/mod.ts";
import { LogSource } from "../lib/sim/log_source.ts";

const {
  rest_url: _rest,
  ws_url: _ws,
  enable_trading: _trading,
  poll_time: _poll,
  close_on_exit: _close,
  journal: _journal,
  update_logs: _update,
  log_dir: _logDir,
  ...BOT_FLAGS
} = LIVE_FLAGS;

const FLAGS = {
  ...BOT_FLAGS,
  // one 0.001 BTC step is ~100-110 USDT on the real data: the live default (25) is
  // refused at start (--max_upsize)
  order_notional: { ...BOT_FLAGS.order_notional, default: 110 },
  replay: {
    type: "list",
    help:
      "a recorded log directory, or 1m OHLCV CSV files: SYMBOL=path, or a path whose name starts with SYMBOL_",
  },
  funding: {
    type: "list",
    help:
      "funding-rate files (funding_time,funding_rate): SYMBOL=path, or a path whose name starts with SYMBOL_; settled at each 8 h funding time on both sides (default: 1 bp)",
  },
  minutes: {
    type: "number",
    default: 120,
    min: 1,
    help: "simulated minutes to compare",
  },
  lockstep: {
    type: "boolean",
    default: true,
    help:
      "step the simulator's clock (deterministic at any machine load); false = a scaled real-time clock at --speed",
  },
  ...LOCKSTEP_STEP_FLAGS,
  speed: {
    type: "number",
    default: 60,
    min: 1,
    max: 600,
    help: "without lockstep: simulator speed (sim ms per real ms)",
  },
  "out_dir": {
    type: "string",
    default: "out/parity",
    help: "output directory",
  },
} as const satisfies Record<string, FlagSpec>;

const USAGE =
  "Usage: deno task parity --replay LOG_DIR | BTCUSDT=ohlcv.csv [--symbols BTCUSDT] [--minutes 120] [--lockstep false --speed 60] [strategy flags of deno task live] --out_dir DIR";

/** Runs a parity check; returns the exit code. */
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
    write(formatHelp(USAGE, FLAGS) + "\n");
    return 0;
  }
  const config = liveConfig({
    ...flags,
    rest_url: "http://127.0.0.1",
    ws_url: "ws://127.0.0.1",
    enable_trading: true,
    poll_time: 0,
    close_on_exit: true,
    journal: "",
    update_logs: false,
    log_dir: "",
    config: undefined,
  });
  if (flags.replay === undefined || flags.replay.length === 0) {
    throw new UsageError("Missing --replay SYMBOL=ohlcv.csv (one per symbol)");
  }
  const source = replaySource(flags.replay, config.symbols, flags.funding);
  const files = source.kind === "ohlcv" ? source.files : {};
  if (source.kind === "logs") {
    for (const name of ["kline.csv", "bookTicker.csv", "markPrice.csv"]) {
      try {
        await Deno.stat(`${source.logDir}/${name}`);
      } catch {
        throw new UsageError(
          `Invalid --replay ${source.logDir}: no ${name} in it (a recorded log directory needs kline.csv, bookTicker.csv and markPrice.csv)`,
        );
      }
    }
  }
  if (source.kind === "logs") {
    try {
      // every symbol has rows at the start of the logs (checked before anything is written)
      new LogSource(source.logDir, config.symbols, 0).close();
    } catch (error) {
      if (error instanceof RangeError || error instanceof SyntaxError) {
        throw new UsageError(`Invalid --replay: ${error.message}`);
      }
      throw error;
    }
  }
  for (const s of config.symbols) {
    if (source.kind !== "ohlcv") break;
    try {
      await Deno.stat(files[s]!);
    } catch {
      throw new UsageError(`Invalid --replay: ${files[s]} does not exist`);
    }
  }
  const fundingFiles = source.kind === "ohlcv" ? source.funding ?? {} : {};
  for (const path of Object.values(fundingFiles)) {
    try {
      await Deno.stat(path);
    } catch {
      throw new UsageError(`Invalid --funding: ${path} does not exist`);
    }
    try {
      new FundingSchedule(path);
    } catch (error) {
      if (!(error instanceof FundingFileError)) throw error;
      throw new UsageError(`Invalid --funding: ${error.message}`, {
        cause: error,
      });
    }
  }
  setupLogging({ level: flags.log_level as "info", json: flags.log_json });
  const r = await runParity({
    files,
    ...(source.kind === "ohlcv" && source.funding
      ? { funding: source.funding }
      : {}),
    ...(source.kind === "logs" ? { logDir: source.logDir } : {}),
    config,
    minutes: flags.minutes,
    speed: flags.speed,
    lockstep: flags.lockstep
      ? { stepMs: flags.step_ms, settleMs: flags.settle_ms }
      : false,
    outDir: flags.out_dir,
    onStatus: (line) => write(line + "\n"),
  }).catch((error) => {
    if (error instanceof EntrySizeError) {
      throw new UsageError(error.message, { cause: error });
    }
    if (error instanceof FundingFileError) {
      throw new UsageError(`Invalid --funding: ${error.message}`, {
        cause: error,
      });
    }
    if (
      error instanceof RangeError &&
      /^Cannot (replay logs|compare)/.test(error.message)
    ) throw new UsageError(`Invalid --replay: ${error.message}`);
    if (error instanceof FeatureInputError || error instanceof SyntaxError) {
      // an unreadable replay or funding file (empty, header-only, missing columns, bad
      // rows)
      throw new UsageError(`Invalid --replay: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  });
  const pct = (a: number, b: number) =>
    b > 0 ? `${(100 * a / b).toFixed(1)} %` : "-";
  write(
    `parity ${
      config.symbols.join(",")
    } ${r.window.start} → ${r.window.end}: entries paper ${r.entries_paper}, backtest ${r.entries_backtest}, matched ${r.entries_matched} (${
      pct(r.entries_matched, r.entries_paper)
    }); exits matched ${r.exits_matched} (${
      pct(r.exits_matched, r.entries_matched)
    }); PnL paper ${r.pnl_paper.toFixed(4)}, backtest ${
      r.pnl_backtest.toFixed(4)
    } USDT net of fees and funding (funding ${r.funding_paper.toFixed(4)} / ${
      r.funding_backtest.toFixed(4)
    }); closed at the end ${r.closed_at_end_paper} / ${r.closed_at_end_backtest}${
      r.paper_open_at_end > 0
        ? `; ${r.paper_open_at_end} paper position(s) left open`
        : ""
    }; ${flags.out_dir}/parity.json\n`,
  );
  return 0;
}

function write(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (n) => Deno.env.get(n)));
}
