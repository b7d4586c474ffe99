/**
 * The simulation core: one config over one symbol's bars, exactly as vectorbt 0.26
 * `Portfolio.from_signals` with its defaults (see ../shared/backtest-semantics.md), with every
 * metric computed in the same pass. Pure: typed arrays in, a metric row out.
 *
 * @module
 */
import { add, isClose, isCloseOrLess, isLess, snapZero } from "./vbt_math.ts";
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
  /**
   * A pass over the per-bar returns that the caller makes anyway (its return statistics),
   * called once right after the bar loop with the returns `rets[0..n)`. It must return `s2`:
   * the sum of `(r - mean)^2` over the non-NaN returns in bar order, `mean` being their sum
   * in bar order divided by their count, or NaN when it has none (an infinite return, fewer
   * than 2). The Sharpe then uses it instead of its own second pass (bit for bit the same
   * sum); on NaN the engine makes its own pass. See `returnStats`.
   */
  readonly returnsPass?: (
    rets: Float64Array,
    n: number,
    sums?: Float64Array,
  ) => number;
  /**
   * Contiguous time blocks (`bounds[b]..bounds[b+1]` are block b's bars, see `blockBounds`):
   * the bar loop then also fills `blockSums` as `rangeSums` would (the finite returns' sum
   * and count, no infinity, each block's sum and count in bar order) and hands it to
   * `returnsPass`, which then needs only its second pass. Not handed over when a return is
   * infinite (the pass then makes both).
   */
  readonly blockBounds?: Int32Array;
  /** Scratch for the block sums: at least `3 + 2 * blocks` doubles (with `blockBounds`). */
  readonly blockSums?: Float64Array;
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

