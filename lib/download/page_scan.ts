/**
 * The fast path of {@linkcode klineLines}: a kline page's JSON text scanned once, char by
 * char, straight into the bytes of its CSV lines — no `JSON.parse`, no per-row arrays or
 * strings, no encoding pass.
 *
 * Invariant: it only answers for pages in the exchange's compact form (no whitespace, no
 * escapes, integers without sign, fraction or exponent where times and counts go) whose
 * every row `klineLines` would accept; then its bytes are exactly the UTF-8 of
 * `klineLines(kind, JSON.parse(text), after, before).text`. For anything else it returns
 * undefined and the caller takes the slow path, which gives the same lines or the same
 * error — so this function never changes what is written or refused (tested against
 * `klineLines` on random and malformed pages).
 *
 * @module
 */
import type { SeriesKind } from "./layout.ts";

/** A page turned into the bytes of its lines. */
export interface PageBytes {
  /** The lines, each ending in `\n` (empty when none). */
  bytes: Uint8Array;
  /** The number of lines. */
  rows: number;
  /** The time of the last line (NaN when none). */
  lastTime: number;
}

const QUOTE = 34, COMMA = 44, LBRACKET = 91, RBRACKET = 93, MINUS = 45;
const ZERO = 48, NINE = 57;

/**
 * The lines of a kline page given as JSON text, as `klineLines` would write them, or
 * undefined when the page is not in the compact form this scanner accepts or has a row
 * `klineLines` would refuse; see the module doc.
 */
export function klineLinesFast(
  kind: Exclude<SeriesKind, "funding">,
  text: string,
  after: number,
  before: number,
): PageBytes | undefined {
  const n = text.length;
  const out = new Uint8Array(n);
  let o = 0;
  let p = 0;
  const full = kind === "klines";
  // The position and end of each field of the current row (fields 0..10).
  const at = new Int32Array(11);
  const end = new Int32Array(11);
  const isStr = new Uint8Array(11);
  if (text.charCodeAt(p++) !== LBRACKET) return undefined;
  let rows = 0;
  let last = after;
  let stopped = false;
  let first = true;
  for (;;) {
    let c = text.charCodeAt(p);
    if (c === RBRACKET && first) {
      p++;
      break;
    }
    if (!first) {
      if (c === RBRACKET) {
        p++;
        break;
      }
      if (c !== COMMA) return undefined;
      p++;
    }
    first = false;
    if (text.charCodeAt(p++) !== LBRACKET) return undefined;
    // One row: scalars (plain strings or unsigned/negative integers) separated by commas.
    let f = 0;
    for (;;) {
      c = text.charCodeAt(p);
      if (c === QUOTE) {
        const s = ++p;
        for (;;) {
          const d = text.charCodeAt(p);
          if (d === QUOTE) break;
          if (!(d >= 0x20 && d < 0x7f) || d === 92) return undefined; // escape, control, end
          p++;
        }
        if (f < 11) {
          at[f] = s;
          end[f] = p;
          isStr[f] = 1;
        }
        p++;
      } else {
        const s = p;
        if (c === MINUS) p++;
        const digits = p;
        for (;;) {
          const d = text.charCodeAt(p);
          if (d >= ZERO && d <= NINE) p++;
          else break;
        }
        const len = p - digits;
        if (len === 0 || len > 15) return undefined;
        if (len > 1 && text.charCodeAt(digits) === ZERO) return undefined;
        if (f < 11) {
          at[f] = s;
          end[f] = p;
          isStr[f] = 0;
        }
      }
      f++;
      c = text.charCodeAt(p++);
      if (c === RBRACKET) break;
      if (c !== COMMA) return undefined;
    }
    if (f < 11) return undefined;
    if (stopped) continue; // rows after `before`: only checked for form
    // open_time: an unsigned integer on the minute grid
    if (isStr[0] || text.charCodeAt(at[0]!) === MINUS) return undefined;
    const t = Number(text.slice(at[0]!, end[0]!));
    if (t % 60_000 !== 0) return undefined;
    if (t <= last) {
      if (t <= after) continue;
      return undefined; // out of order: the slow path names the row
    }
    if (t >= before) {
      stopped = true;
      continue;
    }
    for (let j = 1; j <= 4; j++) {
      if (!isStr[j] || !plainDecimal(text, at[j]!, end[j]!)) return undefined;
    }
    if (full) {
      for (const j of [5, 7, 9, 10]) {
        if (!isStr[j] || !plainDecimal(text, at[j]!, end[j]!)) {
          return undefined;
        }
      }
      if (isStr[8] || text.charCodeAt(at[8]!) === MINUS) return undefined;
    }
    o = copy(text, at[0]!, end[0]!, out, o);
    for (let j = 1; j <= 4; j++) {
      out[o++] = COMMA;
      o = copy(text, at[j]!, end[j]!, out, o);
    }
    if (full) {
      for (const j of [5, 7, 8, 9, 10]) {
        out[o++] = COMMA;
        o = copy(text, at[j]!, end[j]!, out, o);
      }
    }
    out[o++] = 10;
    last = t;
    rows++;
  }
  if (p !== n) return undefined; // trailing text (the slow path decides)
  return { bytes: out.subarray(0, o), rows, lastTime: rows > 0 ? last : NaN };
}

/** `isNumberText` (`page_lines.ts`) of `text.slice(from, to)` without making the slice. */
function plainDecimal(text: string, from: number, to: number): boolean {
  const n = to - from;
  if (n === 0 || n > 40) return false;
  let i = from;
  if (text.charCodeAt(i) === MINUS) i++;
  const start = i;
  let dot = -1;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) continue;
    if (c === 46 && dot < 0 && i > start) {
      dot = i;
      continue;
    }
    return false;
  }
  return to > start && dot !== to - 1;
}

function copy(
  text: string,
  from: number,
  to: number,
  out: Uint8Array,
  o: number,
): number {
  for (let i = from; i < to; i++) out[o++] = text.charCodeAt(i);
  return o;
}
