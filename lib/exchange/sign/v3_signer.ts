/**
 * V3 request signing with an API wallet (agent): `nonce` (µs), `user`, `signer`, and an
 * EIP-712 signature over the transmitted parameter string.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { toHex } from "./_hex.ts";
import { layoutOf } from "./_layout.ts";
import { ASTER_MAINNET_CHAIN_ID, asterMessageDigest } from "./eip712.ts";
import { NonceCounter, PROCESS_NONCES } from "./nonce.ts";
import { joinEncoded } from "./params.ts";
import type { Secret } from "./secret.ts";
import { SignedRequest, type Signer, type SignInput } from "./signer.ts";
import { parsePrivateKey } from "./_keys.ts";
import { addressFromPrivateKey, isValidAddress } from "./address.ts";

/** Options for {@linkcode V3Signer}. */
export interface V3SignerOptions {
  /** Main wallet address (`user`), `0x` + 40 hex, sent as given. */
  readonly user: string;
  /** Agent (API wallet) address (`signer`), `0x` + 40 hex, sent as given. */
  readonly signer: string;
  /** Agent private key, `0x` + 64 hex (the `0x` is optional). */
  readonly privateKey: Secret;
  /** Epoch-ms clock corrected to server time (e.g. `TimeSync.now`); fractional ms help. */
  readonly clock: () => number;
  /** EIP-712 chain id: 1666 mainnet, 714 testnet. @default {1666} */
  readonly chainId?: number;
  /** Nonce source. @default {PROCESS_NONCES} (shared by the whole process) */
  readonly nonces?: NonceCounter;
  /**
   * The uncorrected local clock: when given, no nonce is issued more than
   * `NonceCounter.MAX_LOCAL_SKEW_MS` from it (a bad server-time sample cannot push the
   * never-decreasing nonce out of the exchange's window). None = unchecked.
   */
  readonly localClock?: () => number;
}

/**
 * Signs V3 (`/fapi/v3`) requests (aster-protocol §2.2). `TRADE`/`USER_DATA`/`USER_STREAM`:
 * appends `nonce`, `user`, `signer` to the business parameters, signs the URL-encoded string
 * with EIP-712 (`0x` + r‖s‖v, v = 27/28) and appends `signature` last. GET sends it as the
 * query string, other methods as the form body. `NONE`/`MARKET_DATA`: no authentication.
 * V3 ignores {@linkcode SignInput.queryParams}' split: they lead the one signed part.
 */
export class V3Signer implements Signer {
  /** Always `"v3"`. */
  readonly scheme = "v3" as const;
  readonly #key: Uint8Array;
  readonly #clock: () => number;
  readonly #chainId: number;
  readonly #nonces: NonceCounter;
  readonly #localClock: (() => number) | undefined;
  readonly #authTail: string;

  /**
   * @throws {TypeError} when an address or the private key is malformed (messages never
   * show the key)
   * @throws {RangeError} when the private key does not belong to `signer`
   */
  constructor(options: V3SignerOptions) {
    const context = "Cannot create V3 signer";
    for (
      const [name, address] of [["user", options.user], [
        "signer",
        options.signer,
      ]]
    ) {
      if (!isValidAddress(address!)) {
        throw new TypeError(
          `${context}: the ${name} address is not 0x followed by 40 hex digits with a valid checksum (got ${
            address!.length
          } characters)`,
        );
      }
    }
    this.#key = parsePrivateKey(options.privateKey, context);
    const derived = addressFromPrivateKey(this.#key);
    if (derived.toLowerCase() !== options.signer.toLowerCase()) {
      throw new RangeError(
        `${context}: the private key belongs to ${derived}, not to the signer ${options.signer}`,
      );
    }
    this.#clock = options.clock;
    this.#chainId = options.chainId ?? ASTER_MAINNET_CHAIN_ID;
    this.#nonces = options.nonces ?? PROCESS_NONCES;
    this.#localClock = options.localClock;
    this.#authTail = `&user=${options.user}&signer=${options.signer}`;
  }

  /** The EIP-712 chain id in use. */
  get chainId(): number {
    return this.#chainId;
  }

  /** Builds the bytes for one request (see the class description). */
  sign(input: SignInput): SignedRequest {
    const { query, primary } = layoutOf(input);
    const all = joinEncoded(query, primary);
    switch (input.security) {
      case "NONE":
      case "MARKET_DATA":
        return input.method === "GET"
          ? new SignedRequest(all, "")
          : new SignedRequest(query, primary);
      case "TRADE":
      case "USER_DATA":
      case "USER_STREAM": {
        const nonce = this.#nonces.next(this.#clock(), this.#localClock?.());
        const msg = joinEncoded(all, `nonce=${nonce}${this.#authTail}`);
        const signed = `${msg}&signature=${this.signMessage(msg)}`;
        return input.method === "GET"
          ? new SignedRequest(signed, "")
          : new SignedRequest("", signed);
      }
      default:
        throw new TypeError(
          `Cannot sign request: unknown security type ${
            String(input.security)
          }`,
        );
    }
  }

  /** EIP-712 signature of `msg` as `0x` + r‖s‖v hex (v = 27 or 28). */
  signMessage(msg: string): string {
    const digest = asterMessageDigest(msg, this.#chainId);
    const sig = secp256k1.sign(digest, this.#key, {
      prehash: false,
      format: "recovered",
    });
    // noble's "recovered" layout is recovery ‖ r ‖ s; Ethereum's is r ‖ s ‖ (27 + recovery).
    return "0x" + toHex(sig.subarray(1)) + (27 + sig[0]!).toString(16);
  }

  /** Deno.inspect hook: no key material. */
  [Symbol.for("Deno.customInspect")](): string {
    return `V3Signer { chainId: ${this.#chainId}, privateKey: [redacted] }`;
  }

  /** JSON form: no key material. */
  toJSON(): { scheme: "v3"; chainId: number } {
    return { scheme: "v3", chainId: this.#chainId };
  }
}
