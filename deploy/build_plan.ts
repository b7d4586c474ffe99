/**
 * The build plan behind `deno task compile`: the entry points, the permissions each binary
 * gets baked in, the generated wrapper that embeds the version and answers `--version`,
 * and the `deno compile` / `deno bundle` / `deno run` command lines. Pure: no I/O.
 *
 * @module
 */

/** The compile targets. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
] as const;
/** One of {@linkcode TARGETS}. */
export type Target = typeof TARGETS[number];

/** The directories of an installation (see deploy/bootstrap.sh). */
export interface DeployPaths {
  /** Configuration (aster.env). @default {"/etc/aster"} */
  readonly configDir: string;
  /** CSV logs. @default {"/var/log/aster"} */
  readonly logDir: string;
  /** State (journals, kill-switch state). @default {"/var/lib/aster"} */
  readonly stateDir: string;
  /** Runtime tmpfs: the sd_notify sender socket. @default {"/run/aster"} */
  readonly runDir: string;
  /**
   * The unit's systemd credentials (LoadCredential=): the key files.
   * @default {"/run/credentials/aster.service"}
   */
  readonly credentialsDir: string;
  /** systemd's notify socket. @default {"/run/systemd/notify"} */
  readonly notifySocket: string;
}

/** The production layout. */
export const DEFAULT_PATHS: DeployPaths = {
  configDir: "/etc/aster",
  logDir: "/var/log/aster",
  stateDir: "/var/lib/aster",
  runDir: "/run/aster",
  credentialsDir: "/run/credentials/aster.service",
  notifySocket: "/run/systemd/notify",
};

/** The exchange hosts the networked binaries may reach. */
export const DEFAULT_HOSTS: readonly string[] = [
  "fapi.asterdex.com",
  "fstream.asterdex.com",
];

/**
 * The loopback addresses the bot and the recorder may serve `/metrics` and `/health` on
 * (`--metrics_addr`: the bot's default, and the recorder's port in
 * deploy/monitoring/prometheus.yml).
 */
export const METRICS_ADDRS: readonly string[] = [
  "127.0.0.1:9464",
  "127.0.0.1:9465",
];

/** How much a binary may do. */
type Access = "live" | "doctor" | "record" | "status" | "offline";

/** One binary. */
export interface EntryPoint {
  /** Binary name. */
  readonly name: string;
  /** Source, relative to the repository root; must export `main(args)`. */
  readonly source: string;
  /** Permission profile. */
  readonly access: Access;
  /** Extra modules loaded at run time (workers), relative to the root. */
  readonly include?: readonly string[];
}

/** The binaries `deno task compile` builds. */
export const ENTRY_POINTS: readonly EntryPoint[] = [
  { name: "aster-live", source: "live/trade.ts", access: "live" },
  { name: "aster-doctor", source: "live/doctor.ts", access: "doctor" },
  { name: "aster-record", source: "live/record.ts", access: "record" },
  { name: "aster-status", source: "live/status.ts", access: "status" },
  {
    name: "aster-build-features",
    source: "backtest/build_features.ts",
    access: "offline",
  },
  {
    name: "aster-backtest",
    source: "backtest/backtest.ts",
    access: "offline",
    include: [
      "lib/backtest/worker.ts",
      "lib/backtest/bot_model/bot_worker.ts",
    ],
  },
  {
    name: "aster-merge",
    source: "backtest/merge.ts",
    access: "offline",
    // a bot-model merge with --walk_forward runs the in-sample grids on the bot pool
    include: ["lib/backtest/bot_model/bot_worker.ts"],
  },
];

/** Environment variables the networked binaries read. */
const ENV_NAMES = [
  "ASTER_*",
  "ORDER_API_KEY",
  "ORDER_SECRET_KEY",
  "NO_COLOR",
];

/** Variables systemd passes to a `Type=notify` service. */
const SYSTEMD_ENV = [
  "NOTIFY_SOCKET",
  "WATCHDOG_USEC",
  "WATCHDOG_PID",
  "RUNTIME_DIRECTORY",
  "STATE_DIRECTORY",
  "LOGS_DIRECTORY",
  "INVOCATION_ID",
];

