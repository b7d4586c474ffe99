import {
  deepEqual,
  equal,
  ok,
  rejects as assertRejects,
} from "node:assert/strict";
import { join } from "node:path";
import type { GridSpec } from "./grid.ts";
import { METRICS, N_METRICS } from "./metrics.ts";
import { topFileStem, writeLines } from "./outputs.ts";
import { runBacktest } from "./run_backtest.ts";
import { parseWalkForward } from "../research/mod.ts";
import { syntheticCsvLines } from "./synthetic_table.ts";

const GRID: GridSpec = {
  k: [1, 2, 3],
  n: [1, 2],
  T: [10, 30],
  V: [10],
  "max_spread_bps": [5],
  "max_funding_bps": [10],
  "sl_stop": [NaN, 0.005],
  "tp_stop": [NaN, 0.01],
  "sl_trail": [0],
  fees: [0.0004],
  slippage: [0],
  "init_cash": [100],
};

const M_FINAL = METRICS.indexOf("final_value");

interface TopEntry {
  readonly scope?: string;
  readonly symbol: string;
  readonly rank: number;
  readonly "config_id": number;
  readonly trades: string;
  readonly equity: string;
}

async function run(dir: string, symbols: string[], top: number) {
  const features = join(dir, `features_${symbols.length}.csv`);
  await writeLines(features, syntheticCsvLines({ bars: 1200, symbols }));
  const out = join(dir, `out_${symbols.length}_${top}`);
  const summary = await runBacktest({
    features,
    out,
    grid: GRID,
    blockers: false,
    workers: 0,
    top,
    onStatus: () => {},
  });
  const manifest = JSON.parse(
    await Deno.readTextFile(join(out, "manifest.json")),
  );
  return { out, summary, files: manifest.files };
}

