import { equal } from "node:assert/strict";
import { add, isClose, isCloseOrLess, isLess, snapZero } from "./vbt_math.ts";

Deno.test("isClose() and add() follow vectorbt's tolerances", async (t) => {
  await t.step("isClose", () => {
    equal(isClose(1, 1 + 1e-10), true);
    equal(isClose(1, 1 + 1e-8), false);
    equal(isClose(0, 1e-13), true);
    equal(isClose(NaN, NaN), false);
    equal(isClose(Infinity, Infinity), false);
  });
  await t.step("isCloseOrLess, isLess", () => {
    equal(isCloseOrLess(1 + 1e-10, 1), true);
    equal(isLess(1 - 1e-10, 1), false);
    equal(isLess(0.5, 1), true);
  });
  await t.step("add snaps cancellation to exactly 0", () => {
    equal(add(100, -100.00000000001), 0);
    equal(add(0.1 + 0.2, -0.3), 0);
    equal(add(1e-13, 1e-13), 0);
    equal(add(1, 2), 3);
    equal(add(5, -0), 5);
  });
});

/** vectorbt's definitions transcribed literally (utils/math_.py), the oracle of the fast ones. */
function isCloseLiteral(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  if (a === b) return true;
  return Math.abs(a - b) <=
    Math.max(1e-9 * Math.max(Math.abs(a), Math.abs(b)), 1e-12);
}
function addLiteral(a: number, b: number): number {
  if (Math.sign(a) !== Math.sign(b)) {
    if (isCloseLiteral(Math.abs(a), Math.abs(b))) return 0;
  } else if (isCloseLiteral(a + b, 0)) {
    return 0;
  }
  return a + b;
}

Deno.test("isClose() and add() equal vectorbt's literal definitions bit for bit", () => {
  const edge = [
    0,
    -0,
    NaN,
    Infinity,
    -Infinity,
    1e-12,
    -1e-12,
    1.0000000000000002e-12,
    5e-13,
    1e-300,
    5e-324,
    -5e-324,
    1,
    -1,
    1 + 1e-9,
    1 - 1e-9,
    100,
    -100.00000000001,
    0.3,
    -(0.1 + 0.2),
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
  ];
  let seed = 12345;
  const rnd = () =>
    (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const values = [...edge];
  for (let i = 0; i < 3000; i++) {
    const base = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 15);
    values.push(base, -base * (1 + (rnd() - 0.5) * 1e-8), base * (1 + 1e-10));
  }
  const same = (x: number, y: number) => Object.is(x, y);
  for (let i = 0; i < values.length; i++) {
    const a = values[i]!;
    // every edge value against every value, and random neighbours against each other
    const partners = i < edge.length ? values : values.slice(i, i + 4);
    for (const b of partners) {
      for (const [x, y] of [[a, b], [b, a]]) {
        equal(isClose(x!, y!), isCloseLiteral(x!, y!), `isClose(${x}, ${y})`);
        const snapped = isCloseLiteral(x!, 0) ? 0 : x!;
        equal(same(snapZero(x!), snapped), true, `snapZero(${x})`);
        equal(
          same(add(x!, y!), addLiteral(x!, y!)),
          true,
          `add(${x}, ${y}) = ${add(x!, y!)}, vectorbt ${addLiteral(x!, y!)}`,
        );
      }
    }
  }
});
