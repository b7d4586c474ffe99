import { equal, match } from "node:assert/strict";
import { runMain, userFacingError } from "./main.ts";
import { UsageError } from "./usage_error.ts";
import { versionLine } from "./version.ts";

async function run(
  fn: () => Promise<number | void>,
): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  let code = -1;
  await runMain(fn, (c) => {
    code = c;
    return undefined as never;
  }, (t) => stderr += t);
  return { code, stderr };
}

Deno.test("runMain() prints the user's errors in one line with exit code 2", async (t) => {
  await t.step("a usage error", async () => {
    const r = await run(() => {
      throw new UsageError('Invalid --x "y":\nnot a number');
    });
    equal(r.code, 2);
    equal(r.stderr, 'error: Invalid --x "y": not a number\n');
  });
  await t.step("a missing file, a directory, a port in use", async () => {
    for (
      const make of [
        () => Deno.readTextFile("/nonexistent/x.csv"),
        () => Deno.readTextFile("/"),
        () => {
          using a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
          using _b = Deno.listen({
            hostname: "127.0.0.1",
            port: (a.addr as Deno.NetAddr).port,
          });
        },
      ]
    ) {
      const r = await run(async () => {
        await make();
      });
      equal(r.code, 2, r.stderr);
      equal(r.stderr.split("\n").length, 2, r.stderr);
      match(r.stderr, /^error: (NotFound|IsADirectory|AddrInUse): /);
      equal(r.stderr.includes("    at "), false);
    }
  });
  await t.step("an unreachable exchange (by the client's error names)", () => {
    const e = new Error("Cannot complete GET /x at http://h: refused");
    e.name = "NetworkError";
    equal(userFacingError(e)?.code, 2);
  });
  await t.step("a bug keeps its stack trace and exit code 1", async () => {
    const r = await run(() => {
      throw new TypeError("x is undefined");
    });
    equal(r.code, 1);
    match(r.stderr, /^fatal: TypeError: x is undefined\n {4}at /);
  });
  await t.step("a returned code is the exit code", async () => {
    equal((await run(() => Promise.resolve(3))).code, 3);
    equal((await run(() => Promise.resolve())).code, 0);
  });
});

Deno.test("runMain() answers exactly --version with the version line, without running main", async () => {
  let code = -1, ran = false;
  await runMain(
    () => {
      ran = true;
      return Promise.resolve(5);
    },
    (c) => {
      code = c;
      return undefined as never;
    },
    () => {},
    ["--version"],
  );
  equal(code, 0);
  equal(ran, false);
  match(
    versionLine("file:///repo/backtest/backtest.ts"),
    /^backtest\/backtest\.ts: aster-toolkit \d+\.\d+\.\d+ \(source, deno \d/,
  );
});
