/**
 * A progress reporter for long grid runs: a redrawn bar on a terminal, plain periodic lines
 * otherwise. Output, clock and terminal detection are injected.
 *
 * @module
 */

/** Options of {@linkcode Progress}. */
export interface ProgressOptions {
  /** Writes text (e.g. to stderr). */
  readonly write: (text: string) => void;
  /** Draw a redrawn bar (terminal) instead of lines. */
  readonly tty: boolean;
  /** Milliseconds clock. @default performance.now */
  readonly now?: () => number;
  /** Minimum ms between lines when not a terminal. @default 5000 */
  readonly lineEveryMs?: number;
}

/** Formats a count like 12.3M. */
export function formatCount(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return `${Math.round(x)}`;
}

/** Reports bar-configs done, rate and ETA. */
export class Progress {
  #o: ProgressOptions;
  #now: () => number;
  #start: number;
  #last = -Infinity;
  #drawn = false;
  #started = false;

  /** @param options output and clock */
  constructor(options: ProgressOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#start = 0;
  }

  /** Records progress; draws when due. The first call starts the clock. */
  update(done: number, total: number): void {
    const t = this.#now();
    if (!this.#started) {
      this.#started = true;
      this.#start = t;
      if (done < total) return;
    }
    const every = this.#o.tty ? 100 : (this.#o.lineEveryMs ?? 5000);
    if (done < total && t - this.#last < every) return;
    this.#last = t;
    const secs = (t - this.#start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    const pct = total > 0 ? done / total : 1;
    const text = `${(pct * 100).toFixed(1)}% ${formatCount(done)}/${
      formatCount(total)
    } bar-configs, ${formatCount(rate)}/s, ETA ${eta.toFixed(1)}s`;
    if (this.#o.tty) {
      const width = 30;
      const full = Math.round(pct * width);
      this.#o.write(
        `\r[${"#".repeat(full)}${".".repeat(width - full)}] ${text}\x1b[K`,
      );
      this.#drawn = true;
    } else {
      this.#o.write(`progress: ${text}\n`);
    }
  }

  /** Ends the bar line (terminal only). */
  finish(): void {
    if (this.#drawn) this.#o.write("\n");
    this.#drawn = false;
  }
}
