/**
 * Private: parsing key material without ever echoing it.
 *
 * @module
 */
import { fromHex } from "./_hex.ts";
import type { Secret } from "./secret.ts";

const PRIVATE_KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * Decodes a `0x` + 64-hex private key (the prefix is optional) into 32 bytes.
 *
 * @throws {TypeError} "<context>: private key must be 0x followed by 64 hex digits (got N characters)"
 */
export function parsePrivateKey(key: Secret, context: string): Uint8Array {
  const text = key.reveal();
  if (!PRIVATE_KEY_RE.test(text)) {
    throw new TypeError(
      `${context}: private key must be 0x followed by 64 hex digits (got ${text.length} characters)`,
    );
  }
  return fromHex(text.startsWith("0x") ? text.slice(2) : text)!;
}
