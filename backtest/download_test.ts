import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../lib/cli/mod.ts";
import { MarketRestClient } from "../lib/exchange/market_rest_client.ts";
import { RestTransport } from "../lib/exchange/rest_transport.ts";
import {
  type DownloadRequest,
  runDownload,
} from "../lib/download/run_download.ts";
import { type DownloadSummary } from "../lib/download/summary.ts";
import { ManualClock, startSimulator } from "../lib/sim/mod.ts";
import { followClock, systemClock } from "../lib/time/clock.ts";
import { main as buildFeatures } from "./build_features.ts";
import { main } from "./download.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const START = Date.UTC(2025, 3, 1, 12);
const BTC_LISTED = Date.UTC(2025, 0, 10, 6, 30);
const GAP: [number, number] = [
  Date.UTC(2025, 1, 4, 2, 0),
  Date.UTC(2025, 1, 4, 2, 41),
];
const M = 60_000;
const JAN = Date.UTC(2025, 0, 1);
const MAR = Date.UTC(2025, 2, 1);

async function sim() {
  return await startSimulator({
    clock: new ManualClock(START),
    symbols: ["BTCUSDT", "ETHUSDT"],
    historyMinutes: 60,
    listedAt: { BTCUSDT: BTC_LISTED, ETHUSDT: Date.UTC(2024, 11, 1) },
    historyGaps: [GAP],
    // The sim clock stands still: no weight minute would ever end.
    requestWeightLimit: 1_000_000_000,
  });
}

function download(
  restUrl: string,
  req: Omit<DownloadRequest, "kinds"> & Partial<Pick<DownloadRequest, "kinds">>,
  lines: string[] = [],
) {
  const client = new MarketRestClient(
    new RestTransport({ baseUrl: restUrl, weightHeadroom: 1 }),
  );
  return runDownload(
    { kinds: ["klines", "mark", "funding", "index"], ...req },
    {
      client,
      clock: systemClock,
      report: (l) => lines.push(l),
      progress: (l) => lines.push(l),
      retry: { baseMs: 5, random: () => 0.5 },
    },
  );
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of Deno.readDirSync(dir)) {
    out[e.name] = Deno.readTextFileSync(join(dir, e.name));
  }
  return out;
}

