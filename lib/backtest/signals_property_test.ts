/**
 * Property test: the backtest's signals equal the live bot's decision on random bars and
 * quotes — crossed books, empty books, missing marks and funding, stale quotes (which
 * the feature builder leaves empty and the live bot skips), missing windows — going
 * through the real feature-table writer and parser.
 */
import { equal } from "node:assert/strict";
import type { BarWindows } from "../features/bar_windows.ts";
import {
  type BarQuote,
  featureHeader,
  featureLine,
} from "../features/feature_table.ts";
import { mulberry32 } from "../random/mulberry32.ts";
import { evaluateSignal } from "../strategy/evaluate_signal.ts";
import { parseFeatureTable } from "./feature_table.ts";
import { buildSignals } from "./signals.ts";

const BARS = 20_000;

interface Case {
  quote: BarQuote;
  ret: number;
  rsVol: number;
  avgVol: number;
  stale: boolean;
}

function randomCases(seed: number): Case[] {
  const rnd = mulberry32(seed);
  const pick = <T>(...xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const maybeNaN = (x: number, p: number) => (rnd() < p ? NaN : x);
  const out: Case[] = [];
  for (let i = 0; i < BARS; i++) {
    const mid = 100 * (1 + (rnd() - 0.5) * 0.01);
    const half = mid * pick(0, 0.00005, 0.0002, 0.001) * rnd();
    let bid = mid - half, ask = mid + half;
    const kind = rnd();
    if (kind < 0.08) [bid, ask] = [ask + 0.01, bid]; // crossed
    else if (kind < 0.1) bid = 0; // empty side
    else if (kind < 0.12) ask = NaN; // missing book
    const mark = pick(mid, mid * (1 + (rnd() - 0.5) * 0.002), NaN, 0);
    const quote: BarQuote = {
      openTime: (i + 1) * 60_000,
      open: 100,
      high: 101,
      low: 99,
      close: 100,
      volume: 50 + 200 * rnd(),
      bid,
      ask,
      mark,
      fundingRate: maybeNaN((rnd() - 0.5) * 0.003, 0.05),
    };
    out.push({
      quote,
      ret: maybeNaN((rnd() - 0.5) * 80, 0.03),
      rsVol: maybeNaN(2 + 10 * rnd(), 0.03),
      avgVol: maybeNaN(30 + 60 * rnd(), 0.03),
      stale: rnd() < 0.05,
    });
  }
  return out;
}

/** The table the feature builder writes for the cases (stale quotes left empty). */
function tableOf(cases: readonly Case[]) {
  let text = featureHeader([10], [10]);
  for (const c of cases) {
    const q = c.stale
      ? { ...c.quote, bid: NaN, ask: NaN, mark: NaN, fundingRate: NaN }
      : c.quote;
    const w = {
      retBps: c.ret,
      rsVar: 0,
      rsVolBps: [c.rsVol],
      avgVol: [c.avgVol],
    } as unknown as BarWindows;
    text += featureLine("AAA", q, w);
  }
  return parseFeatureTable(text).symbols[0]!;
}

Deno.test("buildSignals() equals the live decision on random bars and quotes", () => {
  const cases = randomCases(12);
  const f = tableOf(cases);
  const params = [
    { k: 1, n: 1, t: 10, v: 10, maxSpreadBps: 5, maxFundingBps: 10 },
    { k: 0, n: 0, t: 10, v: 10, maxSpreadBps: 1000, maxFundingBps: 1000 },
    { k: 2, n: 1.5, t: 10, v: 10, maxSpreadBps: 2, maxFundingBps: 3 },
  ];
  let signals = 0, crossed = 0;
  for (const p of params) {
    const got = buildSignals(f, p);
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      const d = evaluateSignal({
        retBps: c.ret,
        rsVolBps: c.rsVol,
        volume: c.quote.volume,
        avgVolume: c.avgVol,
        bid: c.quote.bid,
        ask: c.quote.ask,
        mark: c.quote.mark,
        fundingRate: c.quote.fundingRate,
      }, p);
      // the live bot skips a signal whose quote is stale
      const live = c.stale
        ? 0
        : d.side === "long"
        ? 1
        : d.side === "short"
        ? -1
        : 0;
      equal(
        got[i],
        live,
        `bar ${i} with ${JSON.stringify(p)}: ${JSON.stringify(c)}`,
      );
      if (live !== 0) signals++;
      if (d.reason === "bad_quote" && c.quote.ask < c.quote.bid) crossed++;
    }
  }
  // the property is not vacuous: signals and refused crossed books both occur
  equal(signals > 1000, true, `only ${signals} signals`);
  equal(
    crossed > 100,
    true,
    `only ${crossed} crossed books reached the quote check`,
  );
});
