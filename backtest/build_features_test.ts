import { parseSecondSeries } from "../lib/features/second_series.ts";
import { deepEqual, equal, match } from "node:assert/strict";
import { join } from "node:path";
import {
  BINANCE_1M,
  BINANCE_1M_BARS,
  BINANCE_FUNDING,
  BINANCE_MARK_1H,
} from "../tests/fixtures/real_data.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SCRIPT = join(ROOT, "backtest/build_features.ts");

async function run(
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env=ASTER_*",
      SCRIPT,
      ...args,
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

function table(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trimEnd().split("\n");
  return {
    header: lines[0]!.split(","),
    rows: lines.slice(1).map((l) => l.split(",")),
  };
}

const KLINE =
  "ts,symbol,open_time,close_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,is_closed\n";
const BOOK = "ts,symbol,event_time,bid_price,bid_qty,ask_price,ask_qty\n";
const MARK =
  "ts,symbol,event_time,mark_price,index_price,funding_rate,next_funding_time\n";

async function writeLogs(
  dir: string,
  kline: string,
  book = BOOK,
  mark = MARK,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "kline.csv"), kline);
  await Deno.writeTextFile(join(dir, "bookTicker.csv"), book);
  await Deno.writeTextFile(join(dir, "markPrice.csv"), mark);
}

