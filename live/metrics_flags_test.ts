import assert from "node:assert/strict";

const SCRIPTS = ["trade.ts", "paper.ts", "record.ts"].map((f) =>
  new URL(`./${f}`, import.meta.url).pathname
);

async function run(script: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      script,
      ...args,
    ],
    env: { NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("live, paper and record refuse a bad --metrics_addr in one line, exit 2", async (t) => {
  const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (held.addr as Deno.NetAddr).port;
  try {
    for (const script of SCRIPTS) {
      const name = script.split("/").pop();
      for (
        const [args, want] of [
          [
            ["--metrics_addr", "9464"],
            /^error: Invalid --metrics_addr "9464": expected host:port/,
          ],
          [
            ["--metrics_addr", "0.0.0.0:9464"],
            /^error: Invalid --metrics_addr "0\.0\.0\.0:9464": "0\.0\.0\.0" is not a loopback address; add --metrics_public true/,
          ],
          [
            ["--metrics_addr", `127.0.0.1:${port}`],
            new RegExp(
              `^error: Invalid --metrics_addr "127\\.0\\.0\\.1:${port}": the port is in use`,
            ),
          ],
        ] as const
      ) {
        await t.step(`${name} ${args.join(" ")}`, async () => {
          const r = await run(script, [
            ...args,
            // never reached: the address is checked before anything connects
            ...(name === "paper.ts" ? ["--minutes", "1"] : [
              "--rest_url",
              "http://127.0.0.1:9",
              "--ws_url",
              "ws://127.0.0.1:9",
            ]),
          ]);
          assert.equal(r.code, 2, r.stderr);
          const lines = r.stderr.trim().split("\n").filter((l) =>
            !/\[(INF|DBG)\]/.test(l)
          );
          assert.equal(lines.length, 1, r.stderr);
          assert.match(lines[0]!, want);
        });
      }
    }
  } finally {
    held.close();
  }
});
