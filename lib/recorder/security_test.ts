/**
 * Security (issue 18, item 10): logs and journals never follow a symlink planted at their
 * path and are created private (0600).
 */
import { equal, rejects } from "node:assert/strict";
import { CsvLogWriter, LogFileError } from "./csv_log_writer.ts";

Deno.test("security: files are private and never written through a planted symlink", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "file_security" });
  const victim = `${dir}/victim.txt`;
  await Deno.writeTextFile(victim, "precious\n");
  try {
    await t.step("a log path that is a symlink is refused", async () => {
      await Deno.symlink(victim, `${dir}/kline.csv`);
      await rejects(
        CsvLogWriter.open(`${dir}/kline.csv`, "a,b\n"),
        (e: Error) =>
          e instanceof LogFileError && /symbolic link/.test(e.message),
      );
      equal(await Deno.readTextFile(victim), "precious\n");
    });
    await t.step("a new log is created 0600", async () => {
      const { writer } = await CsvLogWriter.open(
        `${dir}/decisions.csv`,
        "a,b\n",
      );
      await writer.close();
      equal((await Deno.stat(`${dir}/decisions.csv`)).mode! & 0o777, 0o600);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
