/**
 * The REST transport shared by the market-data client and the signed (order/account)
 * client: URL building, the signer port of `sign/signer.ts`, timeouts, typed errors, request-weight
 * accounting, 429 back-off with bounded retries of idempotent GETs and 418 bans.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { type Clock, systemClock } from "../time/clock.ts";
import { encodeParams, type Params } from "./sign/params.ts";
import type {
  HttpMethod,
  SecurityType,
  Signer,
  SignInput,
} from "./sign/signer.ts";
import {
  BannedError,
  ExchangeError,
  NetworkError,
  TimeoutError,
} from "./errors.ts";

const log = getLogger(["aster", "exchange", "rest"]);

/** The default REST base URL (Aster mainnet). */
export const DEFAULT_REST_URL = "https://fapi.asterdex.com";

/** Per-call options of every client call. */
export interface CallOptions {
  /** Aborts the call (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Fails the call with a {@linkcode TimeoutError} after this long. @default {10000} */
  timeoutMs?: number;
}

/** One REST request. */
export interface RestRequest extends CallOptions {
  method: HttpMethod;
  /** Path below the base URL, e.g. `/fapi/v1/depth`. */
  path: string;
  /** Business parameters, sent in order (non-integer numbers are refused). */
  params?: Params;
  /** Non-GET signed requests: parameters forced into the query string. */
  queryParams?: Params;
  /** The endpoint's request weight (§3 of the protocol). @default {1} */
  weight?: number;
  /**
   * The endpoint's security type; anything but `NONE` goes through the transport's
   * {@linkcode Signer}, which returns the exact query/body bytes and headers.
   * @default {"NONE"}
   */
  security?: SecurityType;
  /**
   * Resolve with the body text of a successful response, unparsed (callers that scan
   * large pages themselves; {@linkcode parseBody} gives the usual parse). Error responses
   * are handled as always. @default {false}
   */
  raw?: boolean;
}

/** Options of {@linkcode RestTransport}. */
export interface RestTransportOptions {
  /** @default {"https://fapi.asterdex.com"} */
  baseUrl?: string;
  /** The fetch function. @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** Clock for weight windows, back-off and bans. @default {systemClock} */
  clock?: Clock;
  /** Signs requests whose security type is not `NONE` (V1 HMAC or V3 EIP-712). */
  signer?: Signer;
  /** @default {10000} */
  timeoutMs?: number;
  /** Retries of a GET answered with 429. @default {3} */
  maxRetries?: number;
  /** First 429 back-off when no Retry-After is sent; doubles per retry. @default {1000} */
  backoffBaseMs?: number;
  /** Cap of the 429 back-off. @default {60000} */
  backoffMaxMs?: number;
  /** Request weight per minute (exchangeInfo `REQUEST_WEIGHT`). @default {2400} */
  weightLimit?: number;
  /** Fraction of the limit above which requests wait for the next minute. @default {0.9} */
  weightHeadroom?: number;
  /**
   * First ban length when a 418 has neither Retry-After nor a "banned until <ms>" message;
   * doubles per ban. @default {120000}
   */
  banBaseMs?: number;
}

const MAX_BAN_MS = 3 * 24 * 3_600_000;
const MINUTE = 60_000;

/** Sends REST requests to the venue; see the module doc. */
export class RestTransport {
  /** The base URL requests go to. */
  readonly baseUrl: string;
  #fetch: typeof fetch;
  #clock: Clock;
  #signer: Signer | undefined;
  #timeoutMs: number;
  #maxRetries: number;
  #backoffBaseMs: number;
  #backoffMaxMs: number;
  #weightLimit: number;
  #headroom: number;
  #banBaseMs: number;
  #usedWeight = 0;
  #weightMinute = -1;
  #pausedUntil = 0;
  #bannedUntil = 0;
  #bans = 0;

