/**
 * Child of csv_log_writer_drop_test.ts: run under a file-size limit (RLIMIT_FSIZE, with
 * SIGXFSZ ignored) so that writes past it fail; prints what the writer counted.
 *
 * @module
 */
import { CsvLogWriter } from "./csv_log_writer.ts";

const { writer } = await CsvLogWriter.open(Deno.args[0]!, "i,pad\n");
for (let i = 0; i < 100; i++) writer.append(`${i},${"x".repeat(40)}\n`);
let error = "";
try {
  await writer.flush();
} catch (e) {
  error = e instanceof Error ? e.name : String(e);
}
writer.append("late,row\n");
await writer.flush().catch(() => {});
Deno.stdout.writeSync(
  new TextEncoder().encode(
    JSON.stringify({ rows: writer.rows, dropped: writer.droppedRows, error }) +
      "\n",
  ),
);
