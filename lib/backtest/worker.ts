/**
 * Web Worker entry of the grid runner's pool: receives the feature table once (shared memory
 * when available), then runs tasks and posts their metric rows back.
 *
 * Messages in: `{ type: "init", symbols, blockers, blocks? }`, `{ type: "task", task }`.
 * Messages out: `{ type: "result", id, metrics }` or `{ type: "error", id, message }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { SymbolFeatures } from "./feature_table.ts";
import { type BlockPlan, type GridTask, TaskRunner } from "./task.ts";

let runner: TaskRunner | undefined;

self.onmessage = (e: MessageEvent) => {
  const msg = e.data as
    | {
      type: "init";
      symbols: SymbolFeatures[];
      blockers: boolean;
      blocks?: BlockPlan;
    }
    | { type: "task"; task: GridTask };
  if (msg.type === "init") {
    runner = new TaskRunner(msg.symbols, msg.blockers, msg.blocks);
    return;
  }
  try {
    if (runner === undefined) {
      throw new Error("Cannot run task: worker not initialised");
    }
    const metrics = runner.run(msg.task);
    self.postMessage({ type: "result", id: msg.task.id, metrics }, [
      metrics.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    self.postMessage({
      type: "error",
      id: msg.task.id,
      message: error instanceof Error
        ? (error.stack ?? error.message)
        : String(error),
    });
  }
};
