/**
 * Ethereum addresses: derivation from keys and EIP-55 checksums.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { toHex } from "./_hex.ts";

const ENCODER = new TextEncoder();
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/**
 * EIP-55 mixed-case checksum form of a `0x` + 40-hex address.
 *
 * @throws {TypeError} when `address` is not `0x` followed by 40 hex digits
 */
export function toChecksumAddress(address: string): string {
  if (!ADDRESS_RE.test(address)) {
    throw new TypeError(
      "Cannot checksum address: expected 0x followed by 40 hex digits",
    );
  }
  const lower = address.slice(2).toLowerCase();
  const hash = toHex(keccak_256(ENCODER.encode(lower)));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    out += parseInt(hash[i]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/**
 * Whether `address` is `0x` + 40 hex digits and, when it mixes upper and lower case, carries
 * a correct EIP-55 checksum (all-lowercase and all-uppercase forms carry no checksum).
 */
export function isValidAddress(address: string): boolean {
  if (!ADDRESS_RE.test(address)) return false;
  const body = address.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  return toChecksumAddress(address) === address;
}

/** Checksummed address of an uncompressed (65-byte) or compressed (33-byte) public key. */
export function addressFromPublicKey(publicKey: Uint8Array): string {
  const uncompressed = publicKey.length === 65
    ? publicKey
    : secp256k1.Point.fromBytes(publicKey).toBytes(false);
  const hash = keccak_256(uncompressed.subarray(1));
  return toChecksumAddress("0x" + toHex(hash.subarray(12)));
}

/**
 * Checksummed address of a secp256k1 private key (32 bytes).
 *
 * @throws {RangeError} when the bytes are not a valid secp256k1 private key (message never
 * contains the key)
 */
export function addressFromPrivateKey(privateKey: Uint8Array): string {
  let publicKey: Uint8Array;
  try {
    publicKey = secp256k1.getPublicKey(privateKey, false);
  } catch {
    throw new RangeError(
      "Cannot derive address: the private key is not a valid secp256k1 key",
    );
  }
  return addressFromPublicKey(publicKey);
}