  /** Creates a transport; see {@linkcode RestTransportOptions}. */
  constructor(options: RestTransportOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_REST_URL).replace(/\/+$/, "");
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#clock = options.clock ?? systemClock;
    this.#signer = options.signer;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.#backoffMaxMs = options.backoffMaxMs ?? 60_000;
    this.#weightLimit = options.weightLimit ?? 2400;
    this.#headroom = options.weightHeadroom ?? 0.9;
    this.#banBaseMs = options.banBaseMs ?? 120_000;
  }

  /** Rate-limit answers seen: 429 (rate limited) and 418 (IP banned), for monitoring. */
  readonly limitStats: { rateLimited: number; banned: number } = {
    rateLimited: 0,
    banned: 0,
  };

  /** The request weight used in the current minute, as last reported or estimated. */
  get usedWeight(): number {
    return this.#weightMinute === this.#minute() ? this.#usedWeight : 0;
  }

  /** The weight limit per minute in force. */
  get weightLimit(): number {
    return this.#weightLimit;
  }

  /** Epoch ms when the current IP ban ends; 0 when not banned. */
  get bannedUntil(): number {
    return this.#bannedUntil > this.#clock.now() ? this.#bannedUntil : 0;
  }

  /** Sets the weight limit per minute (from exchangeInfo `rateLimits`). */
  setWeightLimit(limit: number): void {
    if (!(limit > 0)) {
      throw new RangeError(`Cannot set weight limit: ${limit} is not > 0`);
    }
    this.#weightLimit = limit;
  }

  /**
   * Sends a request and returns the parsed JSON body.
   *
   * @throws {ExchangeError} on an error status (after retries for 429 on GET)
   * @throws {BannedError} while the IP is banned (418)
   * @throws {TimeoutError} when no response came within the timeout
   * @throws {NetworkError} when the connection failed
   */
  async request(req: RestRequest): Promise<unknown> {
    const what = `${req.method} ${req.path}`;
    const weight = req.weight ?? 1;
    for (let attempt = 0;; attempt++) {
      this.#checkBan(what);
      await this.#waitForCapacity(weight, req.signal);
      this.#checkBan(what);
      const { res, text } = await this.#send(req, what);
      this.#noteWeight(res.headers);
      if (res.ok) return req.raw ? text : parseBody(text, res.status, what);
      if (res.status === 418) {
        const cause = errorFromBody(text, res.status, what);
        const now = this.#clock.now();
        const ms = retryAfterMs(res.headers) ?? banFromMsg(cause.msg, now) ??
          Math.min(this.#banBaseMs * 2 ** this.#bans, MAX_BAN_MS);
        this.#bans++;
        this.limitStats.banned++;
        this.#bannedUntil = now + ms;
        log.error("IP banned (418) until {until}", {
          until: new Date(this.#bannedUntil).toISOString(),
        });
        throw new BannedError(
          `Cannot send ${what}: IP banned until ${
            new Date(this.#bannedUntil).toISOString()
          }`,
          this.#bannedUntil,
          { cause },
        );
      }
      const error = errorFromBody(text, res.status, what);
      if (res.status === 429) {
        this.limitStats.rateLimited++;
        const delay = retryAfterMs(res.headers) ??
          Math.min(this.#backoffBaseMs * 2 ** attempt, this.#backoffMaxMs);
        this.#pausedUntil = Math.max(
          this.#pausedUntil,
          this.#clock.now() + delay,
        );
        if (req.method === "GET" && attempt < this.#maxRetries) {
          log.warn("{what} rate limited (429); retrying in {delay} ms", {
            what,
            delay,
          });
          continue;
        }
      }
      throw error;
    }
  }

  #minute(): number {
    return Math.floor(this.#clock.now() / MINUTE);
  }

  #checkBan(what: string): void {
    if (this.#clock.now() < this.#bannedUntil) {
      throw new BannedError(
        `Cannot send ${what}: IP banned until ${
          new Date(this.#bannedUntil).toISOString()
        }`,
        this.#bannedUntil,
      );
    }
  }

  async #waitForCapacity(weight: number, signal?: AbortSignal): Promise<void> {
    const pause = this.#pausedUntil - this.#clock.now();
    if (pause > 0) await this.#clock.sleep(pause, signal);
    let minute = this.#minute();
    if (minute !== this.#weightMinute) {
      this.#weightMinute = minute;
      this.#usedWeight = 0;
    }
    if (
      this.#usedWeight > 0 &&
      this.#usedWeight + weight > this.#weightLimit * this.#headroom
    ) {
      const wait = (minute + 1) * MINUTE - this.#clock.now();
      log.warn("Used weight {used}/{limit}: waiting {wait} ms", {
        used: this.#usedWeight,
        limit: this.#weightLimit,
        wait,
      });
      await this.#clock.sleep(wait, signal);
      // A timer may fire early (setTimeout rounding, a scaled clock): the budget is the
      // new minute's only once the clock says that minute has begun.
      while (this.#minute() === minute) {
        await this.#clock.sleep(
          Math.max(1, (minute + 1) * MINUTE - this.#clock.now()),
          signal,
        );
      }
      minute = this.#minute();
      this.#weightMinute = minute;
      this.#usedWeight = 0;
    }
    this.#usedWeight += weight;
  }

  #noteWeight(headers: Headers): void {
    const used = headers.get("x-mbx-used-weight-1m");
    if (used === null) return;
    const n = Number(used);
    if (Number.isFinite(n) && n >= 0) {
      this.#weightMinute = this.#minute();
      this.#usedWeight = n;
    }
  }

  /** Sends once and reads the whole body, both within the timeout. */
  async #send(
    req: RestRequest,
    what: string,
  ): Promise<{ res: Response; text: string }> {
    let url = this.baseUrl + req.path;
    let headers: Readonly<Record<string, string>> = {};
    let body: string | undefined;
    const security = req.security ?? "NONE";
    if (security !== "NONE") {
      if (!this.#signer) {
        throw new TypeError(`Cannot sign ${what}: no signer configured`);
      }
      const input: SignInput = {
        method: req.method,
        security,
        params: req.params ?? {},
      };
      const signed = this.#signer.sign(
        req.queryParams ? { ...input, queryParams: req.queryParams } : input,
      );
      if (signed.query) url += "?" + signed.query;
      if (signed.body) body = signed.body;
      headers = signed.headers;
    } else {
      const query = req.params ? encodeParams(req.params) : "";
      if (query) url += "?" + query;
    }
    const timeoutMs = req.timeoutMs ?? this.#timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const outer = req.signal;
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener("abort", onAbort, { once: true });
    try {
      const init: RequestInit = {
        method: req.method,
        headers,
        signal: controller.signal,
      };
      if (body !== undefined) init.body = body;
      const res = await this.#fetch(url, init);
      return { res, text: await readText(res, what) };
    } catch (error) {
      if (timedOut) {
        throw new TimeoutError(
          `Cannot complete ${what} at ${this.baseUrl}: no response within ${timeoutMs} ms`,
          timeoutMs,
        );
      }
      if (outer?.aborted) throw outer.reason;
      if (error instanceof NetworkError) throw error;
      // the fetch error quotes the URL, whose query of a signed request (nonce, user,
      // signer, signature) must never reach a log: keep only a redacted copy as the cause
      throw new NetworkError(
        `Cannot complete ${what} at ${this.baseUrl}: ${networkReason(error)}`,
        { cause: redactedError(error) },
      );
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    }
  }
}

