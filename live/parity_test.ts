import { equal, match } from "node:assert/strict";

const SCRIPT = new URL("./parity.ts", import.meta.url).pathname;

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
    const cases: [string[], RegExp][] = [
      [[], /Missing --replay/],
      [["--replay", dir], /recorded log directories are not supported yet/],
      [["--replay", `BTCUSDT=${dir}/none.csv`], /does not exist/],
      [["--replay", `ETHUSDT=${dir}/x.csv`], /no file for symbol BTCUSDT/],
      [
        ["--replay", `BTCUSDT=${dir}/x.csv`, "--config", config],
        /unknown key "tp"/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = await run([...args, "--out_dir", `${dir}/out`]);
      equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      match(r.stderr, re);
      equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
