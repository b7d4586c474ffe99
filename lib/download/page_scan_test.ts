import { deepEqual, equal, ok } from "node:assert/strict";
import { klineLines, type PageLines } from "./page_lines.ts";
import { klineLinesFast } from "./page_scan.ts";
import { Rng } from "../sim/random.ts";

const M = 60_000;
const KINDS = ["klines", "mark", "index"] as const;

function slow(
  kind: typeof KINDS[number],
  text: string,
  after: number,
  before: number,
): PageLines | "error" {
  try {
    return klineLines(kind, JSON.parse(text), after, before);
  } catch {
    return "error";
  }
}

/** A page of rows from `t0` like the exchange's, as compact JSON. */
function page(rng: Rng, t0: number, n: number): unknown[][] {
  const rows: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    const t = t0 + i * M;
    const p = (100 + rng.next() * 10).toFixed(1 + Math.floor(rng.next() * 4));
    rows.push([
      t,
      p,
      p,
      p,
      p,
      "12.345",
      t + M - 1,
      "1250.1",
      42,
      "6.1",
      "620.3",
      "0",
    ]);
  }
  return rows;
}

/** Ways a page can differ from the compact form or hold a row klineLines refuses. */
const MUTATIONS: ((rows: unknown[][], rng: Rng) => string)[] = [
  (r) => JSON.stringify(r),
  (r) => JSON.stringify(r, null, 1), // whitespace
  (r) => JSON.stringify(r) + " ",
  (r) => JSON.stringify(r) + "x",
  (r) => JSON.stringify(r).slice(0, -1),
  (r, g) => (r[Math.floor(g.next() * r.length)]![4] = "1,5", JSON.stringify(r)),
  (
    r,
    g,
  ) => (r[Math.floor(g.next() * r.length)]![4] = "1\n5", JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![2] = "", JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![1] = 101.5, JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![5] = "1e5", JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![8] = -3, JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![8] = 4.5, JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![8] = "42", JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![6] = null, JSON.stringify(r)),
  (
    r,
    g,
  ) => (r[Math.floor(g.next() * r.length)]![11] = 'a"b\\', JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![11] = "é", JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]!.push([1]), JSON.stringify(r)),
  (
    r,
    g,
  ) => (r[Math.floor(g.next() * r.length)]!.push("x", 7), JSON.stringify(r)),
  (
    r,
    g,
  ) => (r[Math.floor(g.next() * r.length)]!.length = 10, JSON.stringify(r)),
  (
    r,
    g,
  ) => (r[Math.floor(g.next() * r.length)]![0] = 30_000, JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![0] = -M, JSON.stringify(r)),
  (r, g) => (r[Math.floor(g.next() * r.length)]![0] = "0", JSON.stringify(r)),
  (r) => (r.length > 1 && r.reverse(), JSON.stringify(r)),
  (r) => (r.length > 0 && r.push(r[0]!), JSON.stringify(r)),
  (r) => JSON.stringify(r).replace(/\[(\d)/, "[0$1"), // leading zero
  (r) => JSON.stringify(r).replace(/,(\d+),"/, ',$1e0,"'), // exponent
  (r) => JSON.stringify(r).replace(/"0"\]/, '"\\u0030"]'), // escape
  () => "[]",
  () => "{}",
  () => '{"code":-1121,"msg":"Invalid symbol."}',
  () => "",
  () => "[[]]",
];

Deno.test("klineLinesFast writes klineLines' bytes, or leaves the page to it", () => {
  const rng = new Rng(15, 2);
  const enc = new TextEncoder();
  let fast = 0;
  for (let k = 0; k < 3000; k++) {
    const kind = KINDS[k % 3]!;
    const n = 1 + Math.floor(rng.next() * 6);
    const t0 = Math.floor(rng.next() * 10) * M;
    const mutation = MUTATIONS[k % MUTATIONS.length]!;
    const text = mutation(page(rng, t0, n), rng);
    const after = t0 - M + Math.floor(rng.next() * 3) * M - 1;
    const before = rng.next() < 0.3
      ? Infinity
      : t0 + Math.floor(rng.next() * 6) * M;
    const want = slow(kind, text, after, before);
    const got = klineLinesFast(kind, text, after, before);
    if (got === undefined) continue;
    fast++;
    ok(
      want !== "error",
      `fast path accepted a page klineLines refuses: ${text}`,
    );
    deepEqual(
      { bytes: got.bytes, rows: got.rows, last: got.lastTime },
      { bytes: enc.encode(want.text), rows: want.rows, last: want.lastTime },
      `${kind} ${after} ${before} ${text}`,
    );
  }
  ok(fast > 500, `the fast path answered only ${fast} pages`);
});

Deno.test("klineLinesFast takes every well-formed exchange page", () => {
  const rng = new Rng(3, 4);
  const rows = page(rng, 1_735_689_600_000, 1500);
  const text = JSON.stringify(rows);
  for (const kind of KINDS) {
    const got = klineLinesFast(kind, text, 0, Infinity);
    ok(got, kind);
    equal(got.rows, 1500);
    equal(
      new TextDecoder().decode(got.bytes),
      klineLines(kind, rows, 0, Infinity).text,
    );
  }
});
