import assert from "node:assert/strict";
import { CsvLogWriter } from "./csv_log_writer.ts";

Deno.test("CsvLogWriter counts no dropped row while writes succeed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { writer } = await CsvLogWriter.open(`${dir}/a.csv`, "a\n");
    writer.append("1\n");
    writer.append("2\n");
    await writer.flush();
    await writer.close();
    assert.equal(writer.rows, 2);
    assert.equal(writer.droppedRows, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CsvLogWriter counts the rows lost to a failed write, and every row after it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // a 2 KiB file-size limit makes the 4.6 KB batch fail (EFBIG; SIGXFSZ ignored)
    const out = await new Deno.Command("bash", {
      args: [
        "-c",
        `trap '' XFSZ; ulimit -f 2; exec "$0" run --frozen --allow-read --allow-write "$1" "$2"`,
        Deno.execPath(),
        new URL("./_drop_probe.ts", import.meta.url).pathname,
        `${dir}/log.csv`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, err);
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(r.rows, 101);
    assert.equal(r.dropped, 101, "the failed batch and the row after it");
    assert.notEqual(r.error, "", "the failed flush rejected");
    // what reached the file before the limit is the header and a cut batch, no more
    const size = (await Deno.stat(`${dir}/log.csv`)).size;
    assert.ok(size <= 2048, `${size}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
