/**
 * Fault injection: what a test or a demo can break on purpose, on the REST side (delays,
 * failed requests) and the stream side (drops, silence, malformed messages).
 *
 * @module
 */

/** A REST failure to inject. */
export interface RestFault {
  status: 429 | 418 | 500 | 502 | 503;
  /** Seconds for a `Retry-After` header (none when absent). */
  retryAfterSec?: number;
  /** 5xx only: an HTML page instead of `{code,msg}`. */
  html?: boolean;
}

/** How a lost order reply reaches the client (see {@linkcode SimFaults.loseNextOrderReply}). */
export type LostReplyMode = "503" | "html503" | "drop" | "timeout";

/** The faults a running simulator can inject. */
export interface SimFaults {
  /** Abruptly closes every WS connection (abnormal closure, as a network drop). */
  dropConnections(): void;
  /** WS connections stay open but receive nothing. */
  silence(): void;
  /** WS connections receive messages again. */
  resume(): void;
  /** Delays every REST response by `ms` real milliseconds (0 = off). */
  delayResponses(ms: number): void;
  /** The next `n` REST requests fail with `fault`. */
  failNext(n: number, fault: RestFault): void;
  /** The next `n` stream messages are malformed (bad JSON, missing fields, wrong types, unknown event). */
  sendMalformed(n: number): void;
  /**
   * The next `n` order placements are executed by the engine but the client does not get
   * the reply: `"503"` → HTTP 503 `{code:-1007}`, `"html503"` → an HTML 503 page, `"drop"`
   * → the connection breaks mid-body, `"timeout"` → no reply until the client gives up.
   * Default mode `"503"`.
   */
  loseNextOrderReply(n: number, options?: { mode?: LostReplyMode }): void;
  /**
   * The next `n` order placements are executed at once, but their replies (with the
   * real body) reach the client `ms` real milliseconds late; the user stream is not
   * delayed. A reply later than the client's timeout is lost to it.
   */
  delayNextOrderReply(n: number, ms: number): void;
  /**
   * The server's clock (authentication: `timestamp`, `nonce`; and `/time`, `serverTime`)
   * runs `ms` ahead of the market clock (negative: behind). 0 turns it off.
   */
  skewMs(ms: number): void;
  /** The next `n` signed requests get an HTML 502 page without reaching the engine. */
  htmlErrors(n: number): void;
  /** Abruptly closes every user-data stream (code 4000); market streams stay. */
  dropUserStreams(): void;
  /**
   * The next `n` exit orders (reduce-only, close-position, or against the open position)
   * are rejected with `-2021 Order would immediately trigger.`
   */
  rejectNextExits(n: number): void;
  /**
   * The next `n` order placements of `rejection.type` (any type when absent) are refused
   * with `rejection.code` (default `-2021`) before reaching the engine: a crossed
   * take-profit, a trailing stop refused for precision (`-1111`), a market close refused
   * in a spike (`-4131`).
   */
  rejectNextOrders(
    n: number,
    rejection?: { type?: string; code?: number; msg?: string },
  ): void;
  /**
   * The replies of the next `n` order placements come without `avgPrice`, and that
   * order's user-stream updates without `ap`.
   */
  omitAvgPrice(n: number): void;
  /**
   * The next `n` taker fills (of at least two lot steps) each execute as two trades in
   * the same millisecond: two `ORDER_TRADE_UPDATE`s and two `ACCOUNT_UPDATE`s with one
   * event time.
   */
  splitNextFills(n: number): void;
  /**
   * Every REST response about `symbol` (its `symbol` parameter, query or form body) is
   * delayed by `ms` real milliseconds (a slow symbol); 0 turns it off.
   */
  delaySymbol(symbol: string, ms: number): void;
}

/** The REST half of the fault state, read by the REST pipeline. */
export class RestFaults {
  #delayMs = 0;
  #symbolDelays = new Map<string, number>();
  #failLeft = 0;
  #fault: RestFault | undefined;

  /** The current response delay in ms. */
  get delayMs(): number {
    return this.#delayMs;
  }

  /** Sets the response delay. */
  delay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(
        `Cannot delay responses: ${ms} ms is not a non-negative number`,
      );
    }
    this.#delayMs = ms;
  }

  /** Delays every REST response about `symbol` (its `symbol` parameter) by `ms` real ms; 0 = off. */
  delaySymbol(symbol: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(
        `Cannot delay ${symbol}: ${ms} ms is not a non-negative number`,
      );
    }
    if (ms === 0) this.#symbolDelays.delete(symbol.toUpperCase());
    else this.#symbolDelays.set(symbol.toUpperCase(), ms);
  }

  /** The delay of a request about `symbol`, ms (0 = none). */
  symbolDelayMs(symbol: string | null): number {
    return symbol === null
      ? 0
      : this.#symbolDelays.get(symbol.toUpperCase()) ?? 0;
  }

  /** Whether any symbol is delayed. */
  get symbolDelays(): boolean {
    return this.#symbolDelays.size > 0;
  }

  /** Arms `n` failures. */
  failNext(n: number, fault: RestFault): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Cannot fail requests: ${n} is not a count`);
    }
    if (![429, 418, 500, 502, 503].includes(fault.status)) {
      throw new RangeError(
        `Cannot fail requests: status ${fault.status} is not injectable`,
      );
    }
    this.#failLeft = n;
    this.#fault = { ...fault };
  }

  /** Takes the next armed failure, if any. */
  take(): RestFault | undefined {
    if (this.#failLeft <= 0 || !this.#fault) return undefined;
    this.#failLeft--;
    return this.#fault;
  }
}

const HTML_PAGE = (status: number): string =>
  `<html>\r\n<head><title>${status} Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>${status} Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n`;

/** The response of an injected fault. */
export function faultResponse(
  fault: RestFault,
  now: number,
  headers: Headers,
): Response {
  if (fault.retryAfterSec !== undefined) {
    headers.set("Retry-After", String(fault.retryAfterSec));
  }
  if (fault.status === 429) {
    return Response.json({
      code: -1003,
      msg:
        "Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API.",
    }, { status: 429, headers });
  }
  if (fault.status === 418) {
    const until = now + (fault.retryAfterSec ?? 120) * 1000;
    return Response.json({
      code: -1003,
      msg:
        `Way too many requests; IP(127.0.0.1) banned until ${until}. Please use the websocket for live updates to avoid bans.`,
    }, { status: 418, headers });
  }
  if (fault.html) {
    headers.set("Content-Type", "text/html");
    return new Response(HTML_PAGE(fault.status), {
      status: fault.status,
      headers,
    });
  }
  return Response.json({
    code: -1001,
    msg: "Internal error; unable to process your request. Please try again.",
  }, { status: fault.status, headers });
}
