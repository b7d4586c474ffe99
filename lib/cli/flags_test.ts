import { deepEqual, equal, throws } from "node:assert/strict";
import { parseFlags } from "./flags.ts";
import { UsageError } from "./usage_error.ts";

const SPECS = {
  symbols: { type: "list", default: "BTCUSDT", help: "symbols" },
  poll_time: {
    type: "number",
    default: 600,
    min: 0,
    integer: true,
    help: "seconds",
  },
  delete_logs: { type: "boolean", default: false, help: "fresh" },
  windows: {
    type: "numbers",
    default: "10,30",
    integer: true,
    min: 1,
    help: "windows",
  },
  mode: { type: "string", choices: ["a", "b"], help: "mode" },
} as const;

Deno.test("parseFlags() converts and validates values", async (t) => {
  await t.step("defaults", () => {
    const f = parseFlags([], SPECS);
    deepEqual(f.symbols, ["BTCUSDT"]);
    equal(f.poll_time, 600);
    equal(f.delete_logs, false);
    deepEqual(f.windows, [10, 30]);
    equal(f.mode, undefined);
    equal(f.help, false);
  });
  await t.step("given values, boolean forms", () => {
    const f = parseFlags(
      [
        "--symbols",
        "A,B",
        "--poll_time=5",
        "--delete_logs",
        "--windows",
        "1,2,3",
        "--mode",
        "b",
      ],
      SPECS,
    );
    deepEqual(f.symbols, ["A", "B"]);
    equal(f.poll_time, 5);
    equal(f.delete_logs, true);
    deepEqual(f.windows, [1, 2, 3]);
    equal(f.mode, "b");
    equal(parseFlags(["--delete_logs", "false"], SPECS).delete_logs, false);
    equal(parseFlags(["--no-delete_logs"], SPECS).delete_logs, false);
    equal(parseFlags(["-h"], SPECS).help, true);
  });
  await t.step("bad input is a UsageError naming the flag", () => {
    throws(
      () => parseFlags(["--poll_time", "x"], SPECS),
      /--poll_time "x": not a number/,
    );
    throws(() => parseFlags(["--poll_time", "-1"], SPECS), /at least 0/);
    throws(() => parseFlags(["--windows", "10,0"], SPECS), /--windows "0"/);
    throws(() => parseFlags(["--symbols", "A,,B"], SPECS), /empty item/);
    throws(() => parseFlags(["--mode", "c"], SPECS), /one of a, b/);
    throws(() => parseFlags(["--nope", "1"], SPECS), UsageError);
    throws(() => parseFlags(["--delete_logs=maybe"], SPECS), /true or false/);
  });
});
