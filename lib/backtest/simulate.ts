/**
 * The simulation core: one config over one symbol's bars, exactly as vectorbt 0.26
 * `Portfolio.from_signals` with its defaults (see ../shared/backtest-semantics.md), with every
 * metric computed in the same pass. Pure: typed arrays in, a metric row out.
 *
 * @module
 */
import { add, isClose, isCloseOrLess, isLess } from "./vbt_math.ts";
import { M, N_METRICS } from "./metrics.ts";

/** One symbol's bars as the simulator reads them. NaN open/high/low means "missing". */
export interface SimInput {
  /** Close prices; the order price of every signal (finite, > 0). */
  readonly close: Float64Array;
  /** Open prices (NaN = missing: the close is used). */
  readonly open: Float64Array;
  /** High prices (NaN = missing: `max(open, close)`). */
  readonly high: Float64Array;
  /** Low prices (NaN = missing: `min(open, close)`). */
  readonly low: Float64Array;
  /** Per bar: 1 = long entry, -1 = short entry, 0 = none. */
  readonly signals: Int8Array;
}

/** The per-config simulation parameters (vectorbt's `sl_stop`, `tp_stop`, `sl_trail`, costs). */
export interface SimParams {
  /** Stop-loss as a fraction (0.01 = 1 %); NaN = off. */
  readonly slStop: number;
  /** Take-profit as a fraction; NaN = off. */
  readonly tpStop: number;
  /** Whether the stop-loss trails. */
  readonly slTrail: boolean;
  /** Proportional fees per order (0.001 = 0.1 %). */
  readonly fees: number;
  /** Proportional slippage on signal orders. */
  readonly slippage: number;
  /** Starting cash. */
  readonly initCash: number;
}

/** Why an order was placed or a trade ended. */
export const REASONS = ["signal", "sl", "tsl", "tp", "open", "entry"] as const;
/** One of {@linkcode REASONS}. */
export type Reason = typeof REASONS[number];

/** An order record (vectorbt `order_dt`) plus the reason the engine placed it. */
export interface OrderRecord {
  /** Bar index. */
  readonly idx: number;
  /** "buy" or "sell". */
  readonly side: "buy" | "sell";
  /** Filled size (> 0). */
  readonly size: number;
  /** Fill price, slippage included. */
  readonly price: number;
  /** Fees paid. */
  readonly fees: number;
  /** "entry" from flat, "signal" for a reversal, or the stop that fired. */
  readonly reason: Reason;
}

/** An exit trade (vectorbt `pf.trades`), with its exit reason. */
export interface TradeRecord {
  /** "long" or "short". */
  readonly direction: "long" | "short";
  /** "closed", or "open" when still open at the last bar. */
  readonly status: "closed" | "open";
  /** Trade size. */
  readonly size: number;
  /** Entry bar. */
  readonly entryIdx: number;
  /** Average entry price. */
  readonly entryPrice: number;
  /** Entry fees attributed to this trade. */
  readonly entryFees: number;
  /** Exit bar (the last bar for an open trade). */
  readonly exitIdx: number;
  /** Exit price (the last close for an open trade). */
  readonly exitPrice: number;
  /** Exit fees (0 for an open trade). */
  readonly exitFees: number;
  /** Profit and loss after fees. */
  readonly pnl: number;
  /** `pnl / (size * entryPrice)`. */
  readonly ret: number;
  /** "signal" (reversal), "sl", "tsl", "tp", or "open". */
  readonly exitReason: Reason;
}

/** Optional detailed output of {@linkcode simulate}, for plots, reports and tests. */
export interface SimRecord {
  /** Filled orders, in bar order. */
  readonly orders: OrderRecord[];
  /** Exit trades, in order of exit (the open one last). */
  readonly trades: TradeRecord[];
  /** Portfolio value at each bar's close (length = bars). */
  readonly value: Float64Array;
  /** Position after each bar (length = bars). */
  readonly position: Float64Array;
}

/** Options of {@linkcode simulate}. */
export interface SimOptions {
  /** Where to write the metric row. @default a new Float64Array(N_METRICS) */
  readonly out?: Float64Array;
  /** Offset of the row in `out`. @default 0 */
  readonly offset?: number;
  /** A reusable buffer of at least `bars` doubles (per-bar returns). @default allocated */
  readonly scratch?: Float64Array;
  /** Fill this with orders, trades and the value series. */
  readonly record?: SimRecord;
}

