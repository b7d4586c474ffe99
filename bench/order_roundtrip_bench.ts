/**
 * Order round trip on loopback: from `TradingClient.placeOrder` (build, sign, send) to the
 * simulator's acknowledgement parsed, for LIMIT IOC orders on a fresh simulated account,
 * with V1 HMAC and V3 EIP-712 signing. Prints p50/p99/max. Target: V1 p99 < 2 ms.
 *
 * Run: deno task bench:roundtrip
 */
import {
  createSigner,
  Secret,
  v1Credentials,
  v3Credentials,
} from "../lib/exchange/sign/mod.ts";
import { MarketRestClient, RestTransport } from "../lib/exchange/mod.ts";
import { TradingClient } from "../lib/exchange/trading/mod.ts";
import { startSimulator } from "../lib/sim/mod.ts";
import {
  demoAccounts,
  generateDemoCredentials,
} from "../lib/sim/trading/demo_accounts.ts";

// Each scheme gets its own simulator, so that its orders stay under the request weight
// of one minute (2,400) and no rate-limit wait is measured.
const ORDERS = 1500;
const WARMUP = 200;

function print(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const demo = generateDemoCredentials();
const schemes = {
  V1: v1Credentials(new Secret(demo.apiKey), new Secret(demo.secretKey)),
  V3: v3Credentials(demo.user, demo.signer, new Secret(demo.agentKey)),
};
for (const [name, credentials] of Object.entries(schemes)) {
  await using sim = await startSimulator({
    symbols: ["BTCUSDT"],
    speed: 1,
    historyMinutes: 10,
    accounts: demoAccounts(demo, "1000000"),
    ordersPerMinute: 1_000_000,
  });
  const market = new MarketRestClient(
    new RestTransport({ baseUrl: sim.restUrl }),
  );
  const client = new TradingClient({
    signer: createSigner(credentials, { clock: () => sim.clock.now() }),
    baseUrl: sim.restUrl,
    orderRate: { limit: 1_000_000 },
  });
  const samples = new Float64Array(ORDERS);
  let placed = 0;
  let book = await market.bookTicker("BTCUSDT");
  for (let i = -WARMUP; i < ORDERS; i++) {
    if (i % 50 === 0) book = await market.bookTicker("BTCUSDT");
    const side = i % 2 === 0 ? "BUY" : "SELL";
    const start = performance.now();
    // An IOC on the passive side of the touch: acknowledged, then expired unfilled, so
    // no position builds up and every order takes the full validation path.
    const result = await client.placeOrder({
      symbol: "BTCUSDT",
      side,
      type: "LIMIT",
      timeInForce: "IOC",
      quantity: "0.001",
      price: side === "BUY" ? book.bidPrice : book.askPrice,
    });
    const ms = performance.now() - start;
    if (result.status === "placed") placed++;
    if (i >= 0) samples[i] = ms;
  }
  samples.sort();
  print(
    `${name} order round trip (${ORDERS} LIMIT IOC, ${
      placed - WARMUP
    } acknowledged): ` +
      `p50 ${percentile(samples, 0.5).toFixed(3)} ms, p99 ${
        percentile(samples, 0.99).toFixed(3)
      } ms, ` +
      `max ${samples[ORDERS - 1]!.toFixed(3)} ms${
        name === "V1" ? " (target p99 < 2 ms)" : ""
      }`,
  );
}
