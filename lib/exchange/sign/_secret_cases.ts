/**
 * Private: full-length secrets put in every credential variable, and a leak check, shared by
 * the credential security tests here and the entry scripts' (`live/security_test.ts`).
 *
 * @module
 */
import { equal } from "node:assert/strict";
import {
  DEMO_AGENT_ADDRESS,
  DEMO_AGENT_KEY,
  DEMO_USER,
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
} from "./_testdata.ts";

/** The full-length secrets a user might paste into the wrong variable. */
export const FULL_SECRETS: readonly string[] = [
  DEMO_V1_API_KEY,
  DEMO_V1_SECRET,
  DEMO_AGENT_KEY,
  DEMO_AGENT_KEY.slice(2),
];

/**
 * Asserts `text` holds no 8-character window of any secret (either case), nor the whole.
 * Windows start at every offset, so no piece long enough to matter can slip between them.
 */
export function assertNoSecret(label: string, text: string): void {
  const lower = text.toLowerCase();
  for (const secret of FULL_SECRETS) {
    const hex = secret.toLowerCase().replace(/^0x/, "");
    for (let i = 0; i + 8 <= hex.length; i++) {
      const piece = hex.slice(i, i + 8);
      equal(lower.includes(piece), false, `${label} leaks "${piece}": ${text}`);
    }
  }
}

/** Every credential variable holding a full-length secret, in a setup that fails. */
export const MISPLACED_SECRETS: readonly {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  readonly says: RegExp;
}[] = [
  {
    name: "V1 API key in ORDER_API_KEY (a path)",
    env: { ORDER_API_KEY: DEMO_V1_API_KEY, ORDER_SECRET_KEY: DEMO_V1_SECRET },
    says: /ORDER_API_KEY.*looks like a key, not a path/,
  },
  {
    name: "V1 secret in ORDER_SECRET_KEY (a path)",
    env: { ASTER_API_KEY: DEMO_V1_API_KEY, ORDER_SECRET_KEY: DEMO_V1_SECRET },
    says: /ORDER_SECRET_KEY.*looks like a key, not a path/,
  },
  {
    name: "agent key in ASTER_AGENT_KEY_FILE (a path)",
    env: {
      ASTER_USER: DEMO_USER,
      ASTER_SIGNER: DEMO_AGENT_ADDRESS,
      ASTER_AGENT_KEY_FILE: DEMO_AGENT_KEY,
    },
    says: /ASTER_AGENT_KEY_FILE.*looks like a key, not a path/,
  },
  {
    name: "agent key in ASTER_SIGNER (an address)",
    env: {
      ASTER_USER: DEMO_USER,
      ASTER_SIGNER: DEMO_AGENT_KEY,
      ASTER_AGENT_KEY: DEMO_AGENT_KEY,
    },
    says: /ASTER_SIGNER.*looks like a private key, not an address/,
  },
  {
    name: "agent key in ASTER_USER (an address)",
    env: {
      ASTER_USER: DEMO_AGENT_KEY.slice(2),
      ASTER_SIGNER: DEMO_AGENT_ADDRESS,
      ASTER_AGENT_KEY: DEMO_AGENT_KEY,
    },
    says: /ASTER_USER.*looks like a private key, not an address/,
  },
  {
    name: "a 65-character ASTER_API_SECRET",
    env: {
      ASTER_API_KEY: DEMO_V1_API_KEY,
      ASTER_API_SECRET: DEMO_V1_SECRET + "0",
    },
    says: /secret key must be 64 hex characters \(got 65/,
  },
  {
    name: "the same value in ASTER_API_KEY and ASTER_API_SECRET",
    env: { ASTER_API_KEY: DEMO_V1_SECRET, ASTER_API_SECRET: DEMO_V1_SECRET },
    says: /identical/,
  },
  {
    name: "a truncated ASTER_AGENT_KEY",
    env: {
      ASTER_USER: DEMO_USER,
      ASTER_SIGNER: DEMO_AGENT_ADDRESS,
      ASTER_AGENT_KEY: DEMO_AGENT_KEY.slice(0, -1),
    },
    says: /private key must be 0x followed by 64 hex digits/,
  },
  {
    name: "every variable set to a secret",
    env: {
      ORDER_API_KEY: DEMO_V1_API_KEY,
      ORDER_SECRET_KEY: DEMO_V1_SECRET,
      ASTER_API_KEY: DEMO_V1_API_KEY,
      ASTER_API_SECRET: DEMO_V1_SECRET,
      ASTER_USER: DEMO_AGENT_KEY,
      ASTER_SIGNER: DEMO_AGENT_KEY,
      ASTER_AGENT_KEY_FILE: DEMO_AGENT_KEY,
      ASTER_AGENT_KEY: DEMO_AGENT_KEY,
    },
    says: /both V1 and V3/,
  },
];
