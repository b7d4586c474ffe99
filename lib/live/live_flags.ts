/**
 * The flags of the live bot (`deno task live`, also read by `deno task paper`) and their
 * conversion into a {@linkcode LiveConfig}. They are read in layers like every command's
 * (lib/cli/layered.ts, re-exported here): flag > `ASTER_<FLAG>` > `--config` file > default.
 *
 * @module
 */
import { type FlagSpec, LOG_FLAGS, UsageError } from "../cli/mod.ts";
import { checkUrlFlag, HTTP_PROTOCOLS, WS_PROTOCOLS } from "../cli/url_flag.ts";
import type { Flags } from "../cli/flags.ts";
import type { LiveConfig } from "./live_session.ts";

import {
  CONFIG_FLAG,
  type FlagLayers,
  parseLayeredFlags,
} from "../cli/layered.ts";
export { envName, type FlagLayers, parseLayeredFlags } from "../cli/layered.ts";
import { METRICS_FLAGS } from "../metrics/metrics_addr.ts";
import { BOT_PARAM_NAMES } from "../strategy/params.ts";

/**
 * The keys a `--config` file of `deno task live`, `paper` or `parity` must carry: the
 * whole strategy (symbols, signal, blockers, exits, cooldown, notional), as every
 * `top/*_live.json` of `deno task backtest --model bot` writes it. A file missing one is
 * refused rather than completed with defaults the research never ranked. Other keys
 * (leverage, limits, budgets, …) stay optional.
 */
export const STRATEGY_CONFIG_KEYS: readonly string[] = [
  "symbols",
  ...BOT_PARAM_NAMES,
];

/**
 * {@linkcode parseLayeredFlags} for the bot's commands: a config file must carry every
 * key of {@linkcode STRATEGY_CONFIG_KEYS}.
 *
 * @throws {UsageError} as parseLayeredFlags, and for a config file missing a strategy key
 */
export function parseLiveFlags<T extends Record<string, FlagSpec>>(
  specs: T,
  layers: FlagLayers,
): Promise<Flags<T>> {
  return parseLayeredFlags(specs, layers, {
    configRequires: STRATEGY_CONFIG_KEYS,
    configRequiresHint: `a bot config file carries the whole strategy: ${
      STRATEGY_CONFIG_KEYS.join(", ")
    }, as backtest --model bot writes top/*_live.json`,
  });
}

