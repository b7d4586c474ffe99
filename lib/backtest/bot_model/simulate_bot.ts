/**
 * The bot model: one config on one symbol, bar by bar, following the live bot's rules.
 * Pure; typed arrays in, one metric row (and optionally the trades) out.
 *
 * Rules, with the live bot's code wherever the rule is code (signals: `lib/strategy`'s
 * `signalCode` through `buildSignals`; sizes and levels: `lib/order` through
 * {@linkcode BotMarket}):
 * - one position per symbol: a signal while a position (or its exits) is open is ignored,
 *   and so is one whose decision time (the bar's close) is within `cooldown` seconds of
 *   the last exit; an exit is timed at the end of its bar (the bot's cooldown runs from
 *   the fill, so this is never shorter);
 * - entry at the bar's close: a taker IOC at the touch (ask for a long, bid for a short)
 *   of the size `lib/order` gives for `order_notional`; a refused size skips the signal;
 * - exits armed from the rounded fill: TP on the contract price, SL on the mark price
 *   (the mark path is the price path times the bar's mark/close), an optional trailing
 *   stop (activation price, then `peak * (1 - callback)`; the peak runs from the entry
 *   bar's close, as the simulator's extreme runs from placement); checked from the next
 *   bar on along a path through the bar: the open (a gap fills there), then the two
 *   extremes, then the close. `intrabar: "stop_first"` (default) visits the adverse
 *   extreme first, so when a bar holds both a stop and a take-profit the stop wins, and
 *   each exit fills at its trigger (the mark trigger's trade price for the SL);
 *   `"ohlc"` walks the simulator's own OHLCV replay trades (`lib/features/intrabar_path.ts`)
 *   and fills each exit at the book after the trade that triggers it (one tick around
 *   it, as the replay quotes); either way with `exit_slippage_bps` against the position;
 *   with per-second paths (`m.seconds`, the table's `.1s` file) the exits are walked on
 *   the recorded seconds instead (`second_paths.ts`) and the cooldown runs from the end
 *   of the exit's second;
 * - taker fee on every fill; funding at each 8-hour boundary the position spans
 *   (`qty * mark * rate`, the rate of the bar before the boundary; a long pays a positive
 *   rate); a position open at the end is closed at the last close with the fee (reason
 *   `end`).
 *
 * Invariants (tested): at most one position at a time; every entry is followed by
 * exactly one exit; net PnL = gross - fees + funding; the per-bar returns sum to
 * net PnL / order_notional.
 *
 * Per-bar returns (for the PSR/DSR, PBO and walk-forward, {@linkcode BotSeries}): the
 * value series is the run's USDT PnL marked to market at each bar's close (an open
 * position at `close`, its entry fee and the funding paid so far included; an exit at
 * its fill, with its fee), and `r[t] = (V[t] - V[t-1]) / order_notional` with V = 0
 * before the first bar: the return on a fixed capital base equal to the order notional
 * (the bot never compounds, so neither does its base). Flat bars return exactly 0. The
 * row's `sharpe` is vectorbt's formula on these returns, `mean / std (ddof 1) *
 * sqrt(525600)`, NaN without trades; it does not depend on the capital base.
 *
 * @module
 */
import type { BotExitParams } from "./bot_grid.ts";
import {
  intrabarPath,
  isBuyTrade,
  PATH_POINTS,
  replayAsk,
  replayBid,
} from "../../features/intrabar_path.ts";
import type { BotMarket } from "./bot_market.ts";
import { N_MOMENTS, sparseReturnStats } from "../../research/return_stats.ts";
import { ANN_FACTOR } from "../simulate.ts";
import type { MetricLayout } from "../metrics.ts";
import {
  EXIT_BAR,
  EXIT_REASON,
  EXIT_TIME,
  EXIT_Y,
  walkSecondExits,
} from "./second_paths.ts";

/** Run-level costs and the intrabar convention. */
export interface BotCosts {
  /** Taker fee on every fill, bp of notional. */
  readonly takerFeeBps: number;
  /** Exit fills this many bp worse than their trigger. */
  readonly exitSlippageBps: number;
  /** Intrabar path: `stop_first` (adverse extreme first) or `ohlc` (the simulator's). */
  readonly intrabar: "stop_first" | "ohlc";
}

