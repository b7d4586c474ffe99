/**
 * The OHLCV intrabar path convention, one function for the simulator's OHLCV replay (the
 * trades it prints) and the bot-model backtest (`--intrabar ohlc`, the prices its exits
 * see): each 1m bar becomes {@linkcode PATH_POINTS} trade prices going open → low → high →
 * close in an up bar (close >= open) and open → high → low → close in a down bar, the
 * extremes at fixed points ({@linkcode PATH_VERTICES}), straight lines between them rounded
 * to the tick and clamped to the bar's range. Pure.
 *
 * @module
 */

/** Trade prices per bar. */
export const PATH_POINTS = 24;

/** The indices of the open, the first extreme, the second extreme and the close. */
export const PATH_VERTICES: readonly number[] = [0, 6, 17, PATH_POINTS - 1];

/**
 * Writes the bar's {@linkcode PATH_POINTS} trade prices into `out`.
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
      p = Math.round((p0 + ((p1 - p0) * (i - x0)) / (x1 - x0)) / tick) * tick;
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
