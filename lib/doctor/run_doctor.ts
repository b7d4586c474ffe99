/**
 * {@linkcode runDoctor}: runs every preflight check in order and collects the rows; a check
 * that throws becomes a failed row, never an exception.
 *
 * @module
 */
import { journalShowsTrading } from "../live/state_file.ts";
import {
  checkBalance,
  checkLimits,
  checkPriceBand,
  checkProtection,
} from "./check_protection.ts";
import {
  checkClock,
  checkCredentialConfig,
  checkCredentialsAccepted,
  checkLeverage,
  checkLogDir,
  checkPositionMode,
  checkSymbolFilters,
  errorText,
} from "./checks.ts";
import { checkStateFile, readStateOrNull } from "./check_state_file.ts";
import type { SafetyState } from "../order/safety_state.ts";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import type { PositionRisk } from "../exchange/trading/parsers.ts";
import type { CheckResult, DoctorConfig, DoctorPort } from "./doctor_port.ts";

/** Injected effects of {@linkcode runDoctor}. */
export interface DoctorDeps {
  /** Local epoch-ms clock. @default {Date.now} */
  now?: () => number;
  /** Creates (if needed) and writes-then-removes a probe file in `dir`. */
  probeWritable: (dir: string) => Promise<void>;
  /**
   * Called with the measured server − local offset before the signed checks run, so a
   * signer can stamp requests with the server's time.
   */
  onClockOffset?: (offsetMs: number) => void;
  /** Reads the state file; `null` = missing. @default {readStateOrNull} */
  readState?: (path: string) => Promise<SafetyState | null>;
  /** Whether the journal shows past trading. @default {journalShowsTrading} */
  journalShowsTrading?: (path: string) => Promise<boolean>;
}

/** The outcome of {@linkcode runDoctor}. */
export interface DoctorReport {
  /** One row per check (and per symbol for per-symbol checks). */
  readonly results: readonly CheckResult[];
  /** True when no row failed (warnings allowed). */
  readonly ok: boolean;
  /** Measured server − local clock offset in ms, when the server answered. */
  readonly clockOffsetMs: number | undefined;
}

/**
 * Runs the preflight: credentials (configured, accepted), clock offset, position mode,
 * per symbol status/filters versus `orderNotional` and leverage/margin type, and the log
 * directory, and the bot's state file (kill switch, cooldowns). Signed checks are reported as failed when no credentials are configured.
 */
export async function runDoctor(
  port: DoctorPort,
  config: DoctorConfig,
  deps: DoctorDeps,
): Promise<DoctorReport> {
  const now = deps.now ?? Date.now;
  const results: CheckResult[] = [];
  const attempt = async (
    check: string,
    subject: string,
    fn: () => Promise<CheckResult | CheckResult[]>,
  ): Promise<void> => {
    try {
      const r = await fn();
      results.push(...(Array.isArray(r) ? r : [r]));
    } catch (error) {
      results.push({
        check,
        subject,
        status: "fail",
        detail: errorText(error),
      });
    }
  };

  let clockOffsetMs: number | undefined;
  await attempt("clock offset", "-", async () => {
    const { result, offsetMs } = await checkClock(port, config, now);
    clockOffsetMs = offsetMs;
    deps.onClockOffset?.(offsetMs);
    return result;
  });
  const creds = checkCredentialConfig(config);
  results.push(creds);
  const signed = creds.status === "pass";
  const notRun = (check: string, subject = "-"): CheckResult => ({
    check,
    subject,
    status: creds.status === "warn" ? "warn" : "fail",
    detail: "not run: no usable credentials",
  });
  if (signed) {
    await attempt(
      "credentials accepted",
      "-",
      () => checkCredentialsAccepted(port),
    );
    await attempt("position mode", "-", () => checkPositionMode(port));
  } else {
    results.push(notRun("credentials accepted"), notRun("position mode"));
  }

  const bySymbol = new Map<string, SymbolInfo>();
  let listed = false;
  await attempt("exchange info", "-", async () => {
    for (const info of await port.symbols()) bySymbol.set(info.symbol, info);
    listed = true;
    return [];
  });
  let risks: readonly PositionRisk[] | undefined;
  let riskError: string | undefined;
  if (signed) {
    try {
      risks = await port.positionRisk();
    } catch (error) {
      riskError = errorText(error);
    }
  }
  for (const symbol of config.symbols) {
    if (listed) {
      await attempt("order notional", symbol, async () => {
        const info = bySymbol.get(symbol);
        const mark = info === undefined
          ? undefined
          : await port.markPrice(symbol);
        return checkSymbolFilters(info, symbol, config, mark);
      });
    }
    if (!signed) results.push(notRun("leverage/margin", symbol));
    else if (risks === undefined) {
      results.push({
        check: "leverage/margin",
        subject: symbol,
        status: "fail",
        detail: `position risk unavailable: ${riskError}`,
      });
    } else results.push(checkLeverage(risks, symbol, config));
  }
  const protection = config.protection;
  if (protection) {
    results.push(...checkProtection(protection));
    results.push(checkLimits(protection.entryLimits, config.orderNotional));
    if (listed) {
      for (const symbol of config.symbols) {
        const info = bySymbol.get(symbol);
        if (info) {
          results.push(
            checkPriceBand(info, protection.entryLimits.maxPriceDeviationBps),
          );
        }
      }
    }
    if (signed) {
      await attempt("balance", "-", async () =>
        checkBalance(
          (await port.account()).availableBalance,
          config.symbols.length,
          config.orderNotional,
          config.leverage,
          protection.entryLimits,
        ));
    } else results.push(notRun("balance"));
  }
  results.push(...await checkLogDir(config, deps.probeWritable));
  if (config.stateFile) {
    results.push(
      ...await checkStateFile(
        config.stateFile,
        deps.readState ?? readStateOrNull,
        now(),
        config.journalPath
          ? {
            path: config.journalPath,
            showsTrading: deps.journalShowsTrading ?? journalShowsTrading,
          }
          : undefined,
      ),
    );
  }
  return {
    results,
    ok: results.every((r) => r.status !== "fail"),
    clockOffsetMs,
  };
}
