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
  const aa = a < 0 ? -a : a;
  const ab = b < 0 ? -b : b;
  // `x < Infinity` is false for NaN and for infinities: both give false in vectorbt.
  if (!(aa < Infinity && ab < Infinity)) return false;
  const d = a - b;
  const diff = d < 0 ? -d : d;
  const tol = REL_TOL * (aa > ab ? aa : ab);
  return diff <= (tol > ABS_TOL ? tol : ABS_TOL);
}

/**
 * `is_close(x, 0) ? 0 : x`, the snapping vectorbt applies to the account state before an
 * order. For finite x, `is_close(x, 0)` is `|x| <= ABS_TOL` (the relative term is smaller);
 * NaN and infinities fail both tests and pass through. Written without a call so it inlines.
 */
export function snapZero(x: number): number {
  return x <= ABS_TOL && x >= -ABS_TOL ? 0 : x;
}

/** vectorbt `is_close_or_less_nb`. */
export function isCloseOrLess(a: number, b: number): boolean {
  return isClose(a, b) || a < b;
}

/** vectorbt `is_less_nb`. */
export function isLess(a: number, b: number): boolean {
  return !isClose(a, b) && a < b;
}

/**
 * vectorbt `add_nb`: `a + b`, snapped to exactly 0 when the addition cancels.
 *
 * vectorbt tests `is_close(|a|, |b|)` when the signs differ and `is_close(a + b, 0)` otherwise.
 * This is the same test written without calls (it runs several times per order, so it must
 * inline): with opposite non-zero signs `|a + b|` is exactly `||a| - |b||`; `is_close(x, 0)` for
 * finite x is `|x| <= ABS_TOL`, and a zero operand makes both tests the same. Equivalence with
 * the literal definition is tested on edge and random inputs.
 */
export function add(a: number, b: number): number {
  const s = a + b;
  const d = s < 0 ? -s : s;
  // Within ABS_TOL both tests pass (NaN fails every comparison and is returned as is).
  if (d <= ABS_TOL) return 0;
  if (a > 0 ? b < 0 : a < 0 && b > 0) {
    // Opposite signs: |a + b| <= REL_TOL * max(|a|, |b|), never with an infinite operand.
    const m = a > 0 ? (a > -b ? a : -b) : (b > -a ? b : -a);
    if (d <= REL_TOL * m && d < Infinity) return 0;
  }
  return s;
}
