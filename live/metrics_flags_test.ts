import assert from "node:assert/strict";
import { runScript } from "./_run_script.ts";

const SCRIPTS = ["./trade.ts", "./paper.ts", "./record.ts"];

Deno.test("live, paper and record refuse a bad --metrics_addr in one line, exit 2", async (t) => {
  const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (held.addr as Deno.NetAddr).port;
  try {
    for (const script of SCRIPTS) {
      const name = script.slice(2);
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
          const r = await runScript(script, [
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
