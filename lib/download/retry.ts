/**
 * Retries of one history request: `5xx`, timeouts and broken connections are retried with
 * jittered exponential back-off; a `429` that outlasted the transport's own retries waits
 * and tries again; a `418` ban is waited out when it ends within `maxBanWaitMs`, else the
 * download stops (what is on disk is kept and the next run resumes).
 *
 * @module
 */
import {
  BannedError,
  ExchangeError,
  NetworkError,
  TimeoutError,
} from "../exchange/errors.ts";
import type { Clock } from "../time/clock.ts";

/** Options of {@linkcode withRetries}. */
export interface RetryOptions {
  /** Sleeps and the current time. */
  readonly clock: Clock;
  /** Uniform [0, 1) for the jitter. @default {Math.random} */
  readonly random?: () => number;
  /** Attempts of one request before giving up. @default {8} */
  readonly maxAttempts?: number;
  /** First back-off. @default {500} */
  readonly baseMs?: number;
  /** Longest back-off. @default {30000} */
  readonly maxMs?: number;
  /** Longest ban waited out. @default {600000} */
  readonly maxBanWaitMs?: number;
  /** Told of each wait (for a progress line). */
  readonly onWait?: (reason: string, ms: number) => void;
  readonly signal?: AbortSignal;
}

/** The download stops: a ban too long to wait, or a request that kept failing. */
export class DownloadStopped extends Error {
  /** @param message why, naming the request */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DownloadStopped";
  }
}

/** Whether `error` is worth another attempt after a back-off. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TimeoutError || error instanceof NetworkError) {
    return true;
  }
  return error instanceof ExchangeError &&
    (error.status >= 500 || error.status === 429);
}

/**
 * Runs `fn` until it succeeds, retrying transient failures; see the module doc.
 *
 * @param what the request, for messages
 * @throws {DownloadStopped} after `maxAttempts` transient failures, or on a long ban
 * @throws the error of `fn` when it is not transient (e.g. a 400)
 */
export async function withRetries<T>(
  what: string,
  fn: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 8;
  const base = options.baseMs ?? 500;
  const cap = options.maxMs ?? 30_000;
  const maxBan = options.maxBanWaitMs ?? 600_000;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof BannedError) {
        const wait = error.until - options.clock.now();
        if (wait > maxBan) {
          throw new DownloadStopped(
            `Stopped: IP banned (418) until ${
              new Date(error.until).toISOString()
            }; run again after that, the download resumes`,
            { cause: error },
          );
        }
        options.onWait?.(`418 ban, ${what}`, wait);
        await options.clock.sleep(Math.max(0, wait) + 50, options.signal);
        attempt = 0; // a ban is not a failed attempt
        continue;
      }
      if (!isTransient(error)) throw error;
      if (attempt >= maxAttempts) {
        throw new DownloadStopped(
          `Stopped: ${what} failed ${attempt} times: ${
            (error as Error).message
          }`,
          { cause: error },
        );
      }
      const ms = Math.min(cap, base * 2 ** (attempt - 1)) * (0.5 + random());
      options.onWait?.(`${(error as Error).message}`, ms);
      await options.clock.sleep(ms, options.signal);
    }
  }
}
