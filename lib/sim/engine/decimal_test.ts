import { equal } from "node:assert/strict";
import {
  formatFloat,
  formatScaled,
  fractionDigits,
  parseRounded,
  parseScaled,
} from "./decimal.ts";

Deno.test("parseScaled() converts decimal strings exactly", async (t) => {
  await t.step("scales integers and fractions", () => {
    equal(parseScaled("100.5", 2), 10050);
    equal(parseScaled("0.001", 3), 1);
    equal(parseScaled("7", 0), 7);
    equal(parseScaled("-1.25", 2), -125);
  });
  await t.step("accepts trailing zeros beyond the scale", () => {
    equal(parseScaled("1.2000", 1), 12);
  });
  await t.step("rejects excess precision and malformed text", () => {
    equal(parseScaled("1.25", 1), NaN);
    equal(parseScaled("1e3", 0), NaN);
    equal(parseScaled("", 0), NaN);
    equal(parseScaled(".", 0), NaN);
    equal(parseScaled("99999999999999999", 2), NaN);
  });
});

Deno.test("fractionDigits() counts significant fractional digits", async (t) => {
  await t.step("ignores trailing zeros", () => {
    equal(fractionDigits("100.100"), 1);
    equal(fractionDigits("100"), 0);
    equal(fractionDigits("0.00012"), 5);
  });
  await t.step("returns -1 for malformed input", () => {
    equal(fractionDigits("1.2.3"), -1);
    equal(fractionDigits("abc"), -1);
    equal(fractionDigits("-"), -1);
  });
});

Deno.test("formatScaled() renders fixed decimals without float drift", async (t) => {
  await t.step("pads small values", () => {
    equal(formatScaled(5, 3), "0.005");
    equal(formatScaled(10050, 2), "100.50");
    equal(formatScaled(0, 8), "0.00000000");
  });
  await t.step("keeps the sign", () => {
    equal(formatScaled(-60000000, 8), "-0.60000000");
  });
  await t.step("round-trips what parseScaled reads", () => {
    for (const text of ["0.1", "0.2", "0.3", "1234567.89", "0.07"]) {
      const d = fractionDigits(text);
      equal(formatScaled(parseScaled(text, d), d), text);
    }
  });
});

Deno.test("parseRounded() rounds market prices finer than the tick", async (t) => {
  await t.step("rounds half away from zero", () => {
    equal(parseRounded("100.05", 1), 1001);
    equal(parseRounded("100.04", 1), 1000);
  });
  await t.step("is exact when the text fits", () => {
    equal(parseRounded("100.1", 1), 1001);
  });
});

Deno.test("formatFloat() never prints negative zero", () => {
  equal(formatFloat(-0.000000001, 8), "0.00000000");
  equal(formatFloat(91.00000000000001, 8), "91.00000000");
});