// Per-config state slots: vectorbt's account state, the last fill, the stop state and the
// post-simulation accounting (value series and total profit recomputed from the orders).
const CASH = 0,
  POS = 1,
  DEBT = 2,
  FREE = 3,
  FILL_SIZE = 4,
  FILL_PRICE = 5,
  FILL_FEES = 6,
  S_SL = 7, // stop-loss fraction of the open position (NaN = none)
  S_TP = 8,
  S_TRAIL = 9,
  S_SL_REF = 10,
  S_TP_REF = 11,
  S_SL_LV = 12, // the levels: `ref * (1 -/+ stop)`, as vectorbt computes them
  S_TP_LV = 13,
  M_CASH = 14,
  M_ASSETS = 15,
  P_CASH = 16,
  P_ASSETS = 17,
  N_ORD = 18,
  N_STATE = 19;
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
  const slip = params.slippage, init = params.initCash;

  const st = new Float64Array(N_STATE);
  st[CASH] = init;
  st[FREE] = init;
  st[S_SL] = NaN;
  st[S_TP] = NaN;
  st[S_SL_REF] = NaN;
  st[S_TP_REF] = NaN;
  st[S_SL_LV] = NaN;
  st[S_TP_LV] = NaN;
  st[M_CASH] = init;
  const tr = new Float64Array(16);
  // The bar loop keeps what it reads on every bar in locals, reloaded after each order.
  let pos = 0, stSl = NaN, stTp = NaN, stTrail = false, slRef = NaN;
  let slLv = NaN, tpLv = NaN, mCash = init, mAssets = 0, prevV = init;
  let sumR = 0, cntR = 0, cp = 1, peak = NaN, minDd = Infinity, epochMin = NaN;
  let inPosBars = 0;
  // Flat bars without a signal change nothing but the return count (see below).
  const skipFlat = record === undefined && init - init === 0;
  // Block sums (with blockBounds): the current block `seg` (-1 before the first) ends at
  // bar `segEnd`; `bs`, `bc` sum and count its non-NaN returns in bar order.
  const bounds = options.blockBounds, sums = options.blockSums;
  const nb = bounds !== undefined && sums !== undefined ? bounds.length - 1 : 0;
  let seg = -1, segEnd = nb > 0 ? bounds![0]! : n + 1, bs = 0, bc = 0;

  for (let i = 0; i < n; i++) {
    while (i === segEnd) {
      if (seg >= 0) {
        sums![3 + 2 * seg] = bs;
        sums![4 + 2 * seg] = bc;
      }
      seg++;
      bs = 0;
      bc = 0;
      segEnd = seg < nb ? bounds![seg + 1]! : n + 1;
    }
    const c = close[i]!;
    let filled = false;
    let stopPrice = NaN;
    if (stSl === stSl || stTp === stTp) {
      let o = open[i]!;
      if (o !== o) o = c;
      let l = low[i]!;
      if (l !== l) l = o < c ? o : c;
      let h = high[i]!;
      if (h !== h) h = o > c ? o : c;
      let reason = R_SIGNAL;
      if (stSl === stSl) {
        if (pos > 0) {
          if (o <= slLv) stopPrice = o;
          else if (l <= slLv && slLv <= h) stopPrice = slLv;
        } else if (pos < 0) {
          if (slLv <= o) stopPrice = o;
          else if (l <= slLv && slLv <= h) stopPrice = slLv;
        }
        if (stopPrice === stopPrice) reason = stTrail ? R_TSL : R_SL;
      }
      if (stopPrice !== stopPrice && stTp === stTp) {
        if (pos > 0) {
          if (tpLv <= o) stopPrice = o;
          else if (l <= tpLv && tpLv <= h) stopPrice = tpLv;
        } else if (pos < 0) {
          if (o <= tpLv) stopPrice = o;
          else if (l <= tpLv && tpLv <= h) stopPrice = tpLv;
        }
        if (stopPrice === stopPrice) reason = R_TP;
      }
      // The trailing reference moves after the check, on every bar in position.
      if (stSl === stSl && stTrail) {
        if (pos > 0) {
          if (h > slRef) {
            slRef = h;
            slLv = slRef * (1 - stSl);
          }
        } else if (pos < 0) {
          if (l < slRef) {
            slRef = l;
            slLv = slRef * (1 + stSl);
          }
        }
      }
      // A stop closes the whole position; the bar's signal is not read.
      if (stopPrice === stopPrice) {
        st[S_SL_REF] = slRef;
        st[S_SL_LV] = slLv;
        filled = placeOrder(
          st,
          tr,
          i,
          c,
          pos > 0 ? -1 : 1,
          stopPrice,
          0,
          reason,
          params,
          record,
        );
      }
    }
    if (stopPrice !== stopPrice) {
      // At most one order per bar: a signal opens, or reverses an opposite position.
      const s = signals[i]!;
      if (s !== 0 && (s > 0 ? pos <= 0 : pos >= 0)) {
        st[S_SL_REF] = slRef;
        st[S_SL_LV] = slLv;
        filled = placeOrder(
          st,
          tr,
          i,
          c,
          s,
          c,
          slip,
          pos === 0 ? R_ENTRY : R_SIGNAL,
          params,
          record,
        );
      }
    }
    if (filled) {
      pos = st[POS]!;
      stSl = st[S_SL]!;
      stTp = st[S_TP]!;
      stTrail = st[S_TRAIL] === 1;
      slRef = st[S_SL_REF]!;
      slLv = st[S_SL_LV]!;
      tpLv = st[S_TP_LV]!;
      mCash = st[M_CASH]!;
      mAssets = st[M_ASSETS]!;
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
      bs += r;
      bc++;
    }
    // Drawdown `cum / peak - 1` is monotone in `cum` while the peak stays finite and > 0, so
    // the lowest value of each peak's epoch gives that epoch's minimum; any other peak falls
    // back to the per-bar formula. Either way the result is the per-bar minimum, bit for bit.
    const cum = cp * 100;
    if (peak !== peak || cum > peak) {
      if (peak > 0 && peak < Infinity) {
        const dd = epochMin / peak - 1;
        if (dd < minDd) minDd = dd;
      }
      peak = cum;
      epochMin = cum;
    } else if (cum < epochMin) epochMin = cum;
    if (!(peak > 0 && peak < Infinity)) {
      const dd = cum / peak - 1;
      if (dd < minDd) minDd = dd;
    }
    if (record) {
      record.value[i] = v;
      record.position[i] = mAssets;
    }
    if (mAssets !== 0) inPosBars++;
    else if (skipFlat && stSl !== stSl && stTp !== stTp) {
      // Flat with no stop: until the next signal every bar has the same value, so its return
      // is exactly +0 (the sum gains +0, the product and the drawdown are unchanged).
      // (A jump stops at the end of the current block, so its bars count in that block.)
      let j = i + 1;
      while (j < n && j < segEnd && signals[j] === 0) j++;
      if (j > i + 1) {
        rets.fill(0, i + 1, j);
        sumR += 0;
        cntR += j - i - 1;
        bc += j - i - 1;
        i = j - 1;
      }
    }
  }
  if (peak > 0 && peak < Infinity) {
    const dd = epochMin / peak - 1;
    if (dd < minDd) minDd = dd;
  }
  // The blocks not closed inside the loop (the last one, empty ones at the end).
  for (; seg < nb; seg++) {
    if (seg >= 0) {
      sums![3 + 2 * seg] = bs;
      sums![4 + 2 * seg] = bc;
    }
    bs = 0;
    bc = 0;
  }
  // With no infinite return (then sumR is finite) the loop's sums are the first pass's: the
  // same non-NaN returns added in the same order (a jump's +0s leave a sum that is never -0).
  const handOver = nb > 0 && sumR - sumR === 0;
  if (handOver) {
    sums![0] = sumR;
    sums![1] = cntR;
    sums![2] = 0;
  }

  const acc = new Float64Array(ACC_SIZE);
  acc[A_SUM_R] = sumR;
  acc[A_CNT_R] = cntR;
  acc[A_MIN_DD] = minDd;
  acc[A_P_CASH] = st[P_CASH]!;
  acc[A_P_ASSETS] = st[P_ASSETS]!;
  acc[A_IN_POS] = inPosBars;
  acc[A_ORDERS] = st[N_ORD]!;
  acc[A_SSD] = options.returnsPass === undefined
    ? NaN
    : handOver
    ? options.returnsPass(rets, n, sums)
    : options.returnsPass(rets, n);
  writeRow(out, at, params.initCash, close, rets, tr, acc, record);
  return out;
}

