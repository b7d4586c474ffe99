/**
 * Signature verification for the simulator: pure functions over the received bytes.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { fromHex } from "./_hex.ts";
import { addressFromPublicKey } from "./address.ts";
import { asterMessageDigest } from "./eip712.ts";
import { HmacSha256 } from "./hmac_sha256.ts";
import { Secret } from "./secret.ts";

const CACHE_LIMIT = 64;
const HEX_RE = /^[0-9a-fA-F]*$/;
const hmacCache = new Map<string, HmacSha256>();

function hmacFor(secret: string): HmacSha256 {
  let mac = hmacCache.get(secret);
  if (mac === undefined) {
    if (hmacCache.size >= CACHE_LIMIT) hmacCache.clear();
    mac = new HmacSha256(new TextEncoder().encode(secret));
    hmacCache.set(secret, mac);
  }
  return mac;
}

/**
 * Whether `signature` is the HMAC-SHA256 of `totalParams` (query string immediately
 * followed by the body, `signature` parameter removed) under `secret`. Hex is compared
 * case-insensitively in constant time for a given length.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * equal(verifyV1Signature("k", "a=1", "00"), false);
 * ```
 */
export function verifyV1Signature(
  secret: string | Secret,
  totalParams: string,
  signature: string,
): boolean {
  const key = secret instanceof Secret ? secret.reveal() : secret;
  const expected = hmacFor(key).hex(totalParams);
  if (signature.length !== expected.length || !HEX_RE.test(signature)) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    // OR 0x20 folds A-F onto a-f; digits already have that bit set.
    diff |= (signature.charCodeAt(i) | 0x20) ^ expected.charCodeAt(i);
  }
  return diff === 0;
}

/**
 * Recovers the agent address that produced a V3 signature over `msg` (the parameter string
 * as transmitted, without `&signature=…`) for `chainId`. Returns the EIP-55 **checksummed**
 * address, or `undefined` when the signature is malformed (not `0x` + 130 hex, v not
 * 27/28/0/1) or recovers no key. Compare addresses case-insensitively.
 */
export function recoverV3Signer(
  msg: string,
  signature: string,
  chainId: number,
): string | undefined {
  if (signature.length !== 132 || !signature.startsWith("0x")) return undefined;
  const raw = fromHex(signature.slice(2));
  if (raw === undefined) return undefined;
  const v = raw[64]!;
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return undefined;
  const recovered = new Uint8Array(65);
  recovered[0] = recovery;
  recovered.set(raw.subarray(0, 64), 1);
  try {
    const point = secp256k1.Signature.fromBytes(recovered, "recovered")
      .recoverPublicKey(asterMessageDigest(msg, chainId));
    return addressFromPublicKey(point.toBytes(false));
  } catch {
    return undefined;
  }
}

/** A received request's signed payload and its signature, split by {@linkcode extractSignature}. */
export interface ExtractedSignature {
  /** Query string immediately followed by the body, without the `signature` parameter. */
  readonly payload: string;
  /** The `signature` value as received (still URL-encoded, which hex never needs). */
  readonly signature: string;
}

/**
 * Splits the raw query string (without `?`) and raw body of a received request into the
 * signed payload and the signature, which must be the last parameter of the query or, when
 * the query has none, of the body. Returns `undefined` when there is no trailing signature.
 */
export function extractSignature(
  query: string,
  body: string,
): ExtractedSignature | undefined {
  const fromQuery = splitLast(query);
  if (fromQuery !== undefined) {
    return { payload: fromQuery.rest + body, signature: fromQuery.signature };
  }
  const fromBody = splitLast(body);
  if (fromBody !== undefined) {
    return { payload: query + fromBody.rest, signature: fromBody.signature };
  }
  return undefined;
}

function splitLast(
  part: string,
): { rest: string; signature: string } | undefined {
  if (part.startsWith("signature=")) {
    const signature = part.slice(10);
    return signature.includes("&") ? undefined : { rest: "", signature };
  }
  const at = part.lastIndexOf("&signature=");
  if (at < 0) return undefined;
  const signature = part.slice(at + 11);
  if (signature.includes("&")) return undefined;
  return { rest: part.slice(0, at), signature };
}