/** Creates an empty {@linkcode SimRecord} for `bars` bars. */
export function newSimRecord(bars: number): SimRecord {
  return {
    orders: [],
    trades: [],
    value: new Float64Array(bars),
    position: new Float64Array(bars),
  };
}

/** Annualization factor: 365 days of 1-minute bars (vectorbt `year_freq / freq`). */
export const ANN_FACTOR = 525600;
const SQRT_ANN = Math.sqrt(ANN_FACTOR);
const MIN_SIZE = 1e-8;

// Account state slots (vectorbt's per-column state).
const CASH = 0,
  POS = 1,
  DEBT = 2,
  FREE = 3,
  FILL_SIZE = 4,
  FILL_PRICE = 5,
  FILL_FEES = 6;
// Exit-trade tracker slots (vectorbt `get_exit_trades_nb`).
const T_IN = 0,
  T_DIR = 1,
  T_SIZE = 2,
  T_GROSS = 3,
  T_FEES = 4,
  T_IDX = 5,
  T_CLOSED = 6,
  T_WINS = 7,
  T_WIN_SUM = 8,
  T_LOSS_SUM = 9,
  T_RET_SUM = 10,
  T_EXIT0 = 11; // + reason code (0 signal, 1 sl, 2 tsl, 3 tp)
const R_SIGNAL = 0, R_SL = 1, R_TSL = 2, R_TP = 3, R_ENTRY = 5;

/**
 * Simulates one config over one symbol and writes its metric row (see `METRICS`).
 *
 * @param input the bars and the config's entry signals
 * @param params stops and costs
 * @param options output row, scratch buffer and optional detailed record
 * @returns the array holding the metric row
 */
