/**
 * Runs every config of a grid on every symbol over a pool of Web Workers (or in the calling
 * thread with `workers: 0`) and gathers one metric row per (symbol, config). Each config is
 * simulated on its own, so results do not depend on the worker count or the task order.
 *
 * @module
 */
import type { FeatureTable } from "./feature_table.ts";
import type { ConfigTable } from "./grid.ts";
import { N_METRICS } from "./metrics.ts";
import { N_MOMENTS } from "../research/return_stats.ts";
import {
  type BlockPlan,
  type GridTask,
  planTasks,
  TASK_CHUNK,
  taskRowWidth,
  TaskRunner,
} from "./task.ts";
import { type ShardSpec, shardTasks, taskBarConfigs } from "./shard.ts";
import type { TopJob } from "./top_files.ts";

/** Options of {@linkcode runGrid}. */
export interface RunGridOptions {
  /** Worker threads; 0 runs in the calling thread. @default navigator.hardwareConcurrency */
  readonly workers?: number;
  /** Apply the spread/funding/opening-loss blockers. @default true */
  readonly blockers?: boolean;
  /** Maximum configs per task. @default 32 */
  readonly chunk?: number;
  /** Called after each task with bar-configs done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Time blocks: also gather per-block return statistics (for CSCV). */
  readonly blocks?: BlockPlan;
  /**
   * Run only this shard's tasks (see `assignShards`); the other rows stay 0 and
   * `barConfigs` counts the shard's work only.
   */
  readonly shard?: ShardSpec;
  /**
   * Workers started beforehand (see {@linkcode GridPool}): used instead of starting
   * `workers` new ones, and left running. `workers` still caps how many take tasks.
   */
  readonly pool?: GridPool;
}

/**
 * Which engine a pool's workers run: `vbt` (the vectorbt-compatible grid, `worker.ts`) or
 * `bot` (the bot model, `bot_model/bot_worker.ts`). Both speak the same protocol (see
 * {@linkcode runPoolTasks}).
 */
export type PoolModel = "vbt" | "bot";

/**
 * The worker entry module of each engine (a compiled binary that starts a pool must
 * include them: `deploy/build_plan.ts`).
 */
export const POOL_WORKER_MODULES: Readonly<Record<PoolModel, URL>> = {
  vbt: new URL("./worker.ts", import.meta.url),
  bot: new URL("./bot_model/bot_worker.ts", import.meta.url),
};

/**
 * The grid runner's worker threads, started ahead of the work so that their start-up (a
 * fresh isolate loading the engine's modules) overlaps reading the feature table, and reused
 * by every {@linkcode runGrid} (or the bot model's `runBotGrid`) call given them. The owner
 * terminates them (`using` works).
 */
export class GridPool {
  readonly #workers: Worker[] = [];
  /** The engine the workers run. */
  readonly model: PoolModel;

  /**
   * @param count worker threads to start
   * @param model the engine they run @default "vbt"
   */
  constructor(count: number, model: PoolModel = "vbt") {
    this.model = model;
    for (let w = 0; w < count; w++) {
      this.#workers.push(
        new Worker(POOL_WORKER_MODULES[model], { type: "module" }),
      );
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /** The first `count` workers (for the runner; their message handlers are its own). */
  take(count: number): Worker[] {
    return this.#workers.slice(0, count);
  }

  /** Stops every worker (idempotent). */
  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
  }

  /** Same as {@linkcode GridPool.terminate}. */
  [Symbol.dispose](): void {
    this.terminate();
  }
}

/** Metric rows of a grid run. */
export interface GridResult {
  /** Number of symbols. */
  readonly symbols: number;
  /** Number of configs. */
  readonly configs: number;
  /** Row of (symbol s, config c) starts at `(s * configs + c) * N_METRICS`. */
  readonly metrics: Float64Array;
  /** Total bar-configs simulated. */
  readonly barConfigs: number;
  /**
   * Return moments `[t, skew, kurt]` (see `returnMoments`) of (symbol s, config c) at
   * `(s * configs + c) * N_MOMENTS`.
   */
  readonly moments: Float64Array;
  /** Number of time blocks S of {@linkcode blockStats} (0 without). */
  readonly blocks: number;
  /**
   * Per-block `(n, mean, M2)` of the per-bar returns: block b of (symbol s, config c) at
   * `((s * configs + c) * blocks + b) * 3`. Laid out like the metric rows, so results over
   * disjoint config sets merge by copying rows.
   */
  readonly blockStats: Float64Array;
}

/**
 * Simulates the grid.
 *
 * @param table the feature table (SharedArrayBuffer-backed arrays avoid copies per worker)
 * @param configs the configs
 * @param options workers, blockers, progress
 * @returns the metric rows
 */
