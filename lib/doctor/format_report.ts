/**
 * {@linkcode formatReport}: the preflight's pass/fail table for a terminal or the journal.
 *
 * @module
 */
import type { DoctorReport } from "./run_doctor.ts";

const LABEL = { pass: "PASS", warn: "WARN", fail: "FAIL" } as const;

/** Renders the report as an aligned text table with a summary line. */
export function formatReport(report: DoctorReport): string {
  const header = ["RESULT", "CHECK", "SUBJECT", "DETAIL"];
  const rows = report.results.map((r) => [
    LABEL[r.status],
    r.check,
    r.subject,
    r.detail,
  ]);
  const widths = [0, 1, 2].map((i) =>
    Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ")
      .trimEnd();
  const failed = report.results.filter((r) => r.status === "fail").length;
  const warned = report.results.filter((r) => r.status === "warn").length;
  const summary = report.ok
    ? `preflight passed (${report.results.length} checks, ${warned} warnings)`
    : `preflight FAILED: ${failed} of ${report.results.length} checks failed`;
  return [line(header), ...rows.map(line), "", summary].join("\n") + "\n";
}