/**
 * The permission flags of `entry`: network only to `hosts` (plus, for the live bot, the
 * two sd_notify unix sockets, and for the bot and the recorder their loopback metrics
 * addresses {@linkcode METRICS_ADDRS}), reads and writes only in the installation's directories,
 * and only the variables it reads. The offline tools (features, backtest) read and write
 * the paths their users name, so they get unscoped file access and no network.
 */
export function permissionFlags(
  entry: EntryPoint,
  paths: DeployPaths,
  hosts: readonly string[],
): string[] {
  const p = paths;
  switch (entry.access) {
    case "live":
      return [
        `--allow-net=${
          [
            ...hosts,
            ...METRICS_ADDRS,
            `unix:${p.notifySocket}`,
            `unix:${p.runDir}/notify.sock`,
          ].join(",")
        }`,
        // binding the sd_notify sender socket needs read and write access to its path
        `--allow-read=${
          [
            p.configDir,
            p.credentialsDir,
            p.logDir,
            p.stateDir,
            `${p.runDir}/notify.sock`,
          ].join(",")
        }`,
        // Sending a datagram to a unix socket needs write access to its path; in the
        // runtime directory only the bot's own sender socket.
        `--allow-write=${
          [p.logDir, p.stateDir, `${p.runDir}/notify.sock`, p.notifySocket]
            .join(",")
        }`,
        // Deno.uid(): key files owned by another user are refused
        "--allow-sys=uid",
        `--allow-env=${[...ENV_NAMES, ...SYSTEMD_ENV].join(",")}`,
        // sd_notify needs Deno.listenDatagram (unix datagram sockets), still unstable.
        "--unstable-net",
      ];
    case "doctor":
      return [
        `--allow-net=${hosts.join(",")}`,
        // the state directory: the doctor reads the bot's kill-switch state file
        `--allow-read=${
          [p.configDir, p.credentialsDir, p.logDir, p.stateDir].join(",")
        }`,
        `--allow-write=${p.logDir}`,
        "--allow-sys=uid",
        `--allow-env=${ENV_NAMES.join(",")}`,
      ];
    case "record":
      return [
        `--allow-net=${[...hosts, ...METRICS_ADDRS].join(",")}`,
        `--allow-read=${p.logDir}`,
        `--allow-write=${p.logDir}`,
        `--allow-env=${ENV_NAMES.join(",")}`,
      ];
    case "status":
      // asks the bot's loopback endpoint; reads its state file and journal when it is down
      return [
        `--allow-net=${METRICS_ADDRS.join(",")}`,
        `--allow-read=${[p.configDir, p.logDir, p.stateDir].join(",")}`,
        `--allow-env=${ENV_NAMES.join(",")}`,
      ];
    case "offline":
      return ["--allow-read", "--allow-write", "--allow-env"];
  }
}

/** What is embedded in every binary. */
export interface BuildInfo {
  readonly name: string;
  readonly version: string;
  readonly commit: string;
  readonly builtAt: string;
  readonly target: string;
}

/** The `--version` line. */
export function versionLine(info: BuildInfo): string {
  return `${info.name} ${info.version} (commit ${info.commit}, built ${info.builtAt}, ${info.target})`;
}

/**
 * The generated wrapper module of a binary: answers `--version` from the embedded build
 * info, otherwise runs the entry's exported `main(argv, env)` inside `runMain` (typed so that
 * an entry taking only `argv` type-checks too; compile_test.ts checks every generated wrapper).
 *
 * @param rootUrl the repository root as a file URL ending in "/"
 */
export function wrapperSource(
  entry: EntryPoint,
  info: BuildInfo,
  rootUrl: string,
  defaults: Readonly<Record<string, string>> = {},
): string {
  const url = (rel: string) => JSON.stringify(new URL(rel, rootUrl).href);
  const baked = Object.fromEntries(
    Object.entries(defaults).map(([flag, v]) => [
      `ASTER_DEFAULT_${flag.toUpperCase()}`,
      v,
    ]),
  );
  return [
    `// Generated by deploy/compile.ts for ${entry.name}; do not edit.`,
    `import { main } from ${url(entry.source)};`,
    `import { runMain } from ${url("lib/cli/main.ts")};`,
    ``,
    `export const BUILD_INFO = ${JSON.stringify(info)};`,
    ``,
    `if (Deno.args.length === 1 && Deno.args[0] === "--version") {`,
    `  Deno.stdout.writeSync(new TextEncoder().encode(${
      JSON.stringify(versionLine(info) + "\n")
    }));`,
    `} else {`,
    `  // An entry's main takes (argv) or (argv, env): both are assignable to this type.`,
    `  const entry: (`,
    `    argv: readonly string[],`,
    `    env: (name: string) => string | undefined,`,
    `  ) => Promise<number | void> = main;`,
    `  // Installed defaults inside this binary's permissions (the lowest flag layer).`,
    `  const defaults: Record<string, string> = ${JSON.stringify(baked)};`,
    `  await runMain(() =>`,
    `    entry(Deno.args, (name) =>`,
    `      name.startsWith("ASTER_DEFAULT_") ? defaults[name] : Deno.env.get(name))`,
    `  );`,
    `}`,
    ``,
  ].join("\n");
}