export function simulate(
  input: SimInput,
  params: SimParams,
  options: SimOptions = {},
): Float64Array {
  const { close, open, high, low, signals } = input;
  const n = close.length;
  const out = options.out ?? new Float64Array(N_METRICS);
  const at = options.offset ?? 0;
  const rets = options.scratch ?? new Float64Array(n);
  const record = options.record;
  const sl = params.slStop, tp = params.tpStop, trail = params.slTrail;
  const fees = params.fees, slip = params.slippage, init = params.initCash;

  const st = new Float64Array(7);
  st[CASH] = init;
  st[FREE] = init;
  const tr = new Float64Array(16);
  // Stop state.
  let stSl = NaN, stTp = NaN, stTrail = false, slRef = NaN, tpRef = NaN;
  // Post-simulation accounting (vectorbt recomputes value and profit from the orders).
  let mCash = init, mAssets = 0, pCash = 0, pAssets = 0, prevV = init;
  let sumR = 0, cntR = 0, cp = 1, peak = NaN, minDd = Infinity;
  let nOrders = 0, inPosBars = 0;

  for (let i = 0; i < n; i++) {
    const c = close[i]!;
    let stopPrice = NaN;
    let reason = R_SIGNAL;
    if (stSl === stSl || stTp === stTp) {
      const pos = st[POS]!;
      let o = open[i]!;
      if (o !== o) o = c;
      let l = low[i]!;
      if (l !== l) l = o < c ? o : c;
      let h = high[i]!;
      if (h !== h) h = o > c ? o : c;
      if (stSl === stSl) {
        if (pos > 0) {
          const lv = slRef * (1 - stSl);
          if (o <= lv) stopPrice = o;
          else if (l <= lv && lv <= h) stopPrice = lv;
        } else if (pos < 0) {
          const lv = slRef * (1 + stSl);
          if (lv <= o) stopPrice = o;
          else if (l <= lv && lv <= h) stopPrice = lv;
        }
        if (stopPrice === stopPrice) reason = stTrail ? R_TSL : R_SL;
      }
      if (stopPrice !== stopPrice && stTp === stTp) {
        if (pos > 0) {
          const lv = tpRef * (1 + stTp);
          if (lv <= o) stopPrice = o;
          else if (l <= lv && lv <= h) stopPrice = lv;
        } else if (pos < 0) {
          const lv = tpRef * (1 - stTp);
          if (o <= lv) stopPrice = o;
          else if (l <= lv && lv <= h) stopPrice = lv;
        }
        if (stopPrice === stopPrice) reason = R_TP;
      }
      if (stSl === stSl && stTrail) {
        if (pos > 0) {
          if (h > slRef) slRef = h;
        } else if (pos < 0) {
          if (l < slRef) slRef = l;
        }
      }
    }

    // Decide and execute at most one order.
    const posBefore = st[POS]!;
    let side = 0; // 1 buy, -1 sell
    if (stopPrice === stopPrice) {
      side = posBefore > 0
        ? sellOrder(st, stopPrice, 0, fees, true)
        : buyOrder(st, stopPrice, 0, fees, true);
    } else {
      const s = signals[i]!;
      if (s !== 0) {
        if (s > 0 ? posBefore <= 0 : posBefore >= 0) {
          reason = posBefore === 0 ? R_ENTRY : R_SIGNAL;
          side = s > 0
            ? buyOrder(st, c, slip, fees, false)
            : sellOrder(st, c, slip, fees, false);
        }
      }
    }

    if (side !== 0) {
      nOrders++;
      const size = st[FILL_SIZE]!,
        price = st[FILL_PRICE]!,
        fee = st[FILL_FEES]!;
      const newPos = st[POS]!;
      if (newPos === 0) {
        stSl = NaN;
        stTp = NaN;
        stTrail = false;
        slRef = NaN;
        tpRef = NaN;
      } else if (
        posBefore === 0 || (posBefore > 0 && newPos < 0) ||
        (posBefore < 0 && newPos > 0)
      ) {
        slRef = c;
        tpRef = c;
        stSl = sl;
        stTp = tp;
        stTrail = trail;
      }
      // Value series and total profit, recomputed from the order as vectorbt does.
      if (side > 0) {
        mCash = add(mCash, add(0, -size * price - fee));
        mAssets = add(mAssets, size);
        pCash = add(pCash, -(size * price + fee));
        pAssets = add(pAssets, size);
      } else {
        mCash = add(mCash, add(0, size * price - fee));
        mAssets = add(mAssets, -size);
        pCash = add(pCash, size * price - fee);
        pAssets = add(pAssets, -size);
      }
      trackTrade(tr, i, side, size, price, fee, reason, record);
      if (record) {
        record.orders.push({
          idx: i,
          side: side > 0 ? "buy" : "sell",
          size,
          price,
          fees: fee,
          reason: REASONS[reason]!,
        });
      }
    }

    // Value at the close, its return, drawdown.
    const v = mCash + (mAssets === 0 ? 0 : c * mAssets);
    let r: number;
    if (prevV === 0) r = v === 0 ? 0 : (v > 0 ? Infinity : -Infinity);
    else {
      r = (v - prevV) / prevV;
      if (prevV < 0) r = -r;
    }
    prevV = v;
    rets[i] = r;
    if (r === r) {
      sumR += r;
      cntR++;
      cp *= 1 + r;
    }
    const cum = cp * 100;
    if (peak !== peak || cum > peak) peak = cum;
    const dd = cum / peak - 1;
    if (dd < minDd) minDd = dd;
    if (mAssets !== 0) inPosBars++;
    if (record) {
      record.value[i] = v;
      record.position[i] = mAssets;
    }
  }

  // Sharpe: sequential mean, then a second sequential pass for the variance (numba nanvar).
  let sharpe = NaN;
  if (cntR >= 2) {
    const mean = sumR / cntR;
    let ssd = 0;
    for (let i = 0; i < n; i++) {
      const r = rets[i]!;
      if (r === r) {
        const d = r - mean;
        ssd += d * d;
      }
    }
    const std = Math.sqrt(ssd / cntR * cntR / (cntR - 1));
    sharpe = std === 0 ? Infinity : mean / std * SQRT_ANN;
  }

  // A position still open at the end is an open trade marked at the last close.
  let nOpen = 0;
  if (tr[T_IN] === 1 && isLess(-tr[T_SIZE]!, 0) && n > 0) {
    nOpen = 1;
    closeTrade(tr, tr[T_SIZE]!, close[n - 1]!, 0, n - 1, 4, false, record);
  }
  const closed = tr[T_CLOSED]!;
  const lastClose = n > 0 ? close[n - 1]! : NaN;
  const totalProfit = pCash + pAssets * lastClose;
  out[at + M.totalReturn] = totalProfit / init;
  out[at + M.totalProfit] = totalProfit;
  out[at + M.finalValue] = totalProfit + init;
  out[at + M.sharpe] = sharpe;
  out[at + M.maxDrawdown] = minDd === Infinity ? NaN : minDd;
  out[at + M.winRate] = closed > 0 ? tr[T_WINS]! / closed : NaN;
  const winSum = tr[T_WIN_SUM]!, lossSum = -tr[T_LOSS_SUM]!;
  out[at + M.profitFactor] = closed === 0
    ? NaN
    : lossSum === 0
    ? (winSum > 0 ? Infinity : NaN)
    : winSum / lossSum;
  out[at + M.avgTradeReturn] = closed > 0 ? tr[T_RET_SUM]! / closed : NaN;
  out[at + M.exposure] = n > 0 ? inPosBars / n : NaN;
  out[at + M.nTrades] = closed + nOpen;
  out[at + M.nClosedTrades] = closed;
  out[at + M.nOpenTrades] = nOpen;
  out[at + M.nOrders] = nOrders;
  out[at + M.nExitSignal] = tr[T_EXIT0 + R_SIGNAL]!;
  out[at + M.nExitSl] = tr[T_EXIT0 + R_SL]!;
  out[at + M.nExitTsl] = tr[T_EXIT0 + R_TSL]!;
  out[at + M.nExitTp] = tr[T_EXIT0 + R_TP]!;
  out[at + M.nExitOpen] = nOpen;
  return out;
}

