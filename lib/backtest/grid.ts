/**
 * The parameter grid (the original `make_param_grid`): per-parameter value lists, their
 * validation, and the cartesian product as a compact config table in a canonical order, so
 * that a reordered grid gives the same config ids and results. Pure.
 *
 * @module
 */
import type { SignalKey } from "./signals.ts";
import type { SimParams } from "./simulate.ts";

/** Grid parameters, in product order (signal parameters first). */
export const GRID_PARAMS = [
  "k",
  "n",
  "T",
  "V",
  "max_spread_bps",
  "max_funding_bps",
  "sl_stop",
  "tp_stop",
  "sl_trail",
  "fees",
  "slippage",
  "init_cash",
] as const;

/** One grid parameter name. */
export type GridParam = typeof GRID_PARAMS[number];

/** Value lists per parameter (`sl_trail` as 0/1, NaN stops = off). */
export type GridSpec = Record<GridParam, readonly number[]>;

/** Number of values per config in a {@linkcode ConfigTable}. */
export const N_PARAMS: number = GRID_PARAMS.length;
/** Number of leading parameters that determine the signals. */
export const N_SIGNAL_PARAMS = 6;

/** The largest grid accepted. */
export const MAX_CONFIGS = 5_000_000;

/** Configs as a flat table: config `c`, parameter `p` is `values[c * N_PARAMS + p]`. */
export interface ConfigTable {
  /** Number of configs. */
  readonly count: number;
  /** The values, `count * N_PARAMS` doubles. */
  readonly values: Float64Array;
}

const OFF_WORDS = new Set(["none", "off", "nan", "null"]);
const TRUE_WORDS = new Set(["true", "on", "1", "yes"]);
const FALSE_WORDS = new Set(["false", "off", "0", "no"]);

/**
 * Parses one parameter's comma-separated list, e.g. `"0.01,0.02,none"` for `sl_stop`.
 *
 * @throws {SyntaxError} for a word that is not a value of this parameter
 */
export function parseGridList(name: GridParam, text: string): number[] {
  const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return items.map((s) => parseGridValue(name, s));
}

function parseGridValue(name: GridParam, item: unknown): number {
  if (name === "sl_trail") {
    if (item === true || item === 1) return 1;
    if (item === false || item === 0) return 0;
    const w = String(item).toLowerCase();
    if (TRUE_WORDS.has(w)) return 1;
    if (FALSE_WORDS.has(w)) return 0;
    throw new SyntaxError(
      `Cannot build the grid: sl_trail value "${
        String(item)
      }" is not true or false`,
    );
  }
  const stop = name === "sl_stop" || name === "tp_stop";
  if (
    item === null ||
    (typeof item === "string" && OFF_WORDS.has(item.toLowerCase()))
  ) {
    if (stop) return NaN;
    throw new SyntaxError(
      `Cannot build the grid: ${name} cannot be "${String(item)}"`,
    );
  }
  const x = typeof item === "number"
    ? item
    : typeof item === "string" && item.trim() !== ""
    ? Number(item)
    : NaN;
  if (Number.isNaN(x)) {
    throw new SyntaxError(
      `Cannot build the grid: ${name} value "${String(item)}" is not a number`,
    );
  }
  return x;
}

/**
 * Reads a JSON grid (`{"k": [1, 2], "sl_stop": [0.01, null], "sl_trail": [false, true]}`).
 * Keys not given are absent from the result.
 *
 * @throws {SyntaxError} for an unknown key or a bad value
 */
export function parseGridJson(json: unknown): Partial<GridSpec> {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new SyntaxError(
      "Cannot read the grid file: expected a JSON object of parameter lists",
    );
  }
  const out: Partial<Record<GridParam, number[]>> = {};
  for (const [key, raw] of Object.entries(json)) {
    if (!(GRID_PARAMS as readonly string[]).includes(key)) {
      throw new SyntaxError(
        `Cannot read the grid file: unknown parameter "${key}" (known: ${
          GRID_PARAMS.join(", ")
        })`,
      );
    }
    const list = Array.isArray(raw) ? raw : [raw];
    out[key as GridParam] = list.map((x) =>
      parseGridValue(key as GridParam, x)
    );
  }
  return out;
}

/** What {@linkcode validateGrid} checks windows against. */
export interface GridContext {
  /** `rs_vol_<T>m_bps` windows in the table. */
  readonly rsWindows: readonly number[];
  /** `avg_vol_<V>m` windows in the table. */
  readonly volWindows: readonly number[];
}

/**
 * Checks every list: not empty, numbers in range, windows present in the table.
 *
 * @throws {RangeError} naming the parameter and the value
 */
