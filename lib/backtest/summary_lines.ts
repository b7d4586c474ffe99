/**
 * The text a grid run prints at its end (each ranking's top rows with its honest-ranking
 * lines, the PBO note, the speed line), shared by `deno task backtest` and `deno task merge`.
 * Pure.
 *
 * @module
 */
import { honestLines, walkForwardLine } from "./honest_summary.ts";
import type { BacktestSummary } from "./run_backtest.ts";
import { formatRankedTable } from "./run_backtest.ts";

/** What the ranking header names. */
export interface SummaryLabels {
  /** `--min_trades`. */
  readonly minTrades: number;
  /** `--rank_by`. */
  readonly rankBy: string;
  /** `--rank_rule`. */
  readonly rankRule: string;
  /** The output directory. */
  readonly out: string;
}

/** Renders the end-of-run summary lines of `summary`. */
export function summaryLines(
  summary: BacktestSummary,
  labels: SummaryLabels,
): string[] {
  const out: string[] = [];
  const { seconds, result } = summary;
  for (const scope of summary.scopes) {
    out.push(
      `\n${scope.scope}: ${scope.order.length} of ${result.configs} configs with >= ${labels.minTrades} trades, ranked by ${labels.rankBy}${
        labels.rankRule === "plateau" ? " (plateau)" : ""
      }`,
    );
    out.push(formatRankedTable(scope, summary.configs, 10));
    out.push(
      ...honestLines(scope, summary.pbo.get(scope.scope), summary.scopes),
    );
  }
  for (const w of summary.walkForward ?? []) out.push(walkForwardLine(w));
  if (summary.pboSkipped !== undefined) {
    out.push(`\nPBO skipped: ${summary.pboSkipped}`);
  }
  out.push(
    `\n${result.barConfigs.toExponential(2)} bar-configs in ${
      seconds.total.toFixed(2)
    } s (${(result.barConfigs / seconds.total / 1e6).toFixed(1)} M/s; read ${
      seconds.read.toFixed(2)
    } s, simulate ${seconds.simulate.toFixed(2)} s, rank/PBO ${
      seconds.rank.toFixed(2)
    } s${
      seconds.walkForward > 0
        ? `, walk-forward ${seconds.walkForward.toFixed(2)} s`
        : ""
    }, write ${seconds.write.toFixed(2)} s)`,
  );
  out.push(
    `outputs: ${labels.out}/ (${summary.files.length} files, manifest.json)`,
  );
  return out;
}