Deno.test("build_features.ts builds the real BTCUSDT and ETHUSDT 1m files", async (t) => {
  const tmp = await Deno.makeTempDir();
  try {
    for (const sym of ["BTCUSDT", "ETHUSDT"] as const) {
      await t.step(sym, async () => {
        const out = join(tmp, `${sym}.csv`);
        const r = await run([
          "--ohlcv",
          BINANCE_1M[sym],
          "--symbol",
          sym,
          "--funding",
          BINANCE_FUNDING[sym],
          "--mark",
          BINANCE_MARK_1H[sym],
          "--out_csv",
          out,
          "--quiet",
        ]);
        equal(r.code, 0, r.stderr);
        equal(r.stderr, "");
        const { header, rows } = table(await Deno.readTextFile(out));
        equal(rows.length, BINANCE_1M_BARS);
        const col = (name: string): number => header.indexOf(name);
        const bookCols = [
          "spread_bps",
          "open_loss_long_bps",
          "open_loss_short_bps",
        ]
          .map(col);
        for (const [i, row] of rows.entries()) {
          equal(row[col("symbol")], sym);
          for (const [j, field] of row.entries()) {
            const name = header[j]!;
            if (name === "symbol") continue;
            const window = /_(\d+)m(_bps)?$/.exec(name);
            const expectEmpty = bookCols.includes(j) ||
              (name === "ret_bps" && i === 0) ||
              (window !== null && name !== "rs_var_1m" &&
                i < Number(window[1]));
            if (expectEmpty) {
              equal(field, "", `${name} row ${i}`);
            } else {
              equal(
                Number.isFinite(Number(field)) && field !== "",
                true,
                `${name} row ${i}: "${field}"`,
              );
            }
          }
        }
      });
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("build_features.ts reads logs, reports bad rows and writes the table", async (t) => {
  const tmp = await Deno.makeTempDir();
  const T = 1_700_000_040_000;
  const kl = (ts: number, sym: string, minute: number, c: number): string =>
    `${ts},${sym},${T + minute * 60_000},0,${c},${c + 1},${
      c - 1
    },${c},2,0,1,0,false\n`;
  try {
    await writeLogs(
      join(tmp, "logs"),
      KLINE + kl(T + 1000, "ZZZ", 0, 10) + kl(T + 2000, "AAA", 0, 100) +
        kl(T + 61_000, "AAA", 1, 101) + `${T + 62_000},AAA,x\n` +
        kl(T + 121_000, "AAA", 2, 102) + kl(T + 122_000, "AAA", 0, 2),
      BOOK + `${T + 50_000},AAA,${T + 50_000},99.5,1,100.5,1\n`,
      MARK + `${T + 50_000},AAA,${T + 50_000},100,100,0.0001,0\n`,
    );
    const out = join(tmp, "out", "features.csv");
    await t.step("table sorted by symbol with joined columns", async () => {
      const r = await run([
        "--log_dir",
        join(tmp, "logs"),
        "--out_csv",
        out,
        "--windows",
        "1,2",
        "--lateness_ms",
        "0",
        "--max_bad_rows",
        "1",
      ]);
      equal(r.code, 0, r.stderr);
      const { header, rows } = table(await Deno.readTextFile(out));
      deepEqual(header.slice(-4), [
        "rs_vol_1m_bps",
        "rs_vol_2m_bps",
        "avg_vol_1m",
        "avg_vol_2m",
      ]);
      deepEqual(rows.map((row) => row[1]), ["AAA", "AAA", "AAA", "ZZZ"]);
      equal(rows[0]![header.indexOf("spread_bps")], String(1 / 100 * 10000));
      equal(rows[0]![header.indexOf("funding_bps")], "1");
      match(r.stderr, /malformed: .*kline\.csv:5: 3 fields, expected 13/);
      match(r.stderr, /late: .*kline\.csv:7: AAA/);
      match(r.stderr, /done: 8 rows .* 4 bars, 2 symbols, 1 malformed, 1 late/);
      // the per-second companion file, tied to the table
      const series = parseSecondSeries(await Deno.readFile(`${out}.1s`), "f");
      deepEqual(
        series.header.symbols.map((s) => [s.symbol, s.bars, s.first_bar]),
        [["AAA", 3, T], ["ZZZ", 1, T]],
      );
      equal(series.header.table, "features.csv");
      deepEqual(
        [...(await Array.fromAsync(Deno.readDir(join(tmp, "out"))))].map((e) =>
          e.name
        ).sort(),
        ["features.csv", "features.csv.1s"],
      );
    });
    await t.step(
      "--strict stops at the malformed row with exit code 2",
      async () => {
        await Deno.remove(out);
        const r = await run([
          "--log_dir",
          join(tmp, "logs"),
          "--out_csv",
          out,
          "--strict",
        ]);
        equal(r.code, 2);
        match(
          r.stderr,
          /error: Cannot read .*kline\.csv:5: 3 fields, expected 13 \(--strict\)/,
        );
        equal(await Deno.stat(out).then(() => true, () => false), false);
      },
    );
    await t.step("empty logs are refused and write nothing", async () => {
      await writeLogs(join(tmp, "empty"), KLINE);
      const r = await run([
        "--log_dir",
        join(tmp, "empty"),
        "--out_csv",
        out,
        "--quiet",
      ]);
      equal(r.code, 2, r.stderr);
      match(r.stderr, /^error: No usable bar in .*empty\/kline\.csv: 0 rows/);
      equal(await Deno.stat(out).then(() => true, () => false), false);
    });
    await t.step(
      "more bad rows than --max_bad_rows fail; the limit is a count or a percentage",
      async () => {
        const logs = join(tmp, "logs");
        const args = ["--log_dir", logs, "--out_csv", out, "--quiet"];
        // 1 malformed kline row of 6: above 1 % (the default) and above 0, not above 1
        let r = await run(args);
        equal(r.code, 2, r.stderr);
        match(
          r.stderr,
          /^error: Too many bad rows: 1 of 6 \(16\.67%\) > --max_bad_rows 1%; first: .*kline\.csv:5/,
        );
        equal(await Deno.stat(out).then(() => true, () => false), false);
        r = await run([...args, "--max_bad_rows", "0"]);
        equal(r.code, 2, r.stderr);
        r = await run([...args, "--max_bad_rows", "20%"]);
        equal(r.code, 0, r.stderr);
        equal((await run([...args, "--max_bad_rows", "x"])).code, 2);
        equal((await run([...args, "--max_bad_rows", "101%"])).code, 2);
      },
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("build_features.ts exits 2 on user errors", async (t) => {
  const tmp = await Deno.makeTempDir();
  try {
    await t.step("a missing file is named", async () => {
      const r = await run([
        "--log_dir",
        join(tmp, "nope"),
        "--out_csv",
        join(tmp, "o.csv"),
      ]);
      equal(r.code, 2);
      match(r.stderr, /Cannot read --log_dir .*nope: directory not found/);
      await Deno.mkdir(join(tmp, "partial"));
      await Deno.writeTextFile(join(tmp, "partial", "bookTicker.csv"), BOOK);
      const r2 = await run([
        "--log_dir",
        join(tmp, "partial"),
        "--out_csv",
        join(tmp, "o.csv"),
      ]);
      equal(r2.code, 2);
      match(r2.stderr, /Cannot open .*partial\/kline\.csv: file not found/);
    });
    await t.step("a missing column names the file and the column", async () => {
      await writeLogs(join(tmp, "cols"), KLINE, "ts,symbol,bid_price\n");
      const r = await run([
        "--log_dir",
        join(tmp, "cols"),
        "--out_csv",
        join(tmp, "o.csv"),
      ]);
      equal(r.code, 2);
      match(r.stderr, /bookTicker\.csv: missing column ask_price/);
    });
    await t.step("bad flags", async () => {
      equal((await run(["--ohlcv", "x.csv"])).code, 2);
      equal((await run(["--windows", "10,10"])).code, 2);
      equal((await run(["--windows", "0"])).code, 2);
      equal((await run(["--symbol", "BTCUSDT"])).code, 2);
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("build_features.ts --data_dir names a missing download file and flags used without it", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const missing = await run([
      "--data_dir",
      tmp,
      "--symbols",
      "BTCUSDT",
      "--out_csv",
      join(tmp, "f.csv"),
    ]);
    equal(missing.code, 2);
    equal(
      missing.stderr,
      `error: Cannot find ${
        join(tmp, "BTCUSDT_klines_1m.csv")
      } (--data_dir ${tmp}, --symbols BTCUSDT): run deno task download first\n`,
    );
    const alone = await run(["--symbols", "BTCUSDT"]);
    equal(alone.code, 2);
    equal(
      alone.stderr,
      "error: Cannot use --symbols without --ohlcv or --data_dir\n",
    );
    deepEqual([...Deno.readDirSync(tmp)], []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
