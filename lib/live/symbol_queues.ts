/**
 * Ordered task queues, one per key (symbol): tasks of one key run one after another in
 * the order they were pushed; tasks of different keys never wait for each other. The
 * live session applies user-stream events through it, so a symbol whose event waits on
 * a slow REST call (an entry's 10 s timeout) cannot delay another symbol's exit cleanup.
 *
 * @module
 */

/** Per-key FIFO queues of async tasks. */
export class SymbolQueues {
  #tails = new Map<string, Promise<void>>();
  #onError: (error: unknown) => void;

  /** @param onError called with a task's error (the queue goes on) */
  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Runs `task` after the tasks already queued under `key`. */
  push(key: string, task: () => Promise<unknown> | unknown): void {
    const tail = (this.#tails.get(key) ?? Promise.resolve())
      .then(task)
      .then(() => {}, (error) => this.#onError(error));
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
  }

  /** Resolves when every task queued so far (of every key) has run. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) {
      await Promise.all([...this.#tails.values()]);
    }
  }
}