/** The live bot's flags. */
export const LIVE_FLAGS = {
  ...CONFIG_FLAG,
  symbols: {
    type: "list",
    alias: "symbol",
    default: "BTCUSDT",
    help: "symbols to trade",
  },
  poll_time: {
    type: "number",
    default: 0,
    min: 0,
    help: "seconds to run; 0 = until SIGINT/SIGTERM",
  },
  enable_trading: {
    type: "boolean",
    default: false,
    help:
      "place orders; false = dry run (signals and would-be orders logged, no credentials)",
  },
  update_logs: {
    type: "boolean",
    default: false,
    help: "also record the five CSV market logs into --log_dir",
  },
  order_notional: {
    type: "number",
    default: 25,
    min: 0.000001,
    help: "target notional per entry, USDT",
  },
  k: {
    type: "number",
    default: 2,
    min: 0,
    help: "momentum: |ret_bps| > k * rs_vol_bps(T)",
  },
  n: {
    type: "number",
    default: 2,
    min: 0,
    help: "volume: volume > n * avg_volume(V)",
  },
  T: {
    type: "number",
    default: 30,
    integer: true,
    min: 1,
    max: 1400,
    help: "volatility window, bars",
  },
  V: {
    type: "number",
    default: 30,
    integer: true,
    min: 1,
    max: 1400,
    help: "volume window, bars",
  },
  max_spread_bps: {
    type: "number",
    default: 5,
    min: 0,
    help: "blocker: spread_bps <= this",
  },
  max_funding_bps: {
    type: "number",
    default: 10,
    min: 0,
    help: "blocker: |funding_bps| <= this",
  },
  tp_bps: {
    type: "number",
    default: 40,
    min: 0.01,
    help: "take-profit distance from the fill, bp",
  },
  sl_bps: {
    type: "number",
    default: 25,
    min: 0.01,
    help: "stop-loss distance from the fill, bp",
  },
  trail_activation_bps: {
    type: "number",
    default: 0,
    min: 0,
    help: "trailing stop activation distance, bp; 0 = no trailing stop",
  },
  trail_callback_pct: {
    type: "number",
    default: 0.5,
    min: 0.1,
    max: 5,
    help: "trailing stop callback rate, percent",
  },
  cooldown: {
    type: "number",
    default: 60,
    min: 0,
    help: "seconds after each exit before the next entry",
  },
  leverage: {
    type: "number",
    default: 10,
    integer: true,
    min: 1,
    max: 125,
    help: "leverage set at start",
  },
  margin_type: {
    type: "string",
    default: "ISOLATED",
    choices: ["ISOLATED", "CROSSED"],
    help: "margin type set at start",
  },
  kill_threshold: {
    type: "number",
    default: 1.2,
    min: 1,
    help: "kill switch at totalMarginBalance / totalMaintMargin <= this",
  },
  max_price_deviation_bps: {
    type: "number",
    default: 0,
    min: 0,
    max: 9999,
    help:
      "no entry priced further than this from the mark, bp; 0 = the symbol's PERCENT_PRICE (a value tightens it, never widens)",
  },
  max_upsize: {
    type: "number",
    default: 0.1,
    min: 0,
    help:
      "no entry whose quantity × mark exceeds order_notional × (1 + this); sizing rounds a step down rather than exceed it, and the bot refuses to start when the minimum quantity/notional forces more",
  },
  max_position_notional: {
    type: "number",
    default: 1000,
    min: 0.000001,
    help: "hard cap: no entry leaving |position| × mark above this, USDT",
  },
  allow_weak_protection: {
    type: "boolean",
    default: false,
    help:
      "start even with a kill_threshold below 1.1 or leverage × sl_bps >= 5000 (protection effectively off)",
  },
  kill_pause: {
    type: "number",
    default: 0,
    min: 0,
    help:
      "seconds the kill switch blocks entries (the end survives restarts); 0 = until an operator runs --clear_kill_switch",
  },
  max_bar_age: {
    type: "number",
    default: 10,
    min: 0.001,
    help: "no entry when the bar closed longer ago, s",
  },
  max_book_age: {
    type: "number",
    default: 5,
    min: 0.001,
    help: "no entry when the book is older, s",
  },
  max_mark_age: {
    type: "number",
    default: 5,
    min: 0.001,
    help: "no entry when mark/funding is older, s",
  },
  margin_check_every: {
    type: "number",
    default: 5,
    min: 0.5,
    help:
      "kill-switch account read period, s (also read at once on a margin call or a position change)",
  },
  reconcile_every: {
    type: "number",
    default: 5,
    min: 1,
    help: "REST reconciliation period, s",
  },
  close_on_exit: {
    type: "boolean",
    default: false,
    help:
      "close positions at shutdown (default: leave the exchange-side exits in place)",
  },
  rest_url: {
    type: "string",
    default: "https://fapi.asterdex.com",
    help: "REST base URL",
  },
  ws_url: {
    type: "string",
    default: "wss://fstream.asterdex.com",
    help: "WebSocket base URL",
  },
  log_dir: {
    type: "string",
    default: "./logs",
    help: "directory of the market logs (--update_logs)",
  },
  journal: {
    type: "string",
    default: "./logs/decisions.csv",
    help: "decision journal CSV; empty = none",
  },
  ...LOG_FLAGS,
  ...METRICS_FLAGS,
} as const satisfies Record<string, FlagSpec>;

/** The parsed live flags. */
export type LiveFlags = Flags<typeof LIVE_FLAGS>;

