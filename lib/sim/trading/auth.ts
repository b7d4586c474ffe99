/**
 * Authentication of signed requests, in the exchange's validation order
 * (aster-protocol §2.1, §2.2, §8 "Simulator notes"):
 *
 * - V1: `X-MBX-APIKEY` (missing → 401 `-2014`, unknown → 401 `-2015`); USER_STREAM stops
 *   here. Then `signature` (missing → `-1102`, wrong → `-1022`) over query + body as
 *   received, `recvWindow` ≤ 60000 (`-1130`), `timestamp` (missing → `-1102`; accepted iff
 *   `timestamp < now + 1000` and `now - timestamp <= recvWindow`, else `-1021`).
 * - V3: `signer`, `nonce`, `signature` mandatory (`user` optional when the signer serves one
 *   user) → `-1102`; the EIP-712 signer (chain 1666) must equal `signer` → `-1022`; the
 *   signer must be registered for `user` → 401 `-2015`; nonce within 10 s of server time,
 *   not repeated, not below a full window of 100 → `-4225`.
 *
 * @module
 */
import {
  extractSignature,
  recoverV3Signer,
  verifyV1Signature,
} from "../../exchange/sign/verify.ts";
import { ApiError } from "../router.ts";
import type { AccountDirectory } from "./accounts.ts";
import { NonceWindow } from "./nonce_window.ts";

/** Aster mainnet EIP-712 chain id. */
export const V3_CHAIN_ID = 1666;
/** Largest accepted `recvWindow`, ms. */
export const MAX_RECV_WINDOW = 60_000;

/** A received request, as the verifiers need it. */
export interface SignedInput {
  /** Raw query string without `?`. */
  readonly query: string;
  /** Raw body. */
  readonly body: string;
  /** Query and body parameters, the query winning. */
  readonly params: URLSearchParams;
  readonly headers: Headers;
}

function mandatory(name: string): ApiError {
  return new ApiError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );
}

function badKey(): ApiError {
  return new ApiError(
    401,
    -2015,
    "Invalid API-key, IP, or permissions for action.",
  );
}

function badSignature(): ApiError {
  return new ApiError(400, -1022, "Signature for this request is not valid.");
}

function nonceError(msg: string): ApiError {
  return new ApiError(400, -4225, msg);
}

/** Verifies signed requests against the directory; keeps the V3 nonce windows. */
export class Authenticator {
  #dir: AccountDirectory;
  #nonces = new Map<string, NonceWindow>();
  #chainId: number;

  /** @param dir credentials @param chainId V3 chain id @default {V3_CHAIN_ID} */
  constructor(dir: AccountDirectory, chainId = V3_CHAIN_ID) {
    this.#dir = dir;
    this.#chainId = chainId;
  }

  /**
   * Authenticates a V1 request at server time `nowMs`; returns the account id.
   *
   * @throws {ApiError} with the exchange's code when rejected
   */
  v1(input: SignedInput, nowMs: number, keyOnly: boolean): string {
    const apiKey = input.headers.get("x-mbx-apikey");
    if (apiKey === null || apiKey === "") {
      throw new ApiError(401, -2014, "API-key format invalid.");
    }
    const secret = this.#dir.v1Secret(apiKey);
    if (secret === undefined) throw badKey();
    if (keyOnly) return apiKey;
    const sig = extractSignature(input.query, input.body);
    if (sig === undefined || sig.signature === "") throw mandatory("signature");
    if (!verifyV1Signature(secret, sig.payload, sig.signature)) {
      throw badSignature();
    }
    const p = input.params;
    const windowText = p.get("recvWindow");
    let recvWindow = 5000;
    if (windowText !== null && windowText !== "") {
      recvWindow = /^\d{1,10}$/.test(windowText) ? Number(windowText) : NaN;
      if (!(recvWindow <= MAX_RECV_WINDOW)) {
        throw new ApiError(
          400,
          -1130,
          "Data sent for parameter 'recvWindow' is not valid.",
        );
      }
    }
    const tsText = p.get("timestamp");
    if (tsText === null || !/^\d{1,15}$/.test(tsText)) {
      throw mandatory("timestamp");
    }
    const timestamp = Number(tsText);
    if (timestamp >= nowMs + 1000) {
      throw new ApiError(
        400,
        -1021,
        "Timestamp for this request was 1000ms ahead of the server's time.",
      );
    }
    if (nowMs - timestamp > recvWindow) {
      throw new ApiError(
        400,
        -1021,
        "Timestamp for this request is outside of the recvWindow.",
      );
    }
    return apiKey;
  }

  /**
   * Authenticates a V3 request at server time `nowMs`; returns the account id (the user
   * in lowercase).
   *
   * @throws {ApiError} with the exchange's code when rejected
   */
  v3(input: SignedInput, nowMs: number): string {
    const p = input.params;
    const signer = p.get("signer");
    if (signer === null || signer === "") throw mandatory("signer");
    const nonce = p.get("nonce");
    if (nonce === null || nonce === "") throw mandatory("nonce");
    const sig = extractSignature(input.query, input.body);
    if (sig === undefined || sig.signature === "") throw mandatory("signature");
    const recovered = recoverV3Signer(
      sig.payload,
      sig.signature,
      this.#chainId,
    );
    if (
      recovered === undefined ||
      recovered.toLowerCase() !== signer.toLowerCase()
    ) throw badSignature();
    const userParam = p.get("user");
    const user = userParam === null || userParam === ""
      ? this.#dir.v3UserOf(signer)
      : userParam.toLowerCase();
    if (user === undefined || !this.#dir.v3Allows(user, signer)) {
      throw badKey();
    }
    let window = this.#nonces.get(user);
    if (!window) this.#nonces.set(user, window = new NonceWindow());
    switch (window.accept(nonce, nowMs)) {
      case "ok":
        return user;
      case "malformed":
        throw mandatory("nonce");
      case "duplicate":
        throw nonceError("Nonce Duplicated");
      default:
        throw nonceError("Nonce Expired");
    }
  }
}
