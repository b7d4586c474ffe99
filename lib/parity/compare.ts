/**
 * Trade-by-trade comparison of a paper run (the live bot on the simulator) with the
 * bot-model backtest of the same data. Pure.
 *
 * Paper trades are rebuilt from the session's fills per symbol: a trade opens when the
 * position leaves zero and closes when it returns to zero; its exit reason is the type of
 * the closing fill (TAKE_PROFIT_MARKET → tp, STOP_MARKET → sl, TRAILING_STOP_MARKET →
 * trail, anything else, e.g. the MARKET close at the end → end); a position the fills
 * never close is a trade with reason `open` (so it is counted and shows as a divergence,
 * never dropped); its PnL is the fills'
 * realized PnL minus their commissions plus the funding the account received while it
 * was open (the exchange's income history: FUNDING_FEE rows of its symbol with a time
 * after its first fill and not after its closing fill). Bars are 1-minute: a paper entry belongs to the
 * signal bar its client order id names (else the bar whose close precedes its first
 * fill), an exit to the bar its closing fill falls in.
 * An exit matches when its reason and bar agree; two `end` exits (the positions closed
 * when the run stops) match whatever their bars.
 *
 * @module
 */
import type { Fill } from "../live/fill_log.ts";
import type { FundingPayment } from "../live/paper_exchange.ts";
import { parseClientOrderId } from "../order/client_ids.ts";

/** One trade of either side, reduced to what is compared. */
export interface ParityTrade {
  readonly symbol: string;
  /** +1 long, -1 short. */
  readonly side: number;
  /** Open time of the signal bar (the entry fills at its close). */
  readonly entryBar: number;
  /** Open time of the bar the exit happened in. */
  readonly exitBar: number;
  /**
   * tp, sl, trail or end (closed when the run stopped); `open` for a paper position its
   * fills never closed (then `exitBar` is NaN and `pnl` is what it realized so far).
   */
  readonly reason: string;
  /** Entry fill price. */
  readonly entryPrice: number;
  /** Quantity. */
  readonly qty: number;
  /** Net PnL in USDT: fees and funding included. */
  readonly pnl: number;
  /** Funding received (+) or paid (-) while open, USDT (in `pnl`). */
  readonly funding: number;
}

export type { FundingPayment } from "../live/paper_exchange.ts";

const BAR = 60_000;

const REASON: Record<string, string> = {
  "TAKE_PROFIT_MARKET": "tp",
  "STOP_MARKET": "sl",
  "TRAILING_STOP_MARKET": "trail",
};

/**
 * The paper run's trades, rebuilt from its fills and funding payments (see the module
 * doc).
 */
export function paperTrades(
  fills: readonly Fill[],
  funding: readonly FundingPayment[] = [],
): ParityTrade[] {
  const out: ParityTrade[] = [];
  const open = new Map<
    string,
    {
      pos: number;
      side: number;
      bar: number;
      px: number;
      qty: number;
      pnl: number;
      since: number;
    }
  >();
  for (const f of [...fills].sort((a, b) => a.timeMs - b.timeMs)) {
    const q = Number(f.qty) * (f.side === "BUY" ? 1 : -1);
    let st = open.get(f.symbol);
    if (st === undefined || st.pos === 0) {
      // the signal bar: the entry's client id carries it (the fill may come later)
      const id = parseClientOrderId(f.clientOrderId);
      st = {
        pos: 0,
        side: Math.sign(q),
        bar: id?.purpose === "entry"
          ? id.key
          : Math.floor(f.timeMs / BAR) * BAR - BAR,
        px: Number(f.price),
        qty: 0,
        pnl: 0,
        since: f.timeMs,
      };
      open.set(f.symbol, st);
    }
    st.pos = Math.round((st.pos + q) * 1e9) / 1e9;
    if (Math.sign(q) === st.side) st.qty += Math.abs(q);
    st.pnl += f.realizedPnl - f.commission;
    if (st.pos === 0) {
      const fund = fundingOf(funding, f.symbol, st.since, f.timeMs);
      out.push({
        symbol: f.symbol,
        side: st.side,
        entryBar: st.bar,
        exitBar: Math.floor(f.timeMs / BAR) * BAR,
        reason: REASON[f.type] ?? "end",
        entryPrice: st.px,
        qty: st.qty,
        pnl: st.pnl + fund,
        funding: fund,
      });
    }
  }
  // positions the fills never closed: reported as `open` (their PnL so far), never dropped
  for (const [symbol, st] of open) {
    if (st.pos === 0) continue;
    const fund = fundingOf(funding, symbol, st.since, Infinity);
    out.push({
      symbol,
      side: st.side,
      entryBar: st.bar,
      exitBar: NaN,
      reason: "open",
      entryPrice: st.px,
      qty: st.qty,
      pnl: st.pnl + fund,
      funding: fund,
    });
  }
  return out;
}

