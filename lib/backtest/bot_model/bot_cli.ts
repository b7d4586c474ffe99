/**
 * The `--model bot` half of `deno task backtest`: its flags (the live bot's parameter
 * names as grid lists, costs, the touch for OHLCV-only tables, filters), their checks,
 * and the run with its printed summary. Called by the entry script with parsed flags.
 *
 * @module
 */
import { UsageError } from "../../cli/usage_error.ts";
import {
  BOT_PARAMS,
  type BotGridSpec,
  type BotParam,
  parseBotGridJson,
  parseBotList,
} from "./bot_grid.ts";
import { BotInputError } from "./bot_market.ts";
import {
  type BotBacktestOptions,
  type BotBacktestSummary,
  runBotBacktest,
} from "./run_bot.ts";
import { runBotShard } from "./bot_shard.ts";
import { shardDoneLine } from "../run_shard.ts";
import type { ShardSpec } from "../shard.ts";
import { parseHonestFlags } from "../honest_plan.ts";
import { honestLines, walkForwardLine } from "../honest_summary.ts";
import {
  BOT_LAYOUT,
  BOT_METRICS,
  BOT_RANKABLE,
  type BotMetricName,
  N_BOT_METRICS,
} from "./simulate_bot.ts";

/** Flags only the bot model reads (strings: comma lists for the grid). */
export const BOT_FLAGS = {
  model: {
    type: "string",
    default: "vbt",
    choices: ["vbt", "bot"],
    help:
      "vbt: vectorbt-exact from_signals (default); bot: the live bot's rules, fixed notional, PnL in USDT",
  },
  "tp_bps": {
    type: "string",
    help: "bot: take-profit distances, bp (default 40)",
  },
  "sl_bps": {
    type: "string",
    help: "bot: stop-loss distances, bp (default 25)",
  },
  "trail_activation_bps": {
    type: "string",
    help:
      "bot: trailing activation distances, bp; 0 = no trailing stop (default 0)",
  },
  "trail_callback_pct": {
    type: "string",
    help: "bot: trailing callback rates, percent 0.1-5 (default 0.5)",
  },
  cooldown: {
    type: "string",
    help: "bot: seconds after each exit before the next entry (default 60)",
  },
  "order_notional": {
    type: "string",
    help: "bot: target notional per entry, USDT (default 25)",
  },
  "taker_fee_bps": {
    type: "number",
    default: 3.5,
    min: 0,
    help: "bot: taker fee on every fill, bp (the simulator's 0.035 %)",
  },
  "exit_slippage_bps": {
    type: "number",
    default: 1,
    min: 0,
    help: "bot: each exit fills this many bp worse than its trigger",
  },
  "spread_bps": {
    type: "number",
    min: 0,
    help:
      "bot: quoted spread for tables without book columns (required for them): touch = close ± spread/2",
  },
  "exchange_info": {
    type: "string",
    help:
      "bot: exchangeInfo JSON for tick/step/min notional (default: the simulator's filters)",
  },
  "max_upsize": {
    type: "number",
    default: 0.1,
    min: 0,
    help:
      "bot: the live bot refuses an entry whose quantity × mark exceeds order_notional × (1 + this)",
  },
  "max_position_notional": {
    type: "number",
    default: 1000,
    min: 0.000001,
    help: "bot: the live bot's cap on |position| × mark, USDT",
  },
  "max_price_deviation_bps": {
    type: "number",
    default: 0,
    min: 0,
    max: 9999,
    help:
      "bot: the live bot's entry price band around the mark, bp; 0 = the symbol's PERCENT_PRICE",
  },
  intrabar: {
    type: "string",
    default: "stop_first",
    choices: ["stop_first", "ohlc"],
    help:
      "bot: path through a 1m bar: stop_first (adverse extreme first) or ohlc (the simulator's OHLCV replay order); unused when the per-second file is",
  },
  "per_second": {
    type: "boolean",
    default: true,
    help:
      "bot: exits on the table's per-second companion file <features>.1s when it exists (built from recorded logs); false = on 1m bars",
  },
} as const;

/** vectorbt-only flags, refused with `--model bot` when given. */
const VBT_ONLY = [
  "sl_stop",
  "tp_stop",
  "sl_trail",
  "fees",
  "slippage",
  "init_cash",
  "blockers",
  "report",
];

