/**
 * vectorbt's float snapping helpers (`utils/math_.py`), reproduced bit for bit. The simulator
 * and the metrics call them at exactly the places vectorbt does, so that an all-cash buy leaves
 * exactly 0 cash and a full close leaves an exactly-0 position.
 *
 * @module
 */

/** Relative tolerance of {@linkcode isClose}. */
export const REL_TOL = 1e-9;
/** Absolute tolerance of {@linkcode isClose}. */
export const ABS_TOL = 1e-12;

/** vectorbt `is_close_nb`: false for NaN or infinite input, true when equal or within tolerance. */
export function isClose(a: number, b: number): boolean {
  if (a !== a || b !== b) return false;
  if (a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) {
    return false;
  }
  if (a === b) return true;
  const aa = a < 0 ? -a : a;
  const ab = b < 0 ? -b : b;
  const d = a - b;
  const diff = d < 0 ? -d : d;
  const tol = REL_TOL * (aa > ab ? aa : ab);
  return diff <= (tol > ABS_TOL ? tol : ABS_TOL);
}

/** vectorbt `is_close_or_less_nb`. */
export function isCloseOrLess(a: number, b: number): boolean {
  return isClose(a, b) || a < b;
}

/** vectorbt `is_less_nb`. */
export function isLess(a: number, b: number): boolean {
  return !isClose(a, b) && a < b;
}

/** vectorbt `add_nb`: `a + b`, snapped to exactly 0 when the addition cancels. */
export function add(a: number, b: number): number {
  if (Math.sign(a) !== Math.sign(b)) {
    if (isClose(a < 0 ? -a : a, b < 0 ? -b : b)) return 0;
  } else if (isClose(a + b, 0)) {
    return 0;
  }
  return a + b;
}