async function readText(res: Response, what: string): Promise<string> {
  try {
    return await res.text();
  } catch (error) {
    throw new NetworkError(
      `Cannot read the response of ${what}: ${
        withoutQueries(errorText(error))
      }`,
      { cause: redactedError(error) },
    );
  }
}

/**
 * The parsed JSON of a successful response's `text` (what {@linkcode RestTransport.request}
 * returns without `raw`); `what` names the request (`GET /fapi/v1/klines`).
 *
 * @throws {ExchangeError} (code 0, the given status) when the body is not JSON
 */
export function parseBody(
  text: string,
  status: number,
  what: string,
): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ExchangeError(what, {
      status,
      code: 0,
      msg: `non-JSON body: ${snippet(text)}`,
      cause: error,
    });
  }
}

/** Builds the {@linkcode ExchangeError} of an error response body (JSON or not). */
export function errorFromBody(
  text: string,
  status: number,
  what: string,
): ExchangeError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new ExchangeError(what, {
      status,
      code: 0,
      msg: `non-JSON body: ${snippet(text)}`,
    });
  }
  if (typeof parsed === "object" && parsed !== null) {
    const { code, msg } = parsed as { code?: unknown; msg?: unknown };
    const n = Number(code);
    return new ExchangeError(what, {
      status,
      code: Number.isFinite(n) ? n : 0,
      msg: typeof msg === "string" ? msg : snippet(text),
    });
  }
  return new ExchangeError(what, { status, code: 0, msg: snippet(text) });
}

function snippet(text: string): string {
  const flat = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > 120 ? flat.slice(0, 120) + "…" : flat || "(empty)";
}

function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Ban length from a Binance-style "banned until <epoch ms>" message, if any. */
function banFromMsg(msg: string, now: number): number | undefined {
  const m = /banned until (\d{13})/.exec(msg);
  if (!m) return undefined;
  const ms = Number(m[1]) - now;
  return ms > 0 && ms <= MAX_BAN_MS ? ms : undefined;
}

/** Every URL in `text` with its query string (and fragment) replaced by `?…`. */
export function withoutQueries(text: string): string {
  return text.replace(
    /\b((?:https?|wss?):\/\/[^\s?#"'<>()]*)[?#][^\s"'<>()]*/gi,
    "$1?…",
  );
}

/**
 * A copy of `error` and its causes (name and message only, no stack) with every URL's
 * query removed: what may be kept as the `cause` of an error that gets logged.
 */
export function redactedError(error: unknown, depth = 0): Error {
  const e = new Error(withoutQueries(errorText(error)));
  e.name = error instanceof Error ? error.name : "Error";
  e.stack = `${e.name}: ${e.message}`;
  if (error instanceof Error && error.cause !== undefined && depth < 4) {
    e.cause = redactedError(error.cause, depth + 1);
  }
  return e;
}

/**
 * Why a fetch failed, in words a user can act on (connection refused, DNS, TLS, blocked
 * port), followed by the innermost cause's text.
 */
export function networkReason(error: unknown): string {
  const texts: string[] = [];
  for (
    let e: unknown = error, depth = 0;
    e !== undefined && depth < 5;
    depth++
  ) {
    texts.push(errorText(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  const all = texts.join(" | ");
  const detail = withoutQueries(texts.at(-1)!).replace(/\s+/g, " ");
  const reason = /connection refused/i.test(all)
    ? "connection refused (nothing listens there)"
    : /dns error|failed to lookup|name or service not known|no address/i.test(
        all,
      )
    ? "host name not found (DNS)"
    : /certificate|tls|ssl|handshake/i.test(all)
    ? "TLS failure (certificate or handshake)"
    : /timed out|timeout/i.test(all)
    ? "timed out"
    : /connection reset|broken pipe|connection closed/i.test(all)
    ? "connection reset"
    : /requests to port \d+ are blocked/i.test(all)
    ? "port blocked"
    : undefined;
  return reason === undefined ? detail : `${reason}: ${detail}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
