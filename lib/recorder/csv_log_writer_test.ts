import { equal, rejects } from "node:assert/strict";
import { CsvLogWriter, LogFileError } from "./csv_log_writer.ts";

const HEADER = "ts,a,b\n";

Deno.test("CsvLogWriter writes a header once and appends whole lines", async (t) => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.csv`;
  try {
    await t.step("new file gets the header", async () => {
      const { writer } = await CsvLogWriter.open(path, HEADER);
      writer.append("1,x,y\n");
      writer.append("2,x,y\n");
      equal(writer.rows, 2);
      await writer.close();
      equal(await Deno.readTextFile(path), HEADER + "1,x,y\n2,x,y\n");
    });
    await t.step("reopening appends without a second header", async () => {
      const { writer, repairedBytes } = await CsvLogWriter.open(path, HEADER);
      equal(repairedBytes, 0);
      writer.append("3,x,y\n");
      await writer.close();
      equal(await Deno.readTextFile(path), HEADER + "1,x,y\n2,x,y\n3,x,y\n");
    });
    await t.step("a partial last line is cut off on open", async () => {
      await Deno.writeTextFile(path, "4,x", { append: true });
      const { writer, repairedBytes } = await CsvLogWriter.open(path, HEADER);
      equal(repairedBytes, 3);
      writer.append("5,x,y\n");
      await writer.close();
      equal(
        await Deno.readTextFile(path),
        HEADER + "1,x,y\n2,x,y\n3,x,y\n5,x,y\n",
      );
    });
    await t.step("a partial header is rewritten", async () => {
      const p2 = `${dir}/y.csv`;
      await Deno.writeTextFile(p2, "ts,a");
      const { writer } = await CsvLogWriter.open(p2, HEADER);
      writer.append("1,x,y\n");
      await writer.close();
      equal(await Deno.readTextFile(p2), HEADER + "1,x,y\n");
    });
    await t.step("another header is refused", async () => {
      const p3 = `${dir}/z.csv`;
      await Deno.writeTextFile(p3, "time,a,b\n1,2,3\n");
      await rejects(CsvLogWriter.open(p3, HEADER), /header "time,a,b" differs/);
    });
    await t.step("an unwritable place is a LogFileError", async () => {
      await rejects(
        CsvLogWriter.open(`${dir}/missing/x.csv`, HEADER),
        LogFileError,
      );
      await rejects(CsvLogWriter.open(dir, HEADER), LogFileError);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
