import { equal, match } from "node:assert/strict";

const SCRIPT = new URL("./parity.ts", import.meta.url).pathname;
const FIXTURE = new URL(
  "../tests/fixtures/real/binance_um/klines_1m/BTCUSDT_1m_2025-05-26_2025-05-27.csv",
  import.meta.url,
).pathname;

async function run(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      SCRIPT,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("parity.ts refuses bad input with one line and exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parity_cli_test_" });
  try {
    const config = `${dir}/c.json`;
    await Deno.writeTextFile(config, JSON.stringify({ k: 2, tp: 40 }));
    const late = `${dir}/BTCUSDT_funding.csv`;
    await Deno.writeTextFile(
      late,
      "funding_time,funding_rate\n1748304000000,0.0001\n",
    );
    const bad = `${dir}/bad_funding.csv`;
    await Deno.writeTextFile(bad, "funding_time,funding_rate\n1,x\n");
    const replay = ["--replay", `BTCUSDT=${FIXTURE}`, "--minutes", "1"];
    // recorded logs of ETHUSDT only
    await Deno.mkdir(`${dir}/eth_logs`);
    await Deno.writeTextFile(
      `${dir}/eth_logs/kline.csv`,
      "ts,symbol,open_time,close_time,open,high,low,close,volume,quote_volume,trades,taker_buy_volume,is_closed\n" +
        "1750000020102,ETHUSDT,1750000020000,1750000079999,1,1,1,1,1,1,1,1,false\n",
    );
    await Deno.writeTextFile(
      `${dir}/eth_logs/bookTicker.csv`,
      "ts,symbol,event_time,bid_price,bid_qty,ask_price,ask_qty\n",
    );
    await Deno.writeTextFile(
      `${dir}/eth_logs/markPrice.csv`,
      "ts,symbol,event_time,mark_price,index_price,funding_rate,next_funding_time\n",
    );
    const cases: [string[], RegExp][] = [
      [[], /Missing --replay/],
      [["--replay", dir], /no kline\.csv in it/],
      [["--replay", `${dir}/eth_logs`], /no rows for BTCUSDT/],
      [["--replay", `BTCUSDT=${dir}/none.csv`], /does not exist/],
      [["--replay", `ETHUSDT=${dir}/x.csv`], /no file for symbol BTCUSDT/],
      [
        ["--replay", `BTCUSDT=${dir}/x.csv`, "--config", config],
        /unknown key "tp"/,
      ],
      [[...replay, "--funding", `${dir}/none.csv`], /name the symbol/],
      [[...replay, "--funding", `ETHUSDT=${late}`], /not a listed symbol/],
      [[...replay, "--funding", `BTCUSDT=${dir}/no.csv`], /does not exist/],
      [[...replay, "--funding", `BTCUSDT=${bad}`], /--funding.*:2: invalid/],
      // recorded logs carry their own funding rates
      [
        ["--replay", `${dir}/eth_logs`, "--funding", `BTCUSDT=${late}`],
        /logs in .*eth_logs carry their own funding .*only for --replay of 1m OHLCV/,
      ],
      // a funding file the replay cannot use: refused before anything is written
      [[...replay, "--funding", late], /no event before the first settlement/],
    ];
    for (const [args, re] of cases) {
      const r = await run([...args, "--out_dir", `${dir}/out`]);
      equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      match(r.stderr, re);
      equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      equal(
        await Deno.stat(`${dir}/out`).then(() => true, () => false),
        false,
        `${args.join(" ")} wrote ${dir}/out`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