export async function runGrid(
  table: FeatureTable,
  configs: ConfigTable,
  options: RunGridOptions = {},
): Promise<GridResult> {
  const nSym = table.symbols.length;
  const bars = table.symbols.map((s) => s.bars);
  const blockers = options.blockers ?? true;
  const tasks = options.shard === undefined
    ? planTasks(configs, nSym, options.chunk ?? TASK_CHUNK)
    : shardTasks(configs, bars, options.shard);
  const metrics = new Float64Array(nSym * configs.count * N_METRICS);
  const nb = options.blocks?.count ?? 0;
  const width = taskRowWidth(nb);
  const moments = new Float64Array(nSym * configs.count * N_MOMENTS);
  const blockStats = new Float64Array(nSym * configs.count * nb * 3);
  const total = taskBarConfigs(tasks, bars);
  let done = 0;
  const store = (task: GridTask, rows: Float64Array): void => {
    const base = task.symbol * configs.count;
    for (let j = 0; j < task.configs.length; j++) {
      const at = base + task.configs[j]!, o = j * width;
      metrics.set(rows.subarray(o, o + N_METRICS), at * N_METRICS);
      moments.set(
        rows.subarray(o + N_METRICS, o + N_METRICS + N_MOMENTS),
        at * N_MOMENTS,
      );
      if (nb > 0) {
        blockStats.set(
          rows.subarray(o + N_METRICS + N_MOMENTS, o + width),
          at * nb * 3,
        );
      }
    }
    done += task.configs.length * bars[task.symbol]!;
    options.onProgress?.(done, total);
  };
  options.onProgress?.(0, total);
  const pool = options.pool;
  if (pool !== undefined && pool.model !== "vbt") {
    throw new Error("Cannot run the vectorbt grid on a pool of another engine");
  }
  const workers = Math.max(
    0,
    Math.min(
      options.workers ?? pool?.size ?? navigator.hardwareConcurrency,
      pool?.size ?? Infinity,
      tasks.length,
    ),
  );
  if (workers === 0) {
    const runner = new TaskRunner(table.symbols, blockers, options.blocks);
    for (const t of tasks) store(t, runner.run(t));
  } else if (pool !== undefined) {
    await runOnWorkers(
      table,
      tasks,
      pool.take(workers),
      blockers,
      options.blocks,
      store,
    );
  } else {
    using own = new GridPool(workers);
    await runOnWorkers(
      table,
      tasks,
      own.take(workers),
      blockers,
      options.blocks,
      store,
    );
  }
  return {
    symbols: nSym,
    configs: configs.count,
    metrics,
    barConfigs: total,
    moments,
    blocks: nb,
    blockStats,
  };
}

function runOnWorkers(
  table: FeatureTable,
  tasks: GridTask[],
  pool: Worker[],
  blockers: boolean,
  blocks: BlockPlan | undefined,
  store: (task: GridTask, rows: Float64Array) => void,
): Promise<void> {
  return runPoolTasks(
    pool,
    {
      type: "init",
      symbols: table.symbols,
      blockers,
      ...(blocks !== undefined ? { blocks } : {}),
    },
    tasks,
    store,
  );
}

/**
 * The pool's protocol, the same for every engine: each worker gets `init` (the engine's
 * data: the table, and what the engine needs to run a task), then `{ type: "task", task }`
 * messages in plan order, each to whichever worker is free (two in flight per worker hide
 * the round trip), and answers `{ type: "result", id, metrics }` (the task's rows) or
 * `{ type: "error", id, message }`. Rejects on the first error; results are stored by task,
 * so they do not depend on which worker ran what.
 *
 * With `affinity`, a worker takes the tasks of its own group first (worker w: group
 * `w mod groups`, groups numbered in the order they first appear in the plan), in plan
 * order, then the first task not yet sent: per-symbol state a worker builds (the bot engine's
 * markets and their caches) is then built by about one worker per symbol, not by all.
 *
 * @param pool the workers (their message handlers are taken for the call)
 * @param init the `init` message
 * @param tasks the tasks; `tasks[i].id` must be `i`
 * @param store called with each task's rows
 * @param affinity a task's group (e.g. its symbol)
 */