function given(args: readonly string[], name: string): boolean {
  return args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
}

/**
 * Refuses bot-only flags with `--model vbt` (they would be silently ignored).
 *
 * @throws {UsageError} naming the flag
 */
export function checkVbtArgs(args: readonly string[]): void {
  for (const name of Object.keys(BOT_FLAGS)) {
    if (name !== "model" && given(args, name)) {
      throw new UsageError(`Invalid --${name}: it applies to --model bot only`);
    }
  }
}

/** The parsed flags the bot half reads. */
export interface BotCliFlags {
  readonly features?: string | undefined;
  readonly "out_dir": string;
  readonly grid?: string | undefined;
  readonly symbols?: string[] | undefined;
  readonly "rank_by": string;
  readonly "min_trades": number;
  readonly top: number;
  readonly quiet: boolean;
  readonly "taker_fee_bps": number;
  readonly "exit_slippage_bps": number;
  readonly "spread_bps"?: number | undefined;
  readonly "exchange_info"?: string | undefined;
  readonly intrabar: string;
  readonly "per_second": boolean;
  readonly "max_upsize": number;
  readonly "max_position_notional": number;
  readonly "max_price_deviation_bps": number;
  readonly "rank_rule": string;
  readonly "prior_trials": number;
  readonly pbo: string;
  readonly "walk_forward"?: string | undefined;
  /** Worker threads of the bot engine's pool (0 = the calling thread). */
  readonly workers?: number | undefined;
  readonly [list: string]: unknown;
}

/**
 * Runs `deno task backtest --model bot` and prints its ranking; returns the exit code.
 *
 * @throws {UsageError} for bad input (exit 2, nothing written)
 */
export async function mainBot(
  flags: BotCliFlags,
  args: readonly string[],
  print: (line: string) => void,
  status: (line: string) => void,
  shard?: ShardSpec,
): Promise<number> {
  for (const name of VBT_ONLY) {
    if (given(args, name)) {
      throw new UsageError(
        `Invalid --${name}: it applies to --model vbt only (the bot model uses the bot's --tp_bps/--sl_bps/--trail_*/--taker_fee_bps/--exit_slippage_bps)`,
      );
    }
  }
  if (flags.features === undefined) {
    throw new UsageError("Missing --features FILE (the feature table CSV)");
  }
  const rankBy = flags.rank_by === "sharpe" && !given(args, "rank_by")
    ? "net_pnl"
    : flags.rank_by;
  if (!(BOT_RANKABLE as readonly string[]).includes(rankBy)) {
    throw new UsageError(
      `Invalid --rank_by ${rankBy} for --model bot: one of ${
        BOT_RANKABLE.join(", ")
      }`,
    );
  }
  const grid: Partial<Record<BotParam, number[]>> = {};
  try {
    for (const name of BOT_PARAMS) {
      const text = flags[name];
      if (
        typeof text === "string" &&
        (given(args, name) ||
          (name !== "k" && name !== "n" && name !== "max_spread_bps" &&
            name !== "max_funding_bps"))
      ) {
        grid[name] = parseBotList(name, text);
      }
    }
    if (flags.grid !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(await Deno.readTextFile(flags.grid));
      } catch (error) {
        throw new UsageError(
          `Cannot read the grid file ${flags.grid}: ${
            (error as Error).message
          }`,
        );
      }
      Object.assign(grid, parseBotGridJson(json));
    }
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(error.message);
    throw error;
  }
  let honest;
  try {
    honest = parseHonestFlags(flags);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(error.message);
    throw error;
  }
  let summary;
  try {
    const options: BotBacktestOptions = {
      rankRule: flags.rank_rule === "plateau" ? "plateau" : "max",
      priorTrials: flags.prior_trials,
      pbo: honest.pbo,
      ...(honest.walkForward !== undefined
        ? { walkForward: honest.walkForward }
        : {}),
      features: flags.features,
      out: flags.out_dir,
      grid: grid as Partial<BotGridSpec>,
      costs: {
        takerFeeBps: flags.taker_fee_bps,
        exitSlippageBps: flags.exit_slippage_bps,
        intrabar: flags.intrabar === "ohlc" ? "ohlc" : "stop_first",
      },
      seconds: flags.per_second,
      ...(flags.spread_bps !== undefined
        ? { spreadBps: flags.spread_bps }
        : {}),
      ...(flags.exchange_info !== undefined
        ? { exchangeInfo: flags.exchange_info }
        : {}),
      entryLimits: {
        maxUpsize: flags.max_upsize,
        maxPositionNotional: flags.max_position_notional,
        maxPriceDeviationBps: flags.max_price_deviation_bps,
      },
      rankBy: rankBy as BotMetricName,
      minTrades: flags.min_trades,
      top: flags.top,
      ...(flags.symbols ? { symbols: flags.symbols } : {}),
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      onStatus: (line) => {
        if (!flags.quiet) status(line);
      },
    };
    if (shard !== undefined) {
      const done = await runBotShard(options, shard);
      print(shardDoneLine(done, "bot model"));
      return 0;
    }
    summary = await runBotBacktest(options);
  } catch (error) {
    if (error instanceof BotInputError) throw new UsageError(error.message);
    throw error;
  }
  printBotSummary(summary, {
    rankBy,
    minTrades: flags.min_trades,
    top: flags.top,
    out: flags.out_dir,
  }, print);
  return 0;
}

