import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { writeLines } from "../outputs.ts";
import { syntheticCsvLines, syntheticTable } from "../synthetic_table.ts";
import { selectSymbols } from "../feature_table.ts";
import { readFeatureTable } from "../read_feature_table.ts";
import {
  parseSecondHeader,
  parseSecondSeries,
  secondFileOf,
} from "../../features/second_series.ts";
import { BotInputError } from "./bot_market.ts";
import { loadSeconds } from "./run_bot.ts";
import { writeSyntheticSeconds } from "../../../bench/bot_backtest_bench.ts";

/** The same doubles, bit for bit (whatever buffer kind holds them). */
function sameRecords(a: Float64Array, b: Float64Array): void {
  equal(a.length, b.length);
  deepEqual(Array.from(a), Array.from(b));
  ok(a.length > 0);
}

Deno.test("loadSeconds() reads only the table's symbols, each at its offset, into shared memory for a pool", async () => {
  const dir = await Deno.makeTempDir({ prefix: "load-seconds-" });
  try {
    const features = join(dir, "features.csv");
    const opts = { bars: 120, symbols: ["BTCUSDT", "ETHUSDT"] };
    await writeLines(features, syntheticCsvLines(opts));
    writeSyntheticSeconds(dir, features, syntheticTable(opts).symbols);
    const bytes = await Deno.readFile(secondFileOf(features));
    const whole = parseSecondSeries(bytes, "x");
    const table = await readFeatureTable(features);
    for (const shared of [false, true]) {
      const both = (await loadSeconds(features, table, shared))!;
      deepEqual(both.header, whole.header);
      deepEqual([...both.records.keys()], ["BTCUSDT", "ETHUSDT"]);
      for (const [symbol, rec] of both.records) {
        sameRecords(rec, whole.records.get(symbol)!);
        equal(rec.buffer instanceof SharedArrayBuffer, shared);
        equal(rec.buffer.byteLength, rec.byteLength); // one buffer per symbol
      }
    }
    // --symbols ETHUSDT: BTCUSDT's records are not read
    const eth = (await loadSeconds(
      features,
      selectSymbols(table, ["ETHUSDT"]),
      true,
    ))!;
    deepEqual([...eth.records.keys()], ["ETHUSDT"]);
    sameRecords(eth.records.get("ETHUSDT")!, whole.records.get("ETHUSDT")!);
    // the header line alone is not enough to parse from a prefix of it
    const nl = bytes.indexOf(10);
    equal(
      parseSecondHeader(bytes.subarray(0, nl), bytes.length, "x"),
      undefined,
    );
    ok(parseSecondHeader(bytes.subarray(0, nl + 1), bytes.length, "x"));
    // a truncated file: one line naming it, before any record is read
    await Deno.writeFile(
      secondFileOf(features),
      bytes.subarray(0, bytes.length - 80),
    );
    await rejects(
      () => loadSeconds(features, table, true),
      (e) =>
        e instanceof BotInputError &&
        /Invalid per-second file .*features\.csv\.1s: truncated \(records of ETHUSDT missing\)/
          .test(e.message),
    );
    // no file: 1m bars
    await Deno.remove(secondFileOf(features));
    equal(await loadSeconds(features, table), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
