/**
 * The EIP-712 typed-data digest Aster's V3 API signs: domain `AsterSignTransaction`,
 * version `1`, the chain id, the zero verifying contract, and one `Message { string msg }`.
 *
 * @module
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { toHex } from "./_hex.ts";

/** Chain id of Aster mainnet V3 signatures. */
export const ASTER_MAINNET_CHAIN_ID = 1666;
/** Chain id of Aster testnet V3 signatures. */
export const ASTER_TESTNET_CHAIN_ID = 714;

const ENCODER = new TextEncoder();
const DOMAIN_TYPE_HASH = keccak_256(
  ENCODER.encode(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
  ),
);
const NAME_HASH = keccak_256(ENCODER.encode("AsterSignTransaction"));
const VERSION_HASH = keccak_256(ENCODER.encode("1"));
const MESSAGE_TYPE_HASH = keccak_256(ENCODER.encode("Message(string msg)"));
const separators = new Map<number, Uint8Array>();

function uint256(value: number): Uint8Array {
  const out = new Uint8Array(32);
  let rest = BigInt(value);
  for (let i = 31; i >= 0 && rest > 0n; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/**
 * The EIP-712 domain separator for a chain id (cached per chain id).
 *
 * @throws {RangeError} when `chainId` is not a positive safe integer
 */
export function asterDomainSeparator(chainId: number): Uint8Array {
  let separator = separators.get(chainId);
  if (separator === undefined) {
    if (!Number.isSafeInteger(chainId) || chainId <= 0) {
      throw new RangeError(
        `Cannot build EIP-712 domain: chain id ${chainId} is not a positive integer`,
      );
    }
    const encoded = new Uint8Array(32 * 5);
    encoded.set(DOMAIN_TYPE_HASH, 0);
    encoded.set(NAME_HASH, 32);
    encoded.set(VERSION_HASH, 64);
    encoded.set(uint256(chainId), 96);
    // verifyingContract = zero address: 32 zero bytes, already in place.
    separator = keccak_256(encoded);
    separators.set(chainId, separator);
  }
  return separator;
}

/** `0x`-prefixed hex of {@linkcode asterDomainSeparator}. */
export function asterDomainSeparatorHex(chainId: number): string {
  return "0x" + toHex(asterDomainSeparator(chainId));
}

/**
 * The 32-byte digest to sign for `msg` (the URL-encoded parameter string):
 * keccak256(0x19 0x01 ‖ domainSeparator ‖ keccak256(typeHash ‖ keccak256(msg))).
 */
export function asterMessageDigest(msg: string, chainId: number): Uint8Array {
  const struct = new Uint8Array(64);
  struct.set(MESSAGE_TYPE_HASH, 0);
  struct.set(keccak_256(ENCODER.encode(msg)), 32);
  const payload = new Uint8Array(66);
  payload[0] = 0x19;
  payload[1] = 0x01;
  payload.set(asterDomainSeparator(chainId), 2);
  payload.set(keccak_256(struct), 34);
  return keccak_256(payload);
}
