/**
 * The signer port: the REST transport hands it a request's business parameters and gets
 * back the exact bytes to send and the headers to add.
 *
 * @module
 */
import type { Params } from "./params.ts";

/** Endpoint security types of the exchange (aster-protocol §2.1). */
export const SECURITY_TYPES = [
  "NONE",
  "MARKET_DATA",
  "USER_STREAM",
  "TRADE",
  "USER_DATA",
] as const;

/** One endpoint security type. */
export type SecurityType = typeof SECURITY_TYPES[number];

/** HTTP methods used by the exchange. */
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What the transport asks a signer to sign. */
export interface SignInput {
  /** HTTP method: GET puts everything in the query string; others use a form body. */
  readonly method: HttpMethod;
  /** The endpoint's security type. */
  readonly security: SecurityType;
  /** Business parameters, in the order to send them. */
  readonly params: Params;
  /**
   * Non-GET only: parameters forced into the query string (sent before the body). The rest,
   * the authentication parameters and `signature` go to the body. Ignored for GET.
   */
  readonly queryParams?: Params;
}

/**
 * The bytes to transmit. `query` (without `?`) goes after the path, `body` is the
 * `application/x-www-form-urlencoded` body; either may be empty. `signature`, when present,
 * is the last parameter of the part that carries it, and was computed over exactly these
 * bytes.
 *
 * Printing it (`String`, `JSON.stringify`, `Deno.inspect`) redacts the API-key header; the
 * `headers` record itself holds the real value for the transport, so never log `headers`.
 */
export class SignedRequest {
  /** Query string without the leading `?` (may be empty). */
  readonly query: string;
  /** Form body (may be empty). */
  readonly body: string;
  /** Headers to add (API key, content type). */
  readonly headers: Readonly<Record<string, string>>;

  /** Builds a signed request; `Content-Type` is added when `body` is not empty. */
  constructor(
    query: string,
    body: string,
    headers: Record<string, string> = {},
  ) {
    this.query = query;
    this.body = body;
    if (body.length > 0) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    this.headers = Object.freeze(headers);
  }

  /** A loggable description with the API-key header value redacted. */
  describe(): { query: string; body: string; headers: Record<string, string> } {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.headers)) {
      headers[name] = name.toLowerCase() === "x-mbx-apikey"
        ? "[redacted]"
        : value;
    }
    return { query: this.query, body: this.body, headers };
  }

  /** JSON form: {@linkcode SignedRequest.describe}. */
  toJSON(): { query: string; body: string; headers: Record<string, string> } {
    return this.describe();
  }

  /** Text form: the redacted description as JSON. */
  toString(): string {
    return JSON.stringify(this.describe());
  }

  /** Deno.inspect hook: the redacted description. */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options: unknown) => string,
    options: unknown,
  ): string {
    return `SignedRequest ${inspect(this.describe(), options)}`;
  }

  /** node:util inspect hook: the redacted description. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `SignedRequest ${this.toString()}`;
  }
}

/** Signs requests for one account; implementations: V1 HMAC and V3 API wallet. */
export interface Signer {
  /** `"v1"` (HMAC, `/fapi/v1`) or `"v3"` (EIP-712 API wallet, `/fapi/v3`). */
  readonly scheme: "v1" | "v3";
  /** Builds the bytes and headers to send for one request. Synchronous and cheap. */
  sign(input: SignInput): SignedRequest;
}