Deno.test("runBacktest() writes the aggregate ranking's top configs on every symbol", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "backtest-top-all-" });
  try {
    const { out, summary, files } = await run(dir, ["AAAUSDT", "BBBUSDT"], 4);
    const all = summary.scopes.find((s) => s.scope === "ALL")!;
    const top = files.top as TopEntry[];
    const topAll = files["top_all"] as TopEntry[];

    await t.step(
      "one top_all entry per aggregate top config and symbol",
      () => {
        equal(topAll.length, 4 * 2);
        deepEqual(
          topAll.map((e) => [e.scope, e.rank, e.config_id, e.symbol]),
          [0, 1, 2, 3].flatMap((r) =>
            ["AAAUSDT", "BBBUSDT"].map((s) => ["ALL", r + 1, all.order[r], s])
          ),
        );
      },
    );
    await t.step("per-symbol top entries are unchanged", () => {
      equal(top.length, 8);
      for (const e of top) {
        const scope = summary.scopes.find((s) => s.scope === e.symbol)!;
        equal(e.config_id, scope.order[e.rank - 1]);
        equal(
          e.equity,
          `${topFileStem(e.symbol, e.config_id, e.rank)}_equity.csv`,
        );
      }
    });
    await t.step(
      "a config already written for its symbol reuses the file",
      () => {
        const bySymbolConfig = new Map(
          top.map((e) => [`${e.symbol}/${e.config_id}`, e]),
        );
        let reused = 0, own = 0;
        for (const e of topAll) {
          const mine = bySymbolConfig.get(`${e.symbol}/${e.config_id}`);
          if (mine) {
            reused++;
            equal(e.trades, mine.trades);
            equal(e.equity, mine.equity);
          } else {
            own++;
            equal(e.equity, `${topFileStem(e.symbol, e.config_id)}_equity.csv`);
          }
        }
        ok(reused > 0 && own > 0, `${reused} reused, ${own} own files`);
        const written = summary.files.filter((f) => f.endsWith("_equity.csv"));
        equal(written.length, new Set(written).size, "each file written once");
        equal(written.length, 8 + own);
      },
    );
    await t.step("the files are the config's run on that symbol", async () => {
      for (const e of topAll) {
        const s = summary.table.symbols.findIndex((x) => x.symbol === e.symbol);
        const lines = (await Deno.readTextFile(join(out, e.equity)))
          .trimEnd().split("\n");
        equal(lines.length, summary.table.symbols[s]!.bars + 1);
        const last = Number(lines.at(-1)!.split(",")[3]);
        const rows = summary.scopes[s]!.rows;
        const final = rows[e.config_id * N_METRICS + M_FINAL]!;
        ok(Math.abs(last / final - 1) < 1e-12, `${last} vs ${final}`);
        const trades = await Deno.readTextFile(join(out, e.trades));
        ok(trades.startsWith("trade_id,direction,"));
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBacktest() writes no top_all with one symbol or --top 0", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "backtest-top-all-" });
  try {
    await t.step("one symbol: no aggregate, manifest as before", async () => {
      const { files } = await run(dir, ["AAAUSDT"], 3);
      deepEqual(Object.keys(files), ["ranked_csv", "ranked_json", "top"]);
      equal(files.top.length, 3);
    });
    await t.step("top 0: no curve files at all", async () => {
      const { files, summary } = await run(dir, ["AAAUSDT", "BBBUSDT"], 0);
      deepEqual(files.top, []);
      deepEqual(files["top_all"], []);
      deepEqual(summary.files, ["ranked.csv", "ranked.json", "manifest.json"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBacktest() writes PSR/DSR for every ranked config and pbo.json", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "backtest-honest-" });
  try {
    const features = join(dir, "features.csv");
    // 6 days of 1m bars: S=4 blocks of one whole UTC day (the oldest days dropped).
    await writeLines(
      features,
      syntheticCsvLines({ bars: 6 * 1440, symbols: ["AAA", "BBB"] }),
    );
    const opts = (out: string, extra: Record<string, unknown> = {}) => ({
      features,
      out: join(dir, out),
      grid: GRID,
      blockers: false,
      workers: 0,
      top: 0,
      onStatus: () => {},
      ...extra,
    });
    const summary = await runBacktest(opts("a", { pbo: 4, priorTrials: 3 }));

    await t.step("ranked.csv has psr, dsr and flags", async () => {
      const lines = (await Deno.readTextFile(join(dir, "a", "ranked.csv")))
        .trim().split("\n");
      const head = lines[0]!.split(",");
      deepEqual(head.slice(-4), ["psr", "dsr", "plateau_score", "flags"]);
      const first = lines[1]!.split(",");
      const p = Number(first[head.indexOf("psr")]);
      const d = Number(first[head.indexOf("dsr")]);
      ok(p >= 0 && p <= 1 && d >= 0 && d <= p, `psr ${p} dsr ${d}`);
      const aaa = summary.scopes[0]!.deflation!;
      equal(aaa.trials, aaa.eligible.length + 3);
    });

    await t.step("pbo.json has a PBO in [0, 1] per scope", async () => {
      const pbo = JSON.parse(
        await Deno.readTextFile(join(dir, "a", "pbo.json")),
      );
      ok(pbo.pbo >= 0 && pbo.pbo <= 1);
      equal(pbo.blocks, 4);
      equal(pbo.headline_scope, "ALL");
      deepEqual(Object.keys(pbo.scopes), ["AAA", "BBB", "ALL"]);
      equal(pbo.scopes.AAA.splits, 6);
      equal(pbo.scopes.AAA.is_sharpe.length, 6);
    });

    await t.step(
      "2 workers give the same ranked.csv and pbo.json",
      async () => {
        await runBacktest(opts("b", { pbo: 4, priorTrials: 3, workers: 2 }));
        for (const f of ["ranked.csv", "pbo.json"]) {
          equal(
            await Deno.readTextFile(join(dir, "b", f)),
            await Deno.readTextFile(join(dir, "a", f)),
          );
        }
      },
    );

    await t.step(
      "--rank_rule plateau ranks by plateau score, PBO with the same rule",
      async () => {
        const p = await runBacktest(opts("p", { pbo: 4, rankRule: "plateau" }));
        const aaa = p.scopes[0]!;
        const scores = Array.from(aaa.order, (c) => aaa.plateau![c]!);
        const finite = scores.filter(Number.isFinite);
        ok(finite.length > 0);
        deepEqual(finite, [...finite].sort((a, b) => b - a));
        const pbo = JSON.parse(
          await Deno.readTextFile(join(dir, "p", "pbo.json")),
        );
        equal(pbo.rule, "plateau");
        ok(pbo.pbo >= 0 && pbo.pbo <= 1);
      },
    );

    await t.step(
      "--walk_forward writes its json, csv and stitched equity",
      async () => {
        const w = await runBacktest(
          opts("w", {
            pbo: "off",
            walkForward: parseWalkForward("is=2d,oos=1d"),
          }),
        );
        deepEqual(w.walkForward!.map((x) => x.symbol), ["AAA", "BBB", "ALL"]);
        const json = JSON.parse(
          await Deno.readTextFile(join(dir, "w", "walk_forward.json")),
        );
        equal(json.windows, w.walkForward![0]!.rows.length);
        ok(json.windows >= 3);
        ok("wfe" in json.symbols.AAA && "param_changes" in json.symbols.AAA);
        const csv =
          (await Deno.readTextFile(join(dir, "w", "walk_forward.csv")))
            .trim().split("\n");
        equal(csv.length, 1 + 3 * json.windows);
        const eq = (await Deno.readTextFile(
          join(dir, "w", "walk_forward_equity.csv"),
        )).trim().split("\n");
        equal(eq.length, 1 + 3 * json.windows * 1440);
      },
    );

    await t.step(
      "a re-run without PBO or walk-forward leaves none of the earlier run's",
      async () => {
        await runBacktest(
          opts("stale", {
            pbo: 4,
            walkForward: parseWalkForward("is=2d,oos=1d"),
          }),
        );
        const names = async () => {
          const out = [];
          for await (const e of Deno.readDir(join(dir, "stale"))) {
            out.push(e.name);
          }
          return out.sort();
        };
        deepEqual(await names(), [
          "manifest.json",
          "pbo.json",
          "ranked.csv",
          "ranked.json",
          "walk_forward.csv",
          "walk_forward.json",
          "walk_forward_equity.csv",
        ]);
        await runBacktest(opts("stale", { pbo: "off" }));
        deepEqual(await names(), [
          "manifest.json",
          "ranked.csv",
          "ranked.json",
        ]);
      },
    );

    await t.step("plateau without a 3-level axis is refused", async () => {
      await assertRejects(
        () =>
          runBacktest(
            opts("flat", { rankRule: "plateau", grid: { ...GRID, k: [1, 2] } }),
          ),
        /no numeric grid axis has 3 or more levels/,
      );
      await assertRejects(
        () => Deno.stat(join(dir, "flat")),
        Deno.errors.NotFound,
      );
    });

    await t.step(
      "an odd or too large S is refused before anything is written",
      async () => {
        for (
          const [pbo, re] of [[5, /even/], [8, /spans 7 UTC day/]] as const
        ) {
          await assertRejects(
            () => runBacktest(opts(`bad${pbo}`, { pbo })),
            re,
          );
          await assertRejects(
            () => Deno.stat(join(dir, `bad${pbo}`)),
            Deno.errors.NotFound,
          );
        }
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBacktest() re-run into the same --out keeps only the new run's outputs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backtest-rerun-" });
  try {
    const features = join(dir, "features.csv");
    await writeLines(
      features,
      syntheticCsvLines({ bars: 1200, symbols: ["AAAUSDT"] }),
    );
    const out = join(dir, "out");
    const options = {
      features,
      out,
      blockers: false,
      workers: 0,
      onStatus: () => {},
    };
    await runBacktest({ ...options, grid: GRID, top: 3 });
    await runBacktest({ ...options, grid: { ...GRID, k: [0.5] }, top: 2 });
    const manifest = JSON.parse(
      await Deno.readTextFile(join(out, "manifest.json")),
    );
    const listed = (manifest.files.top as TopEntry[])
      .flatMap((e) => [e.trades, e.equity]).sort();
    const onDisk = [];
    for await (const e of Deno.readDir(join(out, "top"))) {
      onDisk.push(`top/${e.name}`);
    }
    deepEqual(onDisk.sort(), listed);
    equal(listed.length, 4);
    // nothing is left of the staging directory
    const names = [];
    for await (const e of Deno.readDir(out)) names.push(e.name);
    deepEqual(names.sort(), [
      "manifest.json",
      "ranked.csv",
      "ranked.json",
      "top",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
