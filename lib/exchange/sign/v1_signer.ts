/**
 * V1 request signing: API-key header, `timestamp` + `recvWindow`, HMAC-SHA256 signature.
 *
 * @module
 */
import { HmacSha256 } from "./hmac_sha256.ts";
import { joinEncoded } from "./params.ts";
import type { Secret } from "./secret.ts";
import { SignedRequest, type Signer, type SignInput } from "./signer.ts";
import { layoutOf } from "./_layout.ts";

/** Largest `recvWindow` the exchange accepts. */
export const MAX_RECV_WINDOW_MS = 60_000;

/** Options for {@linkcode V1Signer}. */
export interface V1SignerOptions {
  /** API key, sent in the `X-MBX-APIKEY` header. */
  readonly apiKey: Secret;
  /** Secret key; its UTF-8 bytes are the HMAC key. */
  readonly secretKey: Secret;
  /** Epoch-ms clock corrected to server time (e.g. `TimeSync.now`). */
  readonly clock: () => number;
  /** `recvWindow` in ms, 1..60000. @default {5000} */
  readonly recvWindow?: number;
}

/**
 * Signs V1 (`/fapi/v1`) requests (aster-protocol §2.1). `TRADE`/`USER_DATA`: appends
 * `recvWindow` and `timestamp` to the primary part (query for GET, body otherwise), signs
 * `query + body` joined with no separator as transmitted, appends `signature` last, and adds
 * the key header. `MARKET_DATA`/`USER_STREAM`: key header only. `NONE`: nothing.
 *
 * @example Signing an order
 * ```ts
 * import { Secret } from "./secret.ts";
 * const signer = new V1Signer({
 *   apiKey: new Secret("a".repeat(64)),
 *   secretKey: new Secret("b".repeat(64)),
 *   clock: Date.now,
 * });
 * const request = signer.sign({
 *   method: "POST",
 *   security: "TRADE",
 *   params: [["symbol", "BTCUSDT"], ["side", "BUY"], ["type", "MARKET"], ["quantity", "0.01"]],
 * });
 * request.body; // "symbol=BTCUSDT&...&recvWindow=5000&timestamp=...&signature=..."
 * ```
 */
export class V1Signer implements Signer {
  /** Always `"v1"`. */
  readonly scheme = "v1" as const;
  readonly #apiKey: Secret;
  readonly #hmac: HmacSha256;
  readonly #clock: () => number;
  readonly #recvWindowParam: string;

  /**
   * @throws {RangeError} when `recvWindow` is not an integer in 1..60000
   */
  constructor(options: V1SignerOptions) {
    const recvWindow = options.recvWindow ?? 5000;
    if (
      !Number.isInteger(recvWindow) || recvWindow < 1 ||
      recvWindow > MAX_RECV_WINDOW_MS
    ) {
      throw new RangeError(
        `Cannot create V1 signer: recvWindow ${recvWindow} is not an integer in 1..${MAX_RECV_WINDOW_MS}`,
      );
    }
    this.#apiKey = options.apiKey;
    const key = new TextEncoder().encode(options.secretKey.reveal());
    this.#hmac = new HmacSha256(key);
    key.fill(0);
    this.#clock = options.clock;
    this.#recvWindowParam = `recvWindow=${recvWindow}`;
  }

  /** Builds the bytes and headers for one request (see the class description). */
  sign(input: SignInput): SignedRequest {
    const { query, primary, primaryIsQuery } = layoutOf(input);
    switch (input.security) {
      case "NONE":
        return primaryIsQuery
          ? new SignedRequest(primary, "")
          : new SignedRequest(query, primary);
      case "MARKET_DATA":
      case "USER_STREAM":
        return primaryIsQuery
          ? new SignedRequest(primary, "", this.#headers())
          : new SignedRequest(query, primary, this.#headers());
      case "TRADE":
      case "USER_DATA": {
        const timestamp = Math.floor(this.#clock());
        if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
          throw new RangeError(`Cannot sign request: clock reads ${timestamp}`);
        }
        const auth = `${this.#recvWindowParam}&timestamp=${timestamp}`;
        const signed = joinEncoded(primary, auth);
        if (primaryIsQuery) {
          const signature = this.#hmac.hex(signed);
          return new SignedRequest(
            `${signed}&signature=${signature}`,
            "",
            this.#headers(),
          );
        }
        const signature = this.#hmac.hex(query, signed);
        return new SignedRequest(
          query,
          `${signed}&signature=${signature}`,
          this.#headers(),
        );
      }
      default:
        throw new TypeError(
          `Cannot sign request: unknown security type ${
            String(input.security)
          }`,
        );
    }
  }

  #headers(): Record<string, string> {
    return { "X-MBX-APIKEY": this.#apiKey.reveal() };
  }

  /** Deno.inspect hook: no key material. */
  [Symbol.for("Deno.customInspect")](): string {
    return "V1Signer { apiKey: [redacted], secretKey: [redacted] }";
  }

  /** JSON form: no key material. */
  toJSON(): { scheme: "v1" } {
    return { scheme: "v1" };
  }
}
