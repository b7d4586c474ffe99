/**
 * Chooses the signer implementation from the credentials' scheme.
 *
 * @module
 */
import type { Credentials } from "./credentials.ts";
import { ASTER_MAINNET_CHAIN_ID, ASTER_TESTNET_CHAIN_ID } from "./eip712.ts";
import type { NonceCounter } from "./nonce.ts";
import type { Signer } from "./signer.ts";
import { V1Signer } from "./v1_signer.ts";
import { V3Signer } from "./v3_signer.ts";

/** Options for {@linkcode createSigner}. */
export interface CreateSignerOptions {
  /** Epoch-ms clock corrected to server time, typically `() => timeSync.now()`. */
  readonly clock: () => number;
  /** V1 `recvWindow`, ms. @default {5000} */
  readonly recvWindow?: number;
  /** V3: sign for the testnet (chain id 714) instead of mainnet (1666). @default {false} */
  readonly testnet?: boolean;
  /** V3 nonce source. @default {PROCESS_NONCES} */
  readonly nonces?: NonceCounter;
  /** V3: the uncorrected local clock bounding the nonce (see `V3SignerOptions.localClock`). */
  readonly localClock?: () => number;
}

/** A {@linkcode V1Signer} for V1 credentials, a {@linkcode V3Signer} for V3 ones. */
export function createSigner(
  credentials: Credentials,
  options: CreateSignerOptions,
): Signer {
  if (credentials.scheme === "v1") {
    return new V1Signer({
      apiKey: credentials.apiKey,
      secretKey: credentials.secretKey,
      clock: options.clock,
      ...(options.recvWindow === undefined
        ? {}
        : { recvWindow: options.recvWindow }),
    });
  }
  return new V3Signer({
    user: credentials.user,
    signer: credentials.signer,
    privateKey: credentials.privateKey,
    clock: options.clock,
    chainId: options.testnet === true
      ? ASTER_TESTNET_CHAIN_ID
      : ASTER_MAINNET_CHAIN_ID,
    ...(options.nonces === undefined ? {} : { nonces: options.nonces }),
    ...(options.localClock === undefined
      ? {}
      : { localClock: options.localClock }),
  });
}