/** Metric names of a bot-model result row. */
export const BOT_METRICS = [
  "net_pnl",
  "gross_pnl",
  "fees",
  "funding",
  "n_trades",
  "win_rate",
  "profit_factor",
  "avg_trade_pnl",
  "avg_trade_bps",
  "trade_sharpe",
  "max_drawdown",
  "exposure",
  "n_exit_tp",
  "n_exit_sl",
  "n_exit_trail",
  "n_exit_end",
  "n_refused",
  "sharpe",
] as const;

/** One bot metric name. */
export type BotMetricName = typeof BOT_METRICS[number];

/** Values per bot metric row. */
export const N_BOT_METRICS: number = BOT_METRICS.length;

/** Where the honest ranking finds the bot's Sharpe and trade count. */
export const BOT_LAYOUT: MetricLayout = {
  stride: BOT_METRICS.length,
  sharpe: BOT_METRICS.indexOf("sharpe"),
  nTrades: BOT_METRICS.indexOf("n_trades"),
};

/** Bot metrics a run can be ranked by (higher is better). */
export const BOT_RANKABLE: readonly BotMetricName[] = [
  "net_pnl",
  "sharpe",
  "trade_sharpe",
  "avg_trade_bps",
  "win_rate",
  "profit_factor",
  "max_drawdown",
];

/** Exit reasons, as written in the trade files. */
export const EXIT_REASONS = ["tp", "sl", "trail", "end"] as const;

/** One simulated trade. */
export interface BotTrade {
  /** Bar index of the signal (the entry fills at its close). */
  readonly entryBar: number;
  /** +1 long, -1 short. */
  readonly side: number;
  /** Filled quantity. */
  readonly qty: number;
  /** Fill price. */
  readonly entryPrice: number;
  /** Armed TP and SL trigger prices. */
  readonly tp: number;
  readonly sl: number;
  /** Bar index of the exit. */
  readonly exitBar: number;
  /**
   * With per-second paths, the start of the exit's second (epoch ms; a late snapshot's
   * record: the bar's last ms); else NaN. It can fall before `exitBar`'s open when the
   * minutes between hold no bar (a recorder gap: the seconds go to the next bar).
   */
  readonly exitTime: number;
  /** Exit fill price (slippage included). */
  readonly exitPrice: number;
  /** One of {@linkcode EXIT_REASONS}. */
  readonly reason: typeof EXIT_REASONS[number];
  /** Taker fees of both fills, USDT. */
  readonly fees: number;
  /** Funding received (+) or paid (-), USDT. */
  readonly funding: number;
  /** Net PnL, USDT. */
  readonly pnl: number;
}

const BAR_MS = 60_000;
const SQRT_ANN = Math.sqrt(ANN_FACTOR);

/**
 * Where {@linkcode simulateBot} leaves one config's per-bar returns (see the module doc)
 * and their statistics; reused from config to config (no allocation per run).
 */
export interface BotSeries {
  /** Per-bar returns, `bars` long; exactly 0 outside the spans. */
  readonly rets: Float64Array;
  /**
   * The bars holding a position (entry bar to exit bar), as half-open `[start, end)` pairs,
   * ascending and disjoint: the only bars whose return can be non-zero.
   */
  readonly spans: Int32Array;
  /** Pairs written to {@linkcode spans}. */
  nSpans: number;
  /** Contiguous time blocks (`blockBounds`) for per-block statistics, or none. */
  readonly bounds: Int32Array | undefined;
  /**
   * Written by each run: `[t, skew, kurt]` of the returns (`N_MOMENTS`), then
   * `(n, mean, M2)` per block of {@linkcode bounds}.
   */
  readonly stats: Float64Array;
}

/** A {@linkcode BotSeries} for a market of `bars` bars. */
export function newBotSeries(bars: number, bounds?: Int32Array): BotSeries {
  const blocks = bounds === undefined ? 0 : bounds.length - 1;
  return {
    rets: new Float64Array(bars),
    spans: new Int32Array(2 * bars + 2),
    nSpans: 0,
    bounds,
    stats: new Float64Array(N_MOMENTS + 3 * blocks),
  };
}

/**
 * Simulates one config. Writes {@linkcode BOT_METRICS} into `row` (length
 * {@linkcode N_BOT_METRICS}); pushes each trade into `trades` when given; leaves the
 * per-bar returns and their statistics in `series` (one is allocated when not given).
 *
 * @param m the prepared market
 * @param signals the config's signal set (`buildSignals` over `m.features`)
 */
