import { deepEqual, rejects } from "node:assert/strict";
import { probeWritable } from "./probe_writable.ts";

Deno.test("probeWritable() creates the directory and leaves nothing behind", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "doctor_probe" });
  try {
    await t.step("creates a missing directory, leaves it empty", async () => {
      await probeWritable(`${dir}/logs/a`);
      deepEqual([...Deno.readDirSync(`${dir}/logs/a`)], []);
    });
    await t.step("fails naming the directory when it is a file", async () => {
      await Deno.writeTextFile(`${dir}/file`, "");
      await rejects(probeWritable(`${dir}/file`), /Cannot write to .*file/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
