/**
 * The bot's safety state on disk (`--state_file`): the margin kill switch and the
 * per-symbol cooldowns as a small JSON file, read before entries are enabled and written
 * atomically (temp file, fsync, rename, directory fsync) after every change, so a crash
 * or a systemd restart keeps entries blocked. A missing file is a fresh state; an
 * unreadable or corrupt one is a {@linkcode StateFileError} (the bot refuses to start).
 *
 * Times are epoch ms on the bot's clock (the local system clock in live trading).
 *
 * @example
 * ```json
 * {
 *   "version": 1,
 *   "savedAt": "2026-11-24T21:30:00.000Z",
 *   "killSwitch": { "trippedAtMs": 1795000000000, "untilMs": null, "reason": "margin" },
 *   "cooldowns": { "BTCUSDT": 1795000060000 }
 * }
 * ```
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { basename, dirname, join } from "node:path";
import type {
  KillSwitchState,
  SafetyState,
  SafetyStatePort,
} from "../order/mod.ts";

const log = getLogger(["aster", "live", "state"]);

/** The file format's version. */
export const STATE_FILE_VERSION = 1;

/** The state file cannot be read, parsed or written: the bot must not trade on it. */
export class StateFileError extends Error {
  /** @param message what went wrong, naming the file */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StateFileError";
  }
}

/** The file's text of a state (ends with a newline). */
export function encodeSafetyState(
  state: SafetyState,
  savedAtMs: number,
): string {
  const k = state.killSwitch;
  return JSON.stringify(
    {
      version: STATE_FILE_VERSION,
      savedAt: new Date(savedAtMs).toISOString(),
      killSwitch: k === null ? null : {
        trippedAtMs: k.trippedAtMs,
        untilMs: k.untilMs,
        reason: k.reason,
        ...(k.safetyMultiple !== undefined && Number.isFinite(k.safetyMultiple)
          ? { safetyMultiple: k.safetyMultiple }
          : {}),
      },
      cooldowns: state.cooldowns,
      ...(state.unprotected && Object.keys(state.unprotected).length > 0
        ? { unprotected: state.unprotected }
        : {}),
      ...(state.setupFailed && state.setupFailed.length > 0
        ? { setupFailed: state.setupFailed }
        : {}),
    },
    null,
    2,
  ) + "\n";
}

/**
 * Parses a state file's text.
 *
 * @throws {StateFileError} naming `path` and the first problem
 */
