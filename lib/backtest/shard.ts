/**
 * Sharding a grid run over n processes or machines: which tasks shard i of n runs, the
 * `--shard i/n` syntax, and the fingerprint that tells whether shards ran on the same data.
 * Pure.
 *
 * @module
 */
import type { FeatureTable } from "./feature_table.ts";
import type { ConfigTable } from "./grid.ts";
import { type GridTask, planTasks, TASK_CHUNK } from "./task.ts";

/** One shard of a run: `index` in [0, count). */
export interface ShardSpec {
  /** 0-based shard number (Cloud Batch's `BATCH_TASK_INDEX`, a Job's `JOB_COMPLETION_INDEX`). */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/** The most shards a run can be split into. */
export const MAX_SHARDS = 100_000;

/**
 * Parses `i/n` (0 <= i < n, both decimal integers).
 *
 * @throws {SyntaxError} with a one-line message naming the flag
 */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
  if (m === null) {
    throw new SyntaxError(
      `--shard must be i/n with integers 0 <= i < n (e.g. 0/4), got "${text}"`,
    );
  }
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) {
    throw new SyntaxError(
      `--shard ${text}: n must be between 1 and ${MAX_SHARDS}`,
    );
  }
  if (index >= count) {
    throw new SyntaxError(
      `--shard ${text}: i must be below n (shards are numbered 0 to ${
        count - 1
      })`,
    );
  }
  return { index, count };
}

/** The (symbol, config) rows of `tasks`: their configs, summed. */
export function taskRows(
  tasks: readonly { readonly configs: { readonly length: number } }[],
): number {
  let n = 0;
  for (const t of tasks) n += t.configs.length;
  return n;
}

/** The bar-configs of `tasks`: per task, its configs times its symbol's bars, summed. */
export function taskBarConfigs(
  tasks: readonly GridTask[],
  bars: readonly number[],
): number {
  let total = 0;
  for (const t of tasks) total += t.configs.length * bars[t.symbol]!;
  return total;
}

/**
 * Assigns every task to a shard: tasks stay in plan order (symbol, signal set, config chunk)
 * and each shard takes a contiguous run of them holding about 1/n of the bar-configs (a task
 * goes to the shard its midpoint falls in). Deterministic: every process computes the same
 * assignment from the same grid and table.
 *
 * @param tasks the plan
 * @param bars bars per symbol (table order)
 * @param count number of shards
 * @returns the shard of each task
 */
export function assignShards(
  tasks: readonly GridTask[],
  bars: readonly number[],
  count: number,
): Int32Array {
  const total = taskBarConfigs(tasks, bars);
  const out = new Int32Array(tasks.length);
  let before = 0;
  for (let k = 0; k < tasks.length; k++) {
    const w = tasks[k]!.configs.length * bars[tasks[k]!.symbol]!;
    const mid = before + w / 2;
    out[k] = total === 0
      ? 0
      : Math.min(count - 1, Math.floor(mid * count / total));
    before += w;
  }
  return out;
}

/**
 * The tasks of one shard, in plan order and renumbered from 0 (the plan uses chunks of
 * {@linkcode TASK_CHUNK} configs, so every process splits the grid the same way).
 *
 * @param configs the grid
 * @param bars bars per symbol (table order)
 * @param shard which shard
 */
export function shardTasks(
  configs: ConfigTable,
  bars: readonly number[],
  shard: ShardSpec,
): GridTask[] {
  const plan = planTasks(configs, bars.length, TASK_CHUNK);
  const of = assignShards(plan, bars, shard.count);
  const out: GridTask[] = [];
  for (let k = 0; k < plan.length; k++) {
    if (of[k] === shard.index) out.push({ ...plan[k]!, id: out.length });
  }
  return out;
}

/**
 * A fingerprint of the data a run simulates: every symbol's name, bar count and every parsed
 * column (two 32-bit multiply-xor lanes over the doubles' bits), as 16 hex digits. Two tables
 * with the same fingerprint give the same results.
 */
export function tableFingerprint(table: FeatureTable): string {
  let h1 = 0x811c9dc5 | 0, h2 = 0x01000193 | 0;
  const mix = (x: number) => {
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995) ^ (h2 >>> 15);
  };
  const column = (a: Float64Array) => {
    const u = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
    for (let i = 0; i < u.length; i++) mix(u[i]!);
  };
  for (const w of table.rsWindows) mix(w);
  for (const w of table.volWindows) mix(w);
  for (const s of table.symbols) {
    for (let i = 0; i < s.symbol.length; i++) mix(s.symbol.charCodeAt(i));
    mix(s.bars);
    for (
      const a of [
        s.ts,
        s.open,
        s.high,
        s.low,
        s.close,
        s.vol,
        s.ret,
        s.spread,
        s.funding,
        s.openLossLong,
        s.openLossShort,
        ...s.rsVol.values(),
        ...s.avgVol.values(),
      ]
    ) column(a);
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
  return hex(h1) + hex(h2);
}