export function simulateBot(
  m: BotMarket,
  signals: Int8Array,
  p: BotExitParams,
  costs: BotCosts,
  row: Float64Array,
  trades?: BotTrade[],
  series?: BotSeries,
): void {
  const f = m.features;
  const n = f.bars;
  const ser = series ?? newBotSeries(n);
  const rets = ser.rets, spans = ser.spans;
  // the previous run's returns back to 0 (only its spans were written)
  for (let k = 0; k < ser.nSpans; k++) {
    rets.fill(0, spans[2 * k]!, spans[2 * k + 1]!);
  }
  let nSpans = 0;
  const inv = 1 / p.orderNotional;
  const ts = f.ts, open = f.open, high = f.high, low = f.low, close = f.close;
  const settled = m.settledFunding,
    basis = m.basis,
    fundingTime = m.fundingTime;
  const fee = costs.takerFeeBps / 10_000, slip = costs.exitSlippageBps / 10_000;
  const stopFirst = costs.intrabar === "stop_first";
  const cooldownMs = p.cooldownS * 1000;
  const trail = p.trailActivationBps > 0;
  const tick = m.tick;
  const path = new Float64Array(PATH_POINTS);
  // the side of the replay's book after each bar's close (walks start from it)
  const closeBuy = stopFirst ? undefined : m.closeDirections();
  const sp = m.seconds, walked = new Float64Array(4);
  // with per-second paths the bar walk below is replaced by walkSecondExits
  const barWalkEnd = sp === undefined ? n : 0;
  const notional = p.orderNotional, tpBps = p.tpBps, slBps = p.slBps;
  const qtys = m.quantities(notional);
  const levels = m.levelTable(tpBps, slBps);
  const trailT = trail
    ? m.trailTable(p.trailActivationBps, p.trailCallbackPct)
    : levels;
  let net = 0, gross = 0, fees = 0, fund = 0, nTrades = 0, wins = 0;
  let winSum = 0, lossSum = 0, sumBps = 0, sum = 0, sumSq = 0;
  let peakEq = 0, maxDd = 0, exposure = 0, refused = 0;
  let nTp = 0, nSl = 0, nTrail = 0, nEnd = 0;
  let allowedFrom = -Infinity;
  let i = 0;
  while (i < n) {
    const sig = signals[i]!;
    if (sig === 0 || ts[i]! + BAR_MS < allowedFrom) {
      i++;
      continue;
    }
    const s = sig > 0 ? 1 : -1;
    const side = s > 0 ? 0 : 1;
    let qty = qtys[2 * i + side]!;
    if (qty !== qty) qty = m.sizeEntry(qtys, notional, i, s);
    if (!(qty > 0)) {
      refused++;
      i++;
      continue;
    }
    // --- entry at the close of bar i, exits armed from the rounded fill ---
    const px = m.fillPrice(i, s);
    const k = 4 * i + 2 * side;
    if (levels[k] !== levels[k]) m.armLevels(levels, tpBps, slBps, i, s);
    const tpY = s * levels[k]!, slY = s * levels[k + 1]!;
    let actY = Infinity, factor = 1;
    if (trail) {
      if (trailT[k] !== trailT[k]) {
        m.armTrailing(trailT, p.trailActivationBps, p.trailCallbackPct, i, s);
      }
      actY = s * trailT[k]!;
      factor = s > 0 ? 1 - trailT[k + 1]! : 1 + trailT[k + 1]!;
    }
    const entryTime = ts[i]! + BAR_MS;
    let peak = s * close[i]!, active = peak >= actY;
    // the entry bar's last trade (its direction sets the book)
    let lastPx = close[i]!,
      lastBuy = closeBuy === undefined || closeBuy[i] === 1;
    if (!stopFirst) {
      // the trailing stop's extreme starts at the first trade after it is placed, as in
      // the simulator
      peak = -Infinity;
      active = false;
    }
    // value of the trade marked at the close: the entry bar's part of the return
    const entryFee = qty * px * fee;
    let mark = s * qty * (close[i]! - px) - entryFee;
    rets[i] = rets[i]! + mark * inv;
    let tradeFund = 0, exitY = NaN, reason = 3, j = i + 1;
    let exitTime = NaN;
    if (sp !== undefined) {
      walkSecondExits(
        sp,
        s,
        i + 1,
        tpY,
        slY,
        actY,
        factor,
        s * close[i]!,
        walked,
      );
      reason = walked[EXIT_REASON]!;
      if (reason !== 3) {
        j = walked[EXIT_BAR]!;
        exitY = walked[EXIT_Y]!;
        exitTime = walked[EXIT_TIME]!;
      }
      // funding and the per-bar marks of the held bars, as the bar walk below does
      const last = reason === 3 ? n - 1 : j;
      for (let k = i + 1; k <= last; k++) {
        if (fundingTime[k]! > entryTime) {
          const rate = settled[k]! / 10_000;
          if (rate === rate) {
            tradeFund -= s * qty * close[k - 1]! * basis[k - 1]! * rate;
          }
        }
        const next = s * qty * (close[k]! - px) - entryFee + tradeFund;
        rets[k] = (next - mark) * inv;
        mark = next;
      }
    }
    for (; j < barWalkEnd; j++) {
      // funding at a boundary in (previous bar, this bar's open], after the entry, at
      // the rate settled then (the simulator's rule, lib/features/funding_rule.ts: the
      // table's funding of bar j for a settlement file, of bar j-1 for recorded
      // predictions), on the notional at the last mark before it
      const ft = fundingTime[j]!;
      if (ft > entryTime) {
        const rate = settled[j]! / 10_000;
        if (rate === rate) {
          tradeFund -= s * qty * close[j - 1]! * basis[j - 1]! * rate;
        }
      }
      // marked at this bar's close; an exit in the bar corrects it after the loop
      const next = s * qty * (close[j]! - px) - entryFee + tradeFund;
      rets[j] = (next - mark) * inv;
      mark = next;
      const bs = basis[j]!;
      const yS = slY / bs; // the (signed) trade price at which the mark hits the SL
      if (!stopFirst) {
        // the simulator's own trades through the bar; each exit fills at the book after
        // the trade that triggers it (a sell at the bid, a buy at the ask)
        intrabarPath(open[j]!, high[j]!, low[j]!, close[j]!, tick, path);
        for (let q = 0; q < PATH_POINTS; q++) {
          const px = path[q]!;
          lastBuy = isBuyTrade(px, lastPx, lastBuy);
          lastPx = px;
          const y = s * px;
          if (y <= yS) reason = 1;
          else if (y >= tpY) reason = 0;
          else {
            if (y > peak) {
              peak = y;
              if (peak >= actY) active = true;
            }
            if (active && y <= peak * factor) reason = 2;
          }
          if (reason !== 3) {
            // long: sell at the bid; short: buy at the ask
            const fill = s > 0
              ? replayBid(px, lastBuy, tick)
              : replayAsk(px, lastBuy, tick);
            exitY = s * fill;
            break;
          }
        }
        if (reason !== 3) break;
        continue;
      }
      const o = s * open[j]!;
      // the open: a gap fills at the open
      if (o <= yS) {
        exitY = o;
        reason = 1;
        break;
      }
      if (o >= tpY) {
        exitY = o;
        reason = 0;
        break;
      }
      if (o > peak) {
        peak = o;
        if (peak >= actY) active = true;
      }
      if (active && o <= peak * factor) {
        exitY = o;
        reason = 2;
        break;
      }
      const hi = s > 0 ? high[j]! : -low[j]!;
      const lo = s > 0 ? low[j]! : -high[j]!;
      const c = s * close[j]!;
      // adverse extreme first: always with stop_first, else as the replay's path goes
      if (stopFirst || (s > 0) === (close[j]! >= open[j]!)) {
        // o -> lo (falling), lo -> hi (rising), hi -> c (falling)
        const lT = active ? peak * factor : -Infinity;
        if (lo <= yS && yS >= lT) {
          exitY = yS;
          reason = 1;
          break;
        }
        if (lo <= lT) {
          exitY = lT;
          reason = 2;
          break;
        }
        if (hi >= tpY) {
          exitY = tpY;
          reason = 0;
          break;
        }
        if (hi > peak) {
          peak = hi;
          if (peak >= actY) active = true;
        }
        const lT2 = active ? peak * factor : -Infinity;
        if (c <= yS && yS >= lT2) {
          exitY = yS;
          reason = 1;
          break;
        }
        if (c <= lT2) {
          exitY = lT2;
          reason = 2;
          break;
        }
      } else {
        // o -> hi (rising), hi -> lo (falling), lo -> c (rising)
        if (hi >= tpY) {
          exitY = tpY;
          reason = 0;
          break;
        }
        if (hi > peak) {
          peak = hi;
          if (peak >= actY) active = true;
        }
        const lT = active ? peak * factor : -Infinity;
        if (lo <= yS && yS >= lT) {
          exitY = yS;
          reason = 1;
          break;
        }
        if (lo <= lT) {
          exitY = lT;
          reason = 2;
          break;
        }
        if (c >= tpY) {
          exitY = tpY;
          reason = 0;
          break;
        }
        if (c > peak) {
          peak = c;
          if (peak >= actY) active = true;
        }
      }
    }
    let exitPrice: number, exitBar: number;
    if (reason === 3) {
      exitBar = n - 1;
      exitPrice = close[n - 1]!;
      // a table ending at a funding time: the position is open at that settlement
      const rate = m.endFunding / 10_000;
      if (m.endFundingTime > entryTime && rate === rate) {
        tradeFund -= s * qty * close[n - 1]! * basis[n - 1]! * rate;
      }
    } else {
      exitBar = j;
      exitPrice = s * exitY * (1 - s * slip);
    }
    const g = s * qty * (exitPrice - px);
    const tf = entryFee + qty * exitPrice * fee;
    const pnl = g - tf + tradeFund;
    // the exit bar's return ends at the realised PnL, not at the close's mark
    rets[exitBar] = rets[exitBar]! + (pnl - mark) * inv;
    if (nSpans > 0 && spans[2 * nSpans - 1]! > i) {
      spans[2 * nSpans - 1] = exitBar + 1;
    } else {
      spans[2 * nSpans] = i;
      spans[2 * nSpans + 1] = exitBar + 1;
      nSpans++;
    }
    gross += g;
    fees += tf;
    fund += tradeFund;
    net += pnl;
    nTrades++;
    if (pnl > 0) {
      wins++;
      winSum += pnl;
    } else lossSum -= pnl;
    sum += pnl;
    sumSq += pnl * pnl;
    sumBps += pnl / (qty * px) * 10_000;
    if (net > peakEq) peakEq = net;
    if (net - peakEq < maxDd) maxDd = net - peakEq;
    exposure += exitBar - i;
    if (reason === 0) nTp++;
    else if (reason === 1) nSl++;
    else if (reason === 2) nTrail++;
    else nEnd++;
    trades?.push({
      entryBar: i,
      side: s,
      qty,
      entryPrice: px,
      tp: s * tpY,
      sl: s * slY,
      exitBar,
      exitTime,
      exitPrice,
      reason: EXIT_REASONS[reason]!,
      fees: tf,
      funding: tradeFund,
      pnl,
    });
    // the cooldown runs from the exit: its second's end with per-second paths, else the bar's
    allowedFrom =
      (exitTime === exitTime ? exitTime + 1000 : ts[exitBar]! + BAR_MS) +
      cooldownMs;
    i = exitBar; // the exit bar's own close may signal again (cooldown permitting)
    if (reason === 3) break;
  }
  const mean = nTrades > 0 ? sum / nTrades : NaN;
  const sd = nTrades > 1
    ? Math.sqrt(Math.max(0, (sumSq - nTrades * mean * mean) / (nTrades - 1)))
    : NaN;
  row[0] = net;
  row[1] = gross;
  row[2] = fees;
  row[3] = fund;
  row[4] = nTrades;
  row[5] = nTrades > 0 ? wins / nTrades : NaN;
  row[6] = lossSum > 0 ? winSum / lossSum : winSum > 0 ? Infinity : NaN;
  row[7] = mean;
  row[8] = nTrades > 0 ? sumBps / nTrades : NaN;
  row[9] = sd > 0 ? (mean / sd) * Math.sqrt(nTrades) : NaN;
  row[10] = maxDd;
  row[11] = n > 0 ? exposure / n : NaN;
  row[12] = nTp;
  row[13] = nSl;
  row[14] = nTrail;
  row[15] = nEnd;
  row[16] = refused;
  ser.nSpans = nSpans;
  const sr = sparseReturnStats(
    rets,
    spans,
    nSpans,
    n,
    ser.bounds,
    ser.stats,
    0,
  );
  row[17] = nTrades > 0 ? sr * SQRT_ANN : NaN;
}