export function decodeSafetyState(text: string, path: string): SafetyState {
  const bad = (why: string) =>
    new StateFileError(`Cannot use state file ${path}: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw bad(`not JSON (${error instanceof Error ? error.message : error})`);
  }
  if (!isObject(raw)) throw bad("not a JSON object");
  if (raw["version"] !== STATE_FILE_VERSION) {
    throw bad(`unsupported version ${JSON.stringify(raw["version"])}`);
  }
  const k = raw["killSwitch"];
  let killSwitch: KillSwitchState | null = null;
  if (k !== null) {
    if (!isObject(k)) throw bad("killSwitch is not an object or null");
    const trippedAtMs = k["trippedAtMs"];
    const untilMs = k["untilMs"];
    const reason = k["reason"];
    const multiple = k["safetyMultiple"];
    if (!isTime(trippedAtMs)) throw bad("killSwitch.trippedAtMs is not a time");
    if (untilMs !== null && !isTime(untilMs)) {
      throw bad("killSwitch.untilMs is not a time or null");
    }
    if (typeof reason !== "string") throw bad("killSwitch.reason is not text");
    if (
      multiple !== undefined &&
      (typeof multiple !== "number" || !Number.isFinite(multiple))
    ) {
      throw bad("killSwitch.safetyMultiple is not a number");
    }
    killSwitch = {
      trippedAtMs,
      untilMs,
      reason,
      ...(multiple === undefined ? {} : { safetyMultiple: multiple }),
    };
  }
  const c = raw["cooldowns"];
  if (!isObject(c)) throw bad("cooldowns is not an object");
  const cooldowns: Record<string, number> = {};
  for (const [symbol, until] of Object.entries(c)) {
    if (!/^[A-Z0-9]{2,30}$/.test(symbol)) {
      throw bad(`cooldowns has a bad symbol "${symbol}"`);
    }
    if (!isTime(until)) throw bad(`cooldowns.${symbol} is not a time`);
    cooldowns[symbol] = until;
  }
  const u = raw["unprotected"] ?? {};
  if (!isObject(u)) throw bad("unprotected is not an object");
  const unprotected: Record<string, number> = {};
  for (const [symbol, since] of Object.entries(u)) {
    if (!/^[A-Z0-9]{2,30}$/.test(symbol)) {
      throw bad(`unprotected has a bad symbol "${symbol}"`);
    }
    if (!isTime(since)) throw bad(`unprotected.${symbol} is not a time`);
    unprotected[symbol] = since;
  }
  const f = raw["setupFailed"] ?? [];
  if (
    !Array.isArray(f) ||
    !f.every((x) => typeof x === "string" && /^[A-Z0-9]{2,30}$/.test(x))
  ) throw bad("setupFailed is not a list of symbols");
  return {
    killSwitch,
    cooldowns,
    ...(Object.keys(unprotected).length > 0 ? { unprotected } : {}),
    ...(f.length > 0 ? { setupFailed: f as string[] } : {}),
  };
}

/**
 * Reads the state at `path`; a missing file is a fresh state.
 *
 * @throws {StateFileError} when the file exists but cannot be read or parsed
 */
export async function readStateFile(path: string): Promise<SafetyState> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { killSwitch: null, cooldowns: {} };
    }
    throw new StateFileError(
      `Cannot read state file ${path}: ${errorText(error)}`,
      { cause: error },
    );
  }
  return decodeSafetyState(text, path);
}

/** The journal actions that mean an order was sent (past trading). */
const TRADED_RE = /,entry_(placed|resolved|unknown|rejected),/;

/**
 * Whether the decision journal at `path` records an entry order ever sent (streamed, so a
 * long journal costs memory of one chunk); false when it does not exist or is empty.
 */
export async function journalShowsTrading(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of file.readable) {
    const text = tail + decoder.decode(chunk, { stream: true });
    if (TRADED_RE.test(text)) {
      await file.readable.cancel().catch(() => {});
      return true;
    }
    tail = text.slice(-64);
  }
  return false;
}

/**
 * The refusal when the state file is missing but the journal shows past trading: the file
 * (and a kill switch in it) may have been deleted, renamed or pointed elsewhere.
 */
export function missingStateMessage(path: string, journal: string): string {
  return `Cannot use state file ${path}: it is missing, but the journal ${journal} shows past trading (a kill switch in it would be lost). Restore the file, or start a fresh one explicitly with \`deno task live --init_state_file --state_file ${path}\``;
}

/**
 * The operator action behind `--init_state_file`: creates a fresh state file (no kill
 * switch, no cooldowns) where none exists.
 *
 * @returns false when the file already exists (left untouched)
 * @throws {StateFileError} when it cannot be written
 */
export async function initStateFile(
  path: string,
  nowMs: number,
): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return false;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new StateFileError(
        `Cannot read state file ${path}: ${errorText(error)}`,
        { cause: error },
      );
    }
  }
  try {
    await writeFileAtomic(
      path,
      encodeSafetyState({ killSwitch: null, cooldowns: {} }, nowMs),
    );
  } catch (error) {
    throw new StateFileError(
      `Cannot write state file ${path}: ${errorText(error)}`,
      { cause: error },
    );
  }
  return true;
}

/**
 * Replaces `path` with `text` atomically: writes a temp file beside it, fsyncs it,
 * renames it over `path` and fsyncs the directory (best effort). Creates the directory
 * when missing. A reader sees the old or the new content, never a mix.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  // a random name created exclusively: nobody can predict it and plant a symlink there
  const tmp = join(dir, `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  const data = new TextEncoder().encode(text);
  try {
    const file = await Deno.open(tmp, {
      write: true,
      createNew: true,
      mode: 0o600,
    });
    try {
      for (let off = 0; off < data.length;) {
        off += await file.write(data.subarray(off));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch { /* not every platform can fsync a directory */ }
}

