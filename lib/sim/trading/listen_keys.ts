/**
 * listenKeys of the user-data stream (aster-protocol §3.4): one per account, valid 60 min
 * of sim time from creation or keepalive; `POST` while one is active returns the same key
 * and extends it.
 *
 * @module
 */

/** Validity of a listenKey from creation or keepalive, ms. */
export const LISTEN_KEY_TTL_MS = 60 * 60_000;

interface KeyState {
  readonly key: string;
  readonly accountId: string;
  expiresAt: number;
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The active listenKeys. */
export class ListenKeys {
  #byKey = new Map<string, KeyState>();
  #byAccount = new Map<string, KeyState>();
  #newKey: () => string;

  /** @param newKey key generator (64 hex chars by default) */
  constructor(newKey: () => string = randomKey) {
    this.#newKey = newKey;
  }

  /** Creates the account's key, or extends and returns the active one. */
  create(accountId: string, nowMs: number): string {
    const active = this.#byAccount.get(accountId);
    if (active) {
      active.expiresAt = nowMs + LISTEN_KEY_TTL_MS;
      return active.key;
    }
    let key = this.#newKey();
    while (this.#byKey.has(key)) key = this.#newKey();
    const state = { key, accountId, expiresAt: nowMs + LISTEN_KEY_TTL_MS };
    this.#byKey.set(key, state);
    this.#byAccount.set(accountId, state);
    return key;
  }

  /** Extends the account's key; false when it has none. */
  keepAlive(accountId: string, nowMs: number): boolean {
    const active = this.#byAccount.get(accountId);
    if (!active) return false;
    active.expiresAt = nowMs + LISTEN_KEY_TTL_MS;
    return true;
  }

  /** Removes the account's key; returns it, or undefined when it had none. */
  close(accountId: string): string | undefined {
    const active = this.#byAccount.get(accountId);
    if (!active) return undefined;
    this.#byAccount.delete(accountId);
    this.#byKey.delete(active.key);
    return active.key;
  }

  /** The account of an active key. */
  accountOf(key: string): string | undefined {
    return this.#byKey.get(key)?.accountId;
  }

  /** The active key of an account. */
  keyOf(accountId: string): string | undefined {
    return this.#byAccount.get(accountId)?.key;
  }

  /** Expiry time of an active key. */
  expiresAt(key: string): number | undefined {
    return this.#byKey.get(key)?.expiresAt;
  }

  /** Removes the keys expired at `nowMs` and returns them. */
  expire(nowMs: number): string[] {
    let out: string[] | undefined;
    for (const state of this.#byKey.values()) {
      if (nowMs >= state.expiresAt) (out ??= []).push(state.key);
    }
    if (!out) return [];
    for (const key of out) {
      const state = this.#byKey.get(key)!;
      this.#byKey.delete(key);
      this.#byAccount.delete(state.accountId);
    }
    return out;
  }
}
