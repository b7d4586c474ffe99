import { equal } from "node:assert/strict";
import { AsciiWriter } from "./ascii_writer.ts";
import { fixed } from "./format.ts";
import { Rng } from "./random.ts";

const text = (w: AsciiWriter) => new TextDecoder().decode(w.bytes());

Deno.test("AsciiWriter.fixed writes exactly fixed() on random values, ties and edge cases", () => {
  const rng = new Rng(7, 1);
  const values: number[] = [
    0,
    -0,
    0.5,
    1.5,
    2.5,
    1.005,
    1.0005,
    0.125,
    0.375,
    2.675,
    1e-9,
    5e-9,
    0.000000005,
    123456789.123456789,
    2147483647.5,
    2147483648.49,
    4294967296.75,
    8.9e15,
    9e15,
    1e21,
    1e22,
    -1.5,
    -0.0000001,
    -123.456,
    NaN,
    Infinity,
    -Infinity,
    Number.MAX_SAFE_INTEGER,
    1e-7 / 3,
  ];
  for (let i = 0; i < 20_000; i++) {
    const tick = 10 ** -Math.floor(rng.next() * 5);
    const price = Math.round(rng.next() * 1e5 / tick) * tick;
    values.push(price, price * (1 + 0.0003 * rng.normal()), rng.next() * 1e6);
    // exact ties at each number of decimals
    const d = Math.floor(rng.next() * 9);
    values.push((Math.floor(rng.next() * 1e6) + 0.5) / 10 ** d);
  }
  const w = new AsciiWriter(16);
  for (const v of values) {
    for (let d = 0; d <= 15; d++) {
      w.reset();
      w.fixed(v, d);
      equal(text(w), fixed(v, d), `${v} at ${d} decimals`);
    }
  }
  w.reset();
  w.fixed(1.5, 20); // beyond the fast path's table
  equal(text(w), fixed(1.5, 20));
});

Deno.test("AsciiWriter.int and text write String(n) and the text, growing as needed", () => {
  const w = new AsciiWriter(16);
  const ints = [
    0,
    7,
    10,
    2147483647,
    2147483648,
    1735689600000,
    1e15 + 3,
    Number.MAX_SAFE_INTEGER,
    -5,
    1.5,
    1e21,
    NaN,
  ];
  let want = "";
  for (const n of ints) {
    w.int(n);
    w.text(",");
    want += `${n},`;
  }
  equal(text(w), want);
});
