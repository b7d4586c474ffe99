import { rejects } from "node:assert/strict";
import { join } from "node:path";
import {
  checkInputDir,
  checkInputFile,
  checkOutputDir,
  checkOutputFile,
} from "./paths.ts";
import { UsageError } from "./usage_error.ts";

Deno.test("path checks name the flag and the path, and create nothing", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "cli_paths_" });
  const file = join(dir, "f.csv");
  await Deno.writeTextFile(file, "x\n");
  const fails = (p: Promise<void>, re: RegExp) =>
    rejects(p, (e: Error) => e instanceof UsageError && re.test(e.message));
  try {
    await t.step("inputs", async () => {
      await checkInputFile("in", file);
      await checkInputDir("in", dir);
      await fails(checkInputFile("in", dir), /--in .*: is a directory/);
      await fails(checkInputDir("in", file), /--in .*f\.csv: is a file/);
      await fails(checkInputFile("in", `${dir}/no`), /file not found/);
      await fails(checkInputDir("in", `${dir}/no`), /directory not found/);
      await fails(checkInputFile("in", " "), /--in: empty path/);
    });
    await t.step("outputs", async () => {
      await checkOutputFile("out", join(dir, "new", "deeper", "o.csv"));
      await checkOutputDir("out_dir", join(dir, "new_dir"));
      await fails(
        checkOutputFile("out", dir),
        /is a directory \(name a file\)/,
      );
      await fails(
        checkOutputDir("out_dir", file),
        /is a file, not a directory/,
      );
      await fails(
        checkOutputFile("out", join(file, "o.csv")),
        /f\.csv is a file, not a directory/,
      );
    });
    await t.step("nothing was created", async () => {
      const names = [];
      for await (const e of Deno.readDir(dir)) names.push(e.name);
      if (names.join() !== "f.csv") throw new Error(names.join());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