/**
 * The flags of `deno task live` alone: {@linkcode LIVE_FLAGS} plus the safety-state file
 * and the operator action clearing its kill switch (paper trading keeps its state in
 * memory, so a simulated kill switch never blocks the real bot).
 */
export const TRADE_FLAGS = {
  ...LIVE_FLAGS,
  state_file: {
    type: "string",
    default: "./state/bot_state.json",
    help:
      "safety-state file (kill switch, cooldowns), kept across restarts; corrupt = refuse to start",
  },
  init_state_file: {
    type: "boolean",
    default: false,
    help:
      "operator action: create a fresh --state_file where none exists (needed once the journal shows past trading) and exit (command line only)",
  },
  clear_kill_switch: {
    type: "boolean",
    default: false,
    help:
      "operator action: clear the kill switch in --state_file, print it and exit without trading (command line only)",
  },
} as const satisfies Record<string, FlagSpec>;

/** The parsed flags of `deno task live`. */
export type TradeFlags = Flags<typeof TRADE_FLAGS>;

/**
 * The bot config of `deno task live`'s flags: {@linkcode liveConfig} plus the state file.
 *
 * @throws {UsageError} as {@linkcode liveConfig}, or for an empty `--state_file` when trading
 */
export function tradeConfig(f: TradeFlags): LiveConfig {
  if (f.state_file.trim() === "") {
    throw new UsageError(
      "Invalid --state_file: empty (the kill switch and cooldowns must survive restarts)",
    );
  }
  return { ...liveConfig(f), stateFile: f.state_file };
}

/**
 * The bot config of parsed flags.
 *
 * @throws {UsageError} for values that are wrong together (e.g. a bad URL)
 */
export function liveConfig(f: LiveFlags): LiveConfig {
  // trading sends the API key and signed requests: clear text only to loopback
  const secure = { secure: f.enable_trading };
  checkUrlFlag("rest_url", f.rest_url, HTTP_PROTOCOLS, secure);
  checkUrlFlag("ws_url", f.ws_url, WS_PROTOCOLS, secure);
  const symbols = f.symbols.map((s) => s.toUpperCase());
  for (const s of symbols) {
    if (!/^[A-Z0-9]{2,30}$/.test(s)) {
      throw new UsageError(`Invalid --symbols "${s}": not a symbol name`);
    }
  }
  if (new Set(symbols).size !== symbols.length) {
    throw new UsageError(`Invalid --symbols: a symbol is listed twice`);
  }
  return {
    symbols,
    params: {
      k: f.k,
      n: f.n,
      t: f.T,
      v: f.V,
      maxSpreadBps: f.max_spread_bps,
      maxFundingBps: f.max_funding_bps,
    },
    enableTrading: f.enable_trading,
    orderNotional: f.order_notional,
    tpBps: f.tp_bps,
    slBps: f.sl_bps,
    ...(f.trail_activation_bps > 0
      ? {
        trailing: {
          activationBps: f.trail_activation_bps,
          callbackPct: f.trail_callback_pct,
        },
      }
      : {}),
    cooldownMs: f.cooldown * 1000,
    leverage: f.leverage,
    marginType: f.margin_type === "CROSSED" ? "CROSSED" : "ISOLATED",
    killThreshold: f.kill_threshold,
    killPauseMs: f.kill_pause * 1000,
    entryLimits: {
      maxPriceDeviationBps: f.max_price_deviation_bps,
      maxUpsize: f.max_upsize,
      maxPositionNotional: f.max_position_notional,
    },
    allowWeakProtection: f.allow_weak_protection,
    budgets: {
      barMs: f.max_bar_age * 1000,
      bookMs: f.max_book_age * 1000,
      markMs: f.max_mark_age * 1000,
    },
    restUrl: f.rest_url,
    wsUrl: f.ws_url,
    updateLogs: f.update_logs,
    logDir: f.log_dir,
    journalPath: f.journal,
    closeOnExit: f.close_on_exit,
    reconcileMs: f.reconcile_every * 1000,
    marginCheckMs: f.margin_check_every * 1000,
  };
}
