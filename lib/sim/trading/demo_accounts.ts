/**
 * Accounts for running the simulator by hand (`deno task sim`): freshly generated demo
 * credentials for both schemes, printed as the environment variables the signed client
 * reads, and parsing of `KEY:SECRET` / `USER:SIGNER` flag values.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { addressFromPrivateKey } from "../../exchange/sign/address.ts";
import type { SimAccount } from "./accounts.ts";

/** Generated demo credentials (simulator only: random, never valid on the exchange). */
export interface DemoCredentials {
  /** V1 API key (64 hex). */
  readonly apiKey: string;
  /** V1 secret (64 hex). */
  readonly secretKey: string;
  /** V3 main wallet address. */
  readonly user: string;
  /** V3 agent address. */
  readonly signer: string;
  /** V3 agent private key (`0x` + 64 hex). */
  readonly agentKey: string;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Generates a V1 key/secret and a V3 user/agent pair. */
export function generateDemoCredentials(): DemoCredentials {
  const userKey = secp256k1.utils.randomSecretKey();
  const agentKey = secp256k1.utils.randomSecretKey();
  return {
    apiKey: hex(crypto.getRandomValues(new Uint8Array(32))),
    secretKey: hex(crypto.getRandomValues(new Uint8Array(32))),
    user: addressFromPrivateKey(userKey),
    signer: addressFromPrivateKey(agentKey),
    agentKey: "0x" + hex(agentKey),
  };
}

/** The simulator accounts of `demo`, each with `balance` USDT. */
export function demoAccounts(
  demo: DemoCredentials,
  balance: string,
): SimAccount[] {
  return [
    {
      kind: "v1",
      apiKey: demo.apiKey,
      secretKey: demo.secretKey,
      balance,
    },
    { kind: "v3", user: demo.user, signer: demo.signer, balance },
  ];
}

/** Shell lines exporting `demo` as the client's credential variables, one scheme each. */
export function demoEnvLines(demo: DemoCredentials): string[] {
  return [
    "# Export one scheme only. V1 (HMAC, /fapi/v1):",
    `export ASTER_API_KEY=${demo.apiKey} ASTER_API_SECRET=${demo.secretKey}`,
    "# V3 (API wallet, /fapi/v3):",
    `export ASTER_USER=${demo.user} ASTER_SIGNER=${demo.signer} ASTER_AGENT_KEY=${demo.agentKey}`,
  ];
}

/**
 * Parses a `KEY:SECRET` (`kind` "v1") or `USER:SIGNER` (`kind` "v3") flag value.
 *
 * @param item the entry's position in the flag's list (named in the error)
 * @throws {TypeError} when the value is not two non-empty parts around one colon
 */
export function parseAccountFlag(
  kind: "v1" | "v3",
  text: string,
  balance: string,
  item = 1,
): SimAccount {
  const parts = text.split(":");
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
    // a V1 entry holds a secret: describe its shape, never echo it; V3 addresses are public
    const got = kind === "v1"
      ? `${parts.length} part(s)${
        parts.some((p) => p === "") ? " with an empty one" : ""
      }; the value is not shown, it may hold a secret`
      : `"${text}"`;
    throw new TypeError(
      `Invalid --account_${kind} entry ${item}: expected ${
        kind === "v1" ? "KEY:SECRET" : "USER:SIGNER"
      }, got ${got}`,
    );
  }
  const [a, b] = parts as [string, string];
  return kind === "v1"
    ? { kind, apiKey: a, secretKey: b, balance }
    : { kind, user: a, signer: b, balance };
}
