/**
 * Errors of the exchange client that callers catch and act on: a venue rejection
 * (`ExchangeError`), a request that never got an answer (`NetworkError`, `TimeoutError`)
 * and an IP ban (`BannedError`).
 *
 * @module
 */

/** Options of {@linkcode ExchangeError}. */
export interface ExchangeErrorOptions {
  /** HTTP status of the response. */
  status: number;
  /** The venue's error code (`code` of the `{code,msg}` body); 0 when the body had none. */
  code: number;
  /** The venue's message, or a short snippet of a non-JSON body. */
  msg: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/** The exchange answered with an error status (`{code,msg}` body, or a non-JSON page). */
export class ExchangeError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Venue error code, e.g. -1121; 0 when the body carried none (HTML page). */
  readonly code: number;
  /** Venue message or body snippet. */
  readonly msg: string;

  /** Creates the error for a failed call to `what` (e.g. "GET /fapi/v1/depth"). */
  constructor(what: string, options: ExchangeErrorOptions) {
    super(
      `Cannot complete ${what}: HTTP ${options.status}, code ${options.code}: ${options.msg}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ExchangeError";
    this.status = options.status;
    this.code = options.code;
    this.msg = options.msg;
  }
}

/** The request failed below HTTP (connection refused, reset, DNS, TLS). */
export class NetworkError extends Error {
  /** Creates the error; `cause` is the fetch error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NetworkError";
  }
}

/** No response arrived within the call's timeout. */
export class TimeoutError extends Error {
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;
  /** Creates the error for a call that waited `timeoutMs`. */
  constructor(message: string, timeoutMs: number) {
    super(message);
    this.name = "TimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The IP is banned (HTTP 418) until `until`; every request fails fast with this error
 * until then.
 */
export class BannedError extends Error {
  /** Epoch milliseconds when the ban is expected to end. */
  readonly until: number;
  /** Creates the error for a ban ending at `until`. */
  constructor(message: string, until: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "BannedError";
    this.until = until;
  }
}
