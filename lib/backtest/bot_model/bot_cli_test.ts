import { equal, match, ok } from "node:assert/strict";
import {
  LIVE_FLAGS,
  liveConfig,
  parseLiveFlags,
  STRATEGY_CONFIG_KEYS,
} from "../../live/live_flags.ts";
import { featureTableCsvLines, syntheticTable } from "../mod.ts";
import { exchangeInfo, symbolSpec } from "../../sim/symbols.ts";

const SCRIPT =
  new URL("../../../backtest/backtest.ts", import.meta.url).pathname;

async function run(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      SCRIPT,
      "--quiet",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** A per-second companion file of one symbol with one record at `t` (when given). */
function secondFile(
  symbol: string,
  bars: number,
  first: number,
  last: number,
  t?: number,
): Uint8Array {
  const recs = t === undefined ? new Float64Array(0) : new Float64Array([
    t,
    NaN,
    NaN,
    NaN,
    30_000,
    30_000,
    29_999,
    30_001,
    1,
    1,
  ]);
  let line = JSON.stringify({
    format: "aster-1s",
    version: 2,
    table: "features.csv",
    fields: [
      "t",
      "p1",
      "p2",
      "p3",
      "last",
      "mark",
      "bid",
      "ask",
      "bid_qty",
      "ask_qty",
    ],
    "record_bytes": 80,
    "byte_order": "little-endian",
    symbols: [{
      symbol,
      "first_bar": first,
      "last_bar": last,
      bars,
      seconds: recs.length / 10,
      offset: 0,
    }],
  });
  line += " ".repeat((8 - ((line.length + 1) % 8)) % 8) + "\n";
  const head = new TextEncoder().encode(line);
  const out = new Uint8Array(head.length + recs.byteLength);
  out.set(head);
  out.set(new Uint8Array(recs.buffer), head.length);
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("backtest.ts --model bot ranks the bot's own parameters", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "bot_cli_test_" });
  try {
    const features = `${dir}/features.csv`;
    const table = syntheticTable({ bars: 3000, symbols: ["BTCUSDT"] });
    await Deno.writeTextFile(
      features,
      [...featureTableCsvLines(table)].join("\n") + "\n",
    );
    const ohlcv = `${dir}/ohlcv.csv`;
    await Deno.writeTextFile(
      ohlcv,
      [...featureTableCsvLines(table)].map((line, i) => {
        if (i === 0) return line;
        const f = line.split(",");
        f[8] = f[11] = f[12] = ""; // no book columns
        return f.join(",");
      }).join("\n") + "\n",
    );
    const grid = [
      "--k",
      "1,2",
      "--n",
      "1",
      "--T",
      "10",
      "--V",
      "10",
      "--max_spread_bps",
      "50",
      // synthetic BTCUSDT is near 30,000: one 0.001 step is ~30 USDT, so 500 stays within
      // the bot's max_upsize (10 %) above the target
      "--order_notional",
      "500",
    ];

    await t.step(
      "a run writes rankings in USDT and a _live.json per top config",
      async () => {
        const out = `${dir}/out`;
        const r = await run([
          "--model",
          "bot",
          "--features",
          features,
          "--out",
          out,
          ...grid,
          "--tp_bps",
          "20,40",
          "--sl_bps",
          "25",
          "--trail_activation_bps",
          "0,15",
          "--top",
          "2",
          "--walk_forward",
          "is=1d,oos=6h",
        ]);
        equal(r.code, 0, r.stderr);
        match(r.stdout, /ranked by net_pnl \(PnL in USDT\)/);
        match(r.stdout, /noise alone: the best of N=\d+ null configs/);
        match(
          r.stdout,
          /walk-forward BTCUSDT: \d+ windows, stitched OOS Sharpe/,
        );
        ok(await exists(`${out}/walk_forward.json`));
        match(r.stdout, /winner config \d+: Sharpe .*DSR/);
        match(r.stdout, /PBO skipped: BTCUSDT: .*CSCV needs at least 10/);
        const manifest = JSON.parse(
          await Deno.readTextFile(`${out}/manifest.json`),
        );
        equal(manifest.model, "bot");
        equal(manifest.grid_size, 8);
        const top = manifest.files.top[0];
        const trades = await Deno.readTextFile(`${out}/${top.trades}`);
        match(trades.split("\n")[0]!, /exit_reason,fees,funding,pnl/);
        // the bot accepts the _live.json as it is
        const path = `${out}/${top.live}`;
        // as the bot's commands read it: every strategy key present
        for (const k of STRATEGY_CONFIG_KEYS) {
          equal(k in JSON.parse(await Deno.readTextFile(path)), true, k);
        }
        const flags = await parseLiveFlags(LIVE_FLAGS, {
          argv: ["--config", path],
          env: () => undefined,
          readTextFile: (p) => Deno.readTextFile(p),
        });
        const cfg = liveConfig(flags);
        const live = JSON.parse(await Deno.readTextFile(path));
        equal(cfg.symbols[0], "BTCUSDT");
        equal(cfg.tpBps, live.tp_bps);
        equal(cfg.params.k, live.k);
        equal(cfg.trailing === undefined, live.trail_activation_bps === 0);
      },
    );

    await t.step("bad input: one line, exit 2, nothing written", async () => {
      const cases: [string[], RegExp][] = [
        [["--features", ohlcv], /Missing --spread_bps/],
        [["--features", features, "--spread_bps", "2"], /has book columns/],
        [["--features", features, "--sl_stop", "0.01"], /--model vbt only/],
        [["--features", features, "--tp_bps", "abc"], /tp_bps value "abc"/],
        [["--features", features, "--pbo", "5"], /--pbo 5: .*even/],
        [["--features", features, "--pbo", "8"], /--pbo 8: .*spans 4 UTC/],
        [["--features", features, "--pbo", "x"], /--pbo must be/],
        [
          ["--features", features, "--walk_forward", "is=30d,oos=7d"],
          /--walk_forward is=30d,oos=7d: .* longer than the data/,
        ],
        [
          ["--features", features, "--walk_forward", "is=1d"],
          /walk_forward/,
        ],
        [
          ["--features", features, "--rank_rule", "plateau"],
          /no numeric grid axis has 3/,
        ],
        [["--features", features, "--rank_by", "sortino"], /rank_by/],
        [
          ["--features", features, "--trail_callback_pct", "9"],
          /trail_callback_pct=9/,
        ],
        [
          ["--features", features, "--exchange_info", `${dir}/none.json`],
          /--exchange_info/,
        ],
      ];
      await Deno.writeTextFile(
        `${dir}/xi.json`,
        JSON.stringify(exchangeInfo([symbolSpec("ETHUSDT")], 0)),
      );
      cases.push([
        ["--features", features, "--exchange_info", `${dir}/xi.json`],
        /no symbol BTCUSDT/,
      ]);
      for (const [args, re] of cases) {
        const out = `${dir}/bad`;
        const r = await run(["--model", "bot", "--out", out, ...grid, ...args]);
        equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        match(r.stderr, re);
        equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        ok(!(await exists(out)), `${args.join(" ")} wrote ${out}`);
      }
      // a per-second companion file that belongs to another table
      const other = `${dir}/m/features.csv`;
      await Deno.mkdir(`${dir}/m`);
      await Deno.copyFile(features, other);
      const ts = table.symbols[0]!.ts;
      await Deno.writeFile(
        `${other}.1s`,
        secondFile("BTCUSDT", table.symbols[0]!.bars - 1, ts[0]!, ts[1]!),
      );
      const out = `${dir}/bad`;
      const r = await run([
        "--model",
        "bot",
        "--out",
        out,
        ...grid,
        "--features",
        other,
      ]);
      equal(r.code, 2, r.stderr);
      match(
        r.stderr,
        /Invalid per-second file .*m\/features\.csv\.1s: BTCUSDT 2999 bars/,
      );
      equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      ok(!(await exists(out)));
      // the matching file is used (and --per_second false ignores it)
      const n = table.symbols[0]!.bars;
      await Deno.writeFile(
        `${other}.1s`,
        secondFile("BTCUSDT", n, ts[0]!, ts[n - 1]!, ts[0]! + 61_000),
      );
      for (
        const [flag, intrabar] of [["true", "seconds"], ["false", "stop_first"]]
      ) {
        const good = await run([
          "--model",
          "bot",
          "--out",
          `${dir}/good_${flag}`,
          ...grid,
          "--features",
          other,
          "--per_second",
          flag!,
        ]);
        equal(good.code, 0, good.stderr);
        const manifest = JSON.parse(
          await Deno.readTextFile(`${dir}/good_${flag}/manifest.json`),
        );
        equal(manifest.costs.intrabar, intrabar);
      }
      const vbt = await run([
        "--features",
        features,
        "--out",
        `${dir}/bad`,
        "--tp_bps",
        "40",
      ]);
      equal(vbt.code, 2);
      match(vbt.stderr, /--model bot only/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest.ts --model bot on several symbols ranks configs across them (ALL)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bot_cli_all_test_" });
  try {
    const features = `${dir}/features.csv`;
    const table = syntheticTable({
      bars: 3000,
      symbols: ["BTCUSDT", "ETHUSDT"],
    });
    await Deno.writeTextFile(
      features,
      [...featureTableCsvLines(table)].join("\n") + "\n",
    );
    const out = `${dir}/out`;
    const r = await run([
      "--model",
      "bot",
      "--features",
      features,
      "--out",
      out,
      "--k",
      "1,2",
      "--n",
      "1",
      "--T",
      "10",
      "--V",
      "10",
      "--max_spread_bps",
      "50",
      "--order_notional",
      "500",
      "--tp_bps",
      "20,40",
      "--top",
      "2",
    ]);
    equal(r.code, 0, r.stderr);
    match(r.stdout, /\nALL: \d+ of 4 configs/);
    match(
      r.stdout,
      /best ALL config for the bot: .*top\/ALL_rank1_config\d+_live\.json/,
    );
    // ALL's net PnL is the sum of the symbols' (one notional on each), its win rate
    // their mean
    const rows = (await Deno.readTextFile(`${out}/ranked.csv`)).trim().split(
      "\n",
    ).map((l) => l.split(","));
    const col = (name: string) => rows[0]!.indexOf(name);
    const of = (scope: string, c: string) =>
      rows.find((x) => x[0] === scope && x[col("config_id")] === c)!;
    const all = rows.filter((x) => x[0] === "ALL");
    equal(all.length, 4);
    for (const a of all) {
      const c = a[col("config_id")]!;
      const b = of("BTCUSDT", c), e = of("ETHUSDT", c);
      const sum = Number(b[col("net_pnl")]) + Number(e[col("net_pnl")]);
      ok(Math.abs(Number(a[col("net_pnl")]) - sum) < 1e-6, `${a} vs ${sum}`);
      equal(
        Number(a[col("n_trades")]),
        Number(b[col("n_trades")]) + Number(e[col("n_trades")]),
      );
    }
    const manifest = JSON.parse(
      await Deno.readTextFile(`${out}/manifest.json`),
    );
    const tops = manifest.files.top_all as {
      rank: number;
      symbol: string;
      trades: string;
      live: string;
    }[];
    equal(tops.length, 4); // 2 ranks x 2 symbols
    for (const t of tops) ok(await exists(`${out}/${t.trades}`), t.trades);
    // the rank-1 ALL config runs the bot on every symbol as it is
    const flags = await parseLiveFlags(LIVE_FLAGS, {
      argv: ["--config", `${out}/${tops[0]!.live}`],
      env: () => undefined,
      readTextFile: (p) => Deno.readTextFile(p),
    });
    equal(liveConfig(flags).symbols.join(","), "BTCUSDT,ETHUSDT");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
