import { deepEqual, equal, match, ok } from "node:assert/strict";
import { featureTableCsvLines, syntheticTable } from "../lib/backtest/mod.ts";
import { runScript } from "./_run_script.ts";

const BACKTEST = "backtest.ts";
const MERGE = "merge.ts";

function run(script: string, args: string[]) {
  return runScript(script, args);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Every file under `dir`, relative, sorted. */
async function listFiles(dir: string, sub = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}${sub}`)) {
    const rel = `${sub}/${e.name}`;
    if (e.isDirectory) out.push(...await listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** The manifest without what differs between any two runs: timings (and the speed). */
function withoutTimings(text: string): unknown {
  const m = JSON.parse(text) as Record<string, unknown>;
  delete m["runtime_s"];
  delete m["bar_configs_per_s"];
  return m;
}

Deno.test("n shard processes and a merge give the single run's outputs", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "merge_test_" });
  try {
    const features = `${dir}/features.csv`;
    // 6 days of bars on two symbols: enough whole days for PBO's CSCV (S = 4 blocks).
    const table = syntheticTable({ bars: 8640, symbols: ["AAA", "BBB"] });
    await Deno.writeTextFile(
      features,
      [...featureTableCsvLines(table)].join("\n") + "\n",
    );
    const grid = [
      "--features",
      features,
      "--k",
      "0.5,1,2",
      "--n",
      "1,2",
      "--T",
      "10,30",
      "--V",
      "30",
      "--sl_stop",
      "none,0.003",
      "--tp_stop",
      "0.004,0.01",
      "--sl_trail",
      "false,true",
      "--blockers",
      "off",
      "--top",
      "2",
      "--workers",
      "1",
      "--rank_rule",
      "plateau",
      "--walk_forward",
      "is=2d,oos=1d",
    ];
    const single = `${dir}/single`;
    const n = 3;
    const shardDir = (i: number) => `${dir}/shard${i}`;
    const [one, ...shards] = await Promise.all([
      run(BACKTEST, [...grid, "--out", single]),
      ...Array.from(
        { length: n },
        (_, i) =>
          run(BACKTEST, [
            ...grid,
            "--out",
            shardDir(i),
            "--shard",
            `${i}/${n}`,
          ]),
      ),
    ]);

    await t.step("the single run and every shard succeed", async () => {
      equal(one!.code, 0, one!.stderr);
      for (const s of shards) {
        equal(s.code, 0, s.stderr);
        match(s.stdout, /^shard \d\/3: \d+ \(symbol, config\) rows/);
      }
      for (let i = 0; i < n; i++) {
        const doc = JSON.parse(
          await Deno.readTextFile(`${shardDir(i)}/shard.json`),
        );
        ok(
          doc.wf_rows > 0,
          "each shard ran its part of the walk-forward windows",
        );
      }
    });

    await t.step(
      "merge writes the same files, byte for byte except the manifest's timings",
      async () => {
        const merged = `${dir}/merged`;
        // Shards in any order, as separate arguments after --in.
        const r = await run(MERGE, [
          "--in",
          shardDir(2),
          shardDir(0),
          shardDir(1),
          "--out_dir",
          merged,
        ]);
        equal(r.code, 0, r.stderr);
        match(r.stdout, /ALL: \d+ of 96 configs/);
        const files = await listFiles(single);
        deepEqual(await listFiles(merged), files);
        ok(
          files.includes("/pbo.json"),
          "PBO ran, so the block statistics merged",
        );
        ok(files.some((f) => f.startsWith("/top/")));
        ok(files.includes("/walk_forward.json"), "walk-forward outputs too");
        for (const f of files) {
          const a = await Deno.readTextFile(`${single}${f}`);
          const b = await Deno.readTextFile(`${merged}${f}`);
          if (f === "/manifest.json") {
            deepEqual(withoutTimings(b), withoutTimings(a));
          } else equal(b, a, `${f} differs`);
        }
      },
    );

    await t.step(
      "a missing, repeated or foreign shard is refused in one line, nothing written",
      async () => {
        const other = `${dir}/other0`;
        const o = await run(BACKTEST, [
          ...grid.map((x) => x === "0.5,1,2" ? "0.5,1,3" : x),
          "--out",
          other,
          "--shard",
          `0/${n}`,
        ]);
        equal(o.code, 0, o.stderr);
        // A shard whose walk-forward rows were lost: the merge needs them (it runs no grid).
        const lost = `${dir}/lost1`;
        await Deno.mkdir(lost);
        for (const f of ["shard.json", "rows.f64"]) {
          await Deno.copyFile(`${shardDir(1)}/${f}`, `${lost}/${f}`);
        }
        // A shard whose rows were cut short (a copy interrupted).
        const cut = `${dir}/cut1`;
        await Deno.mkdir(cut);
        for (const f of ["shard.json", "wf_rows.f64"]) {
          await Deno.copyFile(`${shardDir(1)}/${f}`, `${cut}/${f}`);
        }
        const rows = await Deno.readFile(`${shardDir(1)}/rows.f64`);
        await Deno.writeFile(
          `${cut}/rows.f64`,
          rows.subarray(0, rows.length - 8),
        );
        const cases: [string[], RegExp][] = [
          [[shardDir(0), lost, shardDir(2)], /wf_rows\.f64 is missing/],
          [
            [shardDir(0), cut, shardDir(2)],
            /rows\.f64 has \d+ bytes, expected \d+ \(truncated: re-run shard 1\/3\)/,
          ],
          [[shardDir(0), shardDir(1)], /missing shard\(s\) 2 of 3/],
          [
            [shardDir(0), shardDir(1), shardDir(1)],
            /shard 1\/3 is given twice/,
          ],
          [
            [other, shardDir(1), shardDir(2)],
            /different runs: different grids/,
          ],
          [[`${dir}/nowhere`, shardDir(1)], /has no shard\.json/],
        ];
        for (const [dirs, why] of cases) {
          const out = `${dir}/refused`;
          const r = await run(MERGE, [
            "--in",
            dirs.join(","),
            "--out_dir",
            out,
          ]);
          equal(r.code, 2, r.stderr);
          match(r.stderr, why);
          equal(r.stderr.trim().split("\n").length, 1, r.stderr);
          equal(await exists(out), false, "nothing written");
        }
      },
    );

    await t.step("a shard of other data is refused", async () => {
      const copy = `${dir}/copy.csv`;
      const lines = (await Deno.readTextFile(features)).split("\n");
      // Same symbols and bars, one close changed by one unit in the last place.
      const cells = lines[100]!.split(",");
      cells[5] = String(Number(cells[5]) + 0.1);
      lines[100] = cells.join(",");
      await Deno.writeTextFile(copy, lines.join("\n"));
      const out = `${dir}/refused2`;
      const r = await run(MERGE, [
        "--in",
        [shardDir(0), shardDir(1), shardDir(2)].join(","),
        "--out_dir",
        out,
        "--features",
        copy,
      ]);
      equal(r.code, 2, r.stderr);
      match(r.stderr, /is not the data the shards ran on/);
      equal(await exists(out), false);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest.ts refuses a bad --shard in one line and writes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shard_flag_test_" });
  try {
    const features = `${dir}/features.csv`;
    const table = syntheticTable({ bars: 500, symbols: ["AAA"] });
    await Deno.writeTextFile(
      features,
      [...featureTableCsvLines(table)].join("\n") + "\n",
    );
    for (
      const bad of ["3/2", "2/2", "0/0", "1.5/2", "a/b", "1", "-1/2", "1/2/3"]
    ) {
      const out = `${dir}/out`;
      const r = await run(BACKTEST, [
        "--features",
        features,
        "--out",
        out,
        "--shard",
        bad,
      ]);
      equal(r.code, 2, `--shard ${bad}: ${r.stderr}`);
      match(r.stderr, /--shard/);
      equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      equal(await exists(out), false, `--shard ${bad} wrote ${out}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bot model: n shard processes and a merge give the single run's outputs", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "merge_bot_test_" });
  try {
    const features = `${dir}/features.csv`;
    // 5 days of bars on two symbols with built-in filters: PBO's CSCV gets S = 4 blocks.
    const table = syntheticTable({
      bars: 7200,
      symbols: ["BTCUSDT", "ETHUSDT"],
    });
    await Deno.writeTextFile(
      features,
      [...featureTableCsvLines(table)].join("\n") + "\n",
    );
    const grid = [
      "--model",
      "bot",
      "--features",
      features,
      "--k",
      "0.5,1,2",
      "--n",
      "1",
      "--T",
      "10,30",
      "--V",
      "10",
      "--max_spread_bps",
      "50",
      "--tp_bps",
      "20,40,80",
      "--sl_bps",
      "20,40",
      "--order_notional",
      "500",
      "--top",
      "2",
      "--rank_rule",
      "plateau",
      "--walk_forward",
      "is=2d,oos=1d",
    ];
    const single = `${dir}/single`;
    const n = 3;
    await t.step("the single run", async () => {
      const r = await run(BACKTEST, [...grid, "--out", single, "--quiet"]);
      equal(r.code, 0, r.stderr);
      ok(await exists(`${single}/pbo.json`));
      ok(await exists(`${single}/walk_forward.json`));
    });
    const shards: string[] = [];
    await t.step("n shards, then the merge", async () => {
      for (let i = 0; i < n; i++) {
        const out = `${dir}/shard${i}`;
        shards.push(out);
        const r = await run(BACKTEST, [
          ...grid,
          "--out",
          out,
          "--shard",
          `${i}/${n}`,
          "--quiet",
        ]);
        equal(r.code, 0, r.stderr);
        match(r.stdout, new RegExp(`shard ${i}/${n} \\(bot model\\)`));
        ok(!(await exists(`${out}/ranked.csv`)));
      }
      const r = await run(MERGE, [
        "--in",
        ...shards.slice().reverse(),
        "--out_dir",
        `${dir}/merged`,
        "--quiet",
      ]);
      equal(r.code, 0, r.stderr);
      match(r.stdout, /BTCUSDT: \d+ of 36 configs/);
    });
    await t.step(
      "every output is byte-identical except the timings",
      async () => {
        const files = await listFiles(single);
        deepEqual(await listFiles(`${dir}/merged`), files);
        ok(files.some((f) => f.startsWith("/top/")));
        for (const f of files) {
          const a = await Deno.readTextFile(`${single}${f}`);
          const b = await Deno.readTextFile(`${dir}/merged${f}`);
          if (f === "/manifest.json") {
            deepEqual(withoutTimings(b), withoutTimings(a));
          } else equal(b, a, f);
        }
      },
    );
    await t.step("vbt and bot shards do not merge", async () => {
      const vbt = `${dir}/vbt0`;
      const r = await run(BACKTEST, [
        "--features",
        features,
        "--out",
        vbt,
        "--shard",
        `0/${n}`,
        "--blockers",
        "off",
        "--quiet",
      ]);
      equal(r.code, 0, r.stderr);
      const m = await run(MERGE, [
        "--in",
        vbt,
        shards[1]!,
        shards[2]!,
        "--out_dir",
        `${dir}/mixed`,
      ]);
      equal(m.code, 2, m.stderr);
      match(m.stderr, /different models/);
      equal(m.stderr.trim().split("\n").length, 1, m.stderr);
      equal(await exists(`${dir}/mixed`), false);
      const missing = await run(MERGE, [
        "--in",
        shards[0]!,
        shards[2]!,
        "--out_dir",
        `${dir}/missing`,
      ]);
      equal(missing.code, 2, missing.stderr);
      match(missing.stderr, /missing shard\(s\) 1 of 3/);
      equal(await exists(`${dir}/missing`), false);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
