/**
 * The simulator's credentials directory: V1 API keys with their secrets and V3 users with
 * their registered API-wallet signers. An account's engine id is its V1 API key or its V3
 * user address in lowercase.
 *
 * @module
 */

/** An account to create on the simulator. */
export type SimAccount =
  | {
    readonly kind: "v1";
    /** API key (`X-MBX-APIKEY`); also the engine account id. */
    readonly apiKey: string;
    /** HMAC secret. */
    readonly secretKey: string;
    /** Initial USDT wallet balance. @default {"10000"} */
    readonly balance?: string;
  }
  | {
    readonly kind: "v3";
    /** Main wallet address; its lowercase form is the engine account id. */
    readonly user: string;
    /** Registered API-wallet (agent) address(es). */
    readonly signer: string | readonly string[];
    /** Initial USDT wallet balance. @default {"10000"} */
    readonly balance?: string;
  };

/** Default initial wallet balance of an account, USDT. */
export const DEFAULT_BALANCE = "10000";

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** The engine account id of `account`. */
export function accountIdOf(account: SimAccount): string {
  return account.kind === "v1" ? account.apiKey : account.user.toLowerCase();
}

/** Credentials known to the simulator. */
export class AccountDirectory {
  #v1 = new Map<string, string>();
  #v3 = new Map<string, Set<string>>();
  #signerUsers = new Map<string, Set<string>>();
  #ids: string[] = [];

  /**
   * Registers `account` (a V3 user may be registered again to add signers); returns its
   * engine id and whether it is new.
   *
   * @throws {TypeError} on an empty key or secret, a malformed address, or a V1 key
   * registered twice
   */
  add(account: SimAccount): { id: string; created: boolean } {
    if (account.kind === "v1") {
      if (account.apiKey === "" || account.secretKey === "") {
        throw new TypeError("Cannot add V1 account: empty key or secret");
      }
      if (this.#v1.has(account.apiKey)) {
        throw new TypeError("Cannot add V1 account: the API key exists");
      }
      this.#v1.set(account.apiKey, account.secretKey);
      this.#ids.push(account.apiKey);
      return { id: account.apiKey, created: true };
    }
    const signers = typeof account.signer === "string"
      ? [account.signer]
      : account.signer;
    for (const a of [account.user, ...signers]) {
      if (!ADDRESS_RE.test(a)) {
        throw new TypeError(
          `Cannot add V3 account: "${a}" is not 0x followed by 40 hex digits`,
        );
      }
    }
    const id = account.user.toLowerCase();
    let set = this.#v3.get(id);
    const created = set === undefined;
    if (!set) {
      this.#v3.set(id, set = new Set());
      this.#ids.push(id);
    }
    for (const s of signers) {
      const signer = s.toLowerCase();
      set.add(signer);
      let users = this.#signerUsers.get(signer);
      if (!users) this.#signerUsers.set(signer, users = new Set());
      users.add(id);
    }
    return { id, created };
  }

  /** The secret of a V1 API key. */
  v1Secret(apiKey: string): string | undefined {
    return this.#v1.get(apiKey);
  }

  /** Whether `signer` is registered for the V3 `user` (any case). */
  v3Allows(user: string, signer: string): boolean {
    return this.#v3.get(user.toLowerCase())?.has(signer.toLowerCase()) ??
      false;
  }

  /** The only user `signer` is registered for (for requests without `user`). */
  v3UserOf(signer: string): string | undefined {
    const users = this.#signerUsers.get(signer.toLowerCase());
    return users?.size === 1 ? [...users][0] : undefined;
  }

  /** Every engine account id, in creation order. */
  get ids(): readonly string[] {
    return this.#ids;
  }
}
