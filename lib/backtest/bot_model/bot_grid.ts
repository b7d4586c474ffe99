/**
 * The bot model's parameter grid: the live bot's own parameter names and units
 * (`deno task live --help`), as value lists, expanded into a {@linkcode ConfigTable} in
 * canonical order. The six signal parameters come first, in the same places as in the
 * vectorbt grid, so `signalGroups` and `signalKeyOf` apply unchanged. Pure.
 *
 * @module
 */
import {
  canonical,
  type ConfigTable,
  expandLists,
  MAX_CONFIGS,
  N_PARAMS,
  N_SIGNAL_PARAMS,
} from "../grid.ts";
import type { PlateauGrid } from "../../research/mod.ts";
import { tablePlateauGrid } from "../plateau_rank.ts";
import { BOT_PARAM_NAMES } from "../../strategy/params.ts";

/** Bot grid parameters, in product order: the live bot's flag names. */
export const BOT_PARAMS = BOT_PARAM_NAMES;

/** One bot grid parameter name. */
export type BotParam = typeof BOT_PARAMS[number];

/** Value lists per bot parameter. */
export type BotGridSpec = Record<BotParam, readonly number[]>;

/** The live bot's defaults (`lib/live/live_flags.ts`), used for lists not given. */
export const BOT_DEFAULTS: Readonly<Record<BotParam, readonly number[]>> = {
  k: [2],
  n: [2],
  T: [30],
  V: [30],
  "max_spread_bps": [5],
  "max_funding_bps": [10],
  "tp_bps": [40],
  "sl_bps": [25],
  "trail_activation_bps": [0],
  "trail_callback_pct": [0.5],
  cooldown: [60],
  "order_notional": [25],
};

// The layout shared with the vectorbt grid's helpers (signalGroups, signalKeyOf).
if (BOT_PARAMS.length !== N_PARAMS || N_SIGNAL_PARAMS !== 6) {
  throw new Error("bot grid layout out of step with lib/backtest/grid.ts");
}

/**
 * Parses one comma list, e.g. `"25,40"` for `tp_bps`.
 *
 * @throws {SyntaxError} for a value that is not a number
 */
export function parseBotList(name: BotParam, text: string): number[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "").map(
    (s) => {
      const x = Number(s);
      if (Number.isNaN(x)) {
        throw new SyntaxError(
          `Cannot build the grid: --${name} value "${s}" is not a number`,
        );
      }
      return x;
    },
  );
}

/**
 * Reads a JSON grid keyed by the bot's parameter names (`{"tp_bps": [25, 40]}`).
 *
 * @throws {SyntaxError} for an unknown key or a value that is not a number
 */
export function parseBotGridJson(json: unknown): Partial<BotGridSpec> {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new SyntaxError(
      "Cannot read the grid file: expected a JSON object of parameter lists",
    );
  }
  const out: Partial<Record<BotParam, number[]>> = {};
  for (const [key, raw] of Object.entries(json)) {
    if (!(BOT_PARAMS as readonly string[]).includes(key)) {
      throw new SyntaxError(
        `Cannot read the grid file: unknown parameter "${key}" for --model bot (known: ${
          BOT_PARAMS.join(", ")
        })`,
      );
    }
    out[key as BotParam] = (Array.isArray(raw) ? raw : [raw]).map((x) => {
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new SyntaxError(
          `Cannot read the grid file: ${key} value ${
            JSON.stringify(x)
          } is not a number`,
        );
      }
      return x;
    });
  }
  return out;
}

/**
 * Checks every list against the live bot's own limits (the same as its flags'), and the
 * windows against the table.
 *
 * @throws {RangeError} naming the parameter and the value
 */
export function validateBotGrid(
  spec: BotGridSpec,
  ctx: { rsWindows: readonly number[]; volWindows: readonly number[] },
): void {
  const bad = (name: string, x: number, why: string): never => {
    throw new RangeError(`Cannot build the grid: ${name}=${x} ${why}`);
  };
  for (const name of BOT_PARAMS) {
    const list = spec[name];
    if (list.length === 0) {
      throw new RangeError(`Cannot build the grid: ${name} has no values`);
    }
    for (const x of list) {
      if (!Number.isFinite(x)) bad(name, x, "is not a finite number");
      switch (name) {
        case "T":
        case "V": {
          const have = name === "T" ? ctx.rsWindows : ctx.volWindows;
          if (!have.includes(x)) {
            bad(
              name,
              x,
              `is not a window of the feature table (${have.join(",")})`,
            );
          }
          break;
        }
        case "tp_bps":
        case "sl_bps":
          if (!(x >= 0.01 && x < 10_000)) {
            bad(name, x, "must be in [0.01, 10000)");
          }
          break;
        case "trail_callback_pct":
          if (!(x >= 0.1 && x <= 5)) {
            bad(name, x, "must be in [0.1, 5] (percent)");
          }
          break;
        case "order_notional":
          if (!(x > 0)) bad(name, x, "must be > 0 (USDT)");
          break;
        default:
          if (!(x >= 0)) bad(name, x, "must be >= 0");
      }
    }
  }
  let size = 1;
  for (const name of BOT_PARAMS) size *= canonical(spec[name]).length;
  if (size > MAX_CONFIGS) {
    throw new RangeError(
      `Cannot build the grid: ${size} configs is more than ${MAX_CONFIGS}`,
    );
  }
}

/** Expands the bot grid (lists deduplicated and sorted, so any order gives the same ids). */
export function expandBotGrid(spec: BotGridSpec): ConfigTable {
  return expandLists(BOT_PARAMS.map((name) => spec[name]));
}

/**
 * The plateau grid of a bot config table: numeric axes with >= 3 levels are smoothed;
 * `order_notional` (a scale, like the vectorbt model's cost axes) is never smoothed, and
 * `trail_activation_bps` 0 ("no trailing stop") is a categorical level.
 */
export function botPlateauGrid(configs: ConfigTable): PlateauGrid {
  return tablePlateauGrid(
    configs,
    BOT_PARAMS,
    new Set(["order_notional"]),
    (name, x) => name === "trail_activation_bps" && x === 0,
  );
}

/** The exit and sizing parameters of one bot config. */
export interface BotExitParams {
  /** Take-profit distance from the fill, bp. */
  readonly tpBps: number;
  /** Stop-loss distance from the fill, bp. */
  readonly slBps: number;
  /** Trailing activation distance, bp; 0 = no trailing stop. */
  readonly trailActivationBps: number;
  /** Trailing callback rate, percent. */
  readonly trailCallbackPct: number;
  /** Seconds after each exit before the next entry. */
  readonly cooldownS: number;
  /** Target notional per entry, USDT. */
  readonly orderNotional: number;
}

/** The exit and sizing parameters of config `c`. */
export function botParamsOf(table: ConfigTable, c: number): BotExitParams {
  const v = table.values, o = c * N_PARAMS;
  return {
    tpBps: v[o + 6]!,
    slBps: v[o + 7]!,
    trailActivationBps: v[o + 8]!,
    trailCallbackPct: v[o + 9]!,
    cooldownS: v[o + 10]!,
    orderNotional: v[o + 11]!,
  };
}

/** Config `c` as the live bot's config-file keys (`deno task live --config`). */
export function botConfigRecord(
  table: ConfigTable,
  c: number,
): Record<BotParam, number> {
  const out = {} as Record<BotParam, number>;
  for (let p = 0; p < N_PARAMS; p++) {
    out[BOT_PARAMS[p]!] = table.values[c * N_PARAMS + p]!;
  }
  return out;
}
