/**
 * The `pbo.json` document: PBO by CSCV per ranking scope, with the logit histogram,
 * performance degradation, probability of loss and the IS/OOS Sharpe of every split's
 * chosen config (annualised, for the report's scatter). Pure.
 *
 * @module
 */
import type { CscvResult, DayBlocks } from "../research/mod.ts";
import type { RankedScope } from "./outputs.ts";
import { jsonNumber } from "./outputs.ts";
import { ANN_FACTOR } from "./simulate.ts";

const SQRT_ANN = Math.sqrt(ANN_FACTOR);

/**
 * One scope's CSCV result as JSON: Sharpes annualised (`is_sharpe`, `oos_sharpe`), other
 * scores as they are (`is_score`, `oos_score`).
 */
export function cscvJson(
  r: CscvResult,
  eligible: number,
  annualised = true,
): Record<string, unknown> {
  const f = annualised ? SQRT_ANN : 1;
  const key = annualised ? "sharpe" : "score";
  const counts = new Map<number, number>();
  for (const c of r.chosen) counts.set(c, (counts.get(c) ?? 0) + 1);
  const chosen = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 10).map(([c, k]) => ({ "config_id": c, splits: k }));
  return {
    pbo: jsonNumber(r.pbo),
    configs: eligible,
    splits: r.splits,
    "prob_loss": jsonNumber(r.probLoss),
    degradation: {
      slope: jsonNumber(r.degradation.slope),
      intercept: jsonNumber(r.degradation.intercept * f),
      r2: jsonNumber(r.degradation.r2),
    },
    "logit_histogram": {
      edges: r.histogram.edges,
      counts: r.histogram.counts,
    },
    "most_chosen": chosen,
    [`is_${key}`]: Array.from(r.isScore, (x) => jsonNumber(x * f)),
    [`oos_${key}`]: Array.from(r.oosScore, (x) => jsonNumber(x * f)),
  };
}

/**
 * Builds `pbo.json`: `pbo` is the headline number (the aggregate ranking's with several
 * symbols, else the symbol's), `scopes` has every ranking's details.
 */
export function pboJson(
  pbo: ReadonlyMap<string, CscvResult>,
  blocks: DayBlocks,
  scopes: readonly {
    readonly scope: string;
    readonly deflation?: RankedScope["deflation"];
  }[],
  rule = "max",
  score: { readonly annualised: boolean; readonly text: string } = {
    annualised: true,
    text: "sharpe (per-bar, ddof 1; shown annualised)",
  },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of scopes) {
    const r = pbo.get(s.scope);
    if (r !== undefined) {
      out[s.scope] = cscvJson(
        r,
        s.deflation?.eligible.length ?? NaN,
        score.annualised,
      );
    }
  }
  const head = pbo.get("ALL") ?? pbo.get(scopes[0]?.scope ?? "");
  return {
    pbo: jsonNumber(head?.pbo ?? NaN),
    "headline_scope": pbo.has("ALL") ? "ALL" : scopes[0]?.scope,
    method: "CSCV (Bailey, Borwein, Lopez de Prado, Zhu 2017)",
    metric: score.text,
    rule,
    blocks: blocks.count,
    "days_per_block": blocks.daysPerBlock,
    "first_block_start": new Date(blocks.startMs).toISOString(),
    "days_spanned": blocks.days,
    scopes: out,
  };
}
