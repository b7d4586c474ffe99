import assert from "node:assert/strict";
import { checkBudgets, DEFAULT_BUDGETS, staleInputs } from "./staleness.ts";

Deno.test("staleInputs() lists each input older than its budget", async (t) => {
  const b = { barMs: 10, bookMs: 20, markMs: 30 };
  await t.step("fresh at the budget, stale just above it", () => {
    assert.deepEqual(staleInputs({ barMs: 10, bookMs: 20, markMs: 30 }, b), []);
    assert.deepEqual(staleInputs({ barMs: 11, bookMs: 20, markMs: 30 }, b), [
      "bar",
    ]);
    assert.deepEqual(staleInputs({ barMs: 0, bookMs: 21, markMs: 30 }, b), [
      "book",
    ]);
    assert.deepEqual(staleInputs({ barMs: 0, bookMs: 0, markMs: 31 }, b), [
      "mark",
    ]);
  });
  await t.step(
    "never received (Infinity) and NaN are stale; skew (< 0) is fresh",
    () => {
      assert.deepEqual(
        staleInputs({ barMs: NaN, bookMs: Infinity, markMs: -5 }, b),
        ["bar", "book"],
      );
    },
  );
  await t.step("budgets must be positive", () => {
    assert.equal(checkBudgets(DEFAULT_BUDGETS), DEFAULT_BUDGETS);
    assert.throws(() => checkBudgets({ ...b, bookMs: 0 }), RangeError);
    assert.throws(() => checkBudgets({ ...b, markMs: NaN }), RangeError);
  });
});
