import { equal, throws } from "node:assert/strict";
import {
  inspectSeries,
  SeriesAppender,
  SeriesFileError,
} from "./series_file.ts";

const H = "open_time,close";

Deno.test("a cut last line is removed before appending; earlier bytes never change", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/s.csv`;
    Deno.writeTextFileSync(path, `${H}\n0,1\n60000,2\n120000,3.`);
    const state = inspectSeries(path, H);
    equal(state.exists, true);
    equal(state.first, 0);
    equal(state.last, 60_000);
    equal(state.partialBytes, "120000,3.".length);
    const out = new SeriesAppender(path, H, state);
    out.append("120000,3.5\n");
    out.close();
    equal(Deno.readTextFileSync(path), `${H}\n0,1\n60000,2\n120000,3.5\n`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a missing file, an empty one or a cut header start fresh; another header is refused", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/s.csv`;
    equal(inspectSeries(path, H).exists, false);
    Deno.writeTextFileSync(path, "open_ti");
    const state = inspectSeries(path, H);
    equal(state.exists, false);
    const out = new SeriesAppender(path, H, state);
    out.append("0,1\n");
    out.close();
    equal(Deno.readTextFileSync(path), `${H}\n0,1\n`);
    Deno.writeTextFileSync(path, "ts,symbol,price\n1,X,2\n");
    throws(
      () => inspectSeries(path, H),
      (e: unknown) =>
        e instanceof SeriesFileError &&
        e.message.includes(`${path}: its header "ts,symbol,price"`),
    );
    throws(() => inspectSeries(dir, H), SeriesFileError);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