/** Prints a bot run's rankings, honest-ranking lines and timing (a run's or a merge's). */
export function printBotSummary(
  summary: BotBacktestSummary,
  how: {
    readonly rankBy: string;
    readonly minTrades: number;
    readonly top: number;
    readonly out: string;
  },
  print: (line: string) => void,
): void {
  const { rankBy } = how;
  const shown: BotMetricName[] = [
    "net_pnl",
    "sharpe",
    "n_trades",
    "win_rate",
    "fees",
    "funding",
    "max_drawdown",
  ];
  for (const scope of summary.scopes) {
    print(
      `\n${scope.scope}: ${scope.order.length} of ${summary.configs.count} configs with >= ${how.minTrades} trades, ranked by ${rankBy} (PnL in USDT)`,
    );
    const head = ["rank", "id", ...BOT_PARAMS, ...shown];
    const lines = [head];
    for (let r = 0; r < Math.min(10, scope.order.length); r++) {
      const c = scope.order[r]!;
      const v = summary.configs.values.subarray(
        c * BOT_PARAMS.length,
        (c + 1) * BOT_PARAMS.length,
      );
      const fmt = (x: number) =>
        x !== x
          ? "-"
          : Number.isInteger(x)
          ? String(x)
          : x.toFixed(Math.abs(x) < 10 ? 3 : 2);
      lines.push([
        String(r + 1),
        String(c),
        ...Array.from(v, fmt),
        ...shown.map((m) =>
          fmt(scope.rows[c * N_BOT_METRICS + BOT_METRICS.indexOf(m)]!)
        ),
      ]);
    }
    const widths = head.map((_, i) =>
      Math.max(...lines.map((l) => l[i]!.length))
    );
    print(
      lines.map((l) => l.map((x, i) => x.padStart(widths[i]!)).join(" ")).join(
        "\n",
      ),
    );
    for (
      const line of honestLines(
        scope,
        summary.pbo.get(scope.scope),
        summary.scopes,
        BOT_LAYOUT,
      )
    ) print(line);
  }
  for (const w of summary.walkForward ?? []) print(walkForwardLine(w));
  if (summary.pboSkipped !== undefined) {
    print(`\nPBO skipped: ${summary.pboSkipped}`);
  }
  print(
    `\n${summary.barConfigs.toExponential(2)} bar-configs, simulated in ${
      summary.seconds.simulate.toFixed(2)
    } s (${
      (summary.barConfigs / summary.seconds.simulate / 1e6).toFixed(1)
    } M/s), ${summary.seconds.total.toFixed(2)} s in all`,
  );
  for (const scope of summary.scopes) {
    if (scope.order.length > 0 && how.top > 0) {
      print(
        `best ${scope.scope} config for the bot: deno task paper --config ${how.out}/top/${scope.scope}_rank1_config${
          scope.order[0]
        }_live.json`,
      );
    }
  }
  print(
    `outputs: ${how.out}/ (${summary.files.length} files, manifest.json; top/*_live.json for deno task live/paper --config)`,
  );
}
