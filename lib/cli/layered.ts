/**
 * Layered flags, the same for every command: command-line flag > environment variable
 * (`ASTER_` + the flag name in upper case, e.g. `ASTER_POLL_TIME`) > JSON config file
 * (`--config FILE` or `ASTER_CONFIG`, keyed by flag name) > default. Every layer is
 * validated on its own, so an error names where the bad value came from.
 *
 * @module
 */
import { type Flags, type FlagSpec, parseFlags } from "./flags.ts";
import { UsageError } from "./usage_error.ts";

/** The `--config` flag; spread it into a command's flag table to accept a config file. */
export const CONFIG_FLAG = {
  config: {
    type: "string",
    help:
      "JSON config file keyed by flag name (flag > env ASTER_<NAME> > file > default)",
  },
} as const satisfies Record<string, FlagSpec>;

/** The environment variable of a flag: `ASTER_` + its name in upper case. */
export function envName(flag: string): string {
  return `ASTER_${flag.toUpperCase()}`;
}

/**
 * The variable of an installation's default for a flag, `ASTER_DEFAULT_` + its name in
 * upper case: the lowest layer, below the config file. The compiled binaries answer it
 * with the paths their permissions allow (deploy/build_plan.ts), so their defaults work.
 */
export function defaultEnvName(flag: string): string {
  return `ASTER_DEFAULT_${flag.toUpperCase()}`;
}

/** Where the layers come from. */
export interface FlagLayers {
  /** The command line. */
  readonly argv: readonly string[];
  /** Reads an environment variable. */
  readonly env: (name: string) => string | undefined;
  /** Reads the config file named by `--config` (or `ASTER_CONFIG`). */
  readonly readTextFile: (path: string) => Promise<string>;
}

/** Options of {@linkcode parseLayeredFlags}. */
export interface LayeredOptions {
  /**
   * Keys a config file must carry (a file is a complete set, not a patch over the
   * defaults); the first one missing is refused, naming the key and the file.
   */
  readonly configRequires?: readonly string[];
  /** Said after the missing key, e.g. where a complete file comes from. */
  readonly configRequiresHint?: string;
}

/**
 * Parses the layered flags: installed defaults (`ASTER_DEFAULT_<FLAG>`), the config file,
 * the environment, then the command line, each validated on its own.
 *
 * @throws {UsageError} naming the layer of a bad value, or a config file's unknown or
 *   (with `options.configRequires`) missing key
 */
export async function parseLayeredFlags<T extends Record<string, FlagSpec>>(
  specs: T,
  layers: FlagLayers,
  options: LayeredOptions = {},
): Promise<Flags<T>> {
  const cli = parseFlags(layers.argv, specs);
  if (cli.help) return cli;
  const defaultArgs: string[] = [];
  for (const name of Object.keys(specs)) {
    const v = layers.env(defaultEnvName(name));
    if (v === undefined || v === "") continue;
    const arg = `--${name}=${v}`;
    guard(`default ${defaultEnvName(name)}`, () => parseFlags([arg], specs));
    defaultArgs.push(arg);
  }
  const envArgs: string[] = [];
  for (const name of Object.keys(specs)) {
    const v = layers.env(envName(name));
    if (v === undefined || v === "") continue;
    const arg = `--${name}=${v}`;
    guard(`environment ${envName(name)}`, () => parseFlags([arg], specs));
    envArgs.push(arg);
  }
  const cliConfig = (cli as Record<string, unknown>)["config"];
  const configPath = typeof cliConfig === "string"
    ? cliConfig
    : layers.env(envName("config"));
  let fileArgs: string[] = [];
  if (configPath !== undefined && configPath !== "" && "config" in specs) {
    let text: string;
    try {
      text = await layers.readTextFile(configPath);
    } catch (error) {
      throw new UsageError(
        `Cannot read --config ${configPath}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    fileArgs = configArgs(text, specs, configPath, options);
    guard(`config file ${configPath}`, () => parseFlags(fileArgs, specs));
  }
  // parseArgs keeps the last occurrence: installed default < file < env < command line
  return parseFlags(
    [...defaultArgs, ...fileArgs, ...envArgs, ...layers.argv],
    specs,
  );
}

function guard(where: string, fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) {
      throw new UsageError(`${where}: ${error.message}`);
    }
    throw error;
  }
}

function configArgs(
  text: string,
  specs: Record<string, FlagSpec>,
  path: string,
  options: LayeredOptions,
): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `Invalid config file ${path}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UsageError(`Invalid config file ${path}: not a JSON object`);
  }
  const out: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in specs) || key === "config") {
      throw new UsageError(`Invalid config file ${path}: unknown key "${key}"`);
    }
    const text = Array.isArray(value)
      ? value.map(String).join(",")
      : typeof value === "string" || typeof value === "number" ||
          typeof value === "boolean"
      ? String(value)
      : undefined;
    if (text === undefined) {
      throw new UsageError(
        `Invalid config file ${path}: "${key}" is not a string, number, boolean or list`,
      );
    }
    out.push(`--${key}=${text}`);
  }
  for (const key of options.configRequires ?? []) {
    if (!Object.hasOwn(raw, key)) {
      throw new UsageError(
        `Invalid config file ${path}: missing key "${key}"${
          options.configRequiresHint ? ` (${options.configRequiresHint})` : ""
        }`,
      );
    }
  }
  return out;
}

/**
 * {@linkcode parseLayeredFlags} for an entry script: `argv` and `env` of the process, the
 * config file read from disk.
 */
export function parseCommandFlags<T extends Record<string, FlagSpec>>(
  specs: T,
  argv: readonly string[],
  env: (name: string) => string | undefined,
): Promise<Flags<T>> {
  return parseLayeredFlags(specs, {
    argv,
    env,
    readTextFile: (path) => Deno.readTextFile(path),
  });
}
