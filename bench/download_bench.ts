/**
 * `deno task bench:download`: bars written per second by `runDownload` against the
 * simulator with no rate limit (the simulator in a child process, so client and server
 * each have a core), and the client's peak RSS for a 1-month and a 4-month range (flat
 * memory: the same peak for both). Then the client alone: the same pages, recorded from
 * the simulator once, replayed through the transport's injected `fetch`, so the figure is
 * the client's (transport, JSON, row checks, CSV lines, appends) without the server's cost.
 * Bars per CPU-second of this process and of the simulator's are printed too: on a shared
 * machine the wall-clock rate says more about the other load than about the code.
 *
 * @module
 */
import process from "node:process";
import { MarketRestClient } from "../lib/exchange/market_rest_client.ts";
import { RestTransport } from "../lib/exchange/rest_transport.ts";
import { runDownload } from "../lib/download/run_download.ts";
import { ManualClock, startSimulator } from "../lib/sim/mod.ts";
import { systemClock } from "../lib/time/clock.ts";

const LISTED = Date.UTC(2025, 0, 1);
const SYMBOLS = ["BTCUSDT", "ETHUSDT"];

if (Deno.args[0] === "--serve") {
  const sim = await startSimulator({
    clock: new ManualClock(Date.UTC(2025, 6, 1)),
    symbols: SYMBOLS,
    historyMinutes: 60,
    listedAt: LISTED,
    requestWeightLimit: 1_000_000_000,
  });
  // deno-lint-ignore no-console
  console.log(sim.restUrl);
  // Each line on stdin asks for this process's CPU seconds so far.
  for await (
    const _ of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
  ) {
    const c = process.cpuUsage();
    // deno-lint-ignore no-console
    console.log(((c.user + c.system) / 1e6).toFixed(3));
  }
  await new Promise(() => {});
}

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--frozen",
    "--allow-net=127.0.0.1",
    "--allow-read",
    "--allow-env",
    new URL(import.meta.url).pathname,
    "--serve",
  ],
  stdin: "piped",
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const ask = child.stdin.getWriter();
const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let restUrl = "";
while (!restUrl.includes("\n")) {
  const { value, done } = await reader.read();
  if (done) throw new Error("the simulator did not start");
  restUrl += value;
}
restUrl = restUrl.trim();

/** The simulator process's CPU seconds so far. */
async function serverCpu(): Promise<number> {
  await ask.write(new TextEncoder().encode("\n"));
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the simulator stopped");
    text += value;
  }
  return Number(text.trim());
}

/** Pages recorded from the simulator by URL (filled by `record`, replayed by `replay`). */
const pages = new Map<string, string>();
const record: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const text = await res.text();
  pages.set(String(input), text);
  return new Response(text, { status: res.status, headers: res.headers });
};
const replay: typeof fetch = (input) => {
  const text = pages.get(String(input));
  if (text === undefined) throw new Error(`not recorded: ${input}`);
  return Promise.resolve(
    new Response(text, { headers: { "content-type": "application/json" } }),
  );
};

async function run(
  months: number,
  fetchFn: typeof fetch = fetch,
): Promise<
  { rows: number; s: number; cpu: number; serverCpu: number; rss: number }
> {
  const dir = await Deno.makeTempDir({ prefix: "download-bench-" });
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }, 50);
  try {
    const client = new MarketRestClient(
      new RestTransport({
        baseUrl: restUrl,
        weightHeadroom: 1,
        fetch: fetchFn,
      }),
    );
    const s0 = await serverCpu();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await runDownload({
      symbols: SYMBOLS,
      from: LISTED,
      to: Date.UTC(2025, months, 1),
      outDir: dir,
      kinds: ["klines", "mark", "index"],
    }, { client, clock: systemClock, report: () => {} });
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const server = fetchFn === fetch ? await serverCpu() - s0 : NaN;
    peak = Math.max(peak, Deno.memoryUsage().rss);
    return {
      rows: r.rows,
      s,
      cpu: (c.user + c.system) / 1e6,
      serverCpu: server,
      rss: peak,
    };
  } finally {
    clearInterval(timer);
    await Deno.remove(dir, { recursive: true });
  }
}

const line = (text: string) =>
  Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
try {
  await run(1); // warm-up (JIT on both sides)
  const one = await run(1);
  const four = await run(4);
  for (const [name, r] of [["1 month", one], ["4 months", four]] as const) {
    line(
      `download ${name}, ${SYMBOLS.length} symbols × klines, mark, index, from the simulator: ${r.rows} bars in ${
        r.s.toFixed(2)
      } s = ${Math.round(r.rows / r.s)} bars/s (client: ${
        Math.round(r.rows / r.cpu)
      } bars per CPU-second, simulator: ${
        Math.round(r.rows / r.serverCpu)
      } bars per CPU-second); client peak RSS ${
        (r.rss / 2 ** 20).toFixed(0)
      } MB`,
    );
  }
  await run(4, record);
  await run(4, replay); // warm-up
  const client = await run(4, replay);
  line(
    `client alone (the same 4 months of pages replayed): ${client.rows} bars in ${
      client.s.toFixed(2)
    } s = ${Math.round(client.rows / client.s)} bars/s, ${
      Math.round(client.rows / client.cpu)
    } bars per CPU-second`,
  );
} finally {
  await ask.close().catch(() => {});
  child.kill();
  await child.status;
}
