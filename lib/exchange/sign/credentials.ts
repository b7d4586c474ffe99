/**
 * Loading and validating exchange credentials from environment variables or files.
 * Secret values are wrapped in {@linkcode Secret} and never appear in messages.
 *
 * @module
 */
import { addressFromPrivateKey, isValidAddress } from "./address.ts";
import { parsePrivateKey } from "./_keys.ts";
import { Secret } from "./secret.ts";

/** V1 (HMAC) credentials. */
export interface V1Credentials {
  /** Scheme tag. */
  readonly scheme: "v1";
  /** API key (64 hex), sent in `X-MBX-APIKEY`. */
  readonly apiKey: Secret;
  /** Secret key (64 hex), the HMAC key. */
  readonly secretKey: Secret;
}

/** V3 (API wallet) credentials. */
export interface V3Credentials {
  /** Scheme tag. */
  readonly scheme: "v3";
  /** Main wallet address (`0x` + 40 hex), as configured. */
  readonly user: string;
  /** Agent address (`0x` + 40 hex), as configured; matches `privateKey`. */
  readonly signer: string;
  /** Agent private key (`0x` + 64 hex). */
  readonly privateKey: Secret;
}

/** Credentials for either scheme. */
export type Credentials = V1Credentials | V3Credentials;

/** Missing, conflicting or malformed credentials; the message never contains a secret. */
export class CredentialError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CredentialError";
  }
}

/** Where {@linkcode loadCredentials} reads from (injected; lib/ never touches Deno.env). */
export interface CredentialSources {
  /** Reads an environment variable; empty strings count as unset. */
  readonly env: (name: string) => string | undefined;
  /** Reads a text file (e.g. `Deno.readTextFile`). */
  readonly readTextFile: (path: string) => Promise<string>;
  /** Forces a scheme; otherwise the one whose variables are set (both set is an error). */
  readonly scheme?: "v1" | "v3";
  /**
   * Stats a key file (e.g. `Deno.stat`): with {@linkcode CredentialSources.uid}, a key file
   * readable by group or others, or owned by another user, is refused. None = unchecked.
   */
  readonly statFile?: (
    path: string,
  ) => Promise<{ readonly mode: number | null; readonly uid: number | null }>;
  /** This process's user id (e.g. `Deno.uid`). */
  readonly uid?: () => number | null;
}

/** Environment variable names, by scheme. */
export const CREDENTIAL_ENV = {
  v1: {
    apiKeyFile: "ORDER_API_KEY",
    secretKeyFile: "ORDER_SECRET_KEY",
    apiKey: "ASTER_API_KEY",
    secretKey: "ASTER_API_SECRET",
  },
  v3: {
    user: "ASTER_USER",
    signer: "ASTER_SIGNER",
    agentKeyFile: "ASTER_AGENT_KEY_FILE",
    agentKey: "ASTER_AGENT_KEY",
  },
} as const;

const HEX64_RE = /^[0-9a-fA-F]{64}$/;
/** 64 hex digits (optionally `0x`), or 44+ base64 characters: key material, not a path. */
const KEY_LIKE_RE = /^(0x)?[0-9a-fA-F]{64}$|^[A-Za-z0-9+_=-]{44,}$/;

/**
 * Whether a value that should be a path or an address looks like key material instead
 * (e.g. a 64-hex key put in `ORDER_API_KEY`), so the error can say so without quoting it.
 */
export function looksLikeKey(value: string): boolean {
  return KEY_LIKE_RE.test(value.trim());
}

/**
 * Loads credentials. V1: `ORDER_API_KEY` / `ORDER_SECRET_KEY` hold **file paths** (the
 * original tool's convention), or `ASTER_API_KEY` / `ASTER_API_SECRET` hold the values.
 * V3: `ASTER_USER`, `ASTER_SIGNER`, and `ASTER_AGENT_KEY_FILE` (path) or `ASTER_AGENT_KEY`
 * (value). File contents are trimmed. Formats are validated and the agent key must belong to
 * `ASTER_SIGNER`.
 *
 * @throws {CredentialError} when variables are missing, conflicting or malformed, or a file
 * cannot be read
 */
export async function loadCredentials(
  sources: CredentialSources,
): Promise<Credentials> {
  const read = (name: string): string | undefined => {
    const value = sources.env(name);
    return value === undefined || value.trim() === ""
      ? undefined
      : value.trim();
  };
  const v1Names = Object.values(CREDENTIAL_ENV.v1);
  const v3Names = Object.values(CREDENTIAL_ENV.v3);
  const hasV1 = v1Names.some((name) => read(name) !== undefined);
  const hasV3 = v3Names.some((name) => read(name) !== undefined);
  let scheme = sources.scheme;
  if (scheme === undefined) {
    if (hasV1 && hasV3) {
      throw new CredentialError(
        "Cannot choose credentials: both V1 and V3 variables are set; unset one set or choose the scheme explicitly",
      );
    }
    if (!hasV1 && !hasV3) {
      throw new CredentialError(
        `Cannot load credentials: none configured; set ${
          v3Names.join(", ")
        } (V3 API wallet) or ${v1Names.join(", ")} (V1 key)`,
      );
    }
    scheme = hasV3 ? "v3" : "v1";
  }
  const value = (
    context: string,
    valueName: string,
    fileName: string,
  ): Promise<Secret> =>
    valueOrFile(read, sources, context, valueName, fileName);
  if (scheme === "v1") {
    const context = "Cannot load V1 credentials";
    const names = CREDENTIAL_ENV.v1;
    const apiKey = await value(context, names.apiKey, names.apiKeyFile);
    const secretKey = await value(
      context,
      names.secretKey,
      names.secretKeyFile,
    );
    return v1Credentials(apiKey, secretKey);
  }
  const context = "Cannot load V3 credentials";
  const names = CREDENTIAL_ENV.v3;
  const user = read(names.user);
  const signer = read(names.signer);
  if (user === undefined) {
    throw new CredentialError(`${context}: ${names.user} is not set`);
  }
  if (signer === undefined) {
    throw new CredentialError(`${context}: ${names.signer} is not set`);
  }
  const privateKey = await value(context, names.agentKey, names.agentKeyFile);
  return v3Credentials(user, signer, privateKey);
}