function snap(x: number): number {
  return isClose(x, 0) ? 0 : x;
}

/**
 * vectorbt `buy_nb` with `size = inf`: an all-cash entry or reversal, or (`shortClose`) buying
 * back the whole short. Returns 1 when filled, 0 when rejected.
 */
function buyOrder(
  st: Float64Array,
  price: number,
  slip: number,
  fees: number,
  shortClose: boolean,
): number {
  const cash = snap(st[CASH]!), pos = snap(st[POS]!);
  let debt = snap(st[DEBT]!), free = snap(st[FREE]!);
  const adj = price * (1 + slip);
  if (!shortClose && cash === 0) return 0;
  let want = Infinity;
  if (shortClose) {
    if (pos === 0) return 0;
    want = -pos;
  }
  const req = want * adj;
  const reqFees = req * fees + 0;
  const total = req + reqFees;
  let size: number, paid: number, spent: number;
  if (isCloseOrLess(total, cash)) {
    size = want;
    paid = reqFees;
    spent = total;
  } else {
    const maxReq = add(cash, -0) / (1 + fees);
    if (maxReq <= 0) return 0;
    size = maxReq / adj;
    paid = cash - maxReq;
    spent = cash;
  }
  if (isLess(size, MIN_SIZE)) return 0;
  const newPos = add(pos, size);
  if (pos < 0) {
    const covered = newPos >= 0 ? -pos : size;
    const avg = debt / -pos;
    debt = add(debt, -covered * avg);
    free = add(free + 2 * covered * avg, -spent);
  } else {
    free = add(free, -spent);
  }
  st[CASH] = add(cash, -spent);
  st[POS] = newPos;
  st[DEBT] = debt;
  st[FREE] = free;
  st[FILL_SIZE] = size;
  st[FILL_PRICE] = adj;
  st[FILL_FEES] = paid;
  return 1;
}

/**
 * vectorbt `sell_nb`: closing the whole long (`longClose`), or `size = -inf` as 100 % of
 * resources (a short entry or a long-to-short reversal). Returns -1 when filled, 0 otherwise.
 */
function sellOrder(
  st: Float64Array,
  price: number,
  slip: number,
  fees: number,
  longClose: boolean,
): number {
  const cash = snap(st[CASH]!), pos = snap(st[POS]!);
  let debt = snap(st[DEBT]!), free = snap(st[FREE]!);
  const adj = price * (1 - slip);
  let lim: number;
  if (longClose) {
    lim = pos;
  } else {
    const longSize = pos > 0 ? pos : 0;
    const longCash = longSize * adj * (1 - fees);
    const tfree = add(free, longCash);
    if (tfree <= 0) {
      if (pos <= 0) return 0;
      lim = longSize;
    } else {
      const maxShort = add(tfree, -0) / (adj * (1 + fees));
      lim = add(longSize, maxShort);
      if (lim <= 0) return 0;
    }
    lim = 1.0 * lim;
  }
  if (isClose(lim, 0) || isLess(lim, MIN_SIZE)) return 0;
  const acq = lim * adj;
  const paid = acq * fees + 0;
  const net = add(acq, -paid);
  if (net < 0) return 0;
  const newPos = add(pos, -lim);
  if (newPos < 0) {
    const newShort = pos < 0 ? lim : -newPos;
    debt = debt + newShort * adj;
    free = add(free, add(net, -2 * newShort * adj));
  } else {
    free = free + net;
  }
  st[CASH] = cash + net;
  st[POS] = newPos;
  st[DEBT] = debt;
  st[FREE] = free;
  st[FILL_SIZE] = lim;
  st[FILL_PRICE] = adj;
  st[FILL_FEES] = paid;
  return -1;
}

