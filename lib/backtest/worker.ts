/**
 * Web Worker entry of the grid runner's pool: receives the feature table (shared memory when
 * available), then runs tasks and posts their metric rows back, or writes `top/` files.
 *
 * Messages in: `{ type: "init", symbols, blockers, blocks? }`, `{ type: "task", task }`,
 * `{ type: "top", id, job }`.
 * Messages out: `{ type: "result", id, metrics }`, `{ type: "written", id }` or
 * `{ type: "error", id, message }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { SymbolFeatures } from "./feature_table.ts";
import { type BlockPlan, type GridTask, TaskRunner, warmUp } from "./task.ts";
import { type TopJob, writeTopFiles } from "./top_files.ts";
import { answerTask, errorText } from "./pool_worker.ts";

// Optimise the engine before the first message (the table is still being read then).
warmUp();

let runner: TaskRunner | undefined;
let table: { symbols: SymbolFeatures[]; blockers: boolean } | undefined;

self.onmessage = async (e: MessageEvent) => {
  const msg = e.data as
    | {
      type: "init";
      symbols: SymbolFeatures[];
      blockers: boolean;
      blocks?: BlockPlan;
    }
    | { type: "task"; task: GridTask }
    | { type: "top"; id: number; job: TopJob };
  if (msg.type === "init") {
    runner = new TaskRunner(msg.symbols, msg.blockers, msg.blocks);
    table = { symbols: msg.symbols, blockers: msg.blockers };
    return;
  }
  if (msg.type === "top") {
    try {
      if (table === undefined) {
        throw new Error("Cannot write top files: worker not initialised");
      }
      await writeTopFiles(table.symbols, table.blockers, msg.job);
      self.postMessage({ type: "written", id: msg.id });
    } catch (error) {
      self.postMessage({
        type: "error",
        id: msg.id,
        message: errorText(error),
      });
    }
    return;
  }
  answerTask(msg.task.id, () => {
    if (runner === undefined) {
      throw new Error("Cannot run task: worker not initialised");
    }
    return runner.run(msg.task);
  });
};