async function valueOrFile(
  read: (name: string) => string | undefined,
  sources: CredentialSources,
  context: string,
  valueName: string,
  fileName: string,
): Promise<Secret> {
  const direct = read(valueName);
  const path = read(fileName);
  if (direct !== undefined && path !== undefined) {
    throw new CredentialError(
      `${context}: set only one of ${valueName} (value) and ${fileName} (file path)`,
    );
  }
  if (direct !== undefined) return new Secret(direct);
  if (path === undefined) {
    throw new CredentialError(
      `${context}: set ${valueName} (value) or ${fileName} (file path)`,
    );
  }
  // The path is never quoted: a key pasted into the path variable would be printed.
  let text: string;
  try {
    text = await sources.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotCapable
      ? "NotCapable (outside what this command may read: keep key files inside the checkout for the deno tasks)"
      : error instanceof Error
      ? error.name
      : "error";
    throw new CredentialError(
      `${context}: cannot read the file named by ${fileName}: ${reason}${
        looksLikeKey(path)
          ? `; its value looks like a key, not a path (${fileName} holds the path of a file; put the key itself in ${valueName})`
          : ""
      }`,
    );
  }
  // systemd credentials (LoadCredential=) are root-owned with an ACL for the unit's user,
  // in a directory only systemd writes: their access is systemd's to enforce
  if (sources.statFile && sources.uid && !isSystemdCredential(path)) {
    const info = await sources.statFile(path);
    const problem = keyFileProblem(info, sources.uid());
    if (problem) {
      throw new CredentialError(
        `${context}: the file named by ${fileName} ${problem}`,
      );
    }
  }
  const trimmed = text.trim();
  if (trimmed === "") {
    throw new CredentialError(
      `${context}: the file named by ${fileName} is empty`,
    );
  }
  return new Secret(trimmed);
}

/** Whether `path` names a file of a unit's systemd credentials directory. */
export function isSystemdCredential(path: string): boolean {
  return /^\/run\/credentials\/(?!\.\.?\/)[^/]+\/(?!\.\.?$)[^/]+$/.test(path);
}

/**
 * What is wrong with a key file's mode and owner, or `undefined`: readable or writable by
 * group or others (anyone else on the machine could take the key), or owned by another
 * user than `uid`. Unknown fields (other platforms) are not judged.
 */
export function keyFileProblem(
  info: { readonly mode: number | null; readonly uid: number | null },
  uid: number | null,
): string | undefined {
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    return `is accessible to group or others (mode ${
      (info.mode & 0o777).toString(8).padStart(3, "0")
    }): run chmod 600 on it`;
  }
  if (info.uid !== null && uid !== null && info.uid !== uid) {
    return `is owned by uid ${info.uid}, not by this process's user (uid ${uid}): chown it to that user`;
  }
  return undefined;
}

/**
 * Validates V1 credentials: both 64 hex characters and different from each other.
 *
 * @throws {CredentialError} naming the bad field, never its value
 */
export function v1Credentials(
  apiKey: Secret,
  secretKey: Secret,
): V1Credentials {
  const context = "Cannot load V1 credentials";
  for (
    const [name, secret] of [["API key", apiKey], [
      "secret key",
      secretKey,
    ]] as const
  ) {
    if (!HEX64_RE.test(secret.reveal())) {
      throw new CredentialError(
        `${context}: the ${name} must be 64 hex characters (got ${secret.length} characters${
          secret.length === 64 ? ", not all hex" : ""
        })`,
      );
    }
  }
  if (apiKey.reveal() === secretKey.reveal()) {
    throw new CredentialError(
      `${context}: the API key and the secret key are identical`,
    );
  }
  return { scheme: "v1", apiKey, secretKey };
}

/**
 * Validates V3 credentials: both addresses well formed (EIP-55 checksum checked when mixed
 * case), the key `0x` + 64 hex (prefix optional) and its address equal to `signer`.
 *
 * @throws {CredentialError} naming the bad field, never the key
 */
export function v3Credentials(
  user: string,
  signer: string,
  privateKey: Secret,
): V3Credentials {
  const context = "Cannot load V3 credentials";
  for (
    const [name, variable, address] of [
      ["user", CREDENTIAL_ENV.v3.user, user],
      ["signer", CREDENTIAL_ENV.v3.signer, signer],
    ] as const
  ) {
    // The value is never quoted: a private key pasted here would be printed.
    if (!isValidAddress(address)) {
      throw new CredentialError(
        `${context}: the ${name} address (${variable}) is not 0x followed by 40 hex digits with a valid checksum (got ${address.length} characters${
          looksLikeKey(address)
            ? "; this looks like a private key, not an address"
            : ""
        })`,
      );
    }
  }
  let derived: string;
  try {
    derived = addressFromPrivateKey(parsePrivateKey(privateKey, context));
  } catch (error) {
    throw new CredentialError(
      error instanceof Error ? error.message : `${context}: bad private key`,
    );
  }
  if (derived.toLowerCase() !== signer.toLowerCase()) {
    throw new CredentialError(
      `${context}: the agent private key belongs to ${derived}, not to the signer ${signer}`,
    );
  }
  return { scheme: "v3", user, signer, privateKey };
}