/** Funding of `symbol` paid after `since` and not after `until`. */
function fundingOf(
  funding: readonly FundingPayment[],
  symbol: string,
  since: number,
  until: number,
): number {
  let fund = 0;
  for (const p of funding) {
    if (p.symbol === symbol && p.timeMs > since && p.timeMs <= until) {
      fund += p.amount;
    }
  }
  return fund;
}

/** The comparison's figures (`parity.json`). */
export interface ParityResult {
  "entries_paper": number;
  "entries_backtest": number;
  "entries_matched": number;
  "exits_matched": number;
  /** Net PnL (USDT, fees and funding included) of each side's trades. */
  "pnl_paper": number;
  "pnl_backtest": number;
  /** Matched trades whose PnL differs by at most 1 bp of their notional. */
  "pnl_within_1bp": number;
  /** Sum over matched trades of |paper - backtest| PnL, USDT. */
  "pnl_abs_diff_matched": number;
  /**
   * Trades closed because the run stopped (reason `end`: the paper session's close at
   * the end, the backtest's close at the last bar's close, both with fees).
   */
  "closed_at_end_paper": number;
  "closed_at_end_backtest": number;
  /** The first trades found on one side only, or matched with a different exit. */
  divergences: Divergence[];
}

/** A trade of one side without a twin, or a twin with another exit. */
export interface Divergence {
  readonly kind: "paper_only" | "backtest_only" | "exit_differs";
  readonly symbol: string;
  readonly side: number;
  readonly entryBar: string;
  readonly paper?: ParityTrade;
  readonly backtest?: ParityTrade;
}

/**
 * Matches entries by (symbol, signal bar, side) and compares their exits (reason and
 * bar) and PnL.
 *
 * @param maxDivergences how many divergences to list
 */
export function compareTrades(
  paper: readonly ParityTrade[],
  backtest: readonly ParityTrade[],
  maxDivergences = 10,
): ParityResult {
  const key = (t: ParityTrade) => `${t.symbol}|${t.entryBar}|${t.side}`;
  const bt = new Map(backtest.map((t) => [key(t), t]));
  const seen = new Set<string>();
  const div: Divergence[] = [];
  let matched = 0, exits = 0, within = 0, absDiff = 0;
  const note = (d: Divergence) => {
    if (div.length < maxDivergences) div.push(d);
  };
  const iso = (t: number) => new Date(t).toISOString();
  for (const p of paper) {
    const b = bt.get(key(p));
    if (b === undefined) {
      note({
        kind: "paper_only",
        symbol: p.symbol,
        side: p.side,
        entryBar: iso(p.entryBar),
        paper: p,
      });
      continue;
    }
    seen.add(key(p));
    matched++;
    const d = Math.abs(p.pnl - b.pnl);
    absDiff += d;
    if (d <= p.qty * p.entryPrice * 1e-4 + 1e-12) within++;
    // "end": both closed at the end of the run, at slightly different moments
    if (
      p.reason === b.reason && (p.exitBar === b.exitBar || p.reason === "end")
    ) {
      exits++;
    } else {
      note({
        kind: "exit_differs",
        symbol: p.symbol,
        side: p.side,
        entryBar: iso(p.entryBar),
        paper: p,
        backtest: b,
      });
    }
  }
  for (const b of backtest) {
    if (!seen.has(key(b))) {
      note({
        kind: "backtest_only",
        symbol: b.symbol,
        side: b.side,
        entryBar: iso(b.entryBar),
        backtest: b,
      });
    }
  }
  div.sort((a, b) =>
    a.entryBar < b.entryBar ? -1 : a.entryBar > b.entryBar ? 1 : 0
  );
  return {
    "entries_paper": paper.length,
    "entries_backtest": backtest.length,
    "entries_matched": matched,
    "exits_matched": exits,
    "pnl_paper": paper.reduce((a, t) => a + t.pnl, 0),
    "pnl_backtest": backtest.reduce((a, t) => a + t.pnl, 0),
    "pnl_within_1bp": within,
    "pnl_abs_diff_matched": absDiff,
    "closed_at_end_paper": paper.filter((t) => t.reason === "end").length,
    "closed_at_end_backtest": backtest.filter((t) => t.reason === "end").length,
    divergences: div,
  };
}