/**
 * The state file as the order manager's {@linkcode SafetyStatePort}: the state read at
 * open, and saves serialised in call order (the last call's state wins).
 */
export class StateFile implements SafetyStatePort {
  /** The file's path. */
  readonly path: string;
  /** The state read at open. */
  readonly initial: SafetyState;
  #clock: () => number;
  #chain: Promise<void> = Promise.resolve();

  private constructor(path: string, initial: SafetyState, clock: () => number) {
    this.path = path;
    this.initial = initial;
    this.#clock = clock;
  }

  /**
   * Reads the state (missing file = fresh, unless `journal` shows past trading) and
   * checks the directory is writable.
   *
   * @throws {StateFileError} when the file is unreadable or corrupt, missing after past
   * trading, or the directory cannot be written
   */
  static async open(
    path: string,
    options: { clock?: () => number; journal?: string } = {},
  ): Promise<StateFile> {
    // invariant: a missing file after past trading is not a fresh start
    if (options.journal && !(await exists(path))) {
      if (await journalShowsTrading(options.journal)) {
        throw new StateFileError(missingStateMessage(path, options.journal));
      }
    }
    const initial = await readStateFile(path);
    const clock = options.clock ?? Date.now;
    const dir = dirname(path);
    const probe = join(dir, `.${basename(path)}.${crypto.randomUUID()}.probe`);
    try {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(probe, "", { createNew: true, mode: 0o600 });
      await Deno.remove(probe);
    } catch (error) {
      throw new StateFileError(
        `Cannot write state file directory ${dir}: ${errorText(error)}`,
        { cause: error },
      );
    }
    return new StateFile(path, initial, clock);
  }

  /** Writes `state` atomically after the saves before it. */
  save(state: SafetyState): Promise<void> {
    const text = encodeSafetyState(state, this.#clock());
    const run = this.#chain.then(() => writeFileAtomic(this.path, text));
    this.#chain = run.catch((error) => {
      log.error("Cannot save the state file {path}: {error}", {
        path: this.path,
        error,
      });
    });
    return run;
  }

  /** Waits for the saves in flight. */
  flush(): Promise<void> {
    return this.#chain;
  }
}

/**
 * The operator action behind `--clear_kill_switch`: removes the kill switch from the
 * state file (cooldowns kept) and returns what was cleared, or `null` when none was set.
 *
 * @throws {StateFileError} when the file is unreadable or corrupt
 */
export async function clearKillSwitchFile(
  path: string,
  nowMs: number,
): Promise<KillSwitchState | null> {
  const state = await readStateFile(path);
  if (state.killSwitch === null) return null;
  try {
    await writeFileAtomic(
      path,
      encodeSafetyState({ ...state, killSwitch: null }, nowMs),
    );
  } catch (error) {
    throw new StateFileError(
      `Cannot write state file ${path}: ${errorText(error)}`,
      { cause: error },
    );
  }
  return state.killSwitch;
}

/** A one-line description of a kill switch for the operator. */
export function describeKillSwitch(k: KillSwitchState, nowMs: number): string {
  const until = k.untilMs === null
    ? "until an operator clears it"
    : k.untilMs > nowMs
    ? `until ${new Date(k.untilMs).toISOString()}`
    : `pause already ended ${new Date(k.untilMs).toISOString()}`;
  const multiple = k.safetyMultiple === undefined
    ? ""
    : `, safety multiple ${k.safetyMultiple}`;
  return `kill switch (${k.reason}${multiple}) tripped ${
    new Date(k.trippedAtMs).toISOString()
  }, ${until}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The largest time a `Date` can hold, epoch ms. */
const MAX_TIME_MS = 8.64e15;

function isTime(v: unknown): v is number {
  // integer epoch ms a Date can represent: 1e300 would pass Number.isFinite and throw later
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 &&
    v <= MAX_TIME_MS;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    return true; // let the read report anything else
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
