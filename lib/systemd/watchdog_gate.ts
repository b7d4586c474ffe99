/**
 * {@linkcode WatchdogGate}: pings the systemd watchdog on a timer, but only while the caller
 * says the process is healthy (e.g. market and user streams fresh). A hung or stale bot stops
 * pinging, and systemd restarts it after `WatchdogSec`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";

const log = getLogger(["aster", "systemd"]);

/** What the gate needs of {@linkcode SystemdNotifier}. */
export interface WatchdogTarget {
  /** Sends `WATCHDOG=1`. */
  watchdog(): Promise<void>;
  /** The ping interval in ms, or undefined when the watchdog is off. */
  watchdogIntervalMs(): number | undefined;
}

/** Timer functions (injected for tests). */
export interface IntervalTimers {
  /** Like `setInterval`. */
  setInterval(fn: () => void, ms: number): unknown;
  /** Like `clearInterval`. */
  clearInterval(id: unknown): void;
}

/** Options of {@linkcode WatchdogGate}. */
export interface WatchdogGateOptions {
  /** The notifier. */
  notifier: WatchdogTarget;
  /** True while a ping is deserved; checked before every ping. */
  isHealthy: () => boolean;
  /** Ping interval override in ms. @default {notifier.watchdogIntervalMs()} */
  intervalMs?: number;
  /** @default {globalThis timers} */
  timers?: IntervalTimers;
}

/** Pings the watchdog only while `isHealthy()` holds. */
export class WatchdogGate {
  #options: WatchdogGateOptions;
  #timer: unknown;
  #healthy = true;
  #pings = 0;
  #skipped = 0;

  /** @param options the notifier, the health predicate and optional timers */
  constructor(options: WatchdogGateOptions) {
    this.#options = options;
  }

  /** Pings sent so far. */
  get pings(): number {
    return this.#pings;
  }

  /** Ticks where the process was unhealthy and no ping was sent. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Starts the timer (a no-op when the watchdog is off).
   *
   * @returns whether a timer was started
   */
  start(): boolean {
    if (this.#timer !== undefined) return true;
    const interval = this.#options.intervalMs ??
      this.#options.notifier.watchdogIntervalMs();
    if (interval === undefined) return false;
    if (!(interval > 0)) {
      throw new RangeError(
        `Cannot start the watchdog: interval ${interval} ms is not positive`,
      );
    }
    const tick = () => void this.tick();
    const timers = this.#options.timers;
    this.#timer = timers === undefined
      ? setInterval(tick, interval)
      : timers.setInterval(tick, interval);
    return true;
  }

  /** Checks health once and pings if healthy; the timer calls this. */
  async tick(): Promise<boolean> {
    let healthy: boolean;
    try {
      healthy = this.#options.isHealthy();
    } catch (error) {
      healthy = false;
      log.error("Health check failed: {error}", { error: String(error) });
    }
    if (healthy !== this.#healthy) {
      this.#healthy = healthy;
      if (healthy) log.info("Healthy again: resuming watchdog pings");
      else log.warning("Unhealthy: withholding watchdog pings");
    }
    if (!healthy) {
      this.#skipped++;
      return false;
    }
    this.#pings++;
    await this.#options.notifier.watchdog();
    return true;
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer === undefined) return;
    const timers = this.#options.timers;
    if (timers === undefined) {
      clearInterval(this.#timer as ReturnType<typeof setInterval>);
    } else timers.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
