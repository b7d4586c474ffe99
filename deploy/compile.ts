/**
 * `deno task compile`: builds one self-contained binary per entry point (aster-live,
 * aster-doctor, aster-record, aster-build-features, aster-backtest, aster-merge) with `deno compile`,
 * each with its minimal permissions baked in and the version and git commit embedded
 * (`--version` prints them). `--bundle` writes single-file `deno bundle` JavaScript instead,
 * run with `deno run` and the same permissions (printed). See deploy/README.md.
 *
 * @module
 */
import {
  checkInputFile,
  checkOutputDir,
  CONFIG_FLAG,
  formatHelp,
  parseCommandFlags,
  runMain,
  UsageError,
  writeStderr,
} from "../lib/cli/mod.ts";
import {
  type BuildInfo,
  bundleArgs,
  compileArgs,
  DEFAULT_HOSTS,
  DEFAULT_PATHS,
  type DeployPaths,
  ENTRY_POINTS,
  explainCompileFailure,
  exportsMain,
  installedDefaults,
  permissionFlags,
  runArgs,
  type Target,
  TARGETS,
  wrapperSource,
} from "./build_plan.ts";

const FLAGS = {
  ...CONFIG_FLAG,
  target: {
    type: "string",
    default: "x86_64-unknown-linux-gnu",
    choices: TARGETS,
    help: "compile target",
  },
  bundle: {
    type: "boolean",
    default: false,
    help: "write single-file deno bundle outputs instead of binaries",
  },
  only: {
    type: "list",
    help: `binaries to build (default: all of ${
      ENTRY_POINTS.map((e) => e.name).join(", ")
    })`,
  },
  out_dir: { type: "string", default: "out/bin", help: "output directory" },
  hosts: {
    type: "list",
    default: DEFAULT_HOSTS.join(","),
    help: "exchange hosts the networked binaries may reach",
  },
  config_dir: {
    type: "string",
    default: DEFAULT_PATHS.configDir,
    help: "config directory baked into permissions",
  },
  log_dir: {
    type: "string",
    default: DEFAULT_PATHS.logDir,
    help: "log directory baked into permissions",
  },
  state_dir: {
    type: "string",
    default: DEFAULT_PATHS.stateDir,
    help: "state directory baked into permissions",
  },
  run_dir: {
    type: "string",
    default: DEFAULT_PATHS.runDir,
    help: "runtime directory (the notify socket) baked into permissions",
  },
  version: {
    type: "string",
    help: "version string (default: git describe --tags --always --dirty)",
  },
  deno: {
    type: "string",
    help: "the deno executable (default: the running one)",
  },
} as const;

const USAGE =
  "Usage: deno task compile [--target x86_64-unknown-linux-gnu|aarch64-unknown-linux-gnu] " +
  "[--bundle] [--only aster-live,aster-doctor] [--out_dir out/bin]";

const ROOT = new URL("../", import.meta.url);
const CONFIG = new URL("deno.json", ROOT).pathname;

/** Builds the binaries (or bundles); returns the exit code. */
export async function main(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<number> {
  const flags = await parseCommandFlags(FLAGS, args, env);
  if (flags.help) {
    writeStdout(formatHelp(USAGE, FLAGS) + "\n");
    return 0;
  }
  const known = new Set(ENTRY_POINTS.map((e) => e.name));
  for (const name of flags.only ?? []) {
    if (!known.has(name)) {
      throw new UsageError(
        `Invalid --only "${name}": expected one of ${[...known].join(", ")}`,
      );
    }
  }
  for (const host of flags.hosts) {
    // a host name or address with an optional port, as --allow-net takes it: no URL
    if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
      throw new UsageError(
        `Invalid --hosts "${host}": expected a host name or address with an optional :port (e.g. fapi.asterdex.com), not a URL`,
      );
    }
  }
  const target = flags.target as Target;
  const deno = flags.deno ?? Deno.execPath();
  if (flags.deno !== undefined) await checkInputFile("deno", flags.deno);
  await checkOutputDir("out_dir", flags.out_dir);
  const paths: DeployPaths = {
    ...DEFAULT_PATHS,
    configDir: flags.config_dir,
    logDir: flags.log_dir,
    stateDir: flags.state_dir,
    runDir: flags.run_dir,
  };
  const commit = await git(["rev-parse", "HEAD"]) ?? "unknown";
  const version = flags.version ??
    await git(["describe", "--tags", "--always", "--dirty"]) ?? "0.0.0-dev";
  const builtAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const outDir = flags.out_dir.replace(/\/+$/, "");
  const srcDir = `${outDir}/src`;
  const binDir = flags.bundle ? `${outDir}/bundle` : `${outDir}/${target}`;
  await Deno.mkdir(srcDir, { recursive: true });
  await Deno.mkdir(binDir, { recursive: true });

  const wanted = ENTRY_POINTS.filter((e) =>
    flags.only === undefined || flags.only.includes(e.name)
  );
  let failed = 0;
  for (const entry of wanted) {
    const sourceUrl = new URL(entry.source, ROOT);
    let text: string;
    try {
      text = await Deno.readTextFile(sourceUrl);
    } catch {
      writeStderr(`SKIPPED ${entry.name}: ${entry.source} does not exist\n`);
      if (flags.only !== undefined) failed++;
      continue;
    }
    if (!exportsMain(text)) {
      writeStderr(
        `SKIPPED ${entry.name}: ${entry.source} does not export main(args)\n`,
      );
      if (flags.only !== undefined) failed++;
      continue;
    }
    const info: BuildInfo = {
      name: entry.name,
      version,
      commit,
      builtAt,
      target: flags.bundle ? "bundle" : target,
    };
    const wrapper = `${srcDir}/${entry.name}.ts`;
    await Deno.writeTextFile(
      wrapper,
      wrapperSource(entry, info, ROOT.href, installedDefaults(entry, paths)),
    );
    const permissions = permissionFlags(entry, paths, flags.hosts);
    const output = flags.bundle
      ? `${binDir}/${entry.name}.js`
      : `${binDir}/${entry.name}`;
    const cmdArgs = flags.bundle
      ? bundleArgs(wrapper, output, CONFIG)
      : compileArgs({
        wrapper,
        output,
        target,
        permissions,
        config: CONFIG,
        include: (entry.include ?? []).map((p) => new URL(p, ROOT).pathname),
      });
    const result = await new Deno.Command(deno, {
      args: cmdArgs,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    if (result.code !== 0) {
      failed++;
      const why = flags.bundle
        ? undefined
        : explainCompileFailure(stderr, target);
      writeStderr(
        why === undefined
          ? `FAILED ${entry.name}: deno ${
            cmdArgs[0]
          } exited ${result.code}\n${stderr}\n`
          : `FAILED ${entry.name}:\n${why}\n`,
      );
      if (why !== undefined) break;
      continue;
    }
    writeStdout(`built ${output}\n`);
    if (flags.bundle) {
      writeStdout(`  run: deno ${runArgs(permissions, output).join(" ")}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

async function git(args: string[]): Promise<string | undefined> {
  try {
    const r = await new Deno.Command("git", {
      args: ["-C", ROOT.pathname, ...args],
      stdout: "piped",
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(r.stdout).trim();
    return r.code === 0 && text !== "" ? text : undefined;
  } catch {
    return undefined;
  }
}

function writeStdout(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

if (import.meta.main) {
  await runMain(() => main(Deno.args, (name) => Deno.env.get(name)));
}