// Accumulators handed from the bar loop to writeRow().
const A_SUM_R = 0,
  A_CNT_R = 1,
  A_MIN_DD = 2,
  A_P_CASH = 3,
  A_P_ASSETS = 4,
  A_IN_POS = 5,
  A_ORDERS = 6,
  A_SSD = 7, // the caller's s2 (see SimOptions.returnsPass), NaN = none
  ACC_SIZE = 8;

/**
 * The end of a run, kept out of the bar loop's function (rarely taken paths there would make
 * V8 deoptimise the loop): Sharpe from the returns, the open trade, and the metric row.
 */
function writeRow(
  out: Float64Array,
  at: number,
  init: number,
  close: Float64Array,
  rets: Float64Array,
  tr: Float64Array,
  acc: Float64Array,
  record: SimRecord | undefined,
): void {
  const n = close.length;
  const sumR = acc[A_SUM_R]!, cntR = acc[A_CNT_R]!, minDd = acc[A_MIN_DD]!;
  const pCash = acc[A_P_CASH]!, pAssets = acc[A_P_ASSETS]!;
  const inPosBars = acc[A_IN_POS]!, nOrders = acc[A_ORDERS]!;
  // Sharpe: sequential mean, then a second sequential pass for the variance (numba nanvar),
  // unless the caller's pass summed the same squares. Its mean is this one: with no infinite
  // return it added the same non-NaN returns in the same order (plus exact +0 for the flat
  // bars this loop skipped, which leave a sum that is never -0 unchanged), and the count is
  // the same.
  let sharpe = NaN;
  if (cntR >= 2) {
    const mean = sumR / cntR;
    let ssd = acc[A_SSD]!;
    if (ssd !== ssd) {
      ssd = 0;
      for (let i = 0; i < n; i++) {
        const r = rets[i]!;
        if (r === r) {
          const d = r - mean;
          ssd += d * d;
        }
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
}

/**
 * Executes one order and everything that follows a fill: the stop state (cleared when flat,
 * set from this bar's close on an entry or reversal), the value/profit accounting vectorbt
 * recomputes from the orders, the exit-trade tracker and the optional record. One call per
 * order keeps the bar loop small.
 *
 * @param side 1 buy, -1 sell
 * @param price the order price before slippage
 * @returns whether the order filled
 */
function placeOrder(
  st: Float64Array,
  tr: Float64Array,
  i: number,
  c: number,
  side: number,
  price: number,
  slip: number,
  reason: number,
  params: SimParams,
  record: SimRecord | undefined,
): boolean {
  const posBefore = st[POS]!;
  const stop = reason !== R_SIGNAL && reason !== R_ENTRY;
  const done = side > 0
    ? buyOrder(st, price, slip, params.fees, stop)
    : sellOrder(st, price, slip, params.fees, stop);
  if (done === 0) return false;
  st[N_ORD] = st[N_ORD]! + 1;
  const size = st[FILL_SIZE]!, adj = st[FILL_PRICE]!, fee = st[FILL_FEES]!;
  const newPos = st[POS]!;
  if (newPos === 0) {
    st[S_SL] = NaN;
    st[S_TP] = NaN;
    st[S_TRAIL] = 0;
    st[S_SL_REF] = NaN;
    st[S_TP_REF] = NaN;
    st[S_SL_LV] = NaN;
    st[S_TP_LV] = NaN;
  } else if (
    posBefore === 0 || (posBefore > 0 && newPos < 0) ||
    (posBefore < 0 && newPos > 0)
  ) {
    const sl = params.slStop, tp = params.tpStop;
    st[S_SL] = sl;
    st[S_TP] = tp;
    st[S_TRAIL] = params.slTrail ? 1 : 0;
    st[S_SL_REF] = c;
    st[S_TP_REF] = c;
    st[S_SL_LV] = newPos > 0 ? c * (1 - sl) : c * (1 + sl);
    st[S_TP_LV] = newPos > 0 ? c * (1 + tp) : c * (1 - tp);
  }
  // Value series and total profit, recomputed from the order as vectorbt does. (vectorbt's
  // `add(0, x)` of the bar's cash flow is `snapZero(x)`: with a 0 operand both of add's tests
  // reduce to |x| <= ABS_TOL.)
  if (side > 0) {
    st[M_CASH] = add(st[M_CASH]!, snapZero(-size * adj - fee));
    st[M_ASSETS] = add(st[M_ASSETS]!, size);
    st[P_CASH] = add(st[P_CASH]!, -(size * adj + fee));
    st[P_ASSETS] = add(st[P_ASSETS]!, size);
  } else {
    st[M_CASH] = add(st[M_CASH]!, snapZero(size * adj - fee));
    st[M_ASSETS] = add(st[M_ASSETS]!, -size);
    st[P_CASH] = add(st[P_CASH]!, size * adj - fee);
    st[P_ASSETS] = add(st[P_ASSETS]!, -size);
  }
  trackTrade(tr, i, side, size, adj, fee, reason, record);
  if (record) {
    record.orders.push({
      idx: i,
      side: side > 0 ? "buy" : "sell",
      size,
      price: adj,
      fees: fee,
      reason: REASONS[reason]!,
    });
  }
  return true;
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
  const cash = snapZero(st[CASH]!), pos = snapZero(st[POS]!);
  let debt = snapZero(st[DEBT]!), free = snapZero(st[FREE]!);
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
  const cash = snapZero(st[CASH]!), pos = snapZero(st[POS]!);
  let debt = snapZero(st[DEBT]!), free = snapZero(st[FREE]!);
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
