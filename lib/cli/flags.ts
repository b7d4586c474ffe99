/**
 * Typed flag parsing for the entry scripts, on top of `node:util` `parseArgs`.
 *
 * Flags are declared once as a table of {@linkcode FlagSpec}s; values are converted and
 * validated, and every problem becomes a {@linkcode UsageError} naming the flag.
 *
 * @example Parse a command line
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * const flags = parseFlags(["--symbols", "BTCUSDT,ETHUSDT", "--poll_time", "5"], {
 *   symbols: { type: "list", default: "BTCUSDT", help: "symbols to record" },
 *   poll_time: { type: "number", default: 600, min: 0, help: "seconds to run" },
 *   delete_logs: { type: "boolean", default: false, help: "start fresh" },
 * });
 * flags.symbols; // ["BTCUSDT", "ETHUSDT"]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./usage_error.ts";

/** What every flag declaration has. */
export interface FlagBase {
  /** One line for `--help`. */
  readonly help: string;
  /** Another accepted name (an older or a singular spelling, e.g. `symbol` for `symbols`). */
  readonly alias?: string;
}
/** A string flag. */
export interface StringFlag extends FlagBase {
  readonly type: "string";
  readonly default?: string;
  /** Allowed values; anything else is a usage error. */
  readonly choices?: readonly string[];
}
/** A number flag; `integer`, `min` and `max` are checked. */
export interface NumberFlag extends FlagBase {
  readonly type: "number";
  readonly default?: number;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}
/** A boolean flag: `--x`, `--x true|false|1|0|yes|no`, or `--no-x`. */
export interface BooleanFlag extends FlagBase {
  readonly type: "boolean";
  readonly default?: boolean;
}
/** A comma-separated list of strings (empty items are rejected). */
export interface ListFlag extends FlagBase {
  readonly type: "list";
  readonly default?: string;
}
/** A comma-separated list of numbers. */
export interface NumberListFlag extends FlagBase {
  readonly type: "numbers";
  readonly default?: string;
  readonly integer?: boolean;
  readonly min?: number;
}
/** Any flag declaration. */
export type FlagSpec =
  | StringFlag
  | NumberFlag
  | BooleanFlag
  | ListFlag
  | NumberListFlag;

type ValueOf<S extends FlagSpec> = S extends StringFlag ? string
  : S extends NumberFlag ? number
  : S extends BooleanFlag ? boolean
  : S extends ListFlag ? string[]
  : number[];

/** The parsed values: flags with a default are always present, others may be undefined. */
export type Flags<T extends Record<string, FlagSpec>> =
  & {
    -readonly [K in keyof T]: T[K] extends { default: unknown } ? ValueOf<T[K]>
      : ValueOf<T[K]> | undefined;
  }
  & { help: boolean };

/**
 * Parses `argv` against `specs`.
 *
 * @param argv the arguments (e.g. `Deno.args`)
 * @param specs the flag table
 * @returns the typed values, plus `help` when `--help`/`-h` was given
 * @throws {UsageError} on an unknown flag, a missing value or an invalid value
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  argv: readonly string[],
  specs: T,
): Flags<T> {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string }
  > = {
    help: { type: "boolean", short: "h" },
  };
  for (const name of Object.keys(specs)) options[name] = { type: "string" };
  const args = normalizeBooleans(resolveAliases(argv, specs), specs);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(`Cannot parse flags: ${(error as Error).message}`);
  }
  const out: Record<string, unknown> = { help: parsed.values["help"] === true };
  for (const [name, spec] of Object.entries(specs)) {
    const raw = parsed.values[name];
    const text = typeof raw === "string" ? raw : undefined;
    out[name] = convert(name, spec, text);
  }
  return out as Flags<T>;
}

/**
 * Renders a help text for `specs`, one flag per line with its allowed values, alias and
 * default, then the flags every command has (`--config` when declared, `--version`,
 * `--help`) and how flags can also be set.
 */
export function formatHelp(
  usage: string,
  specs: Record<string, FlagSpec>,
): string {
  const lines = [usage, "", "Flags:"];
  const width = Math.max(...Object.keys(specs).map((n) => n.length), 7) + 4;
  for (const [name, spec] of Object.entries(specs)) {
    const notes: string[] = [];
    if (spec.type === "string" && spec.choices !== undefined) {
      notes.push(`one of: ${spec.choices.join(", ")}`);
    }
    if (spec.alias !== undefined) notes.push(`alias --${spec.alias}`);
    if (spec.default !== undefined) {
      notes.push(`default: ${String(spec.default)}`);
    }
    const tail = notes.length > 0 ? ` (${notes.join("; ")})` : "";
    lines.push(`  --${name.padEnd(width)}${spec.help}${tail}`);
  }
  lines.push(`  --${"version".padEnd(width)}print the version and exit`);
  lines.push(`  --${"help".padEnd(width)}show this help`);
  if ("config" in specs) {
    lines.push(
      "",
      "Every flag can also be set as ASTER_<FLAG> in the environment (e.g. ASTER_" +
        `${Object.keys(specs).find((n) => n !== "config")!.toUpperCase()}) ` +
        "or in the JSON --config file; precedence: flag > environment > config file > default.",
    );
  }
  return lines.join("\n");
}

