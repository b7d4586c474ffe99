/**
 * The worker side of the grid pool's protocol (see `runPoolTasks`), shared by every engine's
 * worker entry: a task's rows go back transferred, a failure as one error message.
 *
 * @module
 */
/// <reference lib="deno.worker" />

/** An error as the pool reports it (its stack when it has one). */
export function errorText(error: unknown): string {
  return error instanceof Error
    ? (error.stack ?? error.message)
    : String(error);
}

/**
 * Runs task `id` and posts `{ type: "result", id, metrics }` (the rows' buffer transferred)
 * or `{ type: "error", id, message }`.
 */
export function answerTask(id: number, run: () => Float64Array): void {
  try {
    const metrics = run();
    self.postMessage({ type: "result", id, metrics }, [
      metrics.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    self.postMessage({ type: "error", id, message: errorText(error) });
  }
}