export function validateGrid(spec: GridSpec, ctx: GridContext): void {
  const bad = (name: string, x: number, why: string): never => {
    throw new RangeError(
      `Cannot build the grid: ${name}=${String(x)} ${why}`,
    );
  };
  for (const name of GRID_PARAMS) {
    const list = spec[name];
    if (list.length === 0) {
      throw new RangeError(`Cannot build the grid: ${name} has no values`);
    }
    for (const x of list) {
      switch (name) {
        case "T":
        case "V": {
          const have = name === "T" ? ctx.rsWindows : ctx.volWindows;
          if (!have.includes(x)) {
            bad(
              name,
              x,
              `is not a window of the feature table (it has ${
                name === "T" ? "rs_vol" : "avg_vol"
              } windows ${have.join(",")})`,
            );
          }
          break;
        }
        case "sl_stop":
        case "tp_stop":
          if (!Number.isNaN(x) && !(x >= 0 && x < Infinity)) {
            bad(name, x, "must be a fraction >= 0 (0.01 = 1 %) or none");
          }
          break;
        case "sl_trail":
          if (x !== 0 && x !== 1) bad(name, x, "must be true or false");
          break;
        case "fees":
        case "slippage":
          if (!(x >= 0 && x < 1)) bad(name, x, "must be in [0, 1)");
          break;
        case "init_cash":
          if (!(x > 0 && x < Infinity)) bad(name, x, "must be > 0");
          break;
        case "max_spread_bps":
        case "max_funding_bps":
          if (!(x >= 0)) bad(name, x, "must be >= 0");
          break;
        default:
          if (!(x >= 0 && x < Infinity)) bad(name, x, "must be a number >= 0");
      }
    }
  }
  const size = gridSize(spec);
  if (size > MAX_CONFIGS) {
    throw new RangeError(
      `Cannot build the grid: ${size} configs is more than ${MAX_CONFIGS}`,
    );
  }
}

/** A value list deduplicated and sorted ascending, NaN (= off) first. */
export function canonical(list: readonly number[]): number[] {
  const out: number[] = [];
  let hasNaN = false;
  for (const x of list) {
    if (Number.isNaN(x)) hasNaN = true;
    else if (!out.includes(x)) out.push(x);
  }
  out.sort((a, b) => a - b);
  return hasNaN ? [NaN, ...out] : out;
}

/** Number of configs in the product (after removing duplicate values). */
export function gridSize(spec: GridSpec): number {
  let size = 1;
  for (const name of GRID_PARAMS) size *= canonical(spec[name]).length;
  return size;
}

/**
 * Expands the grid into its cartesian product. Each list is deduplicated and sorted
 * (NaN = off first), so any ordering of the lists yields the same table.
 */
export function expandGrid(spec: GridSpec): ConfigTable {
  return expandLists(GRID_PARAMS.map((name) => spec[name]));
}

/**
 * The cartesian product of `N_PARAMS` value lists (each made {@linkcode canonical}), the
 * last list varying fastest: the config table of the vectorbt grid and of the bot grid.
 */
export function expandLists(raw: readonly (readonly number[])[]): ConfigTable {
  const lists = raw.map(canonical);
  const count = lists.reduce((a, l) => a * l.length, 1);
  const values = new Float64Array(count * N_PARAMS);
  const idx = new Array<number>(N_PARAMS).fill(0);
  for (let c = 0; c < count; c++) {
    for (let p = 0; p < N_PARAMS; p++) {
      values[c * N_PARAMS + p] = lists[p]![idx[p]!]!;
    }
    for (let p = N_PARAMS - 1; p >= 0; p--) {
      if (++idx[p]! < lists[p]!.length) break;
      idx[p] = 0;
    }
  }
  return { count, values };
}

/** The signal parameters of config `c`. */
export function signalKeyOf(table: ConfigTable, c: number): SignalKey {
  const v = table.values, o = c * N_PARAMS;
  return {
    k: v[o]!,
    n: v[o + 1]!,
    t: v[o + 2]!,
    v: v[o + 3]!,
    maxSpreadBps: v[o + 4]!,
    maxFundingBps: v[o + 5]!,
  };
}

/** The simulation parameters of config `c`. */
export function simParamsOf(table: ConfigTable, c: number): SimParams {
  const v = table.values, o = c * N_PARAMS;
  return {
    slStop: v[o + 6]!,
    tpStop: v[o + 7]!,
    slTrail: v[o + 8] === 1,
    fees: v[o + 9]!,
    slippage: v[o + 10]!,
    initCash: v[o + 11]!,
  };
}

/** A config's parameters as a plain record keyed by grid parameter name. */
export function configRecord(
  table: ConfigTable,
  c: number,
): Record<GridParam, number | boolean | null> {
  const out = {} as Record<GridParam, number | boolean | null>;
  for (let p = 0; p < N_PARAMS; p++) {
    const name = GRID_PARAMS[p]!;
    const x = table.values[c * N_PARAMS + p]!;
    out[name] = name === "sl_trail" ? x === 1 : Number.isNaN(x) ? null : x;
  }
  return out;
}

/**
 * Groups configs by signal set: each group lists the configs (in ascending index order)
 * that share the six signal parameters; groups are ordered by first config.
 */
export function signalGroups(table: ConfigTable): Int32Array[] {
  const map = new Map<string, number[]>();
  const v = table.values;
  for (let c = 0; c < table.count; c++) {
    const o = c * N_PARAMS;
    const key = Array.from(v.subarray(o, o + N_SIGNAL_PARAMS)).join(",");
    let g = map.get(key);
    if (g === undefined) map.set(key, g = []);
    g.push(c);
  }
  return [...map.values()].map((g) => Int32Array.from(g));
}