/**
 * The flag defaults of a binary inside its own permissions: the logs, journal and state
 * file under the installation's directories instead of `./logs` and `./state` (which a
 * binary scoped to /var/log/aster and /var/lib/aster may not write).
 */
export function installedDefaults(
  entry: EntryPoint,
  paths: DeployPaths,
): Record<string, string> {
  switch (entry.access) {
    case "live":
    case "doctor":
      return {
        "log_dir": paths.logDir,
        journal: `${paths.logDir}/decisions.csv`,
        "state_file": `${paths.stateDir}/bot_state.json`,
      };
    case "record":
      return { "log_dir": paths.logDir };
    default:
      return {};
  }
}

/** Whether a module's text exports `main` (the wrapper calls it). */
export function exportsMain(sourceText: string): boolean {
  return /^export\s+(async\s+)?function\s+main\s*\(/m.test(sourceText);
}

/** The `deno compile` arguments (after the executable) for one binary. */
export function compileArgs(
  options: {
    wrapper: string;
    output: string;
    target: Target;
    permissions: readonly string[];
    include: readonly string[];
    /** The repository's deno.json (import map, compiler options, lock). */
    config: string;
  },
): string[] {
  return [
    "compile",
    "--frozen",
    "--config",
    options.config,
    "--no-prompt",
    // embed only the npm packages the binary's module graph reaches: without it every
    // package of the lockfile (ccxt, playwright-core, ...) would ship in aster-live
    "--exclude-unused-npm",
    "--target",
    options.target,
    "--output",
    options.output,
    ...options.permissions,
    ...options.include.flatMap((path) => ["--include", path]),
    options.wrapper,
  ];
}

/**
 * The `deno bundle` arguments for one single-file JavaScript bundle.
 *
 * @param config the repository's deno.json
 */
export function bundleArgs(
  wrapper: string,
  output: string,
  config: string,
): string[] {
  return [
    "bundle",
    "--frozen",
    "--config",
    config,
    "--platform",
    "deno",
    "--output",
    output,
    wrapper,
  ];
}

/**
 * The `deno run` arguments to run a wrapper or bundle with the binary's permissions.
 *
 * @param config the repository's deno.json, needed for a `.ts` wrapper (not for a bundle)
 */
export function runArgs(
  permissions: readonly string[],
  script: string,
  options: { args?: readonly string[]; config?: string } = {},
): string[] {
  return [
    "run",
    "--no-prompt",
    ...(options.config === undefined
      ? []
      : ["--frozen", "--config", options.config]),
    ...permissions,
    script,
    ...(options.args ?? []),
  ];
}

/**
 * A clear explanation when `deno compile` failed because its runtime could not be
 * downloaded (no network to dl.deno.land); undefined for other failures.
 */
export function explainCompileFailure(
  stderr: string,
  target: string,
): string | undefined {
  const download = /dl\.deno\.land|denort|Setting up base binary/i.test(stderr);
  const network =
    /dns error|error sending request|Connect|timed out|failed to lookup|certificate|Network is unreachable/i
      .test(stderr);
  if (!download || !network) return undefined;
  return [
    `Cannot compile: deno compile needs the Deno runtime for ${target} (denort), downloaded`,
    "from dl.deno.land on first use, and this machine cannot reach it.",
    "Fix: build on a machine with internet access (the runtime is cached afterwards), or",
    "copy denort-<target>.zip there and point DENORT_BIN at the unzipped binary, or use",
    "`deno task compile --bundle` and run the bundle with `deno run` on the server.",
  ].join("\n");
}
