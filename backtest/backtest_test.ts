import { deepEqual, equal, match, ok } from "node:assert/strict";
import { featureTableCsvLines, syntheticTable } from "../lib/backtest/mod.ts";
import { runScript } from "./_run_script.ts";

function run(args: string[]) {
  return runScript("backtest.ts", args);
}

Deno.test("backtest.ts ranks a grid and writes its outputs", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "backtest_test_" });
  try {
    const features = `${dir}/features.csv`;
    const table = syntheticTable({ bars: 3000, symbols: ["AAA", "BBB"] });
    await Deno.writeTextFile(
      features,
      [...featureTableCsvLines(table)].join("\n") + "\n",
    );
    const grid = [
      "--k",
      "1,2",
      "--n",
      "1",
      "--T",
      "10,30",
      "--V",
      "30",
      "--sl_stop",
      "none,0.005",
      "--tp_stop",
      "0.01",
      "--sl_trail",
      "false",
    ];

    await t.step(
      "a good run exits 0 with ranked tables and files",
      async () => {
        const out = `${dir}/out`;
        const r = await run([
          "--features",
          features,
          "--out",
          out,
          "--top",
          "2",
          "--workers",
          "2",
          ...grid,
        ]);
        equal(r.code, 0, r.stderr);
        match(r.stdout, /AAA: \d+ of 8 configs/);
        match(r.stdout, /ALL: \d+ of 8 configs/);
        const csv = (await Deno.readTextFile(`${out}/ranked.csv`)).split("\n");
        match(csv[0]!, /^scope,rank,config_id,k,n,T,V,/);
        match(csv[1]!, /^AAA,1,\d+,/);
        const manifest = JSON.parse(
          await Deno.readTextFile(`${out}/manifest.json`),
        );
        equal(manifest.grid_size, 8);
        equal(manifest.signal_sets, 4);
        deepEqual(manifest.symbols.map((s: { bars: number }) => s.bars), [
          3000,
          3000,
        ]);
        deepEqual(manifest.grid.sl_stop, [null, 0.005]);
        equal(manifest.files.top.length, 4);
        const top = manifest.files.top[0];
        const equity = (await Deno.readTextFile(`${out}/${top.equity}`))
          .trim().split("\n");
        equal(equity.length, 3001);
        equal(equity[0], "ts,close,position,value");
        const trades = await Deno.readTextFile(`${out}/${top.trades}`);
        match(trades, /^trade_id,direction,status,entry_idx/);
        const json = JSON.parse(await Deno.readTextFile(`${out}/ranked.json`));
        equal(json.rank_by, "sharpe");
        ok(json.rankings.AAA.length > 0);
      },
    );

    await t.step(
      "the same grid with 1 worker and shuffled lists gives the same ranking",
      async () => {
        const out2 = `${dir}/out2`;
        const shuffled = grid.map((x) =>
          x === "1,2"
            ? "2,1"
            : x === "10,30"
            ? "30,10"
            : x === "none,0.005"
            ? "0.005,none"
            : x
        );
        const r = await run([
          "--features",
          features,
          "--out",
          out2,
          "--top",
          "0",
          "--workers",
          "1",
          ...shuffled,
        ]);
        equal(r.code, 0, r.stderr);
        equal(
          await Deno.readTextFile(`${out2}/ranked.csv`),
          await Deno.readTextFile(`${dir}/out/ranked.csv`),
        );
      },
    );

    await t.step("bad grids exit 2 with a clear message", async () => {
      const bad = async (args: string[], re: RegExp) => {
        const r = await run([
          "--features",
          features,
          "--out",
          `${dir}/bad`,
          ...grid,
          ...args,
        ]);
        equal(r.code, 2, r.stderr);
        match(r.stderr, re);
      };
      await bad(["--T", "15"], /T=15 is not a window of the feature table/);
      await bad(
        ["--sl_stop", "-0.01"],
        /sl_stop=-0.01 must be a fraction >= 0/,
      );
      await bad(["--k", "x"], /k value "x" is not a number/);
      await bad(["--k", ","], /k has no values/);
      await Deno.writeTextFile(`${dir}/grid.json`, '{"kk": [1]}');
      await bad(["--grid", `${dir}/grid.json`], /unknown parameter "kk"/);
      await bad(["--rank_by", "luck"], /expected one of sharpe/);
      await bad(["--pbo", "16"], /--pbo 16: .*spans \d UTC day/);
      // 8 configs: CSCV's logits would be too coarse.
      await bad(["--pbo", "4"], /8 eligible configs .* at least 10/);
      await bad(["--pbo", "5"], /even number >= 4/);
      await bad(["--pbo", "x"], /--pbo must be an even number/);
      await bad(["--prior_trials", "-1"], /prior_trials/);
      await bad(
        ["--walk_forward", "is=30d,oos=7d"],
        /is longer than the data/,
      );
      await bad(["--walk_forward", "is=1d"], /needs both is= and oos=/);
      await bad(["--rank_rule", "best"], /expected one of max, plateau/);
      let gone = false;
      try {
        await Deno.stat(`${dir}/bad`);
      } catch {
        gone = true;
      }
      ok(gone, "a refused run wrote nothing");
    });

    await t.step("bad tables exit 2 with a clear message", async () => {
      const bad = async (text: string | null, re: RegExp) => {
        const path = `${dir}/bad.csv`;
        if (text !== null) await Deno.writeTextFile(path, text);
        const r = await run([
          "--features",
          text === null ? `${dir}/nope.csv` : path,
          ...grid,
        ]);
        equal(r.code, 2, r.stderr);
        match(r.stderr, re);
      };
      await bad(null, /--features .*nope.csv: file not found/);
      await bad("ts,symbol,close\n1,A,2\n", /missing column/);
      const lines = [...featureTableCsvLines(table)].slice(0, 5);
      await bad(
        [lines[0], lines[2], lines[1]].join("\n"),
        /line 3: ts .* is not after/,
      );
      await bad(
        lines.join("\n").replace(",AAA,30000,", ",AAA,x,"),
        /column open: "x" is not a number/,
      );
    });

    await t.step("a missing --features is a usage error", async () => {
      const r = await run([]);
      equal(r.code, 2);
      match(r.stderr, /Missing --features/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
