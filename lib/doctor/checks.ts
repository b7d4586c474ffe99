/**
 * The individual preflight checks, each a function of the port and config that returns
 * report rows. Pure except for the port calls (and the clock and probe passed in).
 *
 * @module
 */
import { Decimal } from "decimal.js";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import type { PositionRisk } from "../exchange/trading/parsers.ts";
import { DEFAULT_MAX_UPSIZE, orderFilters, planEntry } from "../order/mod.ts";
import type {
  CheckResult,
  CheckStatus,
  DoctorConfig,
  DoctorPort,
} from "./doctor_port.ts";

function row(
  check: string,
  subject: string,
  status: CheckStatus,
  detail: string,
): CheckResult {
  return { check, subject, status, detail };
}

/** The message of an error, without a stack. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The credentials row: which scheme was configured, or why none could be loaded. */
export function checkCredentialConfig(config: DoctorConfig): CheckResult {
  const c = config.credentials;
  if ("error" in c) {
    return config.credentialsRequired === false
      ? row("credentials", "-", "warn", `${c.error} (not needed for a dry run)`)
      : row("credentials", "-", "fail", c.error);
  }
  const what = c.scheme === "v1"
    ? "V1 API key (HMAC, /fapi/v1)"
    : "V3 API wallet (EIP-712, /fapi/v3)";
  return row(
    "credentials",
    "-",
    "pass",
    c.who === undefined ? what : `${what}, ${c.who}`,
  );
}

/**
 * Clock offset: the best of `samples` round trips (smallest RTT); passes when
 * |offset| + RTT/2 is within `maxClockOffsetMs`.
 *
 * @returns the row and the measured offset (server − local, ms)
 */
export async function checkClock(
  port: DoctorPort,
  config: DoctorConfig,
  now: () => number,
  samples = 3,
): Promise<{ result: CheckResult; offsetMs: number }> {
  let best: { offset: number; rtt: number } | undefined;
  for (let i = 0; i < samples; i++) {
    const t0 = now();
    const server = await port.serverTime();
    const t1 = now();
    const rtt = t1 - t0;
    if (best === undefined || rtt < best.rtt) {
      best = { offset: server - (t0 + t1) / 2, rtt };
    }
  }
  const { offset, rtt } = best!;
  const worst = Math.abs(offset) + rtt / 2;
  const text = `offset ${offset >= 0 ? "+" : ""}${offset.toFixed(0)} ms (rtt ${
    rtt.toFixed(0)
  } ms), limit ${config.maxClockOffsetMs} ms`;
  const result = worst <= config.maxClockOffsetMs
    ? row("clock offset", "-", "pass", text)
    : row(
      "clock offset",
      "-",
      "fail",
      `${text}: the local clock is skewed; enable time sync (timedatectl set-ntp true)`,
    );
  return { result, offsetMs: offset };
}

/** Signed read: proves the exchange accepts the credentials. */
export async function checkCredentialsAccepted(
  port: DoctorPort,
): Promise<CheckResult> {
  try {
    await port.account();
    return row("credentials accepted", "-", "pass", "signed account read ok");
  } catch (error) {
    return row(
      "credentials accepted",
      "-",
      "fail",
      `the exchange refused a signed request: ${errorText(error)}`,
    );
  }
}

/** One-way position mode (the bot keeps one position per symbol, positionSide BOTH). */
export async function checkPositionMode(
  port: DoctorPort,
): Promise<CheckResult> {
  const hedge = await port.positionMode();
  return hedge
    ? row(
      "position mode",
      "-",
      "fail",
      "hedge mode (dualSidePosition=true); switch to one-way mode (POST /fapi/v1/positionSide/dual dualSidePosition=false, with no open positions)",
    )
    : row("position mode", "-", "pass", "one-way");
}

/** Symbol listed and TRADING, and `orderNotional` fits its filters at the mark price. */
export function checkSymbolFilters(
  info: SymbolInfo | undefined,
  symbol: string,
  config: DoctorConfig,
  markPrice: string | undefined,
): CheckResult[] {
  if (info === undefined) {
    return [row("symbol status", symbol, "fail", "not listed by exchangeInfo")];
  }
  const out: CheckResult[] = [
    info.status === "TRADING"
      ? row("symbol status", symbol, "pass", "TRADING")
      : row(
        "symbol status",
        symbol,
        "fail",
        `status ${info.status}, not TRADING`,
      ),
  ];
  const f = orderFilters(info);
  if (markPrice === undefined) {
    out.push(row("order notional", symbol, "fail", "no mark price"));
    return out;
  }
  // the live bot's own verdict and message (it refuses to start on the same)
  const r = planEntry(
    f,
    config.orderNotional,
    markPrice,
    config.protection?.entryLimits.maxUpsize ?? DEFAULT_MAX_UPSIZE,
  );
  out.push(
    r.ok
      ? row(
        "order notional",
        symbol,
        "pass",
        `${config.orderNotional} USD -> qty ${r.plan.quantity} = ${r.plan.notional} USD at mark ${markPrice} (limit ${r.plan.limit} USD, min notional ${f.minNotional}, step ${f.stepSize})`,
      )
      : row("order notional", symbol, "fail", r.message),
  );
  return out;
}

/**
 * Leverage and margin type of `symbol` versus the config. A difference is a warning (the
 * bot sets both at start), except a margin type that cannot change under an open position.
 */
export function checkLeverage(
  rows: readonly PositionRisk[],
  symbol: string,
  config: DoctorConfig,
): CheckResult {
  const risk = rows.find((r) =>
    r.symbol === symbol && (r.positionSide === "BOTH" || rows.length === 1)
  );
  if (risk === undefined) {
    return row(
      "leverage/margin",
      symbol,
      "warn",
      "no position risk row; the bot sets them at start",
    );
  }
  const want = config.marginType === "ISOLATED" ? "isolated" : "cross";
  const open = !new Decimal(risk.positionAmt).isZero();
  const have = `${risk.leverage}x ${risk.marginType}${
    open ? `, open position ${risk.positionAmt}` : ""
  }`;
  if (risk.marginType !== want && open) {
    return row(
      "leverage/margin",
      symbol,
      "fail",
      `${have}; configured ${config.marginType}: the margin type cannot change while a position is open`,
    );
  }
  if (risk.marginType !== want || risk.leverage !== config.leverage) {
    return row(
      "leverage/margin",
      symbol,
      "warn",
      `${have}; configured ${config.leverage}x ${want}: the bot sets them at start`,
    );
  }
  return row("leverage/margin", symbol, "pass", have);
}

/**
 * The log directory (and the other directories the bot writes) exist or can be created,
 * and are writable: one row each.
 */
export async function checkLogDir(
  config: DoctorConfig,
  probeWritable: (dir: string) => Promise<void>,
): Promise<CheckResult[]> {
  const dirs = [...new Set([config.logDir, ...(config.writableDirs ?? [])])];
  const out: CheckResult[] = [];
  for (const dir of dirs) {
    try {
      await probeWritable(dir);
      out.push(
        row(
          "log dir writable",
          dir,
          "pass",
          "created and removed a probe file",
        ),
      );
    } catch (error) {
      out.push(row("log dir writable", dir, "fail", errorText(error)));
    }
  }
  return out;
}
