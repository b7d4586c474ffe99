import { deepEqual, equal, match, throws } from "node:assert/strict";
import { formatHelp, parseFlags } from "./flags.ts";
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

Deno.test("parseFlags() reads numbers in decimal only and never takes a flag as a value", async (t) => {
  await t.step("hex, binary, octal and Infinity are not numbers", () => {
    for (const text of ["0x10", "0b1", "0o7", "Infinity", "1_000", "5s"]) {
      throws(
        () => parseFlags(["--poll_time", text], SPECS),
        (e: Error) =>
          e instanceof UsageError &&
          e.message === `Invalid --poll_time "${text}": not a number`,
        text,
      );
    }
    equal(parseFlags(["--poll_time", "1e3"], SPECS).poll_time, 1000);
    equal(parseFlags(["--poll_time", " 12 "], SPECS).poll_time, 12);
  });
  await t.step("a flag after a flag missing its value is not its value", () => {
    throws(
      () => parseFlags(["--symbols", "--poll_time", "5"], SPECS),
      (e: Error) => e instanceof UsageError && /--symbols/.test(e.message),
    );
  });
  await t.step("a negative number is still a value", () => {
    throws(
      () => parseFlags(["--poll_time", "-1"], SPECS),
      /must be at least 0/,
    );
  });
});

Deno.test("parseFlags() accepts a flag's alias; formatHelp() lists choices, aliases and the common flags", async (t) => {
  const specs = {
    symbols: {
      type: "list",
      default: "BTCUSDT",
      alias: "symbol",
      help: "symbols",
    },
    out_dir: { type: "string", default: "out", alias: "out", help: "dir" },
    mode: { type: "string", choices: ["a", "b"], help: "mode" },
    config: { type: "string", help: "config file" },
  } as const;
  await t.step("alias forms", () => {
    deepEqual(parseFlags(["--symbol", "ETHUSDT"], specs).symbols, ["ETHUSDT"]);
    equal(parseFlags(["--out=x"], specs).out_dir, "x");
    equal(parseFlags(["--out_dir", "y"], specs).out_dir, "y");
  });
  await t.step("help", () => {
    const help = formatHelp("Usage: x", specs);
    match(help, /--symbols +symbols \(alias --symbol; default: BTCUSDT\)/);
    match(help, /--mode +mode \(one of: a, b\)/);
    match(help, /--version +print the version/);
    match(help, /precedence: flag > environment > config file > default/);
  });
});