/** Rewrites `--alias[=v]` (and `--no-alias`) to the canonical flag name. */
function resolveAliases(
  argv: readonly string[],
  specs: Record<string, FlagSpec>,
): string[] {
  const canonical = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.alias !== undefined) canonical.set(spec.alias, name);
  }
  if (canonical.size === 0) return [...argv];
  return argv.map((arg) => {
    const m = /^--(no-)?([^=]+)(=.*)?$/s.exec(arg);
    const name = m === null ? undefined : canonical.get(m[2]!);
    return name === undefined ? arg : `--${m![1] ?? ""}${name}${m![3] ?? ""}`;
  });
}

function normalizeBooleans(
  argv: readonly string[],
  specs: Record<string, FlagSpec>,
): string[] {
  // Boolean flags accept "--x", "--x value", "--x=value" and "--no-x"; parseArgs sees strings.
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([^=]+)$/.exec(arg);
    if (m) {
      const name = m[1]!;
      if (specs[name]?.type === "boolean") {
        const next = argv[i + 1];
        if (next !== undefined && BOOL_WORDS.has(next.toLowerCase())) {
          out.push(`--${name}=${next}`);
          i++;
        } else {
          out.push(`--${name}=true`);
        }
        continue;
      }
      const next = argv[i + 1];
      if (
        specs[name] !== undefined && next !== undefined &&
        !next.startsWith("--")
      ) {
        // "--x -1": take the next word as the value even when it starts with one dash;
        // "--symbols --poll_time 5" leaves "--poll_time" a flag (parseArgs then reports
        // the missing value of --symbols).
        out.push(`--${name}=${next}`);
        i++;
        continue;
      }
      const neg = /^no-(.+)$/.exec(name);
      if (neg && specs[neg[1]!]?.type === "boolean") {
        out.push(`--${neg[1]}=false`);
        continue;
      }
    }
    out.push(arg);
  }
  return out;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const BOOL_WORDS = new Set(["true", "false", "1", "0", "yes", "no"]);

function convert(
  name: string,
  spec: FlagSpec,
  text: string | undefined,
): unknown {
  if (text === undefined) {
    if (spec.default === undefined) return undefined;
    if (spec.type === "list" || spec.type === "numbers") {
      return convert(name, spec, spec.default);
    }
    return spec.default;
  }
  switch (spec.type) {
    case "string":
      if (spec.choices && !spec.choices.includes(text)) {
        throw new UsageError(
          `Invalid --${name} "${text}": expected one of ${
            spec.choices.join(", ")
          }`,
        );
      }
      return text;
    case "number":
      return toNumber(name, text, spec);
    case "boolean": {
      const t = text.toLowerCase();
      if (t === "true" || t === "1" || t === "yes") return true;
      if (t === "false" || t === "0" || t === "no") return false;
      throw new UsageError(
        `Invalid --${name} "${text}": expected true or false`,
      );
    }
    case "list": {
      const items = text.split(",").map((s) => s.trim());
      if (items.some((s) => s === "")) {
        throw new UsageError(
          `Invalid --${name} "${text}": empty item in the list`,
        );
      }
      return items;
    }
    case "numbers": {
      const items = text.split(",").map((s) => s.trim());
      return items.map((s) => toNumber(name, s, spec));
    }
  }
}

function toNumber(
  name: string,
  text: string,
  spec: { integer?: boolean; min?: number; max?: number },
): number {
  // Decimal notation only: Number() would also read "0x10" as 16, "0b1", "Infinity"...
  const value = DECIMAL.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(value)) {
    throw new UsageError(`Invalid --${name} "${text}": not a number`);
  }
  if (spec.integer && !Number.isInteger(value)) {
    throw new UsageError(`Invalid --${name} "${text}": not an integer`);
  }
  if (spec.min !== undefined && value < spec.min) {
    throw new UsageError(
      `Invalid --${name} "${text}": must be at least ${spec.min}`,
    );
  }
  if (spec.max !== undefined && value > spec.max) {
    throw new UsageError(
      `Invalid --${name} "${text}": must be at most ${spec.max}`,
    );
  }
  return value;
}