/** vectorbt `get_exit_trades_nb`, one order at a time. */
function trackTrade(
  tr: Float64Array,
  i: number,
  side: number,
  size: number,
  price: number,
  fee: number,
  reason: number,
  record: SimRecord | undefined,
): void {
  if (tr[T_IN] === 0) {
    tr[T_IN] = 1;
    tr[T_DIR] = side;
    tr[T_SIZE] = 0;
    tr[T_GROSS] = 0;
    tr[T_FEES] = 0;
    tr[T_IDX] = i;
  }
  if (tr[T_DIR] === side) {
    tr[T_SIZE] = tr[T_SIZE]! + size;
    tr[T_GROSS] = tr[T_GROSS]! + size * price;
    tr[T_FEES] = tr[T_FEES]! + fee;
    return;
  }
  const eSize = tr[T_SIZE]!;
  if (isCloseOrLess(size, eSize)) {
    const full = isClose(size, eSize);
    closeTrade(tr, full ? eSize : size, price, fee, i, reason, true, record);
    if (full) {
      tr[T_IN] = 0;
      tr[T_DIR] = 0;
    } else {
      const frac = (eSize - size) / eSize;
      tr[T_SIZE] = eSize * frac;
      tr[T_GROSS] = tr[T_GROSS]! * frac;
      tr[T_FEES] = tr[T_FEES]! * frac;
    }
  } else {
    // Reversal: the order closes the trade and opens the opposite one.
    const clFees = eSize / size * fee;
    closeTrade(tr, eSize, price, clFees, i, reason, true, record);
    const newSize = size - eSize;
    tr[T_SIZE] = newSize;
    tr[T_GROSS] = newSize * price;
    tr[T_FEES] = fee - clFees;
    tr[T_IDX] = i;
    tr[T_DIR] = -tr[T_DIR]!;
  }
}

/** vectorbt `fill_exit_trade_record_nb` + `get_trade_stats_nb`, folded into the counters. */
function closeTrade(
  tr: Float64Array,
  exitSize: number,
  exitPrice: number,
  exitFees: number,
  exitIdx: number,
  reason: number,
  closed: boolean,
  record: SimRecord | undefined,
): void {
  const eSize = tr[T_SIZE]!;
  const entryPrice = tr[T_GROSS]! / eSize;
  const entryFees = exitSize / eSize * tr[T_FEES]!;
  const entryVal = exitSize * entryPrice;
  let diff = add(exitSize * exitPrice, -entryVal);
  const short = tr[T_DIR]! < 0;
  if (diff !== 0 && short) diff = -diff;
  const pnl = diff - entryFees - exitFees;
  const ret = pnl / entryVal;
  if (closed) {
    tr[T_CLOSED] = tr[T_CLOSED]! + 1;
    if (pnl > 0) {
      tr[T_WINS] = tr[T_WINS]! + 1;
      tr[T_WIN_SUM] = tr[T_WIN_SUM]! + pnl;
    } else if (pnl < 0) {
      tr[T_LOSS_SUM] = tr[T_LOSS_SUM]! + pnl;
    }
    tr[T_RET_SUM] = tr[T_RET_SUM]! + ret;
    tr[T_EXIT0 + reason] = tr[T_EXIT0 + reason]! + 1;
  }
  if (record) {
    record.trades.push({
      direction: short ? "short" : "long",
      status: closed ? "closed" : "open",
      size: exitSize,
      entryIdx: tr[T_IDX]!,
      entryPrice,
      entryFees,
      exitIdx,
      exitPrice,
      exitFees,
      pnl,
      ret,
      exitReason: REASONS[reason]!,
    });
  }
}