export async function runPoolTasks<T extends { readonly id: number }>(
  pool: readonly Worker[],
  init: { readonly type: "init" } & Record<string, unknown>,
  tasks: readonly T[],
  store: (task: T, rows: Float64Array) => void,
  affinity?: (task: T) => number,
): Promise<void> {
  try {
    for (const worker of pool) worker.postMessage(init);
    const next = taskPicker(tasks, affinity);
    await new Promise<void>((resolve, reject) => {
      let inFlight = 0, left = tasks.length;
      let failed = false;
      const feed = (worker: Worker, w: number): boolean => {
        if (failed || left === 0) return false;
        worker.postMessage({ type: "task", task: tasks[next(w)] });
        left--;
        inFlight++;
        return true;
      };
      for (const [w, worker] of pool.entries()) {
        worker.onmessage = (e: MessageEvent) => {
          const msg = e.data as
            | { type: "result"; id: number; metrics: Float64Array }
            | { type: "error"; id: number; message: string };
          inFlight--;
          if (msg.type === "error") {
            failed = true;
            reject(new Error(`Cannot run task ${msg.id}: ${msg.message}`));
            return;
          }
          try {
            store(tasks[msg.id]!, msg.metrics);
          } catch (error) {
            failed = true;
            reject(error);
            return;
          }
          feed(worker, w);
          if (inFlight === 0 && left === 0) resolve();
        };
        worker.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          failed = true;
          reject(new Error(`Cannot run the grid: worker failed: ${e.message}`));
        };
        // Two tasks in flight per worker hide the message round trip.
        feed(worker, w);
        feed(worker, w);
      }
      if (inFlight === 0) resolve();
    });
  } finally {
    for (const worker of pool) {
      worker.onmessage = null;
      worker.onerror = null;
    }
  }
}

/**
 * The order tasks go out in: `next(w)` is the index of the next task for worker `w` (call
 * it once per task). Plan order; with `affinity`, worker w's own group first (see
 * {@linkcode runPoolTasks}).
 *
 * @param tasks the plan
 * @param affinity a task's group
 */
export function taskPicker<T>(
  tasks: readonly T[],
  affinity?: (task: T) => number,
): (w: number) => number {
  let front = 0;
  if (affinity === undefined) return () => front++;
  const sent = new Uint8Array(tasks.length);
  const groups = new Map<number, number[]>();
  tasks.forEach((t, i) => {
    const g = affinity(t);
    const list = groups.get(g);
    if (list === undefined) groups.set(g, [i]);
    else list.push(i);
  });
  const queues = [...groups.values()];
  const cursor = new Int32Array(queues.length);
  return (w) => {
    const q = queues.length > 0 ? w % queues.length : 0;
    const own = queues[q];
    if (own !== undefined) {
      while (cursor[q]! < own.length && sent[own[cursor[q]!]!] === 1) {
        cursor[q]!++;
      }
      if (cursor[q]! < own.length) {
        const i = own[cursor[q]!++]!;
        sent[i] = 1;
        return i;
      }
    }
    while (sent[front] === 1) front++;
    sent[front] = 1;
    return front++;
  };
}

/**
 * Writes `top/` files (see `writeTopFiles`) on the pool's workers, each job to whichever
 * worker is free. Settles once every job sent has finished, so nothing is still writing when
 * it rejects (with the first error).
 *
 * @param pool the workers
 * @param symbols the feature table's symbols (the jobs' symbol indices point into it)
 * @param blockers whether the spread/funding/opening-loss blockers apply
 * @param jobs the files to write
 */
export function writeTopOnPool(
  pool: GridPool,
  symbols: FeatureTable["symbols"],
  blockers: boolean,
  jobs: readonly TopJob[],
): Promise<void> {
  const workers = pool.take(Math.min(pool.size, jobs.length));
  if (workers.length === 0) {
    return Promise.reject(new Error("Cannot write top files: no workers"));
  }
  return new Promise<void>((resolve, reject) => {
    let next = 0, inFlight = 0;
    let failure: Error | undefined;
    const busy = new Set<Worker>();
    const settle = () => {
      if (inFlight > 0 || (failure === undefined && next < jobs.length)) return;
      for (const worker of workers) {
        worker.onmessage = null;
        worker.onerror = null;
      }
      if (failure !== undefined) reject(failure);
      else resolve();
    };
    const feed = (worker: Worker) => {
      if (failure !== undefined || next >= jobs.length) return;
      worker.postMessage({ type: "top", id: next, job: jobs[next] });
      next++;
      inFlight++;
      busy.add(worker);
    };
    for (const worker of workers) {
      worker.postMessage({ type: "init", symbols, blockers });
      worker.onmessage = (e: MessageEvent) => {
        const msg = e.data as
          | { type: "written"; id: number }
          | { type: "error"; id: number; message: string };
        inFlight--;
        busy.delete(worker);
        if (msg.type === "error") {
          failure ??= new Error(msg.message);
        }
        feed(worker);
        settle();
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        failure ??= new Error(
          `Cannot write top files: worker failed: ${e.message}`,
        );
        if (busy.delete(worker)) inFlight--;
        settle();
      };
      feed(worker);
    }
  });
}
