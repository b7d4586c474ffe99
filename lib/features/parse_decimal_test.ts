import { equal } from "node:assert/strict";
import { parseDecimal } from "./parse_decimal.ts";

function parse(text: string): number {
  const bytes = new TextEncoder().encode(`x${text}y`);
  return parseDecimal(bytes, 1, bytes.length - 1);
}

Deno.test("parseDecimal() equals Number() on decimal text", async (t) => {
  await t.step("plain decimals, signs, dots", () => {
    for (
      const s of [
        "0",
        "107187.4",
        "107165.0",
        "0.00010000",
        "-0.00003",
        "+12.5",
        ".5",
        "5.",
        "1748169180000",
        "94130.75027536",
        "1796.88",
        "123456789012345",
        "0.1",
        "0.7",
        "3.3000000000000003",
      ]
    ) equal(parse(s), Number(s), s);
  });
  await t.step("long and exponent forms take the exact slow path", () => {
    for (
      const s of [
        "1234567890123456789",
        "1e-5",
        "2.5E+3",
        "0.12345678901234567",
      ]
    ) equal(parse(s), Number(s), s);
  });
  await t.step("random decimals read back exactly", () => {
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const s = (seed / 1000).toFixed(seed % 9);
      equal(parse(s), Number(s), s);
    }
  });
  await t.step("empty and non-numeric fields are NaN", () => {
    for (const s of ["", "-", ".", "abc", "1.2.3", "1,2", " 1", "1e", "NaN"]) {
      equal(Number.isNaN(parse(s)), true, s);
    }
  });
});
