/**
 * The state-file check: reads the live bot's safety state (kill switch, cooldowns) the
 * way the bot will at start and tells the operator what it would do with it.
 *
 * @module
 */
import type { SafetyState } from "../order/safety_state.ts";
import {
  describeKillSwitch,
  missingStateMessage,
  readStateFile,
} from "../live/state_file.ts";
import type { CheckResult } from "./doctor_port.ts";

/**
 * Reads the state file at `path`; `null` when it does not exist (a fresh start).
 *
 * @throws {StateFileError} when it exists but cannot be read or parsed
 */
export async function readStateOrNull(
  path: string,
): Promise<SafetyState | null> {
  try {
    await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    // anything else (e.g. permission): let the read report it
  }
  return await readStateFile(path);
}

/**
 * Rows for the state file: missing = pass (fresh) unless the journal shows past trading
 * (fail), unreadable or corrupt = fail, a kill
 * switch still blocking entries = fail with the command that clears it, cooldowns still
 * running = a pass row listing them.
 */
export async function checkStateFile(
  path: string,
  read: (path: string) => Promise<SafetyState | null>,
  nowMs: number,
  journal?: {
    readonly path: string;
    readonly showsTrading: (path: string) => Promise<boolean>;
  },
): Promise<CheckResult[]> {
  const row = (status: CheckResult["status"], detail: string): CheckResult => ({
    check: "state file",
    subject: path,
    status,
    detail,
  });
  let state: SafetyState | null;
  try {
    state = await read(path);
  } catch (error) {
    return [row(
      "fail",
      `${
        error instanceof Error ? error.message : String(error)
      }; the bot refuses to start: repair the file, or check the account and remove it`,
    )];
  }
  if (state === null) {
    // a missing file after past trading may be a kill switch lost, not a first start
    if (journal && await journal.showsTrading(journal.path)) {
      return [row("fail", missingStateMessage(path, journal.path))];
    }
    return [row("pass", "none yet (a fresh start)")];
  }
  const out: CheckResult[] = [];
  const k = state.killSwitch;
  if (k !== null && (k.untilMs === null || k.untilMs > nowMs)) {
    out.push(row(
      "fail",
      `${
        describeKillSwitch(k, nowMs)
      }; no entries. Clear it with \`deno task live --clear_kill_switch --state_file ${path}\``,
    ));
  } else {
    out.push(row(
      "pass",
      k === null ? "readable, no kill switch" : describeKillSwitch(k, nowMs),
    ));
  }
  const naked = Object.entries(state.unprotected ?? {}).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  if (naked.length > 0) {
    out.push({
      check: "stop-loss",
      subject: path,
      status: "fail",
      detail: `the bot last saw ${
        naked.map(([symbol, since]) =>
          `${symbol} without a stop-loss on the exchange since ${
            new Date(since).toISOString()
          }`
        ).join(", ")
      }: check the position and its exits on the exchange`,
    });
  }
  if ((state.setupFailed ?? []).length > 0) {
    out.push({
      check: "leverage/margin setup",
      subject: path,
      status: "fail",
      detail: `the bot could not set leverage/margin type on ${
        state.setupFailed!.join(", ")
      } and blocks their entries: check the account (an open position or open orders prevent a margin-type change)`,
    });
  }
  const running = Object.entries(state.cooldowns)
    .filter(([, until]) => until > nowMs)
    .sort(([a], [b]) => a.localeCompare(b));
  if (running.length > 0) {
    out.push({
      check: "cooldowns",
      subject: path,
      status: "pass",
      detail: running.map(([symbol, until]) =>
        `${symbol} until ${new Date(until).toISOString()}`
      ).join(", "),
    });
  }
  return out;
}