Deno.test("download: whole lines from the listing, gaps reported, resumable and idempotent", async (t) => {
  await using s = await sim();
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const r = await download(s.restUrl, {
      symbols: ["BTCUSDT", "ETHUSDT"],
      from: JAN,
      to: MAR,
      outDir: dir,
    }, lines);

    await t.step(
      "files in the build-features formats, from the listing",
      () => {
        const k = Deno.readTextFileSync(join(dir, "BTCUSDT_klines_1m.csv"))
          .split("\n");
        equal(
          k[0],
          "open_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,taker_buy_quote_volume",
        );
        equal(Number(k[1]!.split(",")[0]), BTC_LISTED);
        equal(k.at(-1), "", "ends with a newline");
        equal(Number(k.at(-2)!.split(",")[0]), MAR - M);
        equal(k.length - 2, (MAR - BTC_LISTED) / M - 41, "minus the gap");
        const e = Deno.readTextFileSync(join(dir, "ETHUSDT_mark_1m.csv"))
          .split("\n");
        equal(e[0], "open_time,open,high,low,close");
        equal(e.length - 2, (MAR - JAN) / M - 41, "the gap is exchange-wide");
        const f = Deno.readTextFileSync(join(dir, "ETHUSDT_funding.csv"))
          .split("\n");
        equal(f[0], "funding_time,funding_rate");
        equal(f.length - 2, (MAR - JAN) / (8 * 3_600_000));
      },
    );

    await t.step(
      "build-features --data_dir finds the files; mark of the bar itself",
      async () => {
        const out = join(dir, "..", `features-${Deno.pid}.csv`);
        try {
          equal(
            await buildFeatures([
              "--data_dir",
              dir,
              "--symbols",
              "ETHUSDT,btcusdt",
              "--out_csv",
              out,
              "--quiet",
            ]),
            0,
          );
          const rows = Deno.readTextFileSync(out).trimEnd().split("\n");
          const head = rows[0]!.split(",");
          const col = (name: string) => head.indexOf(name);
          const eth = rows.filter((r) => r.includes(",ETHUSDT,"));
          const btc = rows.filter((r) => r.includes(",BTCUSDT,"));
          equal(eth.length, (MAR - JAN) / M - 41);
          equal(btc.length, (MAR - BTC_LISTED) / M - 41);
          const marks = new Map(
            Deno.readTextFileSync(join(dir, "ETHUSDT_mark_1m.csv")).trimEnd()
              .split("\n").slice(1).map((l) => {
                const f = l.split(",");
                return [f[0]!, Number(f[4])];
              }),
          );
          for (const r of eth.slice(0, 3000)) {
            const f = r.split(",");
            equal(Number(f[col("mark_price")]), marks.get(f[col("ts")]!));
            ok(f[col("funding_bps")] !== "" || f[col("ts")] === String(JAN));
          }
        } finally {
          await Deno.remove(out).catch(() => {});
        }
      },
    );

    await t.step("the rows are the exchange's, byte for byte", async () => {
      const t0 = Date.UTC(2025, 1, 10, 3, 7);
      const res = await fetch(
        `${s.restUrl}/fapi/v1/klines?symbol=ETHUSDT&interval=1m&startTime=${t0}&limit=1`,
      );
      const [row] = await res.json() as (string | number)[][];
      const line = Deno.readTextFileSync(join(dir, "ETHUSDT_klines_1m.csv"))
        .split("\n").find((l) => l.startsWith(`${t0},`));
      equal(
        line,
        [0, 1, 2, 3, 4, 5, 7, 8, 9, 10].map((i) => row![i]).join(","),
      );
    });

    await t.step("gaps are reported and in download.json", () => {
      ok(lines.includes("gaps: BTCUSDT 2025-02-04 02:00–02:41 (41 bars)"));
      ok(lines.includes("gaps: BTCUSDT mark 2025-02-04 02:00–02:41 (41 bars)"));
      const sum = JSON.parse(
        Deno.readTextFileSync(join(dir, "download.json")),
      ) as DownloadSummary;
      const btc = sum.files.find((f) => f.file === "BTCUSDT_klines_1m.csv")!;
      deepEqual(btc.gaps, [{
        from: "2025-02-04T02:00:00.000Z",
        to: "2025-02-04T02:41:00.000Z",
        bars: 41,
      }]);
      equal(btc.first, new Date(BTC_LISTED).toISOString());
      equal(sum.files.length, 8);
      ok(lines.some((l) => /^done: ETHUSDT klines \d+ rows/.test(l)));
    });

    await t.step(
      "≤ 30 requests per kind per symbol-month at 1,500 bars",
      () => {
        // ETHUSDT: January + February = 59 days = 84,960 bars = 57 pages of 1,500 bars.
        for (const kind of ["klines", "mark", "index"]) {
          const c = r.perSeries.get(`ETHUSDT ${kind}`)!;
          equal(c.requests, 57, kind);
          ok(c.requests / (59 / 31) <= 30, kind);
          equal(c.weight, 56 * 10 + 5, "the last page asks for 960 bars");
        }
        equal(r.perSeries.get("ETHUSDT funding")!.requests, 1);
      },
    );

    await t.step(
      "the same range again changes nothing and fetches no bars",
      async () => {
        const before = snapshot(dir);
        const again = await download(s.restUrl, {
          symbols: ["BTCUSDT", "ETHUSDT"],
          from: JAN,
          to: MAR,
          outDir: dir,
        });
        equal(again.rows, 0);
        equal(again.perSeries.get("ETHUSDT klines")!.requests, 0);
        deepEqual(snapshot(dir), before);
      },
    );

    await t.step(
      "a longer range appends only the rest; same bytes as one run",
      async () => {
        await download(s.restUrl, {
          symbols: ["BTCUSDT", "ETHUSDT"],
          from: JAN,
          to: MAR + 86_400_000,
          outDir: dir,
        });
        const fresh = await Deno.makeTempDir();
        try {
          await download(s.restUrl, {
            symbols: ["BTCUSDT", "ETHUSDT"],
            from: JAN,
            to: MAR + 86_400_000,
            outDir: fresh,
          });
          deepEqual(snapshot(dir), snapshot(fresh));
        } finally {
          await Deno.remove(fresh, { recursive: true });
        }
      },
    );

    await t.step(
      "--verify: ok files, then a duplicate and a cut line are bad",
      async () => {
        const ok0 = await runMain(["--verify", "--out_dir", dir]);
        equal(ok0, 0);
        const path = join(dir, "ETHUSDT_index_1m.csv");
        const text = Deno.readTextFileSync(path);
        const last = text.trimEnd().split("\n").at(-1)!;
        Deno.writeTextFileSync(path, text + last + "\n" + last.slice(0, 9));
        equal(await runMain(["--verify", "--out_dir", dir]), 1);
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** `main` with stderr muted; UsageError → 2 like runMain. */
async function runMain(args: string[]): Promise<number> {
  try {
    return await main(args);
  } catch (error) {
    if (error instanceof UsageError) return 2;
    throw error;
  }
}

Deno.test("download survives 503, HTML 502, 429 and a 418 ban and writes the same files", async () => {
  await using s = await sim();
  const clean = await Deno.makeTempDir();
  const faulty = await Deno.makeTempDir();
  try {
    const req = {
      symbols: ["ETHUSDT"],
      from: JAN,
      to: JAN + 10 * 86_400_000,
      kinds: ["klines", "funding"] as const,
    };
    await download(s.restUrl, { ...req, kinds: [...req.kinds], outDir: clean });
    const lines: string[] = [];
    s.faults.failNext(2, { status: 503 });
    const run = download(s.restUrl, {
      ...req,
      kinds: [...req.kinds],
      outDir: faulty,
    }, lines);
    // Queue the next faults while the first ones are being retried.
    await new Promise((r) => setTimeout(r, 5));
    s.faults.failNext(1, { status: 502, html: true });
    await new Promise((r) => setTimeout(r, 20));
    s.faults.failNext(1, { status: 429, retryAfterSec: 1 });
    await new Promise((r) => setTimeout(r, 20));
    s.faults.failNext(1, { status: 418, retryAfterSec: 1 });
    await run;
    ok(lines.some((l) => l.startsWith("wait: ")), lines.join("\n"));
    deepEqual(snapshot(faulty), snapshot(clean));
  } finally {
    await Deno.remove(clean, { recursive: true });
    await Deno.remove(faulty, { recursive: true });
  }
});

Deno.test("download killed with SIGKILL mid-run: the next run completes it", async () => {
  await using s = await sim();
  const dir = await Deno.makeTempDir();
  const clean = await Deno.makeTempDir();
  try {
    s.faults.delayResponses(40);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-read",
        "--allow-write",
        join(ROOT, "backtest/download.ts"),
        "--symbols",
        "ETHUSDT",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-01",
        "--what",
        "klines,mark",
        "--max_weight_share",
        "1",
        "--out_dir",
        dir,
        "--rest_url",
        s.restUrl,
        "--quiet",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const path = join(dir, "ETHUSDT_klines_1m.csv");
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const size = await Deno.stat(path).then((x) => x.size, () => 0);
      if (size > 500_000) break;
    }
    child.kill("SIGKILL");
    const status = await child.status;
    equal(status.signal, "SIGKILL");
    s.faults.delayResponses(0);
    const partial = Deno.readTextFileSync(path);
    ok(partial.length > 500_000 && partial.length < 6_000_000);
    const req = {
      symbols: ["ETHUSDT"],
      from: JAN,
      to: MAR,
      kinds: ["klines", "mark"] as ("klines" | "mark")[],
    };
    const resumed = await download(s.restUrl, { ...req, outDir: dir });
    ok(resumed.rows < (MAR - JAN) / M * 2, "only the rest was fetched");
    await download(s.restUrl, { ...req, outDir: clean });
    deepEqual(snapshot(dir), snapshot(clean));
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(clean, { recursive: true });
  }
});

Deno.test("download refuses bad input with one line and touches no file", async (t) => {
  await using s = await sim();
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "a-file");
    Deno.writeTextFileSync(file, "x");
    const data = join(dir, "data");
    Deno.mkdirSync(data);
    Deno.writeTextFileSync(
      join(data, "ETHUSDT_klines_1m.csv"),
      "ts,symbol,open_time,close_time\n1,ETHUSDT,0,59999\n",
    );
    const foreign = join(dir, "foreign");
    Deno.mkdirSync(foreign);
    Deno.writeTextFileSync(
      join(foreign, "BTCUSDT_mark_1m.csv"),
      "open_time,open,high,low,close\n1735689600000,1,1,1,1\n",
    );
    const base = ["--rest_url", s.restUrl, "--quiet"];
    const cases: [string, string[], RegExp][] = [
      [
        "--from after --to",
        ["--symbols", "BTCUSDT", "--from", "2025-03-01", "--to", "2025-02-01"],
        /^Invalid --from "2025-03-01": not before --to "2025-02-01"$/,
      ],
      [
        "a malformed date",
        ["--symbols", "BTCUSDT", "--from", "2025-02-30"],
        /^Invalid --from "2025-02-30"/,
      ],
      [
        "an unknown symbol",
        [
          "--symbols",
          "BTCUSDT,NOPEUSDT",
          "--from",
          "2025-01-01",
          "--out_dir",
          join(dir, "new"),
        ],
        /^Unknown symbol NOPEUSDT: not in the exchangeInfo of http/,
      ],
      [
        "an --out_dir that is a file",
        ["--symbols", "BTCUSDT", "--from", "2025-01-01", "--out_dir", file],
        /^Invalid --out_dir .*a-file: is a file, not a directory$/,
      ],
      [
        "an unwritable --out_dir",
        [
          "--symbols",
          "BTCUSDT",
          "--from",
          "2025-01-01",
          "--out_dir",
          join(file, "sub"),
        ],
        /^Invalid --out_dir .*a-file\/sub: .*a-file is a file, not a directory$/,
      ],
      [
        "a file of another format",
        ["--symbols", "ETHUSDT", "--from", "2025-01-01", "--out_dir", data],
        /^Cannot append to .*ETHUSDT_klines_1m\.csv: its header "ts,symbol,open_time,close_time" is not/,
      ],
      [
        "a file download did not write",
        ["--symbols", "BTCUSDT", "--from", "2025-01-01", "--out_dir", foreign],
        /^Cannot append to .*BTCUSDT_mark_1m\.csv: not listed in .*download\.json/,
      ],
      [
        "an unknown kind",
        [
          "--symbols",
          "BTCUSDT",
          "--from",
          "2025-01-01",
          "--what",
          "klines,trades",
        ],
        /^Invalid --what "trades"/,
      ],
    ];
    for (const [name, args, want] of cases) {
      await t.step(name, async () => {
        const before = JSON.stringify(tree(dir));
        let error: unknown;
        try {
          await main([...args, ...base]);
        } catch (e) {
          error = e;
        }
        ok(error instanceof UsageError, `${name}: ${error}`);
        match(error.message, want);
        ok(!error.message.includes("\n"), "one line");
        equal(JSON.stringify(tree(dir)), before, "no file touched");
      });
    }
    await t.step("the process exits 2 with one line on stderr", async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-net=127.0.0.1",
          "--allow-read",
          "--allow-write",
          join(ROOT, "backtest/download.ts"),
          "--symbols",
          "BTCUSDT",
          "--from",
          "2025-02-01",
          "--to",
          "2025-01-01",
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      equal(out.code, 2);
      const err = new TextDecoder().decode(out.stderr);
      equal(
        err,
        'error: Invalid --from "2025-02-01": not before --to "2025-01-01"\n',
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every path under `dir` with, for files, its size and mtime (a probe may touch a directory). */
function tree(dir: string): [string, number, number][] {
  const out: [string, number, number][] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = join(d, e.name);
      const st = Deno.statSync(p);
      out.push(
        e.isDirectory ? [p, 0, 0] : [p, st.size, st.mtime?.getTime() ?? 0],
      );
      if (e.isDirectory) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

Deno.test("download keeps the IP's used weight under --max_weight_share of the limit", async () => {
  // A sim minute lasts half a real second; the transport follows the sim clock.
  await using s = await startSimulator({
    speed: 120,
    startTime: START,
    symbols: ["ETHUSDT"],
    historyMinutes: 60,
    listedAt: Date.UTC(2024, 11, 1),
    requestWeightLimit: 40,
  });
  const dir = await Deno.makeTempDir();
  try {
    const used: number[] = [];
    const statuses: number[] = [];
    const watch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      used.push(Number(res.headers.get("x-mbx-used-weight-1m")));
      statuses.push(res.status);
      return res;
    };
    const client = new MarketRestClient(
      new RestTransport({
        baseUrl: s.restUrl,
        fetch: watch,
        clock: followClock(s.clock, 120),
        weightHeadroom: 0.5,
      }),
    );
    const r = await runDownload({
      symbols: ["ETHUSDT"],
      from: JAN,
      to: JAN + 10 * 86_400_000,
      outDir: dir,
      kinds: ["klines"],
      concurrency: 1,
    }, { client, clock: systemClock, report: () => {} });
    equal(r.rows, 10 * 1440);
    equal(statuses.filter((x) => x !== 200).length, 0, "no 429");
    // 10 pages of weight 10 with 20 per minute allowed: two pages a minute at most.
    ok(Math.max(...used) <= 20, `used weight peaked at ${Math.max(...used)}`);
    ok(used.filter((u) => u === 20).length >= 2, "the budget was used");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
