/**
 * The preflight ("doctor") the service runs before it starts (`ExecStartPre`): clock offset,
 * credentials and their scheme, one-way position mode, per symbol status, filters versus
 * `order_notional` and leverage/margin type, and a writable log directory. Each check is a
 * function over the small {@linkcode DoctorPort}; {@linkcode runDoctor} collects the rows and
 * {@linkcode formatReport} prints the pass/fail table.
 *
 * @example
 * ```ts ignore
 * const port = exchangeDoctorPort(market, trading);
 * const report = await runDoctor(port, config, { probeWritable });
 * Deno.stdout.writeSync(new TextEncoder().encode(formatReport(report)));
 * if (!report.ok) Deno.exit(1);
 * ```
 *
 * @module
 */
export {
  checkClock,
  checkCredentialConfig,
  checkCredentialsAccepted,
  checkLeverage,
  checkLogDir,
  checkPositionMode,
  checkSymbolFilters,
  errorText,
} from "./checks.ts";
export {
  type CheckResult,
  type CheckStatus,
  type CredentialStatus,
  type DoctorConfig,
  type DoctorPort,
  MARGIN_TYPES,
  type MarginType,
} from "./doctor_port.ts";
export { type DoctorTradingApi, exchangeDoctorPort } from "./exchange_port.ts";
export { checkStateFile, readStateOrNull } from "./check_state_file.ts";
export { formatReport } from "./format_report.ts";
export { probeWritable } from "./probe_writable.ts";
export { type DoctorDeps, type DoctorReport, runDoctor } from "./run_doctor.ts";
