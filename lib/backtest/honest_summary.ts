/**
 * The run summary's honesty lines for one ranking: what noise alone would give, the winner's
 * PSR/DSR against the hurdle of N trials and its MinTRL, the flags, and the PBO. Pure text.
 *
 * @module
 */
import type { CscvResult } from "../research/mod.ts";
import { DAY_BARS, type Deflation } from "./honest_rank.ts";
import { type MetricLayout, VBT_LAYOUT } from "./metrics.ts";
import { ANN_FACTOR } from "./simulate.ts";
import type { WalkForwardSymbol } from "./walk_forward.ts";

const f2 = (x: number) => Number.isFinite(x) ? x.toFixed(2) : String(x);
const f4 = (x: number) => Number.isFinite(x) ? x.toFixed(4) : "n/a";

/** What {@linkcode honestLines} reads of a ranking (either model's scope). */
export interface HonestScope {
  /** Symbol or "ALL". */
  readonly scope: string;
  /** Ranked config indices, best first. */
  readonly order: Int32Array;
  /** Metric rows. */
  readonly rows: Float64Array;
  /** PSR, DSR and flags. */
  readonly deflation?: Deflation;
}

/**
 * Lines describing how much a ranking's winner means (empty without deflation data). For the
 * aggregate ranking, `symbols` (the per-symbol rankings) give its winner's DSR per symbol.
 */
export function honestLines(
  scope: HonestScope,
  pbo?: CscvResult,
  symbols: readonly HonestScope[] = [],
  layout: MetricLayout = VBT_LAYOUT,
): string[] {
  const d = scope.deflation;
  if (d === undefined) return [];
  const lines: string[] = [];
  lines.push(
    `noise alone: the best of N=${d.trials} null configs over ${d.bars} bars reaches Sharpe ~${
      f2(d.noiseBest)
    } by luck (one null config: +-${
      f2(d.noiseStd)
    }); N = ${d.eligible.length} eligible configs + ${d.priorTrials} prior trials`,
  );
  const best = scope.order[0];
  if (best !== undefined) {
    const sharpe = scope.rows[best * layout.stride + layout.sharpe]!;
    const dsr = d.dsr[best]!, psr = d.psr[best]!;
    const hurdle = d.hurdle * Math.sqrt(ANN_FACTOR);
    if (dsr === dsr) {
      let line = `winner config ${best}: Sharpe ${f2(sharpe)}, PSR ${
        f4(psr)
      }, DSR ${f4(dsr)} against the hurdle Sharpe ${
        f2(hurdle)
      } of N=${d.trials} trials`;
      line += dsr > 0.95
        ? " (significant at 5 %)"
        : " (not significant: could be luck)";
      const need = d.minTrl[best]!;
      if (Number.isFinite(need)) {
        const have = d.t[best]!;
        line += `; MinTRL ${(need / DAY_BARS).toFixed(1)} days`;
        if (need > have) {
          line += `: you need ${
            ((need - have) / DAY_BARS).toFixed(1)
          } more days`;
        }
      } else if (!(dsr > 0.5)) {
        line += "; its Sharpe is below the hurdle: no track record suffices";
      }
      lines.push(line);
    } else {
      // The aggregate's winner: its DSR on each symbol, against that symbol's hurdle.
      const each = symbols.filter((x) => x.scope !== "ALL" && x.deflation)
        .map((x) =>
          `${x.scope} ${f4(x.deflation!.dsr[best]!)} (N=${x.deflation!.trials})`
        );
      lines.push(
        scope.scope === "ALL"
          ? `winner config ${best}: the mean over symbols has no single return series; its DSR per symbol: ${
            each.length > 0 ? each.join(", ") : "n/a"
          }`
          : `winner config ${best}: DSR n/a (undefined Sharpe or moments)`,
      );
    }
    const top = scope.order.slice(0, 10);
    const flagged = [...top].filter((c) => d.flags[c] !== "").length;
    if (flagged > 0) {
      lines.push(
        `flags: ${flagged} of the top ${top.length} are flagged (short_sample: Sharpe from < 1 day of bars; see ranked.csv)`,
      );
    }
  }
  if (pbo !== undefined) {
    lines.push(
      `PBO ${
        f4(pbo.pbo)
      } over ${pbo.splits} CSCV splits (the share of splits whose in-sample best ranks at or below the out-of-sample median; noise gives ~0.5); degradation slope ${
        f2(pbo.degradation.slope)
      } (R2 ${f2(pbo.degradation.r2)}), P(OOS loss) ${f4(pbo.probLoss)}`,
    );
  }
  return lines;
}

/** One line summarising a symbol's walk-forward. */
export function walkForwardLine(w: WalkForwardSymbol): string {
  const s = w.stitched;
  return `walk-forward ${w.symbol}: ${w.rows.length} windows, stitched OOS Sharpe ${
    f2(s.sharpe)
  } (PSR ${f4(s.psr)}), return ${f4(s.totalReturn)}, max drawdown ${
    f4(s.maxDrawdown)
  }, ${s.trades} trades; WFE ${f2(w.wfe)}, ${
    (w.profitableShare * 100).toFixed(0)
  } % of OOS windows profitable, ${w.distinct} distinct configs chosen`;
}
