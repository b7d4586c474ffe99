/**
 * The OHLCV intrabar path convention, one function for the simulator's OHLCV replay (the
 * trades it prints) and the bot-model backtest (`--intrabar ohlc`, the prices its exits
 * see): each 1m bar becomes {@linkcode PATH_POINTS} trade prices going open → low → high →
 * close in an up bar (close >= open) and open → high → low → close in a down bar, the
 * extremes at fixed points ({@linkcode PATH_VERTICES}), straight lines between them rounded
 * to the tick (as the doubles nearest to their decimals: what the simulator prints and
 * its engine parses back) and clamped to the bar's range. The replay's book follows each
 * trade ({@linkcode isBuyTrade}, {@linkcode replayBid}, {@linkcode replayAsk}), and
 * {@linkcode closeDirections} gives that book at every bar's close, for the bot model's
 * entry touch and exit fills. Pure.
 *
 * @module
 */

/** Trade prices per bar. */
export const PATH_POINTS = 24;

/** The indices of the open, the first extreme, the second extreme and the close. */
export const PATH_VERTICES: readonly number[] = [0, 6, 17, PATH_POINTS - 1];

let cachedTick = NaN, cachedUnits = 1, cachedScale = 1;

/** `tick = units / scale` with `scale` a power of ten and `units` an integer (cached). */
function tickScale(tick: number): void {
  if (tick === cachedTick) return;
  let scale = 1;
  while (
    scale < 1e12 &&
    Math.abs(tick * scale - Math.round(tick * scale)) > 1e-6
  ) scale *= 10;
  cachedTick = tick;
  cachedScale = scale;
  cachedUnits = Math.round(tick * scale);
}

/**
 * `x` rounded to the nearest multiple of `tick`, as the double nearest to that decimal
 * (108742.4, not the 108742.40000000001 of `1087424 * 0.1`): the number its decimal
 * string parses to, so prices compare with levels exactly as the simulator's engine
 * compares the printed prices.
 *
 * @param tick the price tick (> 0)
 */
export function roundToTick(x: number, tick: number): number {
  tickScale(tick);
  // an exact integer divided by a power of ten: correctly rounded
  return (Math.round(x / tick) * cachedUnits) / cachedScale;
}

/**
 * Whether a replayed trade at `price` is a buy (the taker bought): the price rose from the
 * previous trade's `last`, or stayed there after a buy (`lastBuy`). The simulator's OHLCV
 * replay and the bot model both decide the book with it.
 */
export function isBuyTrade(
  price: number,
  last: number,
  lastBuy: boolean,
): boolean {
  return price > last || (price === last && lastBuy);
}

/**
 * The replay's best bid after a trade at `price`: a buy took the ask, which stays at the
 * price with the bid one tick below; a sell hit the bid, which stays at the price.
 */
export function replayBid(price: number, buy: boolean, tick: number): number {
  return buy ? roundToTick(price - tick, tick) : price;
}

/** The replay's best ask after a trade at `price`: one tick above {@linkcode replayBid}. */
export function replayAsk(price: number, buy: boolean, tick: number): number {
  return buy ? price : roundToTick(price + tick, tick);
}

/**
 * Whether each bar's last replayed trade is a buy ({@linkcode isBuyTrade}), replaying the
 * bars' paths from the first bar on as the simulator does from a file's first bar (its
 * first trade compared with its own open, a buy before it). With the close, this gives
 * the replay's book after the bar: {@linkcode replayBid}, {@linkcode replayAsk}.
 *
 * @param tick the price tick (> 0)
 */
export function closeDirections(
  open: Float64Array,
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  tick: number,
): Uint8Array {
  const n = close.length, out = new Uint8Array(n);
  const path = new Float64Array(PATH_POINTS);
  let last = n > 0 ? open[0]! : 0, buy = true;
  for (let i = 0; i < n; i++) {
    intrabarPath(open[i]!, high[i]!, low[i]!, close[i]!, tick, path);
    for (let q = 0; q < PATH_POINTS; q++) {
      buy = isBuyTrade(path[q]!, last, buy);
      last = path[q]!;
    }
    out[i] = buy ? 1 : 0;
  }
  return out;
}

/**
 * Writes the bar's {@linkcode PATH_POINTS} trade prices into `out`, each on the tick as
 * {@linkcode roundToTick} gives it.
 *
 * @param tick the price tick (> 0)
 */
export function intrabarPath(
  open: number,
  high: number,
  low: number,
  close: number,
  tick: number,
  out: Float64Array,
): void {
  tickScale(tick);
  const units = cachedUnits, scale = cachedScale;
  const up = close >= open;
  const vp0 = open, vp1 = up ? low : high, vp2 = up ? high : low, vp3 = close;
  const v = PATH_VERTICES;
  let seg = 0;
  for (let i = 0; i < PATH_POINTS; i++) {
    while (seg < 2 && i > v[seg + 1]!) seg++;
    const x0 = v[seg]!, x1 = v[seg + 1]!;
    const p0 = seg === 0 ? vp0 : seg === 1 ? vp1 : vp2;
    const p1 = seg === 0 ? vp1 : seg === 1 ? vp2 : vp3;
    let p: number;
    if (i === x0) p = p0;
    else if (i === x1) p = p1;
    else {
      p = (Math.round((p0 + ((p1 - p0) * (i - x0)) / (x1 - x0)) / tick) *
        units) / scale;
      p = Math.min(high, Math.max(low, p));
    }
    out[i] = p;
  }
}

/**
 * The log replay's price path from one kline snapshot to the next (`lib/sim/log_source.ts`
 * prints trades along it; the per-second companion file records it): a new bar starts at
 * its open; then the new extremes the snapshot reveals (both: the one farther from the
 * close first), then the close; a snapshot that changes no price but traded (`traded`) is
 * one trade at the close. Pure.
 *
 * @param newBar whether the snapshot opens a new bar
 * @param lastHigh the bar's high at the previous snapshot (unused for a new bar)
 * @param lastLow the bar's low at the previous snapshot (unused for a new bar)
 * @param lastClose the price of the previous snapshot
 * @param out receives the prices (cleared first)
 */
export function snapshotPath(
  newBar: boolean,
  open: number,
  high: number,
  low: number,
  close: number,
  lastHigh: number,
  lastLow: number,
  lastClose: number,
  traded: boolean,
  out: number[],
): void {
  out.length = 0;
  if (newBar) out.push(open);
  const needHigh = high > (newBar ? open : lastHigh);
  const needLow = low < (newBar ? open : lastLow);
  if (needHigh && needLow) {
    if (high - close < close - low) out.push(low, high);
    else out.push(high, low);
  } else if (needHigh) out.push(high);
  else if (needLow) out.push(low);
  const prev = out.length > 0 ? out[out.length - 1]! : lastClose;
  if (prev !== close || (out.length === 0 && traded)) out.push(close);
}
