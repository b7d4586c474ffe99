import { deepEqual } from "node:assert/strict";
import { SymbolQueues } from "./symbol_queues.ts";

Deno.test("SymbolQueues keeps each symbol's order and never makes one symbol wait for another", async () => {
  const done: string[] = [];
  const errors: unknown[] = [];
  const q = new SymbolQueues((e) => errors.push(e));
  let release!: () => void;
  const slow = new Promise<void>((r) => release = r);
  // BTCUSDT's first event waits on a slow REST call (an entry's timeout)
  q.push("BTCUSDT", async () => {
    await slow;
    done.push("BTC 1");
  });
  q.push("BTCUSDT", () => void done.push("BTC 2"));
  q.push("ETHUSDT", () => void done.push("ETH 1"));
  q.push("ETHUSDT", () => {
    throw new Error("boom");
  });
  q.push("ETHUSDT", () => void done.push("ETH 3"));
  await new Promise((r) => setTimeout(r, 10));
  // ETHUSDT's exit cleanup ran while BTCUSDT still waits; a failed task does not stop it
  deepEqual(done, ["ETH 1", "ETH 3"]);
  release();
  await q.idle();
  deepEqual(done, ["ETH 1", "ETH 3", "BTC 1", "BTC 2"]);
  deepEqual(errors.map((e) => (e as Error).message), ["boom"]);
});
