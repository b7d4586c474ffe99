import { equal } from "node:assert/strict";
import { shardDoneLine } from "./run_shard.ts";

const DONE = {
  shard: { index: 2, count: 4 },
  dir: "/tmp/out-2",
  tasks: 3,
  rows: 120,
  barConfigs: 123456,
  seconds: { read: 0.5, simulate: 1.234 },
};

Deno.test("shardDoneLine: rows, bar-configs, seconds, directory and the merge hint", () => {
  equal(
    shardDoneLine(DONE),
    "shard 2/4: 120 (symbol, config) rows, 1.23e+5 bar-configs in 1.23 s (read 0.50 s) -> /tmp/out-2/ (merge the 4 shard directories with deno task merge)",
  );
});

Deno.test("shardDoneLine names the model after the shard when given", () => {
  equal(
    shardDoneLine(DONE, "bot model"),
    "shard 2/4 (bot model): 120 (symbol, config) rows, 1.23e+5 bar-configs in 1.23 s (read 0.50 s) -> /tmp/out-2/ (merge the 4 shard directories with deno task merge)",
  );
});
